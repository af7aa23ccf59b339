package health

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Window is the half-open time range [From, To) a check or a publication
// covers, in UTC.
type Window struct {
	From, To time.Time
	Desc     string // "last 24h", "2024-03-08", "2024-03-01..2024-03-07"
}

// Duration is To - From.
func (w Window) Duration() time.Duration { return w.To.Sub(w.From) }

// WindowFlags are the raw --since, --day, --from and --to values.
type WindowFlags struct {
	Since, Day, From, To string
}

// maxWindow bounds --since so durations cannot overflow; ten years is far
// beyond any lake retention or CloudWatch's 455 days.
const maxWindow = 10 * 366 * 24 * time.Hour

// Resolve turns the flags into a window ending at now when --since (or
// nothing, giving defaultSince) is used. --since, --day and --from/--to are
// mutually exclusive. Calendar days (--day, dates in --from/--to, today,
// yesterday) are days in now's location; the window itself is in UTC.
func (f WindowFlags) Resolve(now time.Time, defaultSince string) (Window, error) {
	set := 0
	for _, s := range []string{f.Since, f.Day, f.From + f.To} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return Window{}, fmt.Errorf("use only one of --since, --day and --from/--to")
	}
	switch {
	case f.Day != "":
		d, err := ParseDate(f.Day, now)
		if err != nil {
			return Window{}, fmt.Errorf("--day: %w", err)
		}
		return Window{From: d.UTC(), To: d.AddDate(0, 0, 1).UTC(), Desc: d.Format("2006-01-02")}, nil
	case f.From != "" || f.To != "":
		return f.resolveRange(now)
	}
	since := f.Since
	if since == "" {
		since = defaultSince
	}
	d, err := ParseSince(since)
	if err != nil {
		return Window{}, fmt.Errorf("--since: %w", err)
	}
	label := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(since)), "since:")
	return Window{From: now.Add(-d).UTC(), To: now.UTC(), Desc: "last " + label}, nil
}

func (f WindowFlags) resolveRange(now time.Time) (Window, error) {
	if f.From == "" {
		return Window{}, fmt.Errorf("--to needs --from")
	}
	from, fromIsDate, err := ParseTime(f.From, now)
	if err != nil {
		return Window{}, fmt.Errorf("--from: %w", err)
	}
	to, toDesc := now, "now"
	if f.To != "" {
		var isDate bool
		if to, isDate, err = ParseTime(f.To, now); err != nil {
			return Window{}, fmt.Errorf("--to: %w", err)
		}
		toDesc = to.UTC().Format(time.RFC3339)
		if isDate {
			// A date as --to includes that whole day.
			toDesc = to.Format("2006-01-02")
			to = to.AddDate(0, 0, 1)
		}
	}
	if !from.Before(to) {
		return Window{}, fmt.Errorf("--from %s is not before --to %s", f.From, toDesc)
	}
	fromDesc := from.UTC().Format(time.RFC3339)
	if fromIsDate {
		fromDesc = from.Format("2006-01-02")
	}
	return Window{From: from.UTC(), To: to.UTC(), Desc: fromDesc + ".." + toDesc}, nil
}

// ParseSince parses a window length: a number and a unit s, m, h, d or w
// ("24h", "7d", "90m"), optionally prefixed with "since:" as check_mailstore
// writes it ("since:1d"). Units are case-insensitive, so "1H" is an hour.
// Go durations such as "1h30m" are accepted too.
func ParseSince(s string) (time.Duration, error) {
	raw := strings.TrimSpace(s)
	body := raw
	if len(body) >= 6 && strings.EqualFold(body[:6], "since:") {
		body = body[6:]
	}
	if body == "" {
		return 0, fmt.Errorf("empty window %q", s)
	}
	d, err := parseUnitDuration(body)
	if err != nil {
		if gd, gerr := time.ParseDuration(body); gerr == nil {
			d, err = gd, nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("window %q: %w (use e.g. 24h, 7d, since:1d)", s, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("window %q must be positive", s)
	}
	if d > maxWindow {
		return 0, fmt.Errorf("window %q is longer than ten years", s)
	}
	return d, nil
}

var sinceUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
}

func parseUnitDuration(s string) (time.Duration, error) {
	unit, ok := sinceUnits[strings.ToLower(s[len(s)-1:])]
	if !ok {
		return 0, fmt.Errorf("unknown unit")
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not a whole number of units")
	}
	if n > uint64(math.MaxInt64/int64(unit)) {
		return 0, fmt.Errorf("too long")
	}
	return time.Duration(n) * unit, nil
}

// dateLayouts are the calendar-day spellings, as the lake's prefix
// (yyyy/MM/dd) and ISO 8601 write them.
var dateLayouts = []string{"2006-01-02", "2006/01/02"}

// ParseDate parses a calendar day in now's location: 2024-03-08,
// 2024/03/08, today or yesterday. It returns midnight there.
func ParseDate(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	today := midnight(now)
	switch strings.ToLower(s) {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDate(0, 0, -1), nil
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, now.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2024-03-08, 2024/03/08, today, yesterday)", s)
}

// ParseTime parses a date (see ParseDate) or an RFC 3339 time. isDate
// reports which it was; a time is returned in UTC.
func ParseTime(s string, now time.Time) (t time.Time, isDate bool, err error) {
	if d, derr := ParseDate(s, now); derr == nil {
		return d, true, nil
	}
	t, err = time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q is neither a date (2024-03-08, 2024/03/08, today, yesterday) nor an RFC 3339 time (2024-03-08T12:00:00Z)", s)
	}
	return t.UTC(), false, nil
}

// Days returns the first and last UTC calendar day the window touches
// (both included): what a day-partitioned source has to read.
func (w Window) Days() (first, last time.Time) { return w.DaysIn(time.UTC) }

// DaysIn is Days for calendar days in loc (a lake whose prefix timestamps
// use a Firehose CustomTimeZone); the results are midnights in loc.
func (w Window) DaysIn(loc *time.Location) (first, last time.Time) {
	first = midnight(w.From.In(loc))
	last = midnight(w.To.Add(-time.Nanosecond).In(loc))
	if last.Before(first) {
		last = first
	}
	return first, last
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// WholeDays widens the window to the UTC days it touches, for sources that
// count by day. Desc keeps what was asked and says what is counted.
func (w Window) WholeDays() Window { return w.WholeDaysIn(time.UTC) }

// WholeDaysIn is WholeDays for calendar days in loc.
func (w Window) WholeDaysIn(loc *time.Location) Window {
	first, last := w.DaysIn(loc)
	out := Window{From: first.UTC(), To: last.AddDate(0, 0, 1).UTC(), Desc: w.Desc}
	if out.From.Equal(w.From) && out.To.Equal(w.To) {
		return out
	}
	span := first.Format("2006-01-02")
	if !last.Equal(first) {
		span += ".." + last.Format("2006-01-02")
	}
	zone := ""
	if loc != time.UTC {
		zone = " (" + loc.String() + ")"
	}
	out.Desc = w.Desc + ", counted as whole days " + span + zone
	return out
}
