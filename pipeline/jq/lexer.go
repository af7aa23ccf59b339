package jq

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// tokKind is a token of jq 1.6's lexer (src/lexer.l of jq 1.6).
type tokKind int

const (
	tEOF tokKind = iota
	tInvalid
	tIdent   // foo, a::b
	tField   // .foo
	tLiteral // number
	tFormat  // @base64
	tKeyword // if, then, as, __loc__, ...
	tOp      // punctuation and operators: | , . [ ] ( ) { } : ; $ ? + - * / % = == ...
	tQQStart // opening quote
	tQQText  // text inside a string (escapes decoded)
	tQQInterpStart
	tQQInterpEnd
	tQQEnd
)

type token struct {
	kind tokKind
	text string // operator, keyword, identifier, field name (without dot), format name (with @)
	val  string // decoded string text (tQQText) or literal source (tLiteral)
	pos  int    // byte offset in the source
	err  string // lexer error (invalid escape) attached to tQQText
}

// keywords of jq 1.6. "__loc__" is a keyword so that `$__loc__` lexes as '$' LOC.
var keywords = map[string]bool{
	"as": true, "def": true, "module": true, "import": true, "include": true,
	"if": true, "then": true, "elif": true, "else": true, "end": true,
	"and": true, "or": true, "reduce": true, "foreach": true, "try": true,
	"catch": true, "label": true, "break": true, "__loc__": true,
}

// multi-character operators, longest first.
var operators = []string{
	"?//", "//=", "!=", "==", "//", "|=", "+=", "-=", "*=", "/=", "%=", "<=", ">=", "..",
}

const singleOps = ".?=;,:|+-*/%$<>[]{}()"

// lexer tokenises a jq program the way jq 1.6's flex scanner does, including
// its stack of open brackets and string interpolations.
type lexer struct {
	src   string
	pos   int
	stack []byte // '(' '[' '{' for brackets, 'I' for a string interpolation, 'S' for inside a string
}

func (l *lexer) inString() bool {
	return len(l.stack) > 0 && l.stack[len(l.stack)-1] == 'S'
}

func (l *lexer) next() token {
	if l.inString() {
		return l.stringPart()
	}
	l.skipSpace()
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: l.pos}
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '"':
		l.pos++
		l.stack = append(l.stack, 'S')
		return token{kind: tQQStart, text: `"`, pos: start}
	case c == '@':
		return l.format(start)
	case isDigit(c) || c == '.':
		return l.dotOrNumber(start)
	case isIdentStart(c):
		return l.ident(start)
	}
	return l.operator(start)
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n':
			l.pos++
		case '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

func (l *lexer) scanWord() int {
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	return l.pos
}

func (l *lexer) format(start int) token {
	l.pos++
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	if l.pos == start+1 {
		return token{kind: tInvalid, text: "@", pos: start}
	}
	return token{kind: tFormat, text: l.src[start:l.pos], pos: start}
}

// dotOrNumber picks, like flex, the longest of '.', "..", a number
// [0-9.]+([eE][+-]?[0-9]+)? and a field .name, preferring them in that order
// on ties (so ".e1" is a malformed number in jq 1.6, while ".e1x" is a field).
func (l *lexer) dotOrNumber(start int) token {
	s := l.src
	numEnd := start
	for numEnd < len(s) && (isDigit(s[numEnd]) || s[numEnd] == '.') {
		numEnd++
	}
	if numEnd < len(s) && (s[numEnd] == 'e' || s[numEnd] == 'E') {
		p := numEnd + 1
		if p < len(s) && (s[p] == '+' || s[p] == '-') {
			p++
		}
		if p < len(s) && isDigit(s[p]) {
			for p < len(s) && isDigit(s[p]) {
				p++
			}
			numEnd = p
		}
	}
	opLen := 0
	if s[start] == '.' {
		opLen = 1
		if strings.HasPrefix(s[start:], "..") {
			opLen = 2
		}
	}
	fieldEnd := start
	if s[start] == '.' && start+1 < len(s) && isIdentStart(s[start+1]) {
		l.pos = start + 1
		fieldEnd = l.scanWord()
	}
	switch numLen, fieldLen := numEnd-start, fieldEnd-start; {
	case opLen >= numLen && opLen >= fieldLen:
		l.pos = start + opLen
		return token{kind: tOp, text: s[start:l.pos], pos: start}
	case numLen >= fieldLen:
		l.pos = numEnd
		return token{kind: tLiteral, val: s[start:numEnd], pos: start}
	}
	l.pos = fieldEnd
	return token{kind: tField, text: s[start+1 : fieldEnd], pos: start}
}

