package jq

import (
	"math"
	"strconv"

	"github.com/itchyny/gojq"
)

// parseTerm parses a Term: a primary followed by index/iterate/slice suffixes.
func (p *parser) parseTerm() *gojq.Query {
	if !p.enter() {
		return nil
	}
	defer p.leave()
	c := p.parsePrimary()
	for p.err == nil && c != nil {
		switch {
		case p.tok.kind == tField:
			key := p.tok.text
			p.advance()
			c = p.index(c, strKey(key), p.optional())
		case p.is("."):
			c = p.parseDotString(c)
		case p.is("["):
			c = p.parseBracket(c)
		default:
			return p.chainQuery(c)
		}
	}
	return nil
}

// optional consumes a '?' that belongs to the index just parsed.
func (p *parser) optional() bool {
	if p.is("?") {
		p.advance()
		return true
	}
	return false
}

// parseDotString parses `Term . String` (the only form jq 1.6 has after '.').
func (p *parser) parseDotString(c *chain) *chain {
	p.advance() // .
	if p.is("[") {
		p.failAt(p.tok.pos, "syntax error: .a.[...] is rejected by jq 1.6 (write .a[...])")
		return nil
	}
	if !p.atString() {
		p.unexpected("a string")
		return nil
	}
	key := p.parseString()
	if p.err != nil {
		return nil
	}
	return p.index(c, key, p.optional())
}

func (p *parser) atString() bool {
	return p.tok.kind == tQQStart || p.tok.kind == tFormat
}

// parseBracket parses [], [e], [e:], [:e], [e:e], each with an optional '?'.
func (p *parser) parseBracket(c *chain) *chain {
	p.advance() // [
	if p.is("]") {
		p.advance()
		return c.suffix(&gojq.Suffix{Iter: true}, p.optional())
	}
	var start, end *gojq.Query
	if !p.is(":") {
		start = p.parseExp(precNone, assocLeft)
		if p.err != nil {
			return nil
		}
		if p.is("]") {
			p.advance()
			return p.index(c, start, p.optional())
		}
	}
	if !p.expect(":") {
		return nil
	}
	if !p.is("]") {
		end = p.parseExp(precNone, assocLeft)
	} else if start == nil {
		p.unexpected("an expression")
		return nil
	}
	if p.err != nil || !p.expect("]") {
		return nil
	}
	return p.slice(c, start, end, p.optional())
}

// parsePrimary parses the start of a Term.
func (p *parser) parsePrimary() *chain {
	t := p.tok
	switch t.kind {
	case tField:
		p.advance()
		return p.index(termChain(&gojq.Term{Type: gojq.TermTypeIdentity}), strKey(t.text), p.optional())
	case tLiteral:
		if _, err := strconv.ParseFloat(t.val, 64); err != nil && !isRangeErr(err) {
			p.failAt(t.pos, "Invalid numeric literal at EOF at line 1, column %d (while parsing '%s')", len(t.val), t.val)
			return nil
		}
		p.advance()
		return p.constChain(numberTerm(t.val), parseNumber(t.val))
	case tQQStart, tFormat:
		return p.parseStringTerm()
	case tIdent:
		return p.parseCall()
	case tKeyword:
		if t.text == "break" {
			return p.parseBreak()
		}
	case tOp:
		return p.parsePrimaryOp()
	}
	p.unexpected("")
	return nil
}

func (p *parser) parsePrimaryOp() *chain {
	switch p.tok.text {
	case ".":
		p.advance()
		identity := termChain(&gojq.Term{Type: gojq.TermTypeIdentity})
		if p.atString() {
			key := p.parseString()
			if p.err != nil {
				return nil
			}
			return p.index(identity, key, p.optional())
		}
		return identity
	case "..":
		p.advance()
		return termChain(&gojq.Term{Type: gojq.TermTypeRecurse})
	case "(":
		return p.parseParen()
	case "[":
		return p.parseArray()
	case "{":
		return p.parseObject()
	case "$":
		return p.parseVariable()
	}
	p.unexpected("")
	return nil
}

func (p *parser) parseParen() *chain {
	p.advance() // (
	q := p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect(")") {
		return nil
	}
	c := termChain(&gojq.Term{Type: gojq.TermTypeQuery, Query: q})
	if v, ok := p.consts[q]; ok {
		c.isConst, c.constVal = true, v
	}
	return c
}

func (p *parser) parseArray() *chain {
	p.advance() // [
	if p.is("]") {
		p.advance()
		return p.constChain(&gojq.Term{Type: gojq.TermTypeArray, Array: &gojq.Array{}}, []any{})
	}
	q := p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect("]") {
		return nil
	}
	c := termChain(&gojq.Term{Type: gojq.TermTypeArray, Array: &gojq.Array{Query: q}})
	if elems, ok := p.constList(q); ok {
		c.isConst, c.constVal = true, elems
	}
	return c
}

// constList returns the values of a comma list of constants.
func (p *parser) constList(q *gojq.Query) ([]any, bool) {
	if v, ok := p.consts[q]; ok {
		return []any{v}, true
	}
	if q.Op != gojq.OpComma || q.FuncDefs != nil {
		return nil, false
	}
	l, ok1 := p.constList(q.Left)
	r, ok2 := p.constList(q.Right)
	return append(l, r...), ok1 && ok2
}

