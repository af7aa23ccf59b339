package nagios

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustRange(t *testing.T, s string) *Range {
	t.Helper()
	r, err := ParseRange(s)
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v    float64
		sig  int
		want string
	}{
		{0, 3, "0"},
		{math.Copysign(0, -1), 3, "0"},
		{0.08, 3, "0.08"},
		{0.0008, 3, "0.0008"},
		{100.0 / 1200, 3, "0.0833"},
		{100.0 / 1200, 6, "0.0833333"},
		{12.5, 3, "12.5"},
		{5, 3, "5"},
		{10, 3, "10"},
		{3.42105, 3, "3.42"},
		{9.9996, 3, "10"},
		{1234567, 3, "1234567"},
		{1234567.89, 6, "1234568"},
		{1e-9, 3, "0.000000001"},
		{-0.25, 3, "-0.25"},
		{1e21, 6, "1000000000000000000000"},
		{math.NaN(), 3, "U"},
		{math.Inf(1), 3, "U"},
		{2.6, 0, "3"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.v, tt.sig); got != tt.want {
			t.Errorf("FormatNumber(%v, %d) = %q, want %q", tt.v, tt.sig, got, tt.want)
		}
	}
}

func TestPerfDatumString(t *testing.T) {
	tests := []struct {
		p    PerfDatum
		want string
	}{
		{PerfDatum{Label: "sends", Value: 1200, UOM: UOMCounter, Min: Float(0)}, "sends=1200c;;;0"},
		{PerfDatum{Label: "bounce_rate", Value: 0.5, UOM: UOMPercent, Warn: mustRange(t, "5"), Crit: mustRange(t, "10"), Min: Float(0), Max: Float(100)}, "bounce_rate=0.5%;5;10;0;100"},
		{PerfDatum{Label: "complaint_rate", Value: 100.0 / 1200, UOM: UOMPercent, Warn: mustRange(t, "0.1"), Crit: mustRange(t, "0.5"), Min: Float(0), Max: Float(100)}, "complaint_rate=0.0833333%;0.1;0.5;0;100"},
		{PerfDatum{Label: "sends", Value: 40, UOM: UOMCounter, Warn: mustRange(t, "100:"), Crit: mustRange(t, "10:")}, "sends=40c;100:;10:"},
		{PerfDatum{Label: "x", Value: 1, Crit: mustRange(t, "@~:0.5")}, "x=1;;@~:0.5"},
		{PerfDatum{Label: "bounce_rate", Value: math.NaN(), UOM: UOMPercent, Min: Float(0), Max: Float(100)}, "bounce_rate=U%;;;0;100"},
		{PerfDatum{Label: "mail example.com", Value: 3}, "'mail example.com'=3"},
		{PerfDatum{Label: "it's", Value: 3}, "'it''s'=3"},
		{PerfDatum{Label: "a=b", Value: 3}, "'a=b'=3"},
		{PerfDatum{Label: "a|b", Value: 3}, "a/b=3"},
		{PerfDatum{Label: "tiny", Value: 1e-7}, "tiny=0.0000001"},
		{PerfDatum{Label: "big", Value: 12345678}, "big=12345678"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []State
		want State
	}{
		{nil, OK},
		{[]State{OK, OK}, OK},
		{[]State{OK, Unknown}, Unknown},
		{[]State{Unknown, Warning}, Warning},
		{[]State{Warning, Critical, Unknown}, Critical},
		{[]State{Critical, OK}, Critical},
		{[]State{State(7)}, Unknown},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	names := map[State]string{OK: "OK", Warning: "WARNING", Critical: "CRITICAL", Unknown: "UNKNOWN", State(9): "UNKNOWN"}
	for s, want := range names {
		if s.String() != want {
			t.Errorf("State(%d).String() = %q, want %q", int(s), s.String(), want)
		}
	}
}

func TestResultGolden(t *testing.T) {
	rates := []PerfDatum{
		{Label: "sends", Value: 1200, UOM: UOMCounter, Min: Float(0)},
		{Label: "bounce_rate", Value: 12.5, UOM: UOMPercent, Warn: mustRange(t, "5"), Crit: mustRange(t, "10"), Min: Float(0), Max: Float(100)},
	}
	tests := []struct {
		name string
		r    Result
	}{
		{"single", Result{Service: "SES", State: Critical, Summary: "bounce rate 12.5% > 10 (critical)", Perf: rates}},
		{"noperf", Result{Service: "SES", State: Unknown, Summary: "no data | really\nnone"}},
		{"long", Result{
			Service: "SES", State: Warning, Summary: "2 identities: 1 warning, 1 ok",
			Perf:     rates[:1],
			Long:     []string{"[WARNING] a.example: bounce rate 6% > 5 (warning)", "[OK] b.example: 10 sends"},
			LongPerf: []PerfDatum{{Label: "a.example#sends", Value: 50, UOM: UOMCounter}, {Label: "b.example#sends", Value: 10, UOM: UOMCounter}},
		}},
		{"longperf-no-long", Result{Service: "SES", State: OK, Summary: "fine", Perf: rates[:1], LongPerf: rates[1:]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", tt.name+".golden"), tt.r.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
