package health

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesctl/sesctl/internal/nagios"
)

// fakeSummary is a SummarySource over fixed rows; it records its arguments.
type fakeSummary struct {
	rows     []IdentityDay
	err      error
	from, to time.Time
	ids      []string
}

func (f *fakeSummary) Summary(_ context.Context, from, to time.Time, ids []string) ([]IdentityDay, error) {
	f.from, f.to, f.ids = from, to, ids
	return f.rows, f.err
}

var (
	day1 = time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC)
	day2 = time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
	win  = Window{From: time.Date(2024, 3, 7, 12, 0, 0, 0, time.UTC), To: time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC), Desc: "last 24h"}
)

// rows: shop.example 1200 sends, 6 hard bounces (0.5%), 1 complaint
// (0.0833%); news.example 400 sends, 50 hard bounces (12.5%), 2 complaints
// (0.5%); tiny.example 3 sends, 1 bounce (33.3%).
func sampleRows() []IdentityDay {
	return []IdentityDay{
		{Identity: "shop.example", Day: day1, Counts: Counts{Sends: 700, Deliveries: 690, HardBounces: 4, SoftBounces: 2, Complaints: 1, Delays: 3}},
		{Identity: "shop.example", Day: day2, Counts: Counts{Sends: 500, Deliveries: 497, HardBounces: 2}},
		{Identity: "news.example", Day: day2, Counts: Counts{Sends: 400, Deliveries: 350, HardBounces: 50, Complaints: 2, Rejects: 1}},
		{Identity: "tiny.example", Day: day2, Counts: Counts{Sends: 3, Deliveries: 2, HardBounces: 1}},
	}
}

func runCheck(t *testing.T, rows []IdentityDay, sel Selection, th Thresholds, minSends int64) Report {
	t.Helper()
	f := &EventFetcher{Source: &fakeSummary{rows: rows}, Desc: "lake testlake"}
	m, err := f.Measure(context.Background(), win, sel)
	if err != nil {
		t.Fatal(err)
	}
	rep := Report{Window: win, Source: f.Describe(), PerIdentity: sel.PerIdentity, Totals: m.Totals, Thresholds: th, MinSends: minSends, Notes: m.Notes}
	rep.Results = EvaluateAll(m.Scopes, EvalOptions{Thresholds: th, MinSends: minSends})
	return rep
}

func TestCountsRates(t *testing.T) {
	tests := []struct {
		c                 Counts
		bounce, complaint float64
	}{
		{Counts{Sends: 1200, HardBounces: 6, SoftBounces: 40, Complaints: 1}, 0.5, 1.0 / 12},
		{Counts{Sends: 400, HardBounces: 50, Complaints: 2}, 12.5, 0.5},
		{Counts{Sends: 10000, Complaints: 8}, 0, 0.08},
	}
	for _, tt := range tests {
		v := tt.c.Values(false)
		b, _ := v.Get(BounceRate)
		c, _ := v.Get(ComplaintRate)
		if math.Abs(b-tt.bounce) > 1e-12 || math.Abs(c-tt.complaint) > 1e-12 {
			t.Errorf("%+v: rates %v%% %v%%, want %v%% %v%%", tt.c, b, c, tt.bounce, tt.complaint)
		}
	}
	v := Counts{Deliveries: 3}.Values(false)
	if b, ok := v.Get(BounceRate); !ok || !math.IsNaN(b) {
		t.Errorf("no sends: bounce rate %v %v, want undetermined", b, ok)
	}
	v = Counts{}.Values(true)
	if b, ok := v.Get(BounceRate); !ok || b != 0 {
		t.Errorf("zeroed: bounce rate %v %v, want 0", b, ok)
	}
}

func TestEveryExitState(t *testing.T) {
	th := DefaultThresholds()
	tests := []struct {
		name string
		rows []IdentityDay
		ids  []string
		want nagios.State
	}{
		{"ok", sampleRows(), []string{"shop.example"}, nagios.OK},
		{"warning bounce 6%", []IdentityDay{{Identity: "a", Counts: Counts{Sends: 100, HardBounces: 6}}}, nil, nagios.Warning},
		{"warning bounce exactly 5% is ok", []IdentityDay{{Identity: "a", Counts: Counts{Sends: 100, HardBounces: 5}}}, nil, nagios.OK},
		{"critical bounce", sampleRows(), []string{"news.example"}, nagios.Critical},
		{"warning complaint 0.2%", []IdentityDay{{Identity: "a", Counts: Counts{Sends: 1000, Complaints: 2}}}, nil, nagios.Warning},
		{"critical complaint 0.6%", []IdentityDay{{Identity: "a", Counts: Counts{Sends: 1000, Complaints: 6}}}, nil, nagios.Critical},
		{"unknown without data", nil, nil, nagios.Unknown},
		{"unknown for an identity without data", sampleRows(), []string{"absent.example"}, nagios.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runCheck(t, tt.rows, Selection{Identities: tt.ids}, th, 0)
			if got := rep.State(); got != tt.want {
				t.Errorf("state %v, want %v\n%s", got, tt.want, rep.Result())
			}
		})
	}
}

