package jq

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// jqFormat is jq 1.6's format/1 (the @name filters). Debian's jq 1.6 knows
// text, json, csv, tsv, html, uri, sh, base64 and base64d (not base32).
func jqFormat(v, name any) any {
	f, ok := name.(string)
	if !ok {
		return jqErrorf("%s is not a valid format", preview(name))
	}
	switch f {
	case "text":
		return toString(v)
	case "json":
		return dumpJSON(v)
	case "csv":
		return formatRow(v, "csv", `"`, ",", strings.NewReplacer(`"`, `""`, "\x00", `\0`))
	case "tsv":
		return formatRow(v, "tsv", "", "\t", strings.NewReplacer("\t", `\t`, "\r", `\r`, "\n", `\n`, `\`, `\\`, "\x00", `\0`))
	case "html":
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;", "\x00", `\0`).Replace(toString(v))
	case "uri":
		return uriEscape(toString(v))
	case "sh":
		return formatShell(v)
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(toString(v)))
	case "base64d":
		return base64Decode(toString(v))
	}
	return jqErrorf("%s is not a valid format", f)
}

func formatRow(v any, name, quote, sep string, esc *strings.Replacer) any {
	row, ok := v.([]any)
	if !ok {
		return jqErrorf("%s cannot be %s-formatted, only array", preview(v), name)
	}
	var b strings.Builder
	for i, x := range row {
		if i > 0 {
			b.WriteString(sep)
		}
		switch y := x.(type) {
		case nil:
		case bool:
			b.WriteString(strconv.FormatBool(y))
		case string:
			b.WriteString(quote + esc.Replace(y) + quote)
		default:
			f, isNum := toFloat(x)
			if !isNum {
				return jqErrorf("%s is not valid in a csv row", preview(x))
			}
			if f == f { // NaN renders as nothing
				b.WriteString(formatNumber(f))
			}
		}
	}
	return b.String()
}

func formatShell(v any) any {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	parts := make([]string, len(items))
	for i, x := range items {
		switch y := x.(type) {
		case string:
			parts[i] = "'" + strings.NewReplacer("'", `'\''`, "\x00", `\0`).Replace(y) + "'"
		case []any, map[string]any:
			return jqErrorf("%s can not be escaped for shell", preview(x))
		default:
			parts[i] = dumpJSON(y)
		}
	}
	return strings.Join(parts, " ")
}

// uriEscape keeps jq 1.6's unreserved set A-Za-z0-9 -_.!~*'().
func uriEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// base64Decode follows jq 1.6: it stops at the first '=', rejects other
// characters outside the alphabet, and accepts missing padding.
func base64Decode(s string) any {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out []byte
	var code uint32
	n := 0
	for i := 0; i < len(s) && s[i] != '='; i++ {
		d := strings.IndexByte(alphabet, s[i])
		if d < 0 {
			return jqErrorf("%s is not valid base64 data", preview(s))
		}
		code = code<<6 | uint32(d)
		if n++; n == 4 {
			out = append(out, byte(code>>16), byte(code>>8), byte(code))
			code, n = 0, 0
		}
	}
	switch n {
	case 3:
		out = append(out, byte(code>>10), byte(code>>2))
	case 2:
		out = append(out, byte(code>>4))
	case 1:
		return jqErrorf("%s trailing base64 byte found", preview(s))
	}
	return validUTF8(string(out))
}

// jqToNumber is jq 1.6's tonumber: numbers pass, strings are parsed as a
// JSON number (jq's lenient number syntax, surrounding whitespace allowed).
func jqToNumber(v any) any {
	if _, ok := toFloat(v); ok {
		return v
	}
	s, ok := v.(string)
	if !ok {
		return jqErrorf("%s cannot be parsed as a number", preview(v))
	}
	t := strings.Trim(s, " \t\r\n")
	if f, ok := lenientNumber(t); ok {
		return f
	}
	switch t {
	case "true", "false", "null":
		return jqErrorf("%s cannot be parsed as a number", preview(v))
	}
	if strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, `"`) {
		return jqErrorf("%s cannot be parsed as a number", preview(v))
	}
	return jqErrorf("Invalid numeric literal at EOF at line 1, column %d (while parsing '%s')", len(s), s)
}

// lenientNumber accepts what jq 1.6's parser takes for a number: strtod
// syntax including a leading '+', "1.", ".5", leading zeros, nan/infinity.
func lenientNumber(t string) (float64, bool) {
	if t == "" || strings.ContainsAny(t, "xXpP_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
