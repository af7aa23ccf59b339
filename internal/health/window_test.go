package health

import (
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"24h", 24 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"since:1d", 24 * time.Hour},
		{"SINCE:1H", time.Hour},
		{"90m", 90 * time.Minute},
		{"2w", 14 * 24 * time.Hour},
		{"30s", 30 * time.Second},
		{" 3d ", 72 * time.Hour},
		{"1h30m", 90 * time.Minute},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "since:", "0h", "-1d", "1y", "d", "1.5d", "99999999999999d", "4000d", "since:abc"} {
		if d, err := ParseSince(bad); err == nil {
			t.Errorf("ParseSince(%q) = %v, want an error", bad, d)
		}
	}
}

func TestResolveWindow(t *testing.T) {
	now := time.Date(2024, 3, 8, 9, 30, 0, 0, time.UTC)
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		f              WindowFlags
		from, to, desc string
	}{
		{WindowFlags{}, "2024-03-07T09:30:00Z", "2024-03-08T09:30:00Z", "last 24h"},
		{WindowFlags{Since: "since:1d"}, "2024-03-07T09:30:00Z", "2024-03-08T09:30:00Z", "last 1d"},
		{WindowFlags{Since: "7d"}, "2024-03-01T09:30:00Z", "2024-03-08T09:30:00Z", "last 7d"},
		{WindowFlags{Day: "2024/03/05"}, "2024-03-05T00:00:00Z", "2024-03-06T00:00:00Z", "2024-03-05"},
		{WindowFlags{Day: "2024-03-05"}, "2024-03-05T00:00:00Z", "2024-03-06T00:00:00Z", "2024-03-05"},
		{WindowFlags{Day: "today"}, "2024-03-08T00:00:00Z", "2024-03-09T00:00:00Z", "2024-03-08"},
		{WindowFlags{Day: "yesterday"}, "2024-03-07T00:00:00Z", "2024-03-08T00:00:00Z", "2024-03-07"},
		{WindowFlags{From: "2024-03-01", To: "2024-03-03"}, "2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z", "2024-03-01..2024-03-03"},
		{WindowFlags{From: "yesterday"}, "2024-03-07T00:00:00Z", "2024-03-08T09:30:00Z", "2024-03-07..now"},
		{WindowFlags{From: "2024-03-08T06:00:00+02:00", To: "2024-03-08T08:00:00Z"}, "2024-03-08T04:00:00Z", "2024-03-08T08:00:00Z", "2024-03-08T04:00:00Z..2024-03-08T08:00:00Z"},
	}
	for _, tt := range tests {
		w, err := tt.f.Resolve(now, "24h")
		if err != nil {
			t.Errorf("%+v: %v", tt.f, err)
			continue
		}
		if !w.From.Equal(utc(tt.from)) || !w.To.Equal(utc(tt.to)) || w.Desc != tt.desc {
			t.Errorf("%+v: window %s..%s %q, want %s..%s %q", tt.f, w.From, w.To, w.Desc, tt.from, tt.to, tt.desc)
		}
		if w.From.Location() != time.UTC || w.To.Location() != time.UTC {
			t.Errorf("%+v: window not in UTC", tt.f)
		}
	}
}

func TestResolveWindowErrors(t *testing.T) {
	now := time.Date(2024, 3, 8, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		f    WindowFlags
		want string
	}{
		{WindowFlags{Since: "24h", Day: "today"}, "only one of"},
		{WindowFlags{Day: "today", From: "yesterday"}, "only one of"},
		{WindowFlags{To: "today"}, "--to needs --from"},
		{WindowFlags{From: "2024-03-05", To: "2024-03-01"}, "is not before"},
		{WindowFlags{From: "2024-03-08T12:00:00Z", To: "2024-03-08T12:00:00Z"}, "is not before"},
		{WindowFlags{Day: "08.03.2024"}, "--day: \"08.03.2024\" is not a date"},
		{WindowFlags{From: "last week"}, "--from: \"last week\" is neither a date"},
		{WindowFlags{Since: "forever"}, "--since: window \"forever\""},
	}
	for _, tt := range tests {
		_, err := tt.f.Resolve(now, "24h")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want %q", tt.f, err, tt.want)
		}
	}
}

