package health

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPerIdentityReport measures judging and rendering a per-identity
// check of 1,000 identities over two days of summary rows.
func BenchmarkPerIdentityReport(b *testing.B) {
	var rows []IdentityDay
	for i := range 1000 {
		for _, d := range []int{0, 1} {
			rows = append(rows, IdentityDay{Identity: fmt.Sprintf("id%04d.example", i), Day: day1.AddDate(0, 0, d),
				Counts: Counts{Sends: int64(1000 + i), Deliveries: int64(990 + i), HardBounces: int64(i % 120), Complaints: int64(i % 7)}})
		}
	}
	f := &EventFetcher{Source: &fakeSummary{rows: rows}, Desc: "bench"}
	th := DefaultThresholds()
	b.ReportAllocs()
	for b.Loop() {
		m, err := f.Measure(context.Background(), win, Selection{PerIdentity: true})
		if err != nil {
			b.Fatal(err)
		}
		rep := Report{Window: win, Source: f.Describe(), PerIdentity: true, Totals: m.Totals, Thresholds: th,
			Results: EvaluateAll(m.Scopes, EvalOptions{Thresholds: th})}
		if len(rep.Result().String()) == 0 {
			b.Fatal("empty output")
		}
	}
}
