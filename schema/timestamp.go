package schema

import (
	"errors"
	"time"
)

var errTimestamp = errors.New("not an ISO-8601 timestamp (want YYYY-MM-DDThh:mm:ss.sssZ)")

// ParseTimestamp parses an SES timestamp: ISO-8601 / RFC 3339 such as
// 2017-08-05T00:40:02.012Z, with any number of fractional digits and a Z or
// ±hh:mm offset. It also accepts the "2018-10-08T14:05:45 +0000" form the SES
// SNS-notification documentation shows. The common SES form is parsed by
// hand (straight from the record's bytes in EventTime, without allocating)
// because replay calls this once per record.
func ParseTimestamp(s string) (time.Time, error) {
	if t, ok := parseFast(s); ok {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errTimestamp
}

// parseFast handles YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|±hh:mm).
func parseFast[S string | []byte](s S) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && n <= 9 && rest[n] >= '0' && rest[n] <= '9' {
			nsec = nsec*10 + int(rest[n]-'0')
			n++
		}
		if n == 1 || (n < len(rest) && rest[n] >= '0' && rest[n] <= '9') {
			return time.Time{}, false
		}
		for i := n; i <= 9; i++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset, ok := parseZone(rest)
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second).In(time.FixedZone("", offset))
	}
	return t, true
}

// parseZone parses "Z" or "±hh:mm" and returns the offset in seconds.
func parseZone[S string | []byte](z S) (int, bool) {
	if len(z) == 1 && z[0] == 'Z' {
		return 0, true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return 0, false
	}
	h, ok1 := digits(z[1:3])
	m, ok2 := digits(z[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

func digits[S string | []byte](s S) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendTimestamp appends t (UTC) as YYYY-MM-DDThh:mm:ss.sssZ, the form SES
// writes.
func appendTimestamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	b = append4(b, year)
	b = append(b, '-')
	b = append2(b, int(month))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, minute)
	b = append(b, ':')
	b = append2(b, sec)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return b
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