// parseVariable parses $name and $__loc__.
func (p *parser) parseVariable() *chain {
	dollar := p.tok.pos
	p.advance() // $
	if p.is("__loc__") {
		pos := p.tok.pos
		p.advance()
		p.uses = append(p.uses, use{key: "$__loc__", pos: pos})
		return termChain(&gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: "$__loc__"}})
	}
	if p.tok.kind != tIdent {
		p.unexpected("a variable name")
		return nil
	}
	name := p.tok.text
	p.advance()
	p.checkVar(name, dollar)
	return termChain(&gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: "$" + name}})
}

func (p *parser) checkVar(name string, pos int) {
	switch {
	case p.sc.hasVar(name):
	case name == "ENV":
		p.uses = append(p.uses, use{key: "$ENV", pos: pos})
	default:
		p.failAt(pos, "$%s is not defined", name)
	}
}

// parseBreak parses `break $label`.
func (p *parser) parseBreak() *chain {
	p.advance() // break
	pos := p.tok.pos
	if !p.expect("$") {
		return nil
	}
	if p.tok.kind != tIdent {
		p.unexpected("a label name")
		return nil
	}
	name := p.tok.text
	p.advance()
	if !p.sc.hasLabel(name) {
		p.failAt(pos, "$*label-%s is not defined (break without a matching label)", name)
		return nil
	}
	return termChain(&gojq.Term{Type: gojq.TermTypeBreak, Break: "$" + name})
}

// parseCall parses a function call, true/false/null, and checks that the
// function exists in jq 1.6 or is defined by the query.
func (p *parser) parseCall() *chain {
	name, pos := p.tok.text, p.tok.pos
	p.advance()
	var args []*gojq.Query
	if p.is("(") {
		p.advance()
		for {
			a := p.parseExp(precNone, assocLeft)
			if p.err != nil {
				return nil
			}
			args = append(args, a)
			if p.is(")") {
				p.advance()
				break
			}
			if !p.expect(";") {
				return nil
			}
		}
	}
	if args == nil {
		switch name {
		case "true":
			return p.constChain(&gojq.Term{Type: gojq.TermTypeTrue}, true)
		case "false":
			return p.constChain(&gojq.Term{Type: gojq.TermTypeFalse}, false)
		case "null":
			return p.constChain(&gojq.Term{Type: gojq.TermTypeNull}, nil)
		}
	}
	p.checkCall(name, len(args), pos)
	return termChain(&gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: name, Args: args}})
}

func (p *parser) checkCall(name string, arity, pos int) {
	key := name + "/" + strconv.Itoa(arity)
	switch {
	case p.sc.hasFunc(key):
	case jq16Builtins[key]:
		p.uses = append(p.uses, use{key: key, pos: pos})
		if key == "path/1" || key == "del/1" {
			p.paths = true
		}
	default:
		if v, ok := newerBuiltins[key]; ok {
			p.failAt(pos, "%s is not defined in jq 1.6 (it comes from %s; Firehose runs jq 1.6)", key, v)
			return
		}
		p.failAt(pos, "%s is not defined", key)
	}
}

// foldBinary applies jq 1.6's constant folding of numeric operators, which
// turns a constant division by zero into a compile error.
func (p *parser) foldBinary(q *gojq.Query, opPos int) {
	switch q.Op {
	case gojq.OpPipe:
		if isIdentity(q.Left) {
			p.copyConst(q, q.Right)
		} else if isIdentity(q.Right) {
			p.copyConst(q, q.Left)
		}
		return
	}
	l, ok1 := p.consts[q.Left].(float64)
	r, ok2 := p.consts[q.Right].(float64)
	if !ok1 || !ok2 {
		return
	}
	switch q.Op {
	case gojq.OpAdd:
		p.consts[q] = l + r
	case gojq.OpSub:
		p.consts[q] = l - r
	case gojq.OpMul:
		p.consts[q] = l * r
	case gojq.OpDiv: // jq 1.6 refuses a constant quotient that is infinite
		if math.IsInf(l/r, 0) {
			p.failAt(opPos, "Division by zero?")
			return
		}
		p.consts[q] = l / r
	case gojq.OpEq:
		p.consts[q] = l == r
	case gojq.OpNe:
		p.consts[q] = l != r
	case gojq.OpLt:
		p.consts[q] = l < r
	case gojq.OpGt:
		p.consts[q] = l > r
	case gojq.OpLe:
		p.consts[q] = l <= r
	case gojq.OpGe:
		p.consts[q] = l >= r
	}
}

func (p *parser) copyConst(dst, src *gojq.Query) {
	if v, ok := p.consts[src]; ok {
		p.consts[dst] = v
	}
}

func numberTerm(lit string) *gojq.Term {
	return &gojq.Term{Type: gojq.TermTypeNumber, Number: normalizeNumber(lit)}
}

// normalizeNumber keeps literals gojq would read as exact integers only when
// a double holds them exactly; jq 1.6 numbers are doubles.
func normalizeNumber(lit string) string {
	f := parseNumber(lit)
	if math.IsInf(f, 0) {
		return lit
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}

func parseNumber(lit string) float64 {
	f, _ := strconv.ParseFloat(lit, 64) // ±Inf on overflow, as strtod
	return f
}
