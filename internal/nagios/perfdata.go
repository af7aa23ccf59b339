package nagios

import (
	"math"
	"strconv"
	"strings"
)

// Units of measure sesctl uses in performance data.
const (
	UOMNone    = ""
	UOMPercent = "%"
	UOMCounter = "c"
)

// PerfDatum is one performance data item:
// 'label'=value[UOM];[warn];[crit];[min];[max].
type PerfDatum struct {
	Label string
	Value float64 // NaN prints as U, the guidelines' "value could not be determined"
	UOM   string
	Warn  *Range
	Crit  *Range
	Min   *float64
	Max   *float64
}

// perfDigits is the number of significant digits performance data keeps.
// Counts print exactly whatever their size; fractions keep six digits, so
// 1 complaint in 1,200 sends prints 0.0833333, never 8.3e-02.
const perfDigits = 6

// String renders the datum in the C locale without scientific notation.
// Trailing empty fields are dropped, as the guidelines allow.
func (p PerfDatum) String() string {
	var b strings.Builder
	b.WriteString(quoteLabel(p.Label))
	b.WriteByte('=')
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		b.WriteByte('U')
	} else {
		b.WriteString(FormatNumber(p.Value, perfDigits))
	}
	b.WriteString(p.UOM)
	fields := []string{rangeField(p.Warn), rangeField(p.Crit), numField(p.Min), numField(p.Max)}
	last := len(fields)
	for last > 0 && fields[last-1] == "" {
		last--
	}
	for _, f := range fields[:last] {
		b.WriteByte(';')
		b.WriteString(f)
	}
	return b.String()
}

func rangeField(r *Range) string {
	if r == nil {
		return ""
	}
	return r.String()
}

func numField(v *float64) string {
	if v == nil {
		return ""
	}
	return FormatNumber(*v, perfDigits)
}

// quoteLabel quotes a label when it holds a blank, "=" or "'" (a quote is
// doubled inside quotes). "|" would end the plugin output's text part, so it
// is replaced rather than quoted.
func quoteLabel(l string) string {
	l = strings.ReplaceAll(l, "|", "/")
	if l == "" || strings.ContainsAny(l, " \t='") {
		return "'" + strings.ReplaceAll(l, "'", "''") + "'"
	}
	return l
}

// FormatNumber prints v in plain decimal notation with at least sig
// significant digits, never fewer than the whole integer part, and without
// trailing zeros: FormatNumber(0.000833, 3) is "0.000833", not "0.00" and
// not "8.33e-04"; FormatNumber(1234567, 3) is "1234567". The output never
// depends on the process locale.
func FormatNumber(v float64, sig int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "U"
	}
	if v == 0 {
		return "0"
	}
	if sig < 1 {
		sig = 1
	}
	decimals := sig - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	decimals = max(0, min(decimals, 340))
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Float returns a pointer to v, for PerfDatum.Min and Max.
func Float(v float64) *float64 { return &v }
