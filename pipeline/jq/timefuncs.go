package jq

import (
	"math"
	"time"
)

// jq 1.6's date functions call the C library (glibc on Linux, which is what
// Firehose runs). These are faithful ports of the parts that matter: glibc's
// strptime and strftime in the C locale, timegm and gmtime_r, and jq's
// conversions between struct tm and the broken-down time array
// [year, month(0-11), mday, hours, minutes, seconds, wday, yday].
// Firehose's time zone is assumed to be UTC, so localtime equals gmtime.

type tm struct {
	sec, min, hour, mday, mon, year, wday, yday int // year counts from 1900
	fsec                                        float64
}

// monYday is glibc's __mon_yday: days before each month, [leap][month].
var monYday = [2][13]int{
	{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

func isLeap(year int) int {
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 1
	}
	return 0
}

func (t *tm) toArray() []any {
	return []any{float64(t.year + 1900), float64(t.mon), float64(t.mday), float64(t.hour),
		float64(t.min), float64(t.sec) + t.fsec, float64(t.wday), float64(t.yday)}
}

// fromArray is jq 1.6's jv2tm: eight numbers, truncated to int.
func fromArray(v any) (tm, bool) {
	a, ok := v.([]any)
	if !ok {
		return tm{}, false
	}
	var f [8]int
	for i := range f {
		if i >= len(a) {
			return tm{}, false
		}
		x, ok := toFloat(a[i])
		if !ok {
			return tm{}, false
		}
		f[i] = cInt(x)
	}
	return tm{year: f[0] - 1900, mon: f[1], mday: f[2], hour: f[3], min: f[4], sec: f[5], wday: f[6], yday: f[7]}, true
}

// cInt converts like a C (int) cast, saturating where C is undefined.
func cInt(x float64) int {
	switch {
	case x != x:
		return math.MinInt32
	case x >= math.MaxInt32:
		return math.MaxInt32
	case x <= math.MinInt32:
		return math.MinInt32
	}
	return int(x)
}

// timegm normalises the fields like glibc's timegm.
func (t tm) timegm() int64 {
	return time.Date(t.year+1900, time.Month(t.mon+1), t.mday, t.hour, t.min, t.sec, 0, time.UTC).Unix()
}

func jqMktime(v any) any {
	if _, ok := v.([]any); !ok {
		return jqError("mktime requires array inputs")
	}
	t, ok := fromArray(v)
	if !ok {
		return jqError("mktime requires parsed datetime inputs")
	}
	secs := t.timegm()
	if secs == -1 {
		return jqError("invalid gmtime representation")
	}
	return float64(secs)
}

// gmtime converts epoch seconds like jq 1.6: the seconds field keeps the
// fraction (x - floor(x)) on top of the truncated time.
func gmtime(x float64) (tm, bool) {
	if x != x || math.Abs(x) > 67767976233316800 { // beyond glibc's int years
		return tm{}, false
	}
	secs := int64(x)
	u := time.Unix(secs, 0).UTC()
	t := tm{sec: u.Second(), min: u.Minute(), hour: u.Hour(), mday: u.Day(), mon: int(u.Month()) - 1,
		year: u.Year() - 1900, wday: int(u.Weekday()), yday: u.YearDay() - 1}
	t.fsec = x - math.Floor(x)
	return t, true
}

func jqGmtime(v any, name string) any {
	x, ok := toFloat(v)
	if !ok {
		return jqError(name + "() requires numeric inputs")
	}
	t, ok := gmtime(x)
	if !ok {
		return jqError("errror converting number of seconds since epoch to datetime")
	}
	return t.toArray()
}

func jqStrftime(v, format any, name string) any {
	if x, ok := toFloat(v); ok {
		t, ok := gmtime(x)
		if !ok {
			return jqError("errror converting number of seconds since epoch to datetime")
		}
		v = t.toArray()
	} else if _, ok := v.([]any); !ok {
		return jqError(name + "/1 requires parsed datetime inputs")
	}
	f, ok := format.(string)
	if !ok {
		return jqError(name + "/1 requires a string format")
	}
	t, ok := fromArray(v)
	if !ok {
		return jqError(name + "/1 requires parsed datetime inputs")
	}
	out := strftime(f, t)
	if out == "" || len(out) >= len(f)+100 { // strftime returned 0 in jq's buffer
		return jqError(name + "/1: unknown system failure")
	}
	return out
}

func jqStrptime(v, format any) any {
	s, ok1 := v.(string)
	f, ok2 := format.(string)
	if !ok1 || !ok2 {
		return jqError("strptime/1 requires string inputs and arguments")
	}
	st := ptState{tm: tm{wday: 8, yday: 367}, century: -1} // jq's sentinels
	rest, ok := st.parse(s, f)
	if !ok || (rest != "" && !isCSpace(rest[0])) {
		return jqErrorf("date %q does not match format %q", s, f)
	}
	st.finish()
	out := st.tm.toArray()
	if rest != "" {
		out = append(out, rest)
	}
	return out
}

func isCSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// dayOfTheWeek and dayOfTheYear are glibc's helpers of the same names.
func (t *tm) dayOfTheWeek() {
	b := 0
	if t.mon < 2 {
		b = 1
	}
	corr := 1900 + t.year - b
	q := corr / 4
	neg := 0
	if q%25 < 0 {
		neg = 1
	}
	wday := -473 + 365*(t.year-70) + q - q/25 + neg + (q/25)/4 + monYday[0][clampMon(t.mon)] + t.mday - 1
	t.wday = ((wday % 7) + 7) % 7
}

func (t *tm) dayOfTheYear() {
	t.yday = monYday[isLeap(1900+t.year)][clampMon(t.mon)] + t.mday - 1
}

func clampMon(m int) int {
	if m < 0 {
		return 0
	}
	if m > 11 {
		return 11
	}
	return m
}
