package jq

import (
	"math"
	"sort"
	"strings"

	"github.com/itchyny/gojq"
)

// goFunc is a Go implementation of a jq 1.6 builtin, registered with gojq.
type goFunc struct {
	name     string
	min, max int
	fn       func(any, []any) any
}

var goFuncs = []goFunc{
	{fnIndex, 1, 1, func(v any, a []any) any { return jqIndex(v, a[0]) }},
	{fnSlice, 2, 2, func(v any, a []any) any { return jqSlice(v, a[0], a[1]) }},
	{"_sesctl_tostring", 0, 0, func(v any, _ []any) any { return toString(v) }},
	{"_sesctl_tojson", 0, 0, func(v any, _ []any) any { return dumpJSON(v) }},
	{"_sesctl_format", 1, 1, func(v any, a []any) any { return jqFormat(v, a[0]) }},
	{"_sesctl_ltrimstr", 1, 1, func(v any, a []any) any { return trimStr(v, a[0], strings.HasPrefix, strings.TrimPrefix) }},
	{"_sesctl_rtrimstr", 1, 1, func(v any, a []any) any { return trimStr(v, a[0], strings.HasSuffix, strings.TrimSuffix) }},
	{"_sesctl_startswith", 1, 1, func(v any, a []any) any { return affix(v, a[0], "startswith", strings.HasPrefix) }},
	{"_sesctl_endswith", 1, 1, func(v any, a []any) any { return affix(v, a[0], "endswith", strings.HasSuffix) }},
	{"_sesctl_indices", 1, 1, func(v any, a []any) any { return jqIndices(v, a[0]) }},
	{"_sesctl_split", 1, 1, func(v any, a []any) any { return jqSplit(v, a[0]) }},
	{"_sesctl_join", 1, 1, func(v any, a []any) any { return jqJoin(v, a[0]) }},
	{"_sesctl_ascii_downcase", 0, 0, func(v any, _ []any) any { return asciiCase(v, 'A', 'Z', 'a'-'A') }},
	{"_sesctl_ascii_upcase", 0, 0, func(v any, _ []any) any { return asciiCase(v, 'a', 'z', 'A'-'a') }},
	{"_sesctl_tonumber", 0, 0, func(v any, _ []any) any { return jqToNumber(v) }},
	{"_sesctl_error", 0, 0, func(v any, _ []any) any { return &valueError{v} }},
	{"_sesctl_builtins", 0, 0, func(any, []any) any { return builtinList() }},
	{"_sesctl_lgamma_r", 0, 0, func(v any, _ []any) any { return lgammaR(v) }},
	{"_sesctl_pow10", 0, 0, func(any, []any) any { return jqError("Error: pow10/0 not found at build time") }},
	{"_sesctl_strptime", 1, 1, func(v any, a []any) any { return jqStrptime(v, a[0]) }},
	{"_sesctl_mktime", 0, 0, func(v any, _ []any) any { return jqMktime(v) }},
	{"_sesctl_gmtime", 1, 1, func(v any, a []any) any { return jqGmtime(v, a[0].(string)) }},
	{"_sesctl_strftime", 2, 2, func(v any, a []any) any { return jqStrftime(v, a[0], a[1].(string)) }},
}

// valueError is error(v) with a non-string value: catch sees the value.
type valueError struct{ v any }

func (e *valueError) Error() string { return dumpJSON(e.v) + " (not a string)" }
func (e *valueError) Value() any    { return e.v }

// jqIndex is jq 1.6's jv_get: the value of t[k].
func jqIndex(t, k any) any {
	switch x := t.(type) {
	case map[string]any:
		if s, ok := k.(string); ok {
			return x[s]
		}
	case []any:
		if f, ok := toFloat(k); ok {
			return arrayAt(x, f)
		}
		switch kk := k.(type) {
		case map[string]any:
			return sliceArray(x, kk)
		case []any:
			return arrayIndexes(x, kk)
		}
	case string:
		if kk, ok := k.(map[string]any); ok {
			return sliceString(x, kk)
		}
	case nil:
		switch k.(type) {
		case string, map[string]any:
			return nil
		}
		if _, ok := toFloat(k); ok {
			return nil
		}
	}
	if s, ok := k.(string); ok && len(s) < 30 {
		return jqErrorf("Cannot index %s with string %q", kindName(t), s)
	}
	return jqErrorf("Cannot index %s with %s", kindName(t), kindName(k))
}

// arrayAt: integral indexes only (jv_is_integer), negative from the end.
func arrayAt(a []any, f float64) any {
	if f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return nil
	}
	i := int(f)
	if i < 0 {
		i += len(a)
	}
	if i < 0 || i >= len(a) {
		return nil
	}
	return a[i]
}

// arrayIndexes is jq 1.6's jv_array_indexes, quirks included.
func arrayIndexes(a, b []any) any {
	res := []any{}
	for ai := range a {
		idx := -1
		for bi, y := range b {
			var x any
			if ai+bi < len(a) {
				x = a[ai+bi]
			}
			if gojq.Compare(x, y) != 0 {
				idx = -1
			} else if bi == 0 && idx == -1 {
				idx = ai
			}
		}
		if idx > -1 {
			res = append(res, float64(idx))
		}
	}
	return res
}

