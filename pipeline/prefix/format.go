package prefix

import (
	"strconv"
	"time"
)

// English texts, as Java prints them for an English locale.
var (
	monthShort   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthFull    = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthNarrow  = []string{"J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"}
	dowShort     = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	dowFull      = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	dowNarrow    = []string{"M", "T", "W", "T", "F", "S", "S"}
	quarterShort = []string{"Q1", "Q2", "Q3", "Q4"}
	quarterFull  = []string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}
	quarterNarr  = []string{"1", "2", "3", "4"}
	ampmText     = []string{"AM", "PM"}
	eraShort     = []string{"BC", "AD"}
	eraFull      = []string{"Before Christ", "Anno Domini"}
)

// texts returns the texts of a text element, indexed by value - base.
func texts(el element) (list []string, base int64) {
	switch el.field {
	case fMonth:
		return pick(el.style, monthShort, monthFull, monthNarrow), 1
	case fDayOfWeek, fLocalDayOfWeek:
		return pick(el.style, dowShort, dowFull, dowNarrow), 1
	case fQuarter:
		return pick(el.style, quarterShort, quarterFull, quarterNarr), 1
	case fAmPm:
		return ampmText, 0
	}
	return pick(el.style, eraShort, eraFull, nil), 0
}

func pick(s textStyle, short, full, narrow []string) []string {
	switch s {
	case styleFull:
		return full
	case styleNarrow:
		return narrow
	}
	return short
}

// fields holds everything Format needs from one instant, computed once.
type fields struct {
	t                 time.Time
	year              int
	month             time.Month
	day, yday         int
	weekday           time.Weekday
	hour, min, sec    int
	nano              int
	offset            int
	weekYear, weekNum int
	weekDone          bool
}

func (f *fields) init(t time.Time) {
	*f = fields{t: t}
	f.year, f.month, f.day = t.Date()
	f.yday = t.YearDay()
	f.weekday = t.Weekday()
	f.hour, f.min, f.sec = t.Clock()
	f.nano = t.Nanosecond()
	_, f.offset = t.Zone()
}

func (f *fields) week() (int, int) {
	if !f.weekDone {
		f.weekYear, f.weekNum = javaWeek.weekOfWeekBasedYear(f.year, f.yday, f.weekday)
		f.weekDone = true
	}
	return f.weekYear, f.weekNum
}

// value returns the value Java's field has for the instant. Text fields use
// the value that indexes texts().
func (f *fields) value(fl field, el element) int64 {
	switch fl {
	case fEra:
		if f.year >= 1 {
			return 1
		}
		return 0
	case fYearOfEra:
		if f.year >= 1 {
			return int64(f.year)
		}
		return int64(1 - f.year)
	case fYear:
		return int64(f.year)
	case fWeekYear:
		y, _ := f.week()
		return int64(y)
	case fWeekOfYear:
		_, w := f.week()
		return int64(w)
	case fWeekOfMonth:
		return int64(javaWeek.weekOfMonth(f.day, f.weekday))
	case fQuarter:
		return int64(f.month-1)/3 + 1
	case fMonth:
		return int64(f.month)
	case fDayOfMonth:
		return int64(f.day)
	case fDayOfYear:
		return int64(f.yday)
	case fDayOfWeek:
		return int64(isoWeekday(f.weekday))
	case fLocalDayOfWeek:
		if el.kind == kText { // text of the localized day-of-week is the day's name
			return int64(isoWeekday(f.weekday))
		}
		return int64(javaWeek.localDayOfWeek(f.weekday))
	}
	return f.timeValue(fl)
}

func (f *fields) timeValue(fl field) int64 {
	switch fl {
	case fAmPm:
		return int64(f.hour / 12)
	case fClockHourAmPm:
		if h := f.hour % 12; h != 0 {
			return int64(h)
		}
		return 12
	case fHourAmPm:
		return int64(f.hour % 12)
	case fClockHourOfDay:
		if f.hour == 0 {
			return 24
		}
		return int64(f.hour)
	case fHourOfDay:
		return int64(f.hour)
	case fMinute:
		return int64(f.min)
	case fSecond:
		return int64(f.sec)
	case fFraction, fNanoOfSecond:
		return int64(f.nano)
	case fMilliOfDay:
		return f.secondOfDay()*1000 + int64(f.nano/1e6)
	case fNanoOfDay:
		return f.secondOfDay()*1e9 + int64(f.nano)
	case fOffset:
		return int64(f.offset)
	}
	return 0
}

func (f *fields) secondOfDay() int64 {
	return int64(f.hour*3600 + f.min*60 + f.sec)
}

func isoWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