func TestWholeDays(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		from, to         string
		wantFrom, wantTo string
		desc             string
	}{
		{"2024-03-07T10:30:00Z", "2024-03-08T10:30:00Z", "2024-03-07T00:00:00Z", "2024-03-09T00:00:00Z", "x, counted as whole days 2024-03-07..2024-03-08"},
		{"2024-03-08T00:00:00Z", "2024-03-09T00:00:00Z", "2024-03-08T00:00:00Z", "2024-03-09T00:00:00Z", "x"},
		{"2024-03-08T09:00:00Z", "2024-03-08T10:00:00Z", "2024-03-08T00:00:00Z", "2024-03-09T00:00:00Z", "x, counted as whole days 2024-03-08"},
		{"2024-03-01T00:00:00Z", "2024-03-08T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-08T00:00:00Z", "x"},
	}
	for _, tt := range tests {
		w := Window{From: at(tt.from), To: at(tt.to), Desc: "x"}.WholeDays()
		if !w.From.Equal(at(tt.wantFrom)) || !w.To.Equal(at(tt.wantTo)) || w.Desc != tt.desc {
			t.Errorf("%s..%s: %s..%s %q, want %s..%s %q", tt.from, tt.to, w.From, w.To, w.Desc, tt.wantFrom, tt.wantTo, tt.desc)
		}
	}
}

func TestWholeDaysIn(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	// 23:30 UTC on the 7th is 00:30 on the 8th in Berlin.
	w := Window{From: time.Date(2024, 3, 7, 23, 30, 0, 0, time.UTC), To: time.Date(2024, 3, 8, 5, 0, 0, 0, time.UTC), Desc: "x"}
	first, last := w.DaysIn(berlin)
	if first.Format("2006-01-02") != "2024-03-08" || last.Format("2006-01-02") != "2024-03-08" {
		t.Errorf("days %s..%s, want 2024-03-08 only", first, last)
	}
	got := w.WholeDaysIn(berlin)
	if !got.From.Equal(time.Date(2024, 3, 7, 23, 0, 0, 0, time.UTC)) || !got.To.Equal(time.Date(2024, 3, 8, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("window %s..%s", got.From, got.To)
	}
	if got.Desc != "x, counted as whole days 2024-03-08 (Europe/Berlin)" {
		t.Errorf("desc %q", got.Desc)
	}
}

// FuzzWindowFlags checks that any accepted window is non-empty, in UTC,
// and that --since windows end now and last what ParseSince says.
func FuzzWindowFlags(f *testing.F) {
	for _, s := range [][4]string{{"24h", "", "", ""}, {"since:1d", "", "", ""}, {"", "2024/03/08", "", ""}, {"", "", "yesterday", "2024-03-08T12:00:00Z"}, {"1h30m", "", "", ""}, {"", "", "2024-02-30", ""}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	now := time.Date(2024, 3, 8, 10, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, since, day, from, to string) {
		w, err := WindowFlags{Since: since, Day: day, From: from, To: to}.Resolve(now, "24h")
		if err != nil {
			return
		}
		if !w.From.Before(w.To) || w.From.Location() != time.UTC || w.To.Location() != time.UTC {
			t.Fatalf("window %s..%s", w.From, w.To)
		}
		if day == "" && from == "" && to == "" {
			d, err := ParseSince(since)
			if since == "" {
				d, err = ParseSince("24h")
			}
			if err != nil || !w.To.Equal(now) || w.Duration() != d {
				t.Fatalf("--since %q: window %s..%s, ParseSince %v %v", since, w.From, w.To, d, err)
			}
		}
		first, last := w.Days()
		if last.Before(first) || w.WholeDays().Duration() < w.Duration() {
			t.Fatalf("whole days %s..%s narrower than %s..%s", first, last, w.From, w.To)
		}
	})
}

// Calendar days follow now's location (the stream's time zone); the window
// is in UTC.
func TestResolveWindowZone(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	now := time.Date(2024, 3, 9, 0, 30, 0, 0, cet) // 2024-03-08T23:30Z
	tests := []struct {
		f        WindowFlags
		from, to string
		desc     string
	}{
		{WindowFlags{Day: "today"}, "2024-03-08T23:00:00Z", "2024-03-09T23:00:00Z", "2024-03-09"},
		{WindowFlags{Day: "2024-03-08"}, "2024-03-07T23:00:00Z", "2024-03-08T23:00:00Z", "2024-03-08"},
		{WindowFlags{From: "2024-03-01", To: "2024-03-02"}, "2024-02-29T23:00:00Z", "2024-03-02T23:00:00Z", "2024-03-01..2024-03-02"},
		{WindowFlags{Since: "1h"}, "2024-03-08T22:30:00Z", "2024-03-08T23:30:00Z", "last 1h"},
	}
	for _, tt := range tests {
		w, err := tt.f.Resolve(now, "24h")
		if err != nil {
			t.Fatal(err)
		}
		if w.From.Format(time.RFC3339) != tt.from || w.To.Format(time.RFC3339) != tt.to || w.Desc != tt.desc {
			t.Errorf("%+v: %s..%s %q, want %s..%s %q", tt.f, w.From.Format(time.RFC3339), w.To.Format(time.RFC3339), w.Desc, tt.from, tt.to, tt.desc)
		}
		if first, last := w.DaysIn(cet); tt.f.Day != "" && !first.Equal(last) {
			t.Errorf("%+v: one day spans %s..%s in CET", tt.f, first, last)
		}
	}
}
