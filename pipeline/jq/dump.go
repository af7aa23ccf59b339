package jq

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// formatNumber prints a number the way jq 1.6 does (jv_dump_term with
// jvp_dtoa_fmt): the shortest digits that read back to the same double,
// exponent notation when the decimal point is more than 15 places past the
// digits or 4 or more places before them, NaN as null and infinities as
// ±DBL_MAX.
func formatNumber(f float64) string {
	if math.IsNaN(f) {
		return "null"
	}
	if math.IsInf(f, 0) {
		f = math.Copysign(math.MaxFloat64, f)
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	decpt := x + 1
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
	}
	switch {
	case decpt <= -4 || decpt > len(digits)+15:
		writeExponent(&b, digits, decpt-1)
	case decpt <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -decpt))
		b.WriteString(digits)
	case decpt >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", decpt-len(digits)))
	default:
		b.WriteString(digits[:decpt])
		b.WriteByte('.')
		b.WriteString(digits[decpt:])
	}
	return b.String()
}

func writeExponent(b *strings.Builder, digits string, exp int) {
	b.WriteString(digits[:1])
	if len(digits) > 1 {
		b.WriteByte('.')
		b.WriteString(digits[1:])
	}
	b.WriteByte('e')
	if exp < 0 {
		b.WriteByte('-')
		exp = -exp
	} else {
		b.WriteByte('+')
	}
	if exp < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(exp))
}

// toFloat converts any gojq number to a double, as jq 1.6 holds numbers.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	}
	return 0, false
}

// kindName is jq's jv_kind_name.
func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any, *ordObj:
		return "object"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return "unknown"
}

// dumpJSON serialises a value compactly as jq 1.6 does. gojq objects are
// unordered maps, so their keys come out sorted (jq would keep insertion
// order); constant objects of the parser keep their order.
func dumpJSON(v any) string {
	var b strings.Builder
	dumpTo(&b, v)
	return b.String()
}

func dumpTo(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		dumpString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			dumpTo(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		dumpObject(b, keys, func(i int) any { return x[keys[i]] })
	case *ordObj:
		dumpObject(b, x.keys, func(i int) any { return x.vals[i] })
	default:
		f, _ := toFloat(v)
		b.WriteString(formatNumber(f))
	}
}

func dumpObject(b *strings.Builder, keys []string, val func(int) any) {
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		dumpString(b, k)
		b.WriteByte(':')
		dumpTo(b, val(i))
	}
	b.WriteByte('}')
}

// dumpString quotes a string like jq 1.6: control characters and DEL as
// \uXXXX (or their short escapes), everything else raw UTF-8.
func dumpString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s { // invalid UTF-8 decodes as U+FFFD, as jq stores it
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// truncDump is jq's jv_dump_string_trunc with a buffer of size n: at most
// n-1 bytes, the last three replaced by "..." when cut.
func truncDump(v any, n int) string {
	s := dumpJSON(v)
	if len(s) > n-1 {
		s = s[:n-4] + "..."
	}
	return s
}

// toString is jq 1.6's tostring: strings unchanged, anything else dumped.
func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return dumpJSON(v)
}

// validUTF8 replaces invalid bytes as jq does when it builds strings.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
