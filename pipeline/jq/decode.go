package jq

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth is jq 1.6's parser depth limit.
const maxJSONDepth = 256

// pathTrie lists the object members a query can observe; everything else
// in the record is validated but not materialised.
type pathTrie struct {
	all  bool
	kids map[string]*pathTrie
}

var errNonJSON = &ExtractError{Msg: MsgNonJSON}

// decodeRecord parses one JSON value (RFC 8259, surrounding whitespace
// allowed) into gojq values, numbers as float64 like jq 1.6.
func decodeRecord(data []byte, prune *pathTrie) (any, error) {
	d := decoder{data: data}
	d.space()
	v, err := d.value(prune)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, errNonJSON
	}
	return v, nil
}

type decoder struct {
	data  []byte
	pos   int
	depth int
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes the next value; with a trie (not "all"), only the listed
// object members are kept.
func (d *decoder) value(t *pathTrie) (any, error) {
	if d.pos >= len(d.data) {
		return nil, errNonJSON
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object(t)
	case '[':
		return d.array()
	case '"':
		return d.str()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		return d.number()
	}
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return errNonJSON
	}
	d.pos += len(word)
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return &ExtractError{Msg: "Exceeds depth limit for parsing"}
	}
	return nil
}

func (d *decoder) object(t *pathTrie) (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	d.pos++ // {
	m := make(map[string]any)
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		if err := d.member(m, t); err != nil {
			return nil, err
		}
		d.space()
		if d.pos >= len(d.data) {
			return nil, errNonJSON
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, errNonJSON
		}
	}
}

func (d *decoder) member(m map[string]any, t *pathTrie) error {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return errNonJSON
	}
	k, sub, want, err := d.key(t)
	if err != nil {
		return err
	}
	d.space()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return errNonJSON
	}
	d.pos++
	d.space()
	// jq 1.6 keeps the member's key on its parser stack while the value is
	// parsed: containers inside a member value count one level more.
	d.depth++
	defer func() { d.depth-- }()
	if !want {
		return d.skip()
	}
	v, err := d.value(sub)
	m[k] = v
	return err
}

// key reads a member name and looks it up in the trie; names of members
// that are skipped are not allocated.
func (d *decoder) key(t *pathTrie) (string, *pathTrie, bool, error) {
	start := d.pos
	slow, err := d.scanString()
	if err != nil {
		return "", nil, false, err
	}
	raw := d.data[start+1 : d.pos-1]
	var k string
	if slow {
		if k, err = unescape(raw); err != nil {
			return "", nil, false, err
		}
	}
	if t == nil || t.all {
		if !slow {
			k = string(raw)
		}
		return k, nil, true, nil
	}
	var sub *pathTrie
	var ok bool
	if slow {
		sub, ok = t.kids[k]
	} else if sub, ok = t.kids[string(raw)]; ok {
		k = string(raw)
	}
	return k, sub, ok, nil
}

func (d *decoder) array() (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	d.pos++ // [
	a := []any{}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, nil
	}
	for {
		v, err := d.value(nil)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.space()
		if d.pos >= len(d.data) {
			return nil, errNonJSON
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case ']':
			d.pos++
			return a, nil
		default:
			return nil, errNonJSON
		}
	}
}

// skip validates a value without building it.
func (d *decoder) skip() error {
	if d.pos >= len(d.data) {
		return errNonJSON
	}
	switch d.data[d.pos] {
	case '{', '[':
		return d.skipContainer()
	case '"':
		_, err := d.scanString()
		return err
	}
	_, err := d.value(nil)
	return err
}

func (d *decoder) skipContainer() error {
	if err := d.enter(); err != nil {
		return err
	}
	defer func() { d.depth-- }()
	isObj := d.data[d.pos] == '{'
	end := byte(']')
	if isObj {
		end = '}'
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == end {
		d.pos++
		return nil
	}
	for {
		if isObj {
			if err := d.member(nil, &pathTrie{}); err != nil {
				return err
			}
		} else if err := d.skip(); err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) {
			return errNonJSON
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case end:
			d.pos++
			return nil
		default:
			return errNonJSON
		}
	}
}

// scanString moves past a string, validating escapes, and reports whether
// it needs unescaping or UTF-8 repair.
func (d *decoder) scanString() (bool, error) {
	d.pos++ // opening quote
	slow := false
	for d.pos < len(d.data) {
		d.pos = skipPlain(d.data, d.pos)
		if d.pos >= len(d.data) {
			break
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return slow, nil
		case c == '\\':
			slow = true
			n, err := escapeLen(d.data[d.pos:])
			if err != nil {
				return false, err
			}
			d.pos += n
		case c < 0x20:
			return false, errNonJSON
		case c >= 0x80:
			slow = !utf8.FullRune(d.data[d.pos:]) || slow
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				slow = true
			}
			d.pos += size
		default:
			d.pos++
		}
	}
	return false, errNonJSON
}

