package prefix

import (
	"bytes"
	"strings"
	"time"
)

// Limits of the backtracking parser. Patterns with several adjacent
// variable-width numbers (such as "yMd") are ambiguous; the parser tries the
// possible splits, longest first, within these budgets.
const (
	maxParseSteps    = 1 << 14
	maxParseResolves = 256
	maxYear          = 999_999_999 // java.time.Year.MAX_VALUE
)

// Parse is the inverse of Format: it returns the earliest instant t, in UTC
// for patterns without an offset, such that Format(t) == s. It accepts
// exactly the strings Format can produce (MM needs two digits, M refuses a
// leading zero, text is case-sensitive). The pattern needs a year field
// (y, u or Y); fields it lacks take their lowest value, so "yyyy/MM/dd"
// parses to midnight and "yyyy-ww" to the first day of the week. Patterns
// that lose information (hh without a, yy) give the earliest candidate: yy
// reads as 2000-2099, as Java's does.
func (f *TimeFormat) Parse(s string) (time.Time, error) {
	return f.ParseInLocation(s, time.UTC)
}

// ParseInLocation is Parse for a pattern whose fields are in loc (such as a
// stream's CustomTimeZone). An offset in the pattern (X, x, Z, O) wins.
func (f *TimeFormat) ParseInLocation(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if !f.hasYear() {
		return time.Time{}, ruleErr(RuleParseTime, "timestamp pattern %q has no year field (y, u or Y), so %q cannot be turned into an instant", f.pattern, s)
	}
	p := &parser{f: f, s: s, loc: loc}
	if p.walk(0, 0, parsed{}) {
		return p.result, nil
	}
	if p.steps > maxParseSteps || p.resolves > maxParseResolves {
		return time.Time{}, ruleErr(RuleParseTime, "%q against timestamp pattern %q: pattern too ambiguous to parse", s, f.pattern)
	}
	return time.Time{}, ruleErr(RuleParseTime, "%q does not match timestamp pattern %q", s, f.pattern)
}

func (f *TimeFormat) hasYear() bool {
	for _, el := range f.elems {
		switch el.field {
		case fYear, fYearOfEra, fWeekYear:
			return true
		}
	}
	return false
}

// parsed holds field values read so far; fracDigits is the precision of the
// fraction read for fFraction.
type parsed struct {
	vals       [numFields]int64
	set        [numFields]bool
	reduced    [numFields]bool // value came from a two-digit year (yy, uu, YY)
	fracDigits int
}

// fieldMax bounds what a field can hold (minimum 0 or 1, checked at use).
var fieldMax = [numFields]int64{
	fEra: 1, fYearOfEra: maxYear, fYear: maxYear, fWeekYear: maxYear, fWeekOfYear: 54,
	fWeekOfMonth: 6, fQuarter: 4, fMonth: 12, fDayOfMonth: 31, fDayOfYear: 366,
	fDayOfWeek: 7, fLocalDayOfWeek: 7, fAmPm: 1, fClockHourAmPm: 12, fHourAmPm: 11,
	fClockHourOfDay: 24, fHourOfDay: 23, fMinute: 59, fSecond: 59, fFraction: 999_999_999,
	fMilliOfDay: 86_399_999, fNanoOfSecond: 999_999_999, fNanoOfDay: 86_399_999_999_999,
	fOffset: 18 * 3600,
}

func (st *parsed) put(f field, v int64) bool {
	lim := fieldMax[f]
	if v > lim || (f != fYear && f != fWeekYear && f != fOffset && v < 0) || v < -lim {
		return false
	}
	if st.set[f] && f == fOffset && st.vals[f] != v {
		return st.putOffset(v)
	}
	if st.set[f] {
		if st.reduced[f] { // a full year replaces a two-digit reading it agrees with
			if absInt(v)%100 != st.vals[f]%100 {
				return false
			}
			st.vals[f], st.reduced[f] = v, false
			return true
		}
		return st.vals[f] == v
	}
	st.vals[f], st.set[f] = v, true
	return true
}

// putReduced records a two-digit year (00-99), read as 2000-2099 unless a
// full year of the same field says otherwise.
func (st *parsed) putReduced(f field, v2 int64) bool {
	if st.set[f] {
		return absInt(st.vals[f])%100 == v2
	}
	st.vals[f], st.set[f], st.reduced[f] = 2000+v2, true, true
	return true
}

