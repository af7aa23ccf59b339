package jq

import (
	"bytes"
	"unicode/utf8"
)

// Byte steps: the steps of a key value that take and give a string (the
// default query's `split("@") | .[-1] | rtrimstr(">") | ascii_downcase`)
// run on the bytes of the record's raw string, without decoding it into a
// Go value or allocating. They apply when the raw value is a string that
// is its own decoding (no escape, valid UTF-8) and every step gives a
// string; anything else (another type, an escape, a split that is not
// indexed, an index out of range, an empty result) leaves the key to the
// steps on values (fastStep), so a byte step only ever answers what those
// would. FuzzByteSteps compares them.

type byteKind uint8

const (
	byteSplitIndex byteKind = iota // split(arg) | .[n]
	byteLtrim                      // ltrimstr(arg)
	byteRtrim                      // rtrimstr(arg)
	byteDown                       // ascii_downcase
	byteUp                         // ascii_upcase
	byteSame                       // tostring (of a string)
)

type byteStep struct {
	kind byteKind
	arg  []byte
	n    int
}

// byteSteps compiles steps to byte steps; ok is false when some step does
// not map a string to a string.
func byteSteps(steps []fastStep) ([]byteStep, bool) {
	var out []byteStep
	for i := 0; i < len(steps); i++ {
		st := steps[i]
		var arg []byte
		if len(st.args) == 1 {
			s, _ := st.args[0].(string) // constString: always a string
			arg = []byte(s)
		}
		switch st.name {
		case "split":
			if len(arg) == 0 || i+1 == len(steps) || steps[i+1].fn != nil {
				return nil, false // "" splits into characters; an unindexed split is an array
			}
			n, ok := steps[i+1].key.(float64)
			if !ok {
				return nil, false
			}
			out = append(out, byteStep{kind: byteSplitIndex, arg: arg, n: int(n)})
			i++
		case "ltrimstr":
			out = append(out, byteStep{kind: byteLtrim, arg: arg})
		case "rtrimstr":
			out = append(out, byteStep{kind: byteRtrim, arg: arg})
		case "ascii_downcase":
			out = append(out, byteStep{kind: byteDown})
		case "ascii_upcase":
			out = append(out, byteStep{kind: byteUp})
		case "tostring":
			out = append(out, byteStep{kind: byteSame})
		default: // an index into a string, or a builtin without a byte form
			return nil, false
		}
	}
	return out, true
}

// rawString returns the contents of the raw JSON value v when it is a
// string whose bytes are its decoding.
func rawString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' {
		return nil, false
	}
	s := v[1 : len(v)-1]
	return s, bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s)
}

// runBytes applies the steps to s; buf is scratch memory for a step that
// changes bytes (the case mappings). ok is false when a step gives no
// string (the key is then left to the value steps).
func runBytes(steps []byteStep, s []byte, buf *[]byte) ([]byte, bool) {
	for _, st := range steps {
		switch st.kind {
		case byteSplitIndex:
			var ok bool
			if s, ok = splitField(s, st.arg, st.n); !ok {
				return nil, false
			}
		case byteLtrim:
			s, _ = bytes.CutPrefix(s, st.arg)
		case byteRtrim:
			s, _ = bytes.CutSuffix(s, st.arg)
		case byteDown:
			s = flipCase(s, buf, 'A', 'Z')
		case byteUp:
			s = flipCase(s, buf, 'a', 'z')
		case byteSame:
		}
	}
	return s, true
}

// splitField is `split(sep) | .[n]` (jqSplit, then arrayAt): field n of
// s, counted from the end when n is negative. Splitting "" gives [], so
// no field.
func splitField(s, sep []byte, n int) ([]byte, bool) {
	if len(s) == 0 {
		return nil, false
	}
	if n < 0 {
		n += bytes.Count(s, sep) + 1
		if n < 0 {
			return nil, false
		}
	}
	for ; n > 0; n-- {
		i := bytes.Index(s, sep)
		if i < 0 {
			return nil, false
		}
		s = s[i+len(sep):]
	}
	if i := bytes.Index(s, sep); i >= 0 {
		s = s[:i]
	}
	return s, true
}

// flipCase switches the case of the letters of s in [lo, hi] (A-Z or
// a-z): asciiCase on valid UTF-8, where every byte of a multi-byte
// sequence is above 0x7f. s is returned as it is when nothing changes;
// otherwise the result is in buf.
func flipCase(s []byte, buf *[]byte, lo, hi byte) []byte {
	i := 0
	for i < len(s) && (s[i] < lo || s[i] > hi) {
		i++
	}
	if i == len(s) {
		return s
	}
	out := append((*buf)[:0], s...) // copy is overlap-safe when s is in buf
	for ; i < len(out); i++ {
		if c := out[i]; c >= lo && c <= hi {
			out[i] = c ^ 0x20
		}
	}
	*buf = out
	return out
}
