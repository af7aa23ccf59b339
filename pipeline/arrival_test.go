package pipeline

import (
	"errors"
	"testing"
	"time"
)

func TestParseArrival(t *testing.T) {
	cases := []struct {
		in      string
		want    Arrival
		wantErr bool
	}{
		{"", Arrival{Mode: ArrivalEvent}, false},
		{"event", Arrival{Mode: ArrivalEvent}, false},
		{"EVENT", Arrival{Mode: ArrivalEvent}, false},
		{"now", Arrival{Mode: ArrivalNow}, false},
		{"2024-02-16T05:00:00Z", Arrival{Mode: ArrivalFixed, At: t0}, false},
		{"2024-02-16T14:00:00+09:00", Arrival{Mode: ArrivalFixed, At: t0}, false},
		{"2024-02-16", Arrival{}, true},
		{"yesterday", Arrival{}, true},
	}
	for _, c := range cases {
		got, err := ParseArrival(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("ParseArrival(%q) err = %v", c.in, err)
			continue
		}
		if got.Mode != c.want.Mode || !got.At.Equal(c.want.At) {
			t.Errorf("ParseArrival(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	if s := (Arrival{Mode: ArrivalFixed, At: t0}).String(); s != "2024-02-16T05:00:00Z" {
		t.Errorf("String = %q", s)
	}
}

func TestClockArrivalOf(t *testing.T) {
	start := t0.Add(time.Hour)
	evTime := t0.Add(-48 * time.Hour)
	eventTime := func(b []byte) (time.Time, error) {
		if string(b) == "bad" {
			return time.Time{}, errors.New("mail.timestamp: missing")
		}
		return evTime, nil
	}
	now := func() time.Time { return t0.Add(2 * time.Hour) }
	cases := []struct {
		name     string
		mode     Arrival
		rec      string
		want     time.Time
		fallback bool
	}{
		{"event", Arrival{Mode: ArrivalEvent}, "ok", evTime, false},
		{"event fallback", Arrival{Mode: ArrivalEvent}, "bad", start, true},
		{"now", Arrival{Mode: ArrivalNow}, "bad", t0.Add(2 * time.Hour), false},
		{"fixed", Arrival{Mode: ArrivalFixed, At: t0}, "bad", t0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := Clock{Arrival: c.mode, EventTime: eventTime, Now: now, Start: start}
			got, fb := clk.ArrivalOf([]byte(c.rec))
			if !got.Equal(c.want) || (fb != nil) != c.fallback {
				t.Errorf("ArrivalOf = %v, %v; want %v, fallback %v", got, fb, c.want, c.fallback)
			}
		})
	}
}