// putOffset reconciles two readings of the offset: patterns without seconds
// (XXX) print +05:21 for +05:21:10. They must agree to the minute; the
// reading with seconds wins.
func (st *parsed) putOffset(v int64) bool {
	old := st.vals[fOffset]
	if old/60 != v/60 {
		return false
	}
	if absInt(v)%60 > absInt(old)%60 {
		st.vals[fOffset] = v
	}
	return true
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// putFraction records n fraction digits, keeping the most precise reading
// and refusing one that disagrees with an earlier reading.
func (st *parsed) putFraction(nanos int64, n int) bool {
	if !st.set[fFraction] || n > st.fracDigits {
		if st.set[fFraction] && truncNanos(nanos, st.fracDigits) != st.vals[fFraction] {
			return false
		}
		st.vals[fFraction], st.set[fFraction], st.fracDigits = nanos, true, n
		return true
	}
	return truncNanos(st.vals[fFraction], n) == nanos
}

func truncNanos(nanos int64, digits int) int64 {
	p := int64(1)
	for i := digits; i < 9; i++ {
		p *= 10
	}
	return nanos / p * p
}

type parser struct {
	f        *TimeFormat
	s        string
	loc      *time.Location
	steps    int
	resolves int
	buf      []byte
	result   time.Time
}

func (p *parser) walk(i, pos int, st parsed) bool {
	p.steps++
	if p.steps > maxParseSteps {
		return false
	}
	if i == len(p.f.elems) {
		return pos == len(p.s) && p.resolve(&st)
	}
	el := p.f.elems[i]
	rest := p.s[pos:]
	switch el.kind {
	case kLiteral:
		return strings.HasPrefix(rest, el.lit) && p.walk(i+1, pos+len(el.lit), st)
	case kNumber, kReduced:
		return p.walkNumber(i, pos, el, st)
	case kFraction:
		if len(rest) < el.count || digitRun(rest, el.count) < el.count {
			return false
		}
		v, _ := digitsValue(rest[:el.count])
		return st.putFraction(v*pow10(9-el.count), el.count) && p.walk(i+1, pos+el.count, st)
	case kText:
		return p.walkText(i, pos, el, st)
	}
	for _, c := range offsetCandidates(rest, el) {
		next := st
		if next.put(fOffset, int64(c.secs)) && p.walk(i+1, pos+c.n, next) {
			return true
		}
	}
	return false
}

func (p *parser) walkNumber(i, pos int, el element, st parsed) bool {
	rest := p.s[pos:]
	neg, signLen := false, 0
	if len(rest) > 0 && el.sign != signNotNeg && el.kind == kNumber {
		switch {
		case rest[0] == '-':
			neg, signLen = true, 1
		case rest[0] == '+' && el.sign == signExceedsPad:
			signLen = 1
		}
	}
	n := digitRun(rest[signLen:], el.maxW)
	for w := n; w >= el.minW && w >= 1; w-- {
		v, ok := digitsValue(rest[signLen : signLen+w])
		if !ok {
			continue // more than int64 holds: no field is that large
		}
		if neg {
			v = -v
		}
		next := st
		if el.kind == kReduced {
			ok = next.putReduced(el.field, v)
		} else {
			ok = next.put(el.field, v)
		}
		if ok && p.walk(i+1, pos+signLen+w, next) {
			return true
		}
	}
	return false
}

func (p *parser) walkText(i, pos int, el element, st parsed) bool {
	list, base := texts(el)
	f := el.field
	if f == fLocalDayOfWeek {
		f = fDayOfWeek // day names carry the ISO day-of-week
	}
	for k, txt := range list {
		if !strings.HasPrefix(p.s[pos:], txt) {
			continue
		}
		next := st
		if next.put(f, int64(k)+base) && p.walk(i+1, pos+len(txt), next) {
			return true
		}
	}
	return false
}

func digitRun(s string, limit int) int {
	n := 0
	for n < len(s) && n < limit && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func digitsValue(s string) (int64, bool) {
	var v int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || v > (1<<62)/10 {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, true
}

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// resolve turns the fields into candidate instants, earliest first, and
// keeps the first that formats back to the input.
func (p *parser) resolve(st *parsed) bool {
	p.resolves++
	if p.resolves > maxParseResolves {
		return false
	}
	loc := p.loc
	if st.set[fOffset] {
		loc = time.FixedZone("", int(st.vals[fOffset]))
	}
	y, m, d, days, ok := dateRange(st)
	if !ok {
		return false
	}
	hour, minute, sec, nano := timeOfDay(st)
	for k := 0; k < days; k++ {
		t := time.Date(y, m, d+k, hour, minute, sec, nano, loc)
		p.buf = p.f.AppendFormat(p.buf[:0], t)
		if bytes.Equal(p.buf, []byte(p.s)) {
			p.result = t
			return true
		}
	}
	return false
}

// dateRange returns the first day and number of days to search.
func dateRange(st *parsed) (int, time.Month, int, int, bool) {
	year, ok := calendarYear(st)
	if !ok {
		if !st.set[fWeekYear] {
			return 0, 0, 0, 0, false
		}
		wy := int(st.vals[fWeekYear])
		if st.set[fWeekOfYear] {
			return wy, time.January, week1Start(wy) + 7*(int(st.vals[fWeekOfYear])-1), 7, true
		}
		return wy - 1, time.December, 20, 385, true
	}
	switch {
	case st.set[fMonth]:
		m := time.Month(st.vals[fMonth])
		if st.set[fDayOfMonth] {
			return year, m, int(st.vals[fDayOfMonth]), 1, true
		}
		return year, m, 1, 31, true
	case st.set[fDayOfYear]:
		return year, time.January, int(st.vals[fDayOfYear]), 1, true
	case st.set[fQuarter]:
		return year, time.Month(3*st.vals[fQuarter] - 2), 1, 92, true
	}
	return year, time.January, 1, yearLength(year), true
}

func calendarYear(st *parsed) (int, bool) {
	if y, ok := yearFromWeekYear(st); ok {
		return y, true
	}
	if st.set[fYear] {
		return int(st.vals[fYear]), true
	}
	if !st.set[fYearOfEra] {
		return 0, false
	}
	yoe := int(st.vals[fYearOfEra])
	if yoe < 1 {
		return 0, false
	}
	if st.set[fEra] && st.vals[fEra] == 0 {
		return 1 - yoe, true
	}
	return yoe, true
}

// yearFromWeekYear settles a two-digit calendar year next to a full
// week-based year: the calendar year is within one of it.
func yearFromWeekYear(st *parsed) (int, bool) {
	if !st.set[fWeekYear] || st.reduced[fWeekYear] {
		return 0, false
	}
	f := fYear
	if !st.set[fYear] {
		f = fYearOfEra
	}
	if !st.set[f] || !st.reduced[f] {
		return 0, false
	}
	wy := st.vals[fWeekYear]
	for _, y := range []int64{wy - 1, wy, wy + 1} {
		if absInt(y)%100 == st.vals[f]%100 {
			if f == fYearOfEra && y < 1 {
				return 0, false
			}
			return int(y), true
		}
	}
	return 0, false
}

// week1Start is the day of January (possibly <= 0) on which week 1 of the
// week-based year starts.
func week1Start(year int) int {
	jan1 := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	ld := javaWeek.localDayOfWeek(jan1.Weekday())
	if 8-ld >= javaWeek.minDays {
		return 1 - (ld - 1)
	}
	return 1 + (8 - ld)
}

// timeOfDay resolves the time fields, each from its most precise source:
// H, k or h/K with a for the hour, then nano-of-day (N), milli-of-day (A),
// then h/K alone; n, N, S or A for the nanoseconds, by precision.
func timeOfDay(st *parsed) (hour, minute, sec, nano int) {
	switch {
	case st.set[fNanoOfDay]:
		nod := st.vals[fNanoOfDay]
		hour, minute, sec, nano = splitDay(nod/1e9, int(nod%1e9))
	case st.set[fMilliOfDay]:
		mod := st.vals[fMilliOfDay]
		hour, minute, sec, nano = splitDay(mod/1000, int(mod%1000)*1e6)
	}
	ofDay := st.set[fNanoOfDay] || st.set[fMilliOfDay]
	halfDay := st.set[fClockHourAmPm] || st.set[fHourAmPm]
	switch {
	case st.set[fHourOfDay]:
		hour = int(st.vals[fHourOfDay])
	case st.set[fClockHourOfDay]:
		hour = int(st.vals[fClockHourOfDay] % 24)
	case halfDay && (st.set[fAmPm] || !ofDay):
		hour = int(st.vals[fHourAmPm])
		if st.set[fClockHourAmPm] {
			hour = int(st.vals[fClockHourAmPm] % 12)
		}
		hour += 12 * int(st.vals[fAmPm])
	case st.set[fAmPm] && !ofDay:
		hour = 12 * int(st.vals[fAmPm])
	}
	if st.set[fMinute] {
		minute = int(st.vals[fMinute])
	}
	if st.set[fSecond] {
		sec = int(st.vals[fSecond])
	}
	switch {
	case st.set[fNanoOfSecond]:
		nano = int(st.vals[fNanoOfSecond])
	case st.set[fNanoOfDay]:
	case st.set[fFraction] && (st.fracDigits > 3 || !st.set[fMilliOfDay]):
		nano = int(st.vals[fFraction])
	}
	return hour, minute, sec, nano
}

func splitDay(secs int64, nano int) (int, int, int, int) {
	return int(secs / 3600), int(secs / 60 % 60), int(secs % 60), nano
}
