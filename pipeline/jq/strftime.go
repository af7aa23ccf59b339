package jq

import (
	"strconv"
	"strings"
)

// strftime is glibc's strftime in the C locale, on jq's broken-down time:
// weekday and day of year are taken from the array, not recomputed.
// Supported flags: _ - 0 ^ # and a field width; unknown conversions are
// copied as they are.
func strftime(f string, t tm) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		start := i
		var spec fmtSpec
		i = spec.parse(f, i+1)
		if i >= len(f) {
			b.WriteString(f[start:])
			break
		}
		if out, ok := spec.conv(f[i], t); ok {
			b.WriteString(out)
		} else {
			b.WriteString(f[start : i+1])
		}
	}
	return b.String()
}

type fmtSpec struct {
	pad      byte // 0 (default), '_', '-', '0'
	upper    bool
	swap     bool
	width    int
	hasWidth bool
}

// parse reads flags, width and an E/O modifier; it returns the index of the
// conversion character.
func (s *fmtSpec) parse(f string, i int) int {
	for ; i < len(f); i++ {
		switch f[i] {
		case '_', '-', '0':
			s.pad = f[i]
			continue
		case '^':
			s.upper = true
			continue
		case '#':
			s.swap = true
			continue
		}
		break
	}
	for ; i < len(f) && isDigit(f[i]); i++ {
		s.width = s.width*10 + int(f[i]-'0')
		s.hasWidth = true
	}
	if i < len(f) && (f[i] == 'E' || f[i] == 'O') && i+1 < len(f) {
		i++
	}
	return i
}

func (s *fmtSpec) conv(c byte, t tm) (string, bool) {
	switch c {
	case 'a', 'A', 'b', 'h', 'B', 'p', 'P', 'Z':
		return s.text(c, t), true
	case 'c':
		return s.sub("%a %b %e %H:%M:%S %Y", t), true
	case 'D', 'x':
		return s.sub("%m/%d/%y", t), true
	case 'F':
		return s.sub("%Y-%m-%d", t), true
	case 'r':
		return s.sub("%I:%M:%S %p", t), true
	case 'R':
		return s.sub("%H:%M", t), true
	case 'T', 'X':
		return s.sub("%H:%M:%S", t), true
	case 'n':
		return "\n", true
	case 't':
		return "\t", true
	case '%':
		return "%", true
	case 'z':
		return s.padText("+0000"), true
	}
	v, digits, pad, ok := numberField(c, t)
	if !ok {
		return "", false
	}
	return s.num(v, digits, pad, ""), true
}

// numberField returns a numeric conversion's value, minimum digits and
// default padding.
func numberField(c byte, t tm) (int, int, byte, bool) {
	year := t.year + 1900
	h12 := t.hour % 12
	if h12 == 0 {
		h12 = 12
	}
	switch c {
	case 'C':
		return floorDiv(year, 100), 2, '0', true
	case 'd':
		return t.mday, 2, '0', true
	case 'e':
		return t.mday, 2, '_', true
	case 'H':
		return t.hour, 2, '0', true
	case 'k':
		return t.hour, 2, '_', true
	case 'I':
		return h12, 2, '0', true
	case 'l':
		return h12, 2, '_', true
	case 'j':
		return t.yday + 1, 3, '0', true
	case 'm':
		return t.mon + 1, 2, '0', true
	case 'M':
		return t.min, 2, '0', true
	case 'S':
		return t.sec, 2, '0', true
	case 's':
		return int(t.timegm()), 1, '0', true
	case 'u':
		return (t.wday+6)%7 + 1, 1, '0', true
	case 'w':
		return t.wday, 1, '0', true
	case 'U':
		return (t.yday - t.wday + 7) / 7, 2, '0', true
	case 'W':
		return (t.yday - (t.wday-1+7)%7 + 7) / 7, 2, '0', true
	case 'y':
		return ((year % 100) + 100) % 100, 2, '0', true
	case 'Y':
		return year, 1, '0', true
	case 'G', 'g', 'V':
		return isoField(c, t)
	}
	return 0, 0, 0, false
}

// isoField computes ISO 8601 week-based year and week as glibc does.
func isoField(c byte, t tm) (int, int, byte, bool) {
	year := t.year + 1900
	days := isoWeekDays(t.yday, t.wday)
	if days < 0 {
		year--
		days = isoWeekDays(t.yday+365+isLeap(year), t.wday)
	} else if d := isoWeekDays(t.yday-(365+isLeap(year)), t.wday); d >= 0 {
		year++
		days = d
	}
	switch c {
	case 'G':
		return year, 1, '0', true
	case 'g':
		return ((year % 100) + 100) % 100, 2, '0', true
	}
	return days/7 + 1, 2, '0', true
}

// isoWeekDays is glibc's iso_week_days.
func isoWeekDays(yday, wday int) int {
	const bigEnoughMultipleOf7 = (366/7 + 2) * 7
	return yday - (yday-wday+4+bigEnoughMultipleOf7)%7 + 3
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (s *fmtSpec) sub(format string, t tm) string {
	out := strftime(format, t)
	if s.upper {
		out = strings.ToUpper(out)
	}
	return s.padText(out)
}

func (s *fmtSpec) text(c byte, t tm) string {
	var out string
	switch c {
	case 'a', 'A':
		out = nameAt(weekdayNames, t.wday, c == 'a')
	case 'b', 'h', 'B':
		out = nameAt(monthNames, t.mon, c != 'B')
	case 'p', 'P':
		out = "AM"
		if t.hour > 11 {
			out = "PM"
		}
		if c == 'P' || s.swap {
			out = strings.ToLower(out)
		}
	case 'Z':
		out = "UTC"
		if s.swap {
			out = "utc"
		}
	}
	if s.upper || (s.swap && c != 'p' && c != 'P' && c != 'Z') {
		out = strings.ToUpper(out)
	}
	return s.padText(out)
}

func nameAt(names []string, i int, abbr bool) string {
	if i < 0 || i >= len(names) {
		return "?"
	}
	if abbr {
		return names[i][:3]
	}
	return names[i]
}

func (s *fmtSpec) padText(out string) string {
	if !s.hasWidth || len(out) >= s.width || s.pad == '-' {
		return out
	}
	fill := " "
	if s.pad == '0' {
		fill = "0"
	}
	return strings.Repeat(fill, s.width-len(out)) + out
}

// num formats a number with glibc's padding rules.
func (s *fmtSpec) num(v, digits int, defPad byte, sign string) string {
	neg := v < 0
	if neg {
		v = -v
	}
	str := strconv.Itoa(v)
	pad := defPad
	if s.pad != 0 {
		pad = s.pad
	}
	width := digits
	if s.hasWidth {
		width = s.width
	}
	if neg {
		sign = "-"
	}
	switch pad {
	case '-':
		return sign + str
	case '_':
		if len(sign)+len(str) < width {
			return strings.Repeat(" ", width-len(sign)-len(str)) + sign + str
		}
		return sign + str
	}
	if len(str) < width-len(sign) {
		str = strings.Repeat("0", width-len(sign)-len(str)) + str
	}
	return sign + str
}
