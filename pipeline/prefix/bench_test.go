package prefix

import (
	"testing"
	"time"
)

// BenchmarkEval measures the per-object path: evaluating the default sesctl
// prefix (two partition keys and a day) and a Hive-style prefix.
func BenchmarkEval(b *testing.B) {
	cases := map[string]string{
		"default": "events/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/",
		"hive":    "events/sender=!{partitionKeyFromQuery:sender_identity}/type=!{partitionKeyFromQuery:event_type}/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/",
		"week":    "events/!{timestamp:YYYY-'W'ww}/!{partitionKeyFromQuery:event_type}/",
	}
	v := Values{
		Keys: map[string]string{"sender_identity": "example.com", "event_type": "Delivery"},
		Time: time.Date(2024, 3, 8, 9, 7, 6, 0, time.UTC),
	}
	for name, raw := range cases {
		p, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Eval(v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/append", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 256)
			for b.Loop() {
				var err error
				if buf, err = p.AppendEval(buf[:0], v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseTime(b *testing.B) {
	f, err := CompileTimeFormat("yyyy/MM/dd")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Parse("2024/03/08"); err != nil {
			b.Fatal(err)
		}
	}
}
