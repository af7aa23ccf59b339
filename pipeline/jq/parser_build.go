package jq

import (
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// Names of the Go functions that implement jq 1.6 indexing.
const (
	fnIndex = "_sesctl_index"
	fnSlice = "_sesctl_slice"
)

// chain is a term being built suffix by suffix. It stays a *gojq.Term while
// suffixes are native and becomes a pipeline once an index is routed through
// the jq 1.6 indexing functions.
type chain struct {
	t        *gojq.Term
	q        *gojq.Query
	isConst  bool
	constVal any
}

func termChain(t *gojq.Term) *chain { return &chain{t: t} }

func (p *parser) constChain(t *gojq.Term, v any) *chain {
	return &chain{t: t, isConst: true, constVal: v}
}

func (c *chain) expr() *gojq.Query {
	if c.q != nil {
		return c.q
	}
	return &gojq.Query{Term: c.t}
}

func (c *chain) term() *gojq.Term {
	if c.t != nil {
		return c.t
	}
	return &gojq.Term{Type: gojq.TermTypeQuery, Query: c.q}
}

func (p *parser) chainQuery(c *chain) *gojq.Query {
	if c == nil {
		return nil
	}
	q := c.expr()
	if c.isConst {
		p.consts[q] = c.constVal
	}
	return q
}

// suffix appends a native suffix (and '?').
func (c *chain) suffix(s *gojq.Suffix, opt bool) *chain {
	t := c.term()
	t.SuffixList = append(t.SuffixList, s)
	if opt {
		t.SuffixList = append(t.SuffixList, &gojq.Suffix{Optional: true})
	}
	return &chain{t: t}
}

func strKey(s string) *gojq.Query {
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeString, Str: &gojq.String{Str: s}}}
}

func constString(q *gojq.Query) (string, bool) {
	if q == nil || q.Term == nil || q.FuncDefs != nil || q.Term.Type != gojq.TermTypeString ||
		q.Term.Str.Queries != nil || len(q.Term.SuffixList) > 0 {
		return "", false
	}
	return q.Term.Str.Str, true
}

// index builds Term[key] (FIELD, ."str", [exp]).
func (p *parser) index(c *chain, key *gojq.Query, opt bool) *chain {
	if c == nil || p.err != nil {
		return nil
	}
	s, isStr := constString(key)
	if p.mode == ixAll || (p.mode == ixBrackets && !isStr) {
		return p.intercept(c, fnIndex, []*gojq.Query{key}, opt)
	}
	if isStr {
		return c.suffix(&gojq.Suffix{Index: &gojq.Index{Str: &gojq.String{Str: s}}}, opt)
	}
	return c.suffix(&gojq.Suffix{Index: &gojq.Index{Start: key}}, opt)
}

// slice builds Term[start:end].
func (p *parser) slice(c *chain, start, end *gojq.Query, opt bool) *chain {
	if p.mode != ixNative {
		null := &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeNull}}
		if start == nil {
			start = null
		}
		if end == nil {
			end = null
		}
		return p.intercept(c, fnSlice, []*gojq.Query{start, end}, opt)
	}
	return c.suffix(&gojq.Suffix{Index: &gojq.Index{Start: start, End: end, IsSlice: true}}, opt)
}

// intercept routes an index through a Go function. Index expressions are
// evaluated against the term's input (as jq does), so those that depend on
// the input are bound to fresh variables first: `k as $v | T | f($v)`.
func (p *parser) intercept(c *chain, fn string, args []*gojq.Query, opt bool) *chain {
	type bind struct {
		name string
		q    *gojq.Query
	}
	var binds []bind
	for i, a := range args {
		if inputIndependent(a) {
			continue
		}
		p.tmp++
		name := "$__sesctl_k" + strconv.Itoa(p.tmp)
		binds = append(binds, bind{name, a})
		args[i] = &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: name}}}
	}
	call := &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: fn, Args: args}}}
	if opt {
		call = p.wrapTry(call, nil)
	}
	q := call
	if base := c.expr(); !isIdentity(base) {
		q = &gojq.Query{Left: base, Op: gojq.OpPipe, Right: call}
	}
	for i := len(binds) - 1; i >= 0; i-- {
		q = &gojq.Query{Left: binds[i].q, Op: gojq.OpPipe, Right: q, Patterns: []*gojq.Pattern{{Name: binds[i].name}}}
	}
	return &chain{q: q}
}

// inputIndependent reports whether a query is a constant or a variable, so
// it can be evaluated with any input.
func inputIndependent(q *gojq.Query) bool {
	if q.Term == nil || q.FuncDefs != nil || len(q.Term.SuffixList) > 0 {
		return false
	}
	t := q.Term
	switch t.Type {
	case gojq.TermTypeNumber, gojq.TermTypeNull, gojq.TermTypeTrue, gojq.TermTypeFalse:
		return true
	case gojq.TermTypeString:
		return t.Str.Queries == nil
	case gojq.TermTypeUnary:
		return t.Unary.Term.Type == gojq.TermTypeNumber && len(t.Unary.Term.SuffixList) == 0
	case gojq.TermTypeFunc:
		return strings.HasPrefix(t.Func.Name, "$") && t.Func.Name != "$__loc__"
	}
	return false
}

// parseStringTerm parses a string literal or a format (@base64, @csv "...").
func (p *parser) parseStringTerm() *chain {
	if p.tok.kind == tFormat && p.peek().kind != tQQStart {
		f := p.tok.text
		p.advance()
		return termChain(&gojq.Term{Type: gojq.TermTypeFormat, Format: f})
	}
	q := p.parseString()
	if p.err != nil {
		return nil
	}
	c := termChain(q.Term)
	if s, ok := constString(q); ok {
		c.isConst, c.constVal = true, s
	}
	return c
}

// parseString parses [FORMAT] "..." with \(...) interpolations.
func (p *parser) parseString() *gojq.Query {
	format := ""
	if p.tok.kind == tFormat {
		format = p.tok.text
		p.advance()
	}
	if p.tok.kind != tQQStart {
		p.unexpected("a string")
		return nil
	}
	p.advance()
	parts, interp := p.parseStringParts()
	if p.err != nil {
		return nil
	}
	if !interp {
		var sb strings.Builder
		for _, q := range parts {
			sb.WriteString(q.Term.Str.Str)
		}
		return strKey(sb.String())
	}
	str := &gojq.String{Queries: parts}
	if format != "" {
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeFormat, Format: format, Str: str}}
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeString, Str: str}}
}

func (p *parser) parseStringParts() ([]*gojq.Query, bool) {
	parts := []*gojq.Query{}
	interp := false
	for {
		switch p.tok.kind {
		case tQQText:
			if p.tok.err != "" {
				p.failAt(p.tok.pos, "%s", p.tok.err)
				return nil, false
			}
			parts = append(parts, strKey(p.tok.val))
			p.advance()
		case tQQInterpStart:
			p.advance()
			q := p.parseExp(precNone, assocLeft)
			if p.err != nil {
				return nil, false
			}
			if p.tok.kind != tQQInterpEnd {
				p.unexpected("')'")
				return nil, false
			}
			p.advance()
			parts = append(parts, &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeQuery, Query: q}})
			interp = true
		case tQQEnd:
			p.advance()
			return parts, interp
		default:
			if p.tok.kind == tEOF {
				p.failAt(p.tok.pos, "syntax error, unterminated string")
			} else {
				p.unexpected("")
			}
			return nil, false
		}
	}
}
