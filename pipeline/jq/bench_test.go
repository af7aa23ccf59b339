package jq

import (
	"testing"
)

// benchRecord is the official SES Bounce sample (about 1.7 KB).
func benchRecord(b *testing.B) []byte {
	for _, rec := range officialSamples(b) {
		if len(rec) > 0 && string(rec[:23]) == `{"eventType":"Bounce","` {
			return rec
		}
	}
	return officialSamples(b)[0]
}

func benchmarkExtract(b *testing.B, src string) {
	q := mustCompile(b, src)
	rec := benchRecord(b)
	if _, err := q.Extract(rec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Extract(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	b.Run("default-query", func(b *testing.B) { benchmarkExtract(b, defaultQuery) })
	b.Run("default-query-extractor", func(b *testing.B) {
		// As replay's workers run it: one Extractor, key strings reused.
		x := mustCompile(b, defaultQuery).NewExtractor()
		rec := benchRecord(b)
		b.SetBytes(int64(len(rec)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := x.Extract(rec, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("two-key-path", func(b *testing.B) {
		benchmarkExtract(b, `{event_type: .eventType, config_set: .mail.tags."ses:configuration-set"[0]}`)
	})
	b.Run("gojq-pruned", func(b *testing.B) {
		// gsub is outside the fast path: gojq runs on a pruned decode.
		benchmarkExtract(b, `{event_type: (.eventType | gsub(" ";"_")), config_set: .mail.tags."ses:configuration-set"[0]}`)
	})
	b.Run("whole-record", func(b *testing.B) {
		// `.` as a whole disables pruned decoding: the full record is built.
		benchmarkExtract(b, `{event_type: (. as $r | $r.eventType), config_set: .mail.tags."ses:configuration-set"[0]}`)
	})
}

func BenchmarkExtractParallel(b *testing.B) {
	q := mustCompile(b, defaultQuery)
	rec := benchRecord(b)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := q.Extract(rec); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(defaultQuery); err != nil {
			b.Fatal(err)
		}
	}
}
