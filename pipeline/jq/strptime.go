package jq

import (
	"strings"
)

// ptState is glibc's strptime state (time/strptime_l.c), C locale.
type ptState struct {
	tm                             tm
	haveI, isPM                    bool
	century                        int
	wantCentury, wantXday          bool
	haveWday, haveYday, haveMon    bool
	haveMday, haveUweek, haveWweek bool
	weekNo                         int
	gmtoff                         int
}

var (
	weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames   = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// parse matches input against format, returning the unparsed rest.
func (st *ptState) parse(in, f string) (string, bool) {
	for len(f) > 0 {
		c := f[0]
		if isCSpace(c) {
			in = skipSpace(in)
			f = f[1:]
			continue
		}
		if c != '%' {
			if in == "" || in[0] != c {
				return in, false
			}
			in, f = in[1:], f[1:]
			continue
		}
		f = f[1:]
		f = strings.TrimLeft(f, "-_0^#")                // strftime flags are discarded
		f = strings.TrimLeft(f, "0123456789")           // and so is a field width
		if len(f) > 0 && (f[0] == 'E' || f[0] == 'O') { // alternative forms: same in C locale
			f = f[1:]
		}
		if f == "" {
			return in, false
		}
		var ok bool
		in, ok = st.conv(in, f[0])
		if !ok {
			return in, false
		}
		f = f[1:]
	}
	return in, true
}

func skipSpace(s string) string {
	for len(s) > 0 && isCSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// number is glibc's get_number: skip spaces, then up to n digits while the
// value can still grow within [from, to].
func number(in string, from, to, n int) (int, string, bool) {
	in = skipSpace(in)
	if in == "" || !isDigit(in[0]) {
		return 0, in, false
	}
	val := 0
	for {
		val = val*10 + int(in[0]-'0')
		in = in[1:]
		n--
		if n <= 0 || val*10 > to || in == "" || !isDigit(in[0]) {
			break
		}
	}
	return val, in, val >= from && val <= to
}

func (st *ptState) conv(in string, c byte) (string, bool) {
	t := &st.tm
	var v int
	var ok bool
	switch c {
	case '%':
		if in == "" || in[0] != '%' {
			return in, false
		}
		return in[1:], true
	case 'a', 'A':
		t.wday, in, ok = matchName(in, weekdayNames)
		st.haveWday = true
		return in, ok
	case 'b', 'B', 'h':
		t.mon, in, ok = matchName(in, monthNames)
		st.haveMon, st.wantXday = true, true
		return in, ok
	case 'c':
		st.wantXday = true
		return st.parse(in, "%a %b %e %H:%M:%S %Y")
	case 'C':
		v, in, ok = number(in, 0, 99, 2)
		st.century, st.wantXday = v, true
	case 'd', 'e':
		t.mday, in, ok = number(in, 1, 31, 2)
		st.haveMday, st.wantXday = true, true
	case 'F':
		st.wantXday = true
		return st.parse(in, "%Y-%m-%d")
	case 'x', 'D':
		st.wantXday = true
		return st.parse(in, "%m/%d/%y")
	case 'k', 'H':
		t.hour, in, ok = number(in, 0, 23, 2)
		st.haveI = false
	case 'l', 'I':
		v, in, ok = number(in, 1, 12, 2)
		t.hour, st.haveI = v%12, true
	case 'j':
		v, in, ok = number(in, 1, 366, 3)
		t.yday, st.haveYday = v-1, true
	case 'm':
		v, in, ok = number(in, 1, 12, 2)
		t.mon, st.haveMon, st.wantXday = v-1, true, true
	case 'M':
		t.min, in, ok = number(in, 0, 59, 2)
	case 'n', 't':
		return skipSpace(in), true
	case 'p':
		return st.ampm(in)
	case 'r':
		return st.parse(in, "%I:%M:%S %p")
	case 'R':
		return st.parse(in, "%H:%M")
	case 's':
		return st.epoch(in)
	case 'S':
		t.sec, in, ok = number(in, 0, 61, 2)
	case 'X', 'T':
		return st.parse(in, "%H:%M:%S")
	default:
		return st.conv2(in, c)
	}
	return in, ok
}

func (st *ptState) conv2(in string, c byte) (string, bool) {
	t := &st.tm
	var v int
	var ok bool
	switch c {
	case 'u':
		v, in, ok = number(in, 1, 7, 1)
		t.wday, st.haveWday = v%7, true
	case 'w':
		t.wday, in, ok = number(in, 0, 6, 1)
		st.haveWday = true
	case 'g':
		_, in, ok = number(in, 0, 99, 2)
	case 'G':
		if in == "" || !isDigit(in[0]) {
			return in, false
		}
		for in != "" && isDigit(in[0]) {
			in = in[1:]
		}
		return in, true
	case 'U', 'W':
		st.weekNo, in, ok = number(in, 0, 53, 2)
		st.haveUweek, st.haveWweek = c == 'U', c == 'W'
	case 'V':
		_, in, ok = number(in, 0, 53, 2)
	case 'y':
		v, in, ok = number(in, 0, 99, 2)
		t.year = v + 100
		if v >= 69 {
			t.year = v
		}
		st.wantCentury, st.wantXday = true, true
	case 'Y':
		v, in, ok = number(in, 0, 9999, 4)
		t.year, st.wantCentury, st.wantXday = v-1900, false, true
	case 'Z': // read a time zone name, no conversion
		in = skipSpace(in)
		for in != "" && !isCSpace(in[0]) {
			in = in[1:]
		}
		return in, true
	case 'z':
		return st.zone(in)
	default:
		return in, false
	}
	return in, ok
}

// matchName matches a full or abbreviated (3 letters) name, ignoring case.
func matchName(in string, names []string) (int, string, bool) {
	for i, n := range names {
		if len(in) >= len(n) && strings.EqualFold(in[:len(n)], n) {
			return i, in[len(n):], true
		}
		if len(in) >= 3 && strings.EqualFold(in[:3], n[:3]) {
			return i, in[3:], true
		}
	}
	return 0, in, false
}

func (st *ptState) ampm(in string) (string, bool) {
	switch {
	case len(in) >= 2 && strings.EqualFold(in[:2], "AM"):
		st.isPM = false
	case len(in) >= 2 && strings.EqualFold(in[:2], "PM"):
		st.isPM = true
	default:
		return in, false
	}
	return in[2:], true
}

// epoch is %s: seconds since the epoch, converted with localtime (UTC).
func (st *ptState) epoch(in string) (string, bool) {
	if in == "" || !isDigit(in[0]) {
		return in, false
	}
	var secs float64
	for in != "" && isDigit(in[0]) {
		secs = secs*10 + float64(in[0]-'0')
		in = in[1:]
	}
	t, ok := gmtime(secs)
	if !ok {
		return in, false
	}
	t.fsec = 0
	st.tm = t
	return in, true
}

// zone is %z: Z, ±hh, ±hhmm or ±hh:mm (the offset is not applied by jq).
func (st *ptState) zone(in string) (string, bool) {
	in = skipSpace(in)
	if in != "" && in[0] == 'Z' {
		return in[1:], true
	}
	if in == "" || (in[0] != '+' && in[0] != '-') {
		return in, false
	}
	in = in[1:]
	val, n := 0, 0
	for n < 4 && in != "" && isDigit(in[0]) {
		val = val*10 + int(in[0]-'0')
		in = in[1:]
		n++
		if n == 2 && len(in) > 1 && in[0] == ':' && isDigit(in[1]) {
			in = in[1:]
		}
	}
	switch {
	case n == 2:
		val *= 100
	case n != 4, val%100 >= 60:
		return in, false
	}
	st.gmtoff = (val/100)*3600 + (val%100)*60
	return in, true
}

// finish is the end of glibc's strptime: 12-hour clock, century, and the
// derived fields (weekday, day of year, month/day from day of year or week).
func (st *ptState) finish() {
	t := &st.tm
	if st.haveI && st.isPM {
		t.hour += 12
	}
	if st.century != -1 {
		if st.wantCentury {
			t.year = t.year%100 + (st.century-19)*100
		} else {
			t.year = (st.century - 19) * 100
		}
	}
	if st.wantXday && !st.haveWday {
		if !(st.haveMon && st.haveMday) && st.haveYday {
			st.monDayFromYday()
		}
		if t.year >= -1900 {
			t.dayOfTheWeek()
		}
	}
	if st.wantXday && !st.haveYday {
		t.dayOfTheYear()
	}
	if (st.haveUweek || st.haveWweek) && st.haveWday {
		st.fromWeek()
	}
}

func (st *ptState) monDayFromYday() {
	t := &st.tm
	leap := isLeap(1900 + t.year)
	m := 0
	for m < 12 && monYday[leap][m] <= t.yday {
		m++
	}
	if m == 0 {
		m = 1
	}
	if !st.haveMon {
		t.mon = m - 1
	}
	if !st.haveMday {
		t.mday = t.yday - monYday[leap][m-1] + 1
	}
	st.haveMon, st.haveMday = true, true
}

func (st *ptState) fromWeek() {
	t := &st.tm
	saveWday, saveMday, saveMon := t.wday, t.mday, t.mon
	off := 1
	if st.haveUweek {
		off = 0
	}
	t.mday, t.mon = 1, 0
	t.dayOfTheWeek()
	if st.haveMday {
		t.mday = saveMday
	}
	if st.haveMon {
		t.mon = saveMon
	}
	if !st.haveYday {
		t.yday = (7-(t.wday-off))%7 + (st.weekNo-1)*7 + (saveWday-off+7)%7
	}
	if !st.haveMday || !st.haveMon {
		hm, hd := st.haveMon, st.haveMday
		st.monDayFromYday()
		st.haveMon, st.haveMday = hm, hd
	}
	t.wday = saveWday
}