func TestCountThresholds(t *testing.T) {
	th := DefaultThresholds()
	if err := th.Set(Sends, "1000:", "100:"); err != nil {
		t.Fatal(err)
	}
	if err := th.Set(Rejects, "0", "5"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ids  []string
		want nagios.State
	}{
		{[]string{"shop.example"}, nagios.OK},       // 1200 sends, 0 rejects
		{[]string{"news.example"}, nagios.Critical}, // 400 sends (warning), 1 reject (warning), 12.5% (critical)
		{[]string{"tiny.example"}, nagios.Critical}, // 3 sends < 100
	}
	for _, tt := range tests {
		rep := runCheck(t, sampleRows(), Selection{Identities: tt.ids}, th, 0)
		if rep.State() != tt.want {
			t.Errorf("%v: %v, want %v\n%s", tt.ids, rep.State(), tt.want, rep.Result())
		}
	}
	// Without the rate thresholds, news.example is WARNING on sends and rejects.
	_ = th.Set(BounceRate, "", "")
	_ = th.Set(ComplaintRate, "", "")
	rep := runCheck(t, sampleRows(), Selection{Identities: []string{"news.example"}}, th, 0)
	if rep.State() != nagios.Warning || len(rep.Results[0].Findings) != 2 {
		t.Errorf("news.example without rate thresholds: %v with %d findings, want WARNING with 2\n%s", rep.State(), len(rep.Results[0].Findings), rep.Result())
	}
}

func TestZeroed(t *testing.T) {
	th := DefaultThresholds()
	_ = th.Set(Sends, "10:", "1:")
	rep := runCheck(t, nil, Selection{}, th, 0)
	if rep.State() != nagios.Unknown {
		t.Errorf("no data without --zeroed: %v", rep.State())
	}
	rep = runCheck(t, nil, Selection{Zeroed: true}, th, 0)
	if rep.State() != nagios.Critical {
		t.Errorf("no data with --zeroed and --critical-sends 1: : %v, want CRITICAL\n%s", rep.State(), rep.Result())
	}
	rep = runCheck(t, nil, Selection{Zeroed: true}, DefaultThresholds(), 0)
	if rep.State() != nagios.OK {
		t.Errorf("no data with --zeroed and default thresholds: %v, want OK\n%s", rep.State(), rep.Result())
	}
	rep = runCheck(t, sampleRows(), Selection{Zeroed: true, PerIdentity: true, Identities: []string{"shop.example", "absent.example"}}, DefaultThresholds(), 0)
	if rep.State() != nagios.OK || len(rep.Results) != 2 {
		t.Errorf("zeroed per-identity with an absent identity: %v, %d scopes\n%s", rep.State(), len(rep.Results), rep.Result())
	}
}

func TestPerIdentityWorstState(t *testing.T) {
	rep := runCheck(t, sampleRows(), Selection{PerIdentity: true}, DefaultThresholds(), 0)
	if rep.State() != nagios.Critical {
		t.Fatalf("state %v, want CRITICAL", rep.State())
	}
	order := []string{}
	for _, r := range rep.Results {
		order = append(order, r.Name+"="+r.State.String())
	}
	want := []string{"news.example=CRITICAL", "tiny.example=CRITICAL", "shop.example=OK"}
	if len(order) != len(want) {
		t.Fatalf("scopes %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("scopes %v, want %v", order, want)
		}
	}
	// --min-sends 10 keeps tiny.example's 33% from being judged.
	rep = runCheck(t, sampleRows(), Selection{PerIdentity: true}, DefaultThresholds(), 10)
	for _, r := range rep.Results {
		if r.Name == "tiny.example" && (r.State != nagios.OK || !r.RatesSkipped) {
			t.Errorf("tiny.example with --min-sends 10: %v skipped=%v", r.State, r.RatesSkipped)
		}
	}
	// The worst decides even when another identity is UNKNOWN.
	rows := append(sampleRows()[:2], IdentityDay{Identity: "warn.example", Counts: Counts{Sends: 100, HardBounces: 7}})
	rep = runCheck(t, rows, Selection{PerIdentity: true, Identities: []string{"shop.example", "warn.example", "absent.example"}}, DefaultThresholds(), 0)
	if rep.State() != nagios.Warning {
		t.Errorf("OK + WARNING + UNKNOWN = %v, want WARNING\n%s", rep.State(), rep.Result())
	}
	rep = runCheck(t, rows[:2], Selection{PerIdentity: true, Identities: []string{"shop.example", "absent.example"}}, DefaultThresholds(), 0)
	if rep.State() != nagios.Unknown {
		t.Errorf("OK + UNKNOWN = %v, want UNKNOWN\n%s", rep.State(), rep.Result())
	}
}

func TestEventFetcherPassesArguments(t *testing.T) {
	src := &fakeSummary{err: errors.New("boom")}
	f := &EventFetcher{Source: src}
	_, err := f.Measure(context.Background(), win, Selection{Identities: []string{"a.example"}})
	if err == nil || err.Error() != "boom" {
		t.Errorf("error %v", err)
	}
	if !src.from.Equal(win.From) || !src.to.Equal(win.To) || len(src.ids) != 1 || src.ids[0] != "a.example" {
		t.Errorf("source got %s..%s %v", src.from, src.to, src.ids)
	}
}

func TestReportGolden(t *testing.T) {
	th := DefaultThresholds()
	_ = th.Set(Sends, "100:", "")
	tests := []struct {
		name string
		sel  Selection
		th   Thresholds
	}{
		{"account-ok", Selection{Identities: []string{"shop.example"}}, DefaultThresholds()},
		{"account-warning", Selection{}, DefaultThresholds()},
		{"identity-critical", Selection{Identities: []string{"news.example"}}, th},
		{"per-identity", Selection{PerIdentity: true}, th},
		{"per-identity-ok", Selection{PerIdentity: true, Identities: []string{"shop.example"}}, DefaultThresholds()},
		{"unknown", Selection{Identities: []string{"absent.example"}}, DefaultThresholds()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runCheck(t, sampleRows(), tt.sel, tt.th, 0)
			golden(t, filepath.Join("testdata", "report-"+tt.name+".golden"), rep.Result().String())
		})
	}
}
