package framing

import "bytes"

// This file holds the two byte scanners of the package:
//
//   - singleValue, a cheap structural check for the JSON Lines hot path. It
//     does not validate: it only tells whether a line holds exactly one
//     bracketed value, so that the line can be passed on byte for byte.
//   - valueScanner, an incremental validating scanner that reads one JSON
//     value a byte at a time. It is used only for input that is not one value
//     per line (concatenated, pretty-printed or broken JSON). It accepts
//     exactly the texts encoding/json accepts (FuzzScanner checks this).

// isSpace reports whether c is JSON insignificant whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// trimSpace removes JSON whitespace from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// singleValue reports whether b (already trimmed, no newline) is one
// bracketed value: it starts with '{' or '[' and its brackets first return to
// depth zero at its last byte. Brackets inside strings are ignored. Bracket
// kinds are not matched and nothing else is validated; that is the job of the
// extractor further down the pipeline.
func singleValue(b []byte) bool {
	if len(b) < 2 || (b[0] != '{' && b[0] != '[') {
		return false
	}
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i == len(b)-1
			}
		case '"':
			end := stringEnd(b, i+1)
			if end < 0 {
				return false
			}
			i = end
		}
	}
	return false
}

// stringEnd returns the index of the quote closing the string whose contents
// start at b[i], or -1 when the string is not closed in b. A quote preceded
// by an odd number of backslashes is escaped.
func stringEnd(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		k := q - 1
		for k >= i && b[k] == '\\' {
			k--
		}
		if (q-1-k)%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// step results of valueScanner.
type scanResult int

const (
	scanContinue   scanResult = iota // byte consumed, value not complete
	scanDone                         // byte consumed and it completed the value
	scanDoneBefore                   // the value ended just before this byte (a number); byte not consumed
	scanError                        // byte is not valid here; not consumed
)

// scanner states.
type scanState uint8

const (
	stValue        scanState = iota // expecting any value
	stValueOrClose                  // after '[': a value or ']'
	stKeyOrClose                    // after '{': a key or '}'
	stKey                           // after ',' in an object: a key
	stColon                         // after a key
	stAfterValue                    // after a value inside a container: ',' or close
	stString                        // inside a string
	stStringEscape                  // after a backslash
	stStringHex                     // inside \uXXXX (hexLeft digits to go)
	stMinus                         // after a leading '-'
	stZero                          // integer part is "0"
	stInt                           // in the integer part 1-9...
	stDot                           // after '.'
	stFrac                          // in the fraction
	stExp                           // after 'e' or 'E'
	stExpSign                       // after the exponent sign
	stExpDigits                     // in the exponent
	stLiteral                       // inside true, false or null
)

// valueScanner validates one JSON value incrementally. The zero value is
// ready to scan a value that starts with the next byte (leading whitespace is
// not part of the value: callers skip it).
type valueScanner struct {
	state   scanState
	stack   []byte // open containers, '{' or '['
	isKey   bool   // the current string is an object key
	hexLeft int
	lit     string // rest of the literal being read
}

func (s *valueScanner) reset() {
	s.state = stValue
	s.stack = s.stack[:0]
	s.isKey = false
	s.hexLeft = 0
	s.lit = ""
}

// atEOF reports whether the value is complete when the input ends now: only
// a top-level number can end at EOF without a closing byte.
func (s *valueScanner) atEOF() bool {
	if len(s.stack) > 0 {
		return false
	}
	switch s.state {
	case stZero, stInt, stFrac, stExpDigits:
		return true
	}
	return false
}

// plainString marks the bytes that continue a string without changing the
// scanner state.
var plainString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// run feeds the bytes of b until the value completes or fails, a line break
// has been consumed, or b ends. It returns how many bytes were consumed and
// the result for the last byte looked at: scanDone includes the closing byte,
// scanDoneBefore and scanError exclude the byte that ended the scan, and
// scanContinue means b ended or its last consumed byte is a line break.
func (s *valueScanner) run(b []byte) (int, scanResult) {
	for i := 0; i < len(b); i++ {
		if s.state == stString {
			for i < len(b) && plainString[b[i]] {
				i++
			}
			if i == len(b) {
				break
			}
		}
		c := b[i]
		switch res := s.step(c); res {
		case scanContinue:
			if c == '\n' {
				return i + 1, scanContinue
			}
		case scanDone:
			return i + 1, res
		default:
			return i, res
		}
	}
	return len(b), scanContinue
}

// step feeds one byte.
func (s *valueScanner) step(c byte) scanResult {
	switch s.state {
	case stValue, stValueOrClose, stKeyOrClose, stKey, stColon, stAfterValue:
		return s.stepStructure(c)
	case stString, stStringEscape, stStringHex:
		return s.stepString(c)
	case stLiteral:
		if c != s.lit[0] {
			return scanError
		}
		s.lit = s.lit[1:]
		if s.lit == "" {
			return s.endValue()
		}
		return scanContinue
	default:
		return s.stepNumber(c)
	}
}

func (s *valueScanner) stepStructure(c byte) scanResult {
	if isSpace(c) {
		if len(s.stack) == 0 && s.state == stValue {
			return scanError // callers skip leading whitespace
		}
		return scanContinue
	}
	switch s.state {
	case stValue:
		return s.beginValue(c)
	case stValueOrClose:
		if c == ']' {
			return s.closeContainer()
		}
		return s.beginValue(c)
	case stKeyOrClose, stKey:
		if c == '}' && s.state == stKeyOrClose {
			return s.closeContainer()
		}
		if c != '"' {
			return scanError
		}
		s.state, s.isKey = stString, true
		return scanContinue
	case stColon:
		if c != ':' {
			return scanError
		}
		s.state = stValue
		return scanContinue
	}
	return s.stepAfterValue(c)
}

func (s *valueScanner) stepAfterValue(c byte) scanResult {
	top := s.stack[len(s.stack)-1]
	switch {
	case c == ',' && top == '{':
		s.state = stKey
	case c == ',' && top == '[':
		s.state = stValue
	case c == '}' && top == '{', c == ']' && top == '[':
		return s.closeContainer()
	default:
		return scanError
	}
	return scanContinue
}

func (s *valueScanner) beginValue(c byte) scanResult {
	switch {
	case c == '{':
		s.stack = append(s.stack, '{')
		s.state = stKeyOrClose
	case c == '[':
		s.stack = append(s.stack, '[')
		s.state = stValueOrClose
	case c == '"':
		s.state, s.isKey = stString, false
	case c == '-':
		s.state = stMinus
	case c == '0':
		s.state = stZero
	case c >= '1' && c <= '9':
		s.state = stInt
	case c == 't':
		s.state, s.lit = stLiteral, "rue"
	case c == 'f':
		s.state, s.lit = stLiteral, "alse"
	case c == 'n':
		s.state, s.lit = stLiteral, "ull"
	default:
		return scanError
	}
	return scanContinue
}

func (s *valueScanner) closeContainer() scanResult {
	s.stack = s.stack[:len(s.stack)-1]
	return s.endValue()
}

// endValue is called when a value has just been completed by the current
// byte.
func (s *valueScanner) endValue() scanResult {
	if len(s.stack) == 0 {
		s.state = stValue
		return scanDone
	}
	s.state = stAfterValue
	return scanContinue
}

func (s *valueScanner) stepString(c byte) scanResult {
	switch s.state {
	case stStringEscape:
		switch c {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.state = stString
		case 'u':
			s.state, s.hexLeft = stStringHex, 4
		default:
			return scanError
		}
		return scanContinue
	case stStringHex:
		if !isHex(c) {
			return scanError
		}
		s.hexLeft--
		if s.hexLeft == 0 {
			s.state = stString
		}
		return scanContinue
	}
	switch {
	case c == '"':
		if s.isKey {
			s.isKey = false
			s.state = stColon
			return scanContinue
		}
		return s.endValue()
	case c == '\\':
		s.state = stStringEscape
	case c < 0x20:
		return scanError
	}
	return scanContinue
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// stepNumber follows the JSON number grammar. A number has no closing byte:
// it ends at the first byte that cannot continue it, and that byte is then
// fed to the enclosing structure.
func (s *valueScanner) stepNumber(c byte) scanResult {
	next, ok := numberNext(s.state, c)
	if ok {
		s.state = next
		return scanContinue
	}
	switch s.state {
	case stMinus, stDot, stExp, stExpSign:
		return scanError // incomplete number
	}
	if len(s.stack) == 0 {
		s.state = stValue
		return scanDoneBefore
	}
	s.state = stAfterValue
	return s.stepStructure(c)
}

// numberNext returns the state after c in a number, or false when c does not
// continue the number.
func numberNext(st scanState, c byte) (scanState, bool) {
	switch st {
	case stMinus:
		if c == '0' {
			return stZero, true
		}
		if c >= '1' && c <= '9' {
			return stInt, true
		}
	case stZero, stInt:
		if st == stInt && isDigit(c) {
			return stInt, true
		}
		if c == '.' {
			return stDot, true
		}
		if c == 'e' || c == 'E' {
			return stExp, true
		}
	case stDot, stFrac:
		if isDigit(c) {
			return stFrac, true
		}
		if st == stFrac && (c == 'e' || c == 'E') {
			return stExp, true
		}
	case stExp:
		if c == '+' || c == '-' {
			return stExpSign, true
		}
		if isDigit(c) {
			return stExpDigits, true
		}
	case stExpSign, stExpDigits:
		if isDigit(c) {
			return stExpDigits, true
		}
	}
	return st, false
}
