package athena

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/prefix"
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
func buildBenchLake(dir string, spec pipeline.Spec, n int) error {
	gen, err := schema.NewGenerator(schema.GeneratorConfig{Seed: 1, Events: n})
	if err != nil {
		return err
	}
	p, err := prefix.Parse(spec.Prefix)
	if err != nil {
		return err
	}
	objects := map[string]*bytes.Buffer{}
	var rec []byte
	for range n {
		rec = gen.Next(rec[:0])
		at, err := schema.EventTime(rec)
		if err != nil {
			return err
		}
		keys := map[string]string{"sender_identity": benchIdentity(rec), "event_type": benchEventType(rec)}
		pre, err := p.Eval(prefix.Values{Keys: keys, Time: at.UTC()})
		if err != nil {
			return err
		}
		key := pre + spec.StreamName + "-1-" + at.UTC().Format("2006-01-02-15") + "-00-00-bench.gz"
		buf := objects[key]
		if buf == nil {
			buf = &bytes.Buffer{}
			objects[key] = buf
		}
		buf.Write(rec)
		buf.WriteByte('\n')
	}
	for key, buf := range objects {
		path, err := sink.LocalPath(dir, key)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(buf.Bytes())
		zw.Close()
		if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// benchIdentity is the default query's sender_identity: the domain of
// mail.source, lower case, without a closing ">".
func benchIdentity(rec []byte) string {
	i := bytes.Index(rec, []byte(`"source":"`))
	src := rec[i+len(`"source":"`):]
	src = src[:bytes.IndexByte(src, '"')]
	s := string(src)
	s = s[strings.LastIndex(s, "@")+1:]
	return strings.ToLower(strings.TrimSuffix(s, ">"))
}

func benchEventType(rec []byte) string {
	const k = `"eventType":"`
	i := bytes.Index(rec, []byte(k))
	t := rec[i+len(k):]
	return string(t[:bytes.IndexByte(t, '"')])
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
