package athena

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/sink"
	"github.com/sesctl/sesctl/schema"
)

// BenchmarkQueryBounces runs `sesctl query bounces --day` on a lake of
// synthetic events (schema.Generator, what `sesctl generate` writes, seed 1,
// 8 identities over 7 days from 2026-01-01) laid out with the default
// prefix, one gzip object per partition and hour as Firehose's buffering
// would deliver them. It reports how many objects and bytes the query read
// next to the size of the whole lake.
//
//	SESCTL_BENCH_EVENTS=1000000 go test ./athena/ -run XXX -bench QueryBounces -benchtime 5x
//
// SESCTL_BENCH_LAKE=DIR reuses (or, if absent, builds) the lake in DIR.
func BenchmarkQueryBounces(b *testing.B) {
	events := 100000
	if v := os.Getenv("SESCTL_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		events = n
	}
	dir := os.Getenv("SESCTL_BENCH_LAKE")
	if dir == "" {
		dir = b.TempDir()
	}
	spec := pipeline.DefaultSpec()
	if _, err := os.Stat(filepath.Join(dir, "events")); err != nil {
		start := time.Now()
		if err := buildBenchLake(dir, spec, events); err != nil {
			b.Fatal(err)
		}
		b.Logf("built a lake of %d events in %s", events, time.Since(start).Round(time.Millisecond))
	}
	lakeObjects, lakeBytes := dirSize(b, dir)
	r, err := NewLocalRunner(dir, spec)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	q, _ := Lookup("bounces")
	p := Params{From: day("2026-01-04"), To: day("2026-01-04")}
	var rows int
	b.ResetTimer()
	for b.Loop() {
		res, err := r.Run(context.Background(), q, p)
		if err != nil {
			b.Fatal(err)
		}
		rows = len(res.Rows)
	}
	b.StopTimer()
	b.ReportMetric(float64(r.Stats.Files), "objects-read")
	b.ReportMetric(float64(r.Stats.Bytes)/(1<<20), "MiB-read")
	b.ReportMetric(float64(lakeObjects), "lake-objects")
	b.ReportMetric(float64(lakeBytes)/(1<<20), "lake-MiB")
	b.ReportMetric(float64(rows), "rows")
}

// buildBenchLake partitions n generated events by the default prefix,
// evaluated at each event's own time, one object per partition and hour.
// buildBenchLake writes n generated events and replays them into dir with
// sesctl replay's own pipeline, so the benchmark reads the lake users get.
func buildBenchLake(dir string, spec pipeline.Spec, n int) error {
	gen, err := schema.NewGenerator(schema.GeneratorConfig{Seed: 1, Events: n})
	if err != nil {
		return err
	}
	input := filepath.Join(dir, ".events.jsonl")
	var buf bytes.Buffer
	var rec []byte
	for range n {
		rec = gen.Next(rec[:0])
		buf.Write(rec)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(input, buf.Bytes(), 0o644); err != nil {
		return err
	}
	defer os.Remove(input)
	c, err := spec.Compile()
	if err != nil {
		return err
	}
	inputs, err := pipeline.ResolveInputs([]string{input}, nil)
	if err != nil {
		return err
	}
	out, err := sink.NewLocal(dir)
	if err != nil {
		return err
	}
	arrival, err := pipeline.ParseArrival("event")
	if err != nil {
		return err
	}
	_, err = pipeline.Replay(context.Background(), c, inputs, out, pipeline.Options{Arrival: arrival})
	return err
}

func dirSize(tb testing.TB, dir string) (files int, size int64) {
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if err != nil {
		tb.Fatal(fmt.Errorf("size of %s: %w", dir, err))
	}
	return files, size
}