// skipPlain returns the index of the first byte at or after i that is not
// plainByte, eight bytes at a time while none of them is special.
func skipPlain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if specialBytes(binary.LittleEndian.Uint64(b[i:])) != 0 {
			break
		}
	}
	for i < len(b) && plainByte[b[i]] {
		i++
	}
	return i
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// specialBytes is non-zero when one of the eight bytes of x is a control
// (< 0x20), a quote, a backslash or non-ASCII. It may flag a plain byte
// after a special one (a borrow), never miss a special one.
func specialBytes(x uint64) uint64 {
	q := x ^ (swarOnes * '"')
	s := x ^ (swarOnes * '\\')
	return ((x - swarOnes*0x20) | (q - swarOnes) | (s - swarOnes) | x) & swarHigh
}

// plainByte marks the bytes a string may hold as they are: ASCII other
// than controls, quote and backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escapeLen validates one escape sequence and returns its length.
func escapeLen(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, errNonJSON
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		_, n, err := unicodeEscape(b)
		return n, err
	}
	return 0, errNonJSON
}

func (d *decoder) str() (string, error) {
	start := d.pos
	slow, err := d.scanString()
	if err != nil {
		return "", err
	}
	raw := d.data[start+1 : d.pos-1]
	if !slow {
		return string(raw), nil
	}
	return unescape(raw)
}

// unescape decodes JSON escapes; invalid UTF-8 becomes U+FFFD and lone
// surrogate escapes are errors, as in jq 1.6.
func unescape(raw []byte) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r)
			i += size
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return "", errNonJSON
		}
		e := raw[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := unicodeEscape(raw[i-2:])
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			i += n - 2
		default:
			return "", errNonJSON
		}
	}
	return string(out), nil
}

// unicodeEscape reads \uXXXX (and a following low surrogate if needed).
func unicodeEscape(b []byte) (rune, int, error) {
	hi := hex4(b)
	if hi < 0 {
		return 0, 0, errNonJSON
	}
	if hi < 0xD800 || hi > 0xDFFF {
		return rune(hi), 6, nil
	}
	if hi >= 0xDC00 || len(b) < 12 || b[6] != '\\' || b[7] != 'u' {
		return 0, 0, errNonJSON
	}
	lo := hex4(b[6:])
	if lo < 0xDC00 || lo > 0xDFFF {
		return 0, 0, errNonJSON
	}
	return utf16.DecodeRune(rune(hi), rune(lo)), 12, nil
}

func hex4(b []byte) int {
	if len(b) < 6 {
		return -1
	}
	return hexVal(string(b[2:6]))
}

// number parses a strict JSON number as a double (overflow gives ±Inf,
// which jq prints as ±DBL_MAX).
func (d *decoder) number() (any, error) {
	start := d.pos
	s := d.data
	if d.pos < len(s) && s[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(s) && s[d.pos] == '0':
		d.pos++
	case d.pos < len(s) && s[d.pos] >= '1' && s[d.pos] <= '9':
		d.digits()
	default:
		return nil, errNonJSON
	}
	simple := true
	if d.pos < len(s) && s[d.pos] == '.' {
		d.pos++
		if d.digits() == 0 {
			return nil, errNonJSON
		}
		simple = false
	}
	if d.pos < len(s) && (s[d.pos] == 'e' || s[d.pos] == 'E') {
		d.pos++
		if d.pos < len(s) && (s[d.pos] == '+' || s[d.pos] == '-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, errNonJSON
		}
		simple = false
	}
	lit := s[start:d.pos]
	if simple && len(lit) < 16 {
		return smallInt(lit), nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil && !isRangeErr(err) {
		return nil, errNonJSON
	}
	return f, nil
}

func (d *decoder) digits() int {
	n := 0
	for d.pos < len(d.data) && isDigit(d.data[d.pos]) {
		d.pos++
		n++
	}
	return n
}

// smallInt converts an integer literal of at most 15 digits exactly.
func smallInt(lit []byte) float64 {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var v int64
	for _, c := range lit {
		v = v*10 + int64(c-'0')
	}
	if neg {
		if v == 0 {
			return negZero
		}
		return -float64(v)
	}
	return float64(v)
}

var negZero = math.Copysign(0, -1)

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
