package schema

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC3339Nano in UTC; "" = error
	}{
		{"2017-08-05T00:40:02.012Z", "2017-08-05T00:40:02.012Z"},
		{"2017-08-05T00:40:02Z", "2017-08-05T00:40:02Z"},
		{"2017-08-05T00:40:02.1Z", "2017-08-05T00:40:02.1Z"},
		{"2017-08-05T00:40:02.123456789Z", "2017-08-05T00:40:02.123456789Z"},
		{"2017-08-05T02:40:02.012+02:00", "2017-08-05T00:40:02.012Z"},
		{"2017-08-04T23:40:02.012-01:00", "2017-08-05T00:40:02.012Z"},
		{"2018-10-08T14:05:45 +0000", "2018-10-08T14:05:45Z"},
		{"2020-02-29T00:00:00Z", "2020-02-29T00:00:00Z"},
		{"2019-02-29T00:00:00Z", ""},
		{"2017-13-05T00:40:02Z", ""},
		{"2017-08-05T24:00:00Z", ""},
		{"2017-08-05T00:40:02.Z", ""},
		{"2017-08-05 00:40:02Z", ""},
		{"2017-08-05T00:40:02", ""},
		{"2017-08-05", ""},
		{"", ""},
		{"Mon, 2 Jan 2006 15:04:05 +0000", ""},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseTimestamp(%q) = %s, want error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if s := got.UTC().Format(time.RFC3339Nano); s != tt.want {
			t.Errorf("ParseTimestamp(%q) = %s, want %s", tt.in, s, tt.want)
		}
	}
}

func TestAppendTimestamp(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2017, 8, 5, 0, 40, 2, 12e6, time.UTC), "2017-08-05T00:40:02.012Z"},
		{time.Date(2017, 8, 5, 0, 40, 2, 0, time.UTC), "2017-08-05T00:40:02.000Z"},
		{time.Date(2017, 8, 5, 2, 0, 0, 999999999, time.FixedZone("", 7200)), "2017-08-05T00:00:00.999Z"},
	}
	for _, tt := range tests {
		if got := string(appendTimestamp(nil, tt.in)); got != tt.want {
			t.Errorf("appendTimestamp(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// The fast path must agree with time.Parse wherever it accepts input.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2017-08-05T00:40:02.012Z", "2017-08-05T02:40:02+02:00", "2000-02-29T23:59:59.999999999Z", "2017-08-05T00:40:02.0000000001Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseFast(s)
		if !ok {
			_, _ = ParseTimestamp(s) // must not panic
			return
		}
		ref, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("parseFast accepted %q, time.Parse: %v", s, err)
		}
		if !fast.Equal(ref) {
			t.Fatalf("parseFast(%q) = %s, time.Parse = %s", s, fast, ref)
		}
		_, off1 := fast.Zone()
		_, off2 := ref.Zone()
		if off1 != off2 {
			t.Fatalf("offset %d vs %d for %q", off1, off2, s)
		}
	})
}

func BenchmarkParseTimestamp(b *testing.B) {
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := ParseTimestamp("2017-08-05T00:40:02.012Z"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("time.Parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := time.Parse(time.RFC3339Nano, "2017-08-05T00:40:02.012Z"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