// Format formats t with the pattern, in t's location. Firehose evaluates
// timestamps in UTC or the stream's CustomTimeZone: convert t first.
func (f *TimeFormat) Format(t time.Time) string {
	return string(f.AppendFormat(make([]byte, 0, len(f.pattern)+8), t))
}

// AppendFormat is Format appending to dst.
func (f *TimeFormat) AppendFormat(dst []byte, t time.Time) []byte {
	var fs fields
	fs.init(t)
	return f.appendFields(dst, &fs)
}

func (f *TimeFormat) appendFields(dst []byte, fs *fields) []byte {
	for _, el := range f.elems {
		dst = appendElement(dst, el, fs)
	}
	return dst
}

func appendElement(dst []byte, el element, fs *fields) []byte {
	switch el.kind {
	case kLiteral:
		return append(dst, el.lit...)
	case kNumber:
		return appendNumber(dst, fs.value(el.field, el), el.minW, el.sign)
	case kReduced:
		v := fs.value(el.field, el)
		if v < 0 {
			v = -v
		}
		return appendNumber(dst, v%100, 2, signNotNeg)
	case kFraction:
		return appendFraction(dst, fs.nano, el.count)
	case kText:
		list, base := texts(el)
		return append(dst, list[fs.value(el.field, el)-base]...)
	case kOffset:
		return appendOffset(dst, fs.offset, el)
	}
	return appendLocalizedOffset(dst, fs.offset, el.style)
}

// appendNumber prints like Java's NumberPrinterParser. Values never exceed
// the maximum width for the fields sesctl supports.
func appendNumber(dst []byte, v int64, minW int, sign signStyle) []byte {
	var abs uint64
	if v < 0 {
		abs = uint64(-(v + 1)) + 1
	} else {
		abs = uint64(v)
	}
	var digits [20]byte
	s := strconv.AppendUint(digits[:0], abs, 10)
	switch {
	case v < 0:
		dst = append(dst, '-')
	case sign == signExceedsPad && len(s) > minW:
		dst = append(dst, '+')
	}
	for i := len(s); i < minW; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendFraction prints the first n digits of the nanosecond fraction,
// truncated, as Java's appendFraction(NANO_OF_SECOND, n, n, false) does.
func appendFraction(dst []byte, nano, n int) []byte {
	var d [9]byte
	for i := 8; i >= 0; i-- {
		d[i] = byte('0' + nano%10)
		nano /= 10
	}
	return append(dst, d[:n]...)
}

func appendTwo(dst []byte, v int) []byte {
	if v < 0 || v > 99 { // Go allows zone offsets Java's ZoneOffset would refuse
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendOffset prints like Java's OffsetIdPrinterParser.
func appendOffset(dst []byte, total int, el element) []byte {
	if total == 0 {
		return append(dst, el.noOffset...)
	}
	start := len(dst)
	abs := total
	sign := byte('+')
	if total < 0 {
		abs, sign = -total, '-'
	}
	h, m, s := abs/3600, abs/60%60, abs%60
	out := h
	dst = appendTwo(append(dst, sign), h)
	typ := el.offType
	colon := typ%2 == 0
	if typ >= 3 || (typ >= 1 && m > 0) {
		if colon {
			dst = append(dst, ':')
		}
		dst = appendTwo(dst, m)
		out += m
		if typ >= 7 || (typ >= 5 && s > 0) {
			if colon {
				dst = append(dst, ':')
			}
			dst = appendTwo(dst, s)
			out += s
		}
	}
	if out == 0 {
		return append(dst[:start], el.noOffset...)
	}
	return dst
}

// appendLocalizedOffset prints like Java's LocalizedOffsetIdPrinterParser
// for an English locale: GMT, GMT+8, GMT+5:30 (short), GMT+05:30 (full).
func appendLocalizedOffset(dst []byte, total int, style textStyle) []byte {
	dst = append(dst, "GMT"...)
	if total == 0 {
		return dst
	}
	abs := total
	sign := byte('+')
	if total < 0 {
		abs, sign = -total, '-'
	}
	h, m, s := abs/3600, abs/60%60, abs%60
	dst = append(dst, sign)
	if style == styleFull {
		dst = append(appendTwo(dst, h), ':')
		dst = appendTwo(dst, m)
		if s != 0 {
			dst = appendTwo(append(dst, ':'), s)
		}
		return dst
	}
	dst = strconv.AppendInt(dst, int64(h), 10)
	if m != 0 || s != 0 {
		dst = appendTwo(append(dst, ':'), m)
		if s != 0 {
			dst = appendTwo(append(dst, ':'), s)
		}
	}
	return dst
}