func jqSlice(t, start, end any) any {
	k := map[string]any{"start": start, "end": end}
	switch x := t.(type) {
	case nil:
		return nil
	case []any:
		return sliceArray(x, k)
	case string:
		return sliceString(x, k)
	}
	return jqErrorf("Cannot index %s with object", kindName(t))
}

// parseSlice is jq 1.6's parse_slice.
func parseSlice(length int, k map[string]any) (int, int, bool) {
	sv, okS := k["start"]
	ev, okE := k["end"]
	if !okS || !okE {
		return 0, 0, false
	}
	if sv == nil {
		sv = 0.0
	}
	if ev == nil {
		ev = float64(length)
	}
	ds, ok1 := toFloat(sv)
	de, ok2 := toFloat(ev)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	n := float64(length)
	if ds < 0 {
		ds += n
	}
	if de < 0 {
		de += n
	}
	ds = math.Min(math.Max(ds, 0), n)
	de = math.Min(de, n)
	if de < ds {
		de = ds
	}
	s, e := int(ds), int(de)
	if de > float64(e) {
		e++
	}
	return s, e, true
}

func sliceArray(a []any, k map[string]any) any {
	s, e, ok := parseSlice(len(a), k)
	if !ok {
		return jqError("Start and end indices of an array slice must be numbers")
	}
	return a[s:e]
}

func sliceString(str string, k map[string]any) any {
	r := []rune(str)
	s, e, ok := parseSlice(len(r), k)
	if !ok {
		return jqError("Start and end indices of an string slice must be numbers")
	}
	return string(r[s:e])
}

// jqIndices is jq 1.6's indices/1; on strings it returns byte offsets of
// non-overlapping matches (a jq 1.6 quirk).
func jqIndices(v, i any) any {
	_, vArr := v.([]any)
	_, iArr := i.([]any)
	switch {
	case vArr && iArr:
		return jqIndex(v, i)
	case vArr:
		return jqIndex(v, []any{i})
	}
	s, ok1 := v.(string)
	sub, ok2 := i.(string)
	if !ok1 || !ok2 {
		return jqIndex(v, i)
	}
	if sub == "" {
		return jqError("cannot allocate memory")
	}
	out := []any{}
	for off := 0; ; {
		k := strings.Index(s[off:], sub)
		if k < 0 {
			return out
		}
		out = append(out, float64(off+k))
		off += k + len(sub)
	}
}

func trimStr(v, x any, has func(string, string) bool, trim func(string, string) string) any {
	s, ok1 := v.(string)
	p, ok2 := x.(string)
	if !ok1 || !ok2 || !has(s, p) {
		return v
	}
	return trim(s, p)
}

func affix(v, x any, name string, has func(string, string) bool) any {
	s, ok1 := v.(string)
	p, ok2 := x.(string)
	if !ok1 || !ok2 {
		return jqError(name + "() requires string inputs")
	}
	return has(s, p)
}

// jqSplit is jq 1.6's split/1: "" splits into characters, and splitting ""
// gives [].
func jqSplit(v, sep any) any {
	s, ok1 := v.(string)
	p, ok2 := sep.(string)
	if !ok1 || !ok2 {
		return jqError("split input and separator must be strings")
	}
	if s == "" {
		return []any{}
	}
	var parts []string
	if p == "" {
		parts = strings.Split(s, "")
	} else {
		parts = strings.Split(s, p)
	}
	out := make([]any, len(parts))
	for i, x := range parts {
		out[i] = x
	}
	return out
}

// jqJoin is jq 1.6's def join($x): reduce .[] as $i (null; (if .==null
// then "" else .+$x end) + ($i | if .==null then "" elif (type=="boolean"
// or type=="number") then tojson else . end)) // "";
func jqJoin(v, sep any) any {
	items, err := iterate(v)
	if err != nil {
		return err
	}
	var acc any
	for _, it := range items {
		if acc == nil {
			acc = ""
		} else if acc, err = jqAdd(acc, sep); err != nil {
			return err
		}
		switch it.(type) {
		case nil:
			it = ""
		case bool:
			it = dumpJSON(it)
		default:
			if _, ok := toFloat(it); ok {
				it = dumpJSON(it)
			}
		}
		if acc, err = jqAdd(acc, it); err != nil {
			return err
		}
	}
	if acc == nil {
		return ""
	}
	return acc
}

// iterate is .[] (object values in gojq's key order).
func iterate(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = x[k]
		}
		return out, nil
	}
	return nil, jqErrorf("Cannot iterate over %s", preview(v))
}

// jqAdd covers what join needs of jq's +.
func jqAdd(a, b any) (any, error) {
	switch {
	case a == nil:
		return b, nil
	case b == nil:
		return a, nil
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if ok1 && ok2 {
		return sa + sb, nil
	}
	return nil, jqErrorf("%s and %s cannot be added", preview(a), preview(b))
}

func asciiCase(v any, lo, hi rune, delta rune) any {
	s, ok := v.(string)
	if !ok {
		return jqError("explode input must be a string")
	}
	return strings.Map(func(r rune) rune {
		if r >= lo && r <= hi {
			return r + delta
		}
		return r
	}, s)
}

func builtinList() any {
	var out []any
	for _, line := range strings.Split(jq16BuiltinsText, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func lgammaR(v any) any {
	f, ok := toFloat(v)
	if !ok {
		return jqErrorf("%s number required", preview(v))
	}
	lg, sign := math.Lgamma(f)
	return []any{lg, float64(sign)}
}
