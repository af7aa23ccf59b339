package nagios

import (
	"math"
	"strings"
	"testing"
)

func TestParseRangeAlerts(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in     string
		alert  []float64
		quiet  []float64
		canon  string
		start  float64
		end    float64
		inside bool
	}{
		{"10", []float64{-0.001, 10.001, 11, 1e9}, []float64{0, 5, 10}, "10", 0, 10, false},
		{"10:", []float64{9.999, 0, -5}, []float64{10, 11, 1e12}, "10:", 10, inf, false},
		{"~:10", []float64{10.5, 11}, []float64{-1e9, 0, 10}, "~:10", math.Inf(-1), 10, false},
		{"10:20", []float64{9.9, 20.1}, []float64{10, 15, 20}, "10:20", 10, 20, false},
		{"@10:20", []float64{10, 15, 20}, []float64{9.9, 20.1, 0}, "@10:20", 10, 20, true},
		{"0.1", []float64{0.10001, 0.5}, []float64{0, 0.1, 0.0999}, "0.1", 0, 0.1, false},
		{"5:5", []float64{4.9, 5.1}, []float64{5}, "5:5", 5, 5, false},
		{"-5:-1", []float64{0, -5.5}, []float64{-5, -3, -1}, "-5:-1", -5, -1, false},
		{":10", []float64{-1, 11}, []float64{0, 10}, "10", 0, 10, false},
		{"0:10", []float64{-1, 11}, []float64{0, 10}, "10", 0, 10, false},
		{"~:", nil, []float64{-1e300, 0, 1e300}, "~:", math.Inf(-1), inf, false},
		{"@~:", []float64{-1e300, 0, 1e300}, nil, "@~:", math.Inf(-1), inf, true},
		{"@0", []float64{0}, []float64{-0.1, 0.1}, "@0", 0, 0, true},
		{" 100: ", []float64{99}, []float64{100}, "100:", 100, inf, false},
		{"+3.", []float64{3.5}, []float64{3}, "3", 0, 3, false},
		{".5", []float64{0.6}, []float64{0.5}, "0.5", 0, 0.5, false},
	}
	for _, tt := range tests {
		r, err := ParseRange(tt.in)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tt.in, err)
			continue
		}
		if r.Start != tt.start || r.End != tt.end || r.Inside != tt.inside {
			t.Errorf("ParseRange(%q) = %+v, want start %v end %v inside %v", tt.in, r, tt.start, tt.end, tt.inside)
		}
		for _, v := range tt.alert {
			if !r.Alert(v) {
				t.Errorf("%q: Alert(%v) = false, want true", tt.in, v)
			}
		}
		for _, v := range tt.quiet {
			if r.Alert(v) {
				t.Errorf("%q: Alert(%v) = true, want false", tt.in, v)
			}
		}
		if got := r.String(); got != tt.canon {
			t.Errorf("%q: String() = %q, want %q", tt.in, got, tt.canon)
		}
		if r.Alert(math.NaN()) {
			t.Errorf("%q: NaN alerts", tt.in)
		}
	}
}

func TestParseRangeErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty range"},
		{"   ", "empty range"},
		{"@", "empty range"},
		{"20:10", "start 20 is greater than end 10"},
		{"@5:-5", "start 5 is greater than end -5"},
		{"abc", `end "abc" is not a decimal number`},
		{"1e3", `end "1e3" is not a decimal number`},
		{"inf", `end "inf" is not a decimal number`},
		{"NaN", `end "NaN" is not a decimal number`},
		{"0x10", `end "0x10" is not a decimal number`},
		{"1,5", `end "1,5" is not a decimal number`},
		{"~", `end "~" is not a decimal number`},
		{"10:~", `end "~" is not a decimal number`},
		{"1:2:3", `end "2:3" is not a decimal number`},
		{"@@1", `end "@1" is not a decimal number`},
		{"5%", `end "5%" is not a decimal number`},
		{"x:5", `start "x" is not a decimal number`},
		{strings.Repeat("9", 400), "is out of range"},
	}
	for _, tt := range tests {
		_, err := ParseRange(tt.in)
		if err == nil {
			t.Errorf("ParseRange(%q): no error", tt.in)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseRange(%q) error %q does not mention %q", tt.in, err, tt.msg)
		}
	}
}

func TestViolation(t *testing.T) {
	f := func(v float64) string { return FormatNumber(v, 3) }
	tests := []struct {
		rng  string
		v    float64
		want string
	}{
		{"10", 12.5, "> 10"},
		{"10", 5, ""},
		{"100:", 40, "< 100"},
		{"10:20", 9, "< 10"},
		{"10:20", 21, "> 20"},
		{"@10:20", 15, "in 10..20"},
		{"@~:0.5", 0.1, "<= 0.5"},
		{"@3:", 7, ">= 3"},
		{"@~:", 7, "in ~..inf"},
	}
	for _, tt := range tests {
		r, err := ParseRange(tt.rng)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Violation(tt.v, f); got != tt.want {
			t.Errorf("%q.Violation(%v) = %q, want %q", tt.rng, tt.v, got, tt.want)
		}
	}
}

// FuzzParseRange checks that any accepted range is consistent: start <= end,
// its canonical form parses back to the same range, and the endpoints and
// the midpoint behave as the "@" flag says.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"10", "10:", "~:10", "10:20", "@10:20", "@~:", ":", "-1.5:2.", "0.1", "@", "1e5", "~:~", "9:8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			return
		}
		if !(r.Start <= r.End) {
			t.Fatalf("%q: start %v > end %v", s, r.Start, r.End)
		}
		back, err := ParseRange(r.String())
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse: %v", s, r.String(), err)
		}
		if back != r {
			t.Fatalf("%q: canonical %q parses to %+v, want %+v", s, r.String(), back, r)
		}
		for _, v := range []float64{r.Start, r.End, (r.Start + r.End) / 2} {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				continue
			}
			if r.Alert(v) != r.Inside {
				t.Fatalf("%q: value %v inside the range: Alert = %v, want %v", s, v, r.Alert(v), r.Inside)
			}
		}
	})
}
