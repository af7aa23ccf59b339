package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline/sink"
)

// discardSink counts what would be written.
type discardSink struct{}

func (discardSink) Describe() string { return "discard" }
func (discardSink) Create(context.Context, string) (sink.Object, error) {
	return discardObject{}, nil
}

type discardObject struct{}

func (discardObject) Write(p []byte) (int, error) { return len(p), nil }
func (discardObject) Commit() error               { return nil }
func (discardObject) Abort() error                { return nil }

var isoStamp = regexp.MustCompile(`"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ"`)

// genEvents returns n JSON Lines shaped like real SES events: the official
// samples with identities spread over domains sending identities and
// timestamps spread over one day.
func genEvents(tb testing.TB, n, identities int) []byte {
	tb.Helper()
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		tb.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(samples), []byte("\n"))
	var out bytes.Buffer
	day := time.Date(2024, 2, 16, 0, 0, 0, 0, time.UTC)
	for i := range n {
		line := lines[i%len(lines)]
		dom := fmt.Appendf(nil, "d%03d.example", (i/len(lines))%identities)
		line = bytes.ReplaceAll(line, []byte("example.com"), dom)
		at := day.Add(time.Duration(i) * 86400 * time.Second / time.Duration(n))
		stamp := []byte(`"` + at.Format("2006-01-02T15:04:05.000Z") + `"`)
		line = isoStamp.ReplaceAll(line, stamp)
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func benchmarkReplay(b *testing.B, identities int, compression string) {
	spec := DefaultSpec()
	spec.Compression = compression
	if compression == FormatParquet {
		spec = parquetSpec()
	}
	c := mustCompile(b, spec)
	data := genEvents(b, 40000, identities)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		in := []Input{ReaderInput("bench.jsonl", bytes.NewReader(data))}
		sum, err := Replay(context.Background(), c, in, discardSink{}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Failed != 0 {
			b.Fatalf("%d records failed", sum.Failed)
		}
	}
}

// BenchmarkReplay is the end-to-end replay of SES-shaped events (event-time
// arrival over one day, default spec, GZIP) into a sink that discards; the
// parquet cases convert each delivered buffer to Parquet instead.
func BenchmarkReplay(b *testing.B) {
	b.Run("gzip/10-partitions", func(b *testing.B) { benchmarkReplay(b, 1, CompressionGZIP) })
	b.Run("gzip/500-partitions", func(b *testing.B) { benchmarkReplay(b, 50, CompressionGZIP) })
	b.Run("none/500-partitions", func(b *testing.B) { benchmarkReplay(b, 50, CompressionNone) })
	b.Run("parquet/10-partitions", func(b *testing.B) { benchmarkReplay(b, 1, FormatParquet) })
	b.Run("parquet/500-partitions", func(b *testing.B) { benchmarkReplay(b, 50, FormatParquet) })
}

// BenchmarkGzip6 is the baseline the replay is measured against: gzip -6 of
// the same bytes on one goroutine.
func BenchmarkGzip6(b *testing.B) {
	data := genEvents(b, 40000, 50)
	p := newMemPayload()
	p.Append(data)
	b.SetBytes(int64(len(data)))
	for range b.N {
		if err := encodePayload(io.Discard, p, CompressionGZIP); err != nil {
			b.Fatal(err)
		}
	}
}