// ident scans ([a-zA-Z_][a-zA-Z_0-9]*::)*[a-zA-Z_][a-zA-Z_0-9]*
func (l *lexer) ident(start int) token {
	end := l.scanWord()
	for end+2 < len(l.src) && l.src[end] == ':' && l.src[end+1] == ':' && isIdentStart(l.src[end+2]) {
		l.pos = end + 2
		end = l.scanWord()
	}
	word := l.src[start:end]
	if keywords[word] {
		return token{kind: tKeyword, text: word, pos: start}
	}
	return token{kind: tIdent, text: word, pos: start}
}

func (l *lexer) operator(start int) token {
	rest := l.src[l.pos:]
	for _, op := range operators {
		if strings.HasPrefix(rest, op) {
			l.pos += len(op)
			return token{kind: tOp, text: op, pos: start}
		}
	}
	c := l.src[l.pos]
	if strings.IndexByte(singleOps, c) < 0 {
		_, size := utf8.DecodeRuneInString(rest)
		l.pos += size
		return token{kind: tInvalid, text: rest[:size], pos: start}
	}
	l.pos++
	switch c {
	case '(', '[', '{':
		l.stack = append(l.stack, c)
	case ')', ']', '}':
		return l.closeBracket(c, start)
	}
	return token{kind: tOp, text: string(c), pos: start}
}

// closeBracket mirrors jq's try_exit: a closing bracket must match the
// innermost open one; ')' closing a string interpolation resumes the string.
func (l *lexer) closeBracket(c byte, start int) token {
	open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
	if len(l.stack) == 0 {
		return token{kind: tInvalid, text: string(c), pos: start}
	}
	top := l.stack[len(l.stack)-1]
	l.stack = l.stack[:len(l.stack)-1]
	if top == 'I' && c == ')' {
		return token{kind: tQQInterpEnd, text: ")", pos: start}
	}
	if top != open {
		return token{kind: tInvalid, text: string(c), pos: start}
	}
	return token{kind: tOp, text: string(c), pos: start}
}

// stringPart scans inside a string literal: text, escapes, \( or the end.
func (l *lexer) stringPart() token {
	start := l.pos
	s := l.src
	if l.pos >= len(s) {
		return token{kind: tEOF, pos: l.pos}
	}
	switch {
	case s[l.pos] == '"':
		l.pos++
		l.stack = l.stack[:len(l.stack)-1]
		return token{kind: tQQEnd, text: `"`, pos: start}
	case strings.HasPrefix(s[l.pos:], `\(`):
		l.pos += 2
		l.stack = append(l.stack, 'I')
		return token{kind: tQQInterpStart, text: `\(`, pos: start}
	case s[l.pos] == '\\':
		return l.escapes(start)
	}
	for l.pos < len(s) && s[l.pos] != '"' && s[l.pos] != '\\' {
		l.pos++
	}
	return token{kind: tQQText, val: s[start:l.pos], pos: start}
}

// escapes scans (\\[^u(]|\\u[a-zA-Z0-9]{0,4})+ and decodes it as JSON, as jq
// 1.6 does, so invalid escapes are errors.
func (l *lexer) escapes(start int) token {
	s := l.src
	for l.pos+1 < len(s) && s[l.pos] == '\\' && s[l.pos+1] != '(' {
		if s[l.pos+1] == 'u' {
			l.pos += 2
			for n := 0; n < 4 && l.pos < len(s) && isAlnum(s[l.pos]); n++ {
				l.pos++
			}
			continue
		}
		_, size := utf8.DecodeRuneInString(s[l.pos+1:])
		l.pos += 1 + size
	}
	if l.pos == start { // a lone backslash at the end of the input
		l.pos++
		return token{kind: tInvalid, text: `\`, pos: start}
	}
	raw := s[start:l.pos]
	var out string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &out); err != nil || !validEscapes(raw) {
		return token{kind: tQQText, pos: start, err: escapeError(raw)}
	}
	return token{kind: tQQText, val: out, pos: start}
}

// validEscapes rejects lone surrogate escapes, which jq 1.6's parser refuses
// while encoding/json replaces them.
func validEscapes(raw string) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++
			continue
		}
		if i+6 > len(raw) {
			return false
		}
		cp := hexVal(raw[i+2 : i+6])
		switch {
		case cp >= 0xD800 && cp < 0xDC00:
			if i+12 > len(raw) || raw[i+6:i+8] != `\u` {
				return false
			}
			if lo := hexVal(raw[i+8 : i+12]); lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 11
		case cp >= 0xDC00 && cp <= 0xDFFF:
			return false
		default:
			i += 5
		}
	}
	return true
}

func hexVal(h string) int {
	v := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A'+10)
		default:
			return -1
		}
	}
	return v
}

func escapeError(raw string) string {
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] == '\\' && raw[i+1] == 'u' {
			return `Invalid \uXXXX escape`
		}
	}
	return "Invalid escape"
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isAlnum(c byte) bool      { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
