package nagios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Range is a monitoring-plugins threshold range, [@][start:][end].
//
// Without "@" a value alerts when it lies outside [start, end]; with "@" it
// alerts when it lies inside. Both endpoints are inclusive. An omitted start
// is 0, "~" as start is negative infinity and an omitted end (after ":") is
// positive infinity:
//
//	10      alert if < 0 or > 10
//	10:     alert if < 10
//	~:10    alert if > 10
//	10:20   alert if < 10 or > 20
//	@10:20  alert if 10 <= x <= 20
type Range struct {
	Start, End float64 // Start is -Inf for "~", End is +Inf when omitted
	Inside     bool    // "@": alert inside the range instead of outside
}

// number is the value syntax the plugin guidelines allow ([-0-9.]), plus a
// leading "+". Exponents, "inf", "nan", hex and digit separators are refused.
var number = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)

// ParseRange parses a threshold range. Surrounding blanks are ignored.
func ParseRange(s string) (Range, error) {
	body := strings.TrimSpace(s)
	r := Range{}
	if strings.HasPrefix(body, "@") {
		r.Inside = true
		body = body[1:]
	}
	if body == "" {
		return Range{}, fmt.Errorf("range %q: empty range", s)
	}
	start, end, hasColon := strings.Cut(body, ":")
	if !hasColon {
		start, end = "", body
	}
	var err error
	if r.Start, err = parseStart(start); err != nil {
		return Range{}, fmt.Errorf("range %q: %w", s, err)
	}
	if r.End, err = parseEnd(end, hasColon); err != nil {
		return Range{}, fmt.Errorf("range %q: %w", s, err)
	}
	if r.Start > r.End {
		return Range{}, fmt.Errorf("range %q: start %s is greater than end %s", s, FormatNumber(r.Start, 6), FormatNumber(r.End, 6))
	}
	return r, nil
}

func parseStart(s string) (float64, error) {
	switch s {
	case "":
		return 0, nil
	case "~":
		return math.Inf(-1), nil
	}
	return parseNumber(s, "start")
}

func parseEnd(s string, hasColon bool) (float64, error) {
	if s == "" {
		if hasColon {
			return math.Inf(1), nil
		}
		return 0, fmt.Errorf("missing end")
	}
	return parseNumber(s, "end")
}

func parseNumber(s, what string) (float64, error) {
	if !number.MatchString(s) {
		return 0, fmt.Errorf("%s %q is not a decimal number", what, s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is out of range", what, s)
	}
	return v, nil
}

// contains reports whether v lies in [Start, End].
func (r Range) contains(v float64) bool {
	return v >= r.Start && v <= r.End
}

// Alert reports whether v breaches the range. NaN never alerts: an unknown
// value is a matter for the caller, not a threshold.
func (r Range) Alert(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if r.Inside {
		return r.contains(v)
	}
	return !r.contains(v)
}

// String renders the range in canonical threshold syntax, as it appears in
// the warn and crit fields of performance data.
func (r Range) String() string {
	var b strings.Builder
	if r.Inside {
		b.WriteByte('@')
	}
	switch {
	case math.IsInf(r.Start, -1):
		b.WriteString("~:")
	case r.Start != 0 || math.IsInf(r.End, 1):
		b.WriteString(exactNumber(r.Start))
		b.WriteByte(':')
	}
	if !math.IsInf(r.End, 1) {
		b.WriteString(exactNumber(r.End))
	}
	return b.String()
}

// exactNumber prints the shortest decimal that parses back to v, without
// an exponent.
func exactNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// Violation describes, for a value that alerts, which bound it crossed:
// "> 10", "< 100", and for "@" ranges "in 10..20", ">= 10" or "<= 0.5".
// It returns "" when v does not alert.
func (r Range) Violation(v float64, format func(float64) string) string {
	if !r.Alert(v) {
		return ""
	}
	if r.Inside {
		switch {
		case math.IsInf(r.Start, -1) && math.IsInf(r.End, 1):
			return "in ~..inf"
		case math.IsInf(r.End, 1):
			return ">= " + format(r.Start)
		case math.IsInf(r.Start, -1):
			return "<= " + format(r.End)
		}
		return "in " + format(r.Start) + ".." + format(r.End)
	}
	if v > r.End {
		return "> " + format(r.End)
	}
	return "< " + format(r.Start)
}
