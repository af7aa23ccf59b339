package health

import (
	"strings"
	"testing"
	"time"
)

func TestParseSummary(t *testing.T) {
	cols := []string{"sender_identity", "day", "sends", "deliveries", "hard_bounces", "soft_bounces", "complaints", "rejects", "delays", "rendering_failures", "bounce_rate", "complaint_rate", "bounce_status", "complaint_status", "configuration_set"}
	rows := [][]string{
		{"shop.example", "2024-03-07", "700", "690", "4", "2", "1", "0", "3", "0", "0.0057", "0.0014", "healthy", "review", "marketing"},
		{"news.example", "2024/03/08", "400", "350", "50", "", "2", "1", "0", "", "0.125", "0.005", "pause", "pause", ""},
	}
	want := []IdentityDay{
		{Identity: "shop.example", ConfigurationSet: "marketing", Day: time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC), Counts: Counts{Sends: 700, Deliveries: 690, HardBounces: 4, SoftBounces: 2, Complaints: 1, Delays: 3}},
		{Identity: "news.example", Day: time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC), Counts: Counts{Sends: 400, Deliveries: 350, HardBounces: 50, Complaints: 2, Rejects: 1}},
	}
	checkParsed(t, cols, rows, want)
	// A result without the configuration_set column (a summary saved
	// before it existed) reads as rows without a configuration set.
	for i := range rows {
		rows[i] = rows[i][:14]
	}
	want[0].ConfigurationSet = ""
	checkParsed(t, cols[:14], rows, want)
}

func checkParsed(t *testing.T, cols []string, rows [][]string, want []IdentityDay) {
	t.Helper()
	got, err := ParseSummary(cols, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows", len(got))
	}
	for i := range want {
		if got[i].Identity != want[i].Identity || got[i].ConfigurationSet != want[i].ConfigurationSet || !got[i].Day.Equal(want[i].Day) || got[i].Counts != want[i].Counts {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseSummaryErrors(t *testing.T) {
	full := []string{"sender_identity", "day", "sends", "deliveries", "hard_bounces", "soft_bounces", "complaints", "rejects", "delays", "rendering_failures"}
	tests := []struct {
		cols []string
		row  []string
		want string
	}{
		{full[:9], nil, "no rendering_failures column"},
		{full, []string{"a", "2024-03-07", "x"}, `sends "x" is not a count`},
		{full, []string{"a", "2024-03-07", "-1"}, `sends "-1" is not a count`},
		{full, []string{"a", "March 7"}, `day "March 7" is not a date`},
	}
	for _, tt := range tests {
		var rows [][]string
		if tt.row != nil {
			rows = [][]string{tt.row}
		}
		_, err := ParseSummary(tt.cols, rows)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
}

// FuzzParseSummary feeds arbitrary cells: no panic, and every accepted row
// has non-negative counts.
func FuzzParseSummary(f *testing.F) {
	f.Add("a.example", "2024-03-08", "10", "9", "1", "0", "0", "0", "0", "0")
	f.Add("", "2024/03/08 00:00:00", "", "-1", "x", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, id, day, s, d, hb, sb, c, r, dl, rf string) {
		rows, err := ParseSummary(SummaryColumns, [][]string{{id, day, s, d, hb, sb, c, r, dl, rf}})
		if err != nil {
			return
		}
		c0 := rows[0].Counts
		for _, n := range []int64{c0.Sends, c0.Deliveries, c0.HardBounces, c0.SoftBounces, c0.Complaints, c0.Rejects, c0.Delays, c0.RenderingFailures} {
			if n < 0 {
				t.Fatalf("negative count in %+v", rows[0])
			}
		}
	})
}

// sesctl check judges identities: rows of several configuration sets (and
// without one) add up per identity, and rates come from the sums.
func TestEventScopesSumConfigurationSets(t *testing.T) {
	m := EventScopes(configSetRows(), Selection{PerIdentity: true})
	if len(m.Scopes) != 3 || m.Scopes[0].Name != "a.example" {
		t.Fatalf("scopes %+v", m.Scopes)
	}
	a := m.Scopes[0].Values
	for metric, want := range map[Metric]float64{Sends: 460, Bounces: 17, Complaints: 1, BounceRate: 100 * 17.0 / 460} {
		if got, _ := a.Get(metric); got != want {
			t.Errorf("a.example %s = %v, want %v", metric, got, want)
		}
	}
	if got, _ := m.Totals.Values.Get(Sends); got != 560 {
		t.Errorf("total sends %v, want 560", got)
	}
}
