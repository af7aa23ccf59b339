package jq

import (
	"github.com/itchyny/gojq"
)

// ordObj is a constant object with jq's insertion order (for messages).
type ordObj struct {
	keys []string
	vals []any
}

func (o *ordObj) set(k string, v any) {
	for i, key := range o.keys {
		if key == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func isConstObject(v any) bool {
	_, ok := v.(*ordObj)
	return ok
}

// parseObject parses '{' MkDict '}'. jq 1.6 allows a trailing comma.
func (p *parser) parseObject() *chain {
	info := &objInfo{pos: p.tok.pos}
	p.advance() // {
	obj := &gojq.Object{}
	cobj, allConst := &ordObj{}, true
	for !p.is("}") {
		pair := p.parseDictPair()
		if p.err != nil {
			return nil
		}
		obj.KeyVals = append(obj.KeyVals, pair.kv)
		info.pairs = append(info.pairs, pair)
		if v, ok := p.consts[pair.val]; ok && pair.static && pair.val != nil {
			cobj.set(pair.key, v)
		} else {
			allConst = false
		}
		if p.is(",") {
			p.advance()
			continue
		}
		if !p.is("}") {
			p.objectValueError()
			return nil
		}
	}
	p.advance() // }
	p.objs[obj] = info
	c := termChain(&gojq.Term{Type: gojq.TermTypeObject, Object: obj})
	if allConst {
		c.isConst, c.constVal = true, cobj
	}
	return c
}

// parseDictPair parses one MkDictPair of jq 1.6.
func (p *parser) parseDictPair() objPair {
	pos := p.tok.pos
	switch p.tok.kind {
	case tIdent:
		name := p.tok.text
		p.advance()
		if !p.is(":") {
			return p.shorthand(objPair{key: name, static: true, pos: pos}, &gojq.ObjectKeyVal{Key: name})
		}
		return p.dictValue(objPair{key: name, static: true, pos: pos}, &gojq.ObjectKeyVal{Key: name})
	case tKeyword:
		name := p.tok.text
		p.advance()
		if !p.is(":") {
			p.failAt(pos, "syntax error: {%s} shorthand is rejected by jq 1.6 (write {%s: .%s})", name, name, name)
			return objPair{}
		}
		return p.dictValue(objPair{key: name, static: true, pos: pos}, &gojq.ObjectKeyVal{Key: name})
	case tQQStart, tFormat:
		return p.dictStringKey(pos)
	case tOp:
		switch p.tok.text {
		case "$":
			return p.dictVariable(pos)
		case "(":
			return p.dictComputedKey(pos)
		}
	}
	p.unexpected("an object key")
	return objPair{}
}

func (p *parser) dictStringKey(pos int) objPair {
	k := p.parseString()
	if p.err != nil {
		return objPair{}
	}
	s, static := constString(k)
	pair := objPair{key: s, static: static, pos: pos}
	kv := &gojq.ObjectKeyVal{}
	switch {
	case static:
		kv.KeyString = &gojq.String{Str: s}
	case k.Term.Type == gojq.TermTypeString:
		kv.KeyString = k.Term.Str
	default: // a format string: its value is a query
		kv.KeyQuery = k
	}
	if !p.is(":") {
		if static {
			return p.shorthand(pair, kv)
		}
		if kv.KeyQuery != nil {
			kv.Val = &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIdentity,
				SuffixList: []*gojq.Suffix{{Index: &gojq.Index{Start: k}}}}}
		}
		pair.kv = kv
		return pair
	}
	return p.dictValue(pair, kv)
}

// shorthand completes {name} and {"name"}: the value is .name.
func (p *parser) shorthand(pair objPair, kv *gojq.ObjectKeyVal) objPair {
	identity := termChain(&gojq.Term{Type: gojq.TermTypeIdentity})
	val := p.chainQuery(p.index(identity, strKey(pair.key), false))
	kv.Val = val
	pair.kv, pair.val = kv, val
	return pair
}

func (p *parser) dictVariable(pos int) objPair {
	p.advance() // $
	if p.is("__loc__") {
		p.failAt(p.tok.pos, "syntax error: {$__loc__} is rejected by jq 1.6")
		return objPair{}
	}
	if p.tok.kind != tIdent {
		p.unexpected("a variable name")
		return objPair{}
	}
	name := p.tok.text
	p.advance()
	if p.is(":") {
		p.failAt(p.tok.pos, "syntax error: {$%s: value} is rejected by jq 1.6 (write {($%s): value})", name, name)
		return objPair{}
	}
	p.checkVar(name, pos)
	val := &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeFunc, Func: &gojq.Func{Name: "$" + name}}}
	return objPair{key: name, static: true, pos: pos, val: val, kv: &gojq.ObjectKeyVal{Key: "$" + name}}
}

func (p *parser) dictComputedKey(pos int) objPair {
	p.advance() // (
	k := p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect(")") {
		return objPair{}
	}
	if !p.checkConstKey(k, pos) {
		return objPair{}
	}
	if !p.is(":") {
		p.unexpected("':'")
		return objPair{}
	}
	s, static := p.consts[k].(string)
	return p.dictValue(objPair{key: s, static: static, pos: pos}, &gojq.ObjectKeyVal{KeyQuery: k})
}

// checkConstKey mirrors jq 1.6's compile-time check of constant object keys.
func (p *parser) checkConstKey(k *gojq.Query, pos int) bool {
	v, ok := p.consts[k]
	if !ok {
		return true
	}
	if _, isStr := v.(string); isStr {
		return true
	}
	p.failAt(pos, "Cannot use %s (%s) as object key", kindName(v), truncDump(v, 15))
	return false
}

// dictValue parses ':' ExpD.
func (p *parser) dictValue(pair objPair, kv *gojq.ObjectKeyVal) objPair {
	p.advance() // :
	val := p.parseExpD()
	if p.err != nil {
		return objPair{}
	}
	kv.Val = val
	pair.kv, pair.val = kv, val
	return pair
}

// parseExpD parses an object value: ExpD '|' ExpD | '-' ExpD | Term.
func (p *parser) parseExpD() *gojq.Query {
	if !p.enter() {
		return nil
	}
	defer p.leave()
	left := p.parseExpDUnary()
	if p.err != nil || !p.is("|") {
		return left
	}
	p.advance()
	right := p.parseExpD()
	if p.err != nil {
		return nil
	}
	q := &gojq.Query{Left: left, Op: gojq.OpPipe, Right: right}
	p.foldBinary(q, 0)
	return q
}

func (p *parser) parseExpDUnary() *gojq.Query {
	if p.is("-") {
		p.advance()
		x := p.parseExpDUnary()
		if p.err != nil {
			return nil
		}
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeUnary,
			Unary: &gojq.Unary{Op: gojq.OpSub, Term: asTerm(x)}}}
	}
	if p.tok.kind == tKeyword {
		switch kw := p.tok.text; kw {
		case "if", "try", "reduce", "foreach", "label", "def":
			p.failAt(p.tok.pos, "syntax error: unparenthesised %s as an object value is rejected by jq 1.6 (write (%s ...%s))",
				kw, kw, map[string]string{"if": " end"}[kw])
			return nil
		}
	}
	return p.parseTerm()
}

// objectValueError explains why an object value cannot continue here.
func (p *parser) objectValueError() {
	t := p.tok
	switch {
	case t.kind == tKeyword && t.text == "as":
		p.failAt(t.pos, "syntax error: an `as` binding as an object value is rejected by jq 1.6 (wrap the value in parentheses)")
	case t.kind == tOp && t.text == "?":
		p.failAt(t.pos, "syntax error: '?' after this object value is rejected by jq 1.6 (write ((...)?))")
	case t.kind == tOp && t.text == "?//":
		p.failAt(t.pos, "syntax error, unexpected ?// (jq 1.6 reads ?// as one token; write .a? // x inside parentheses)")
	default:
		if op, ok := p.binop(); ok && op.op != gojq.OpComma {
			p.failAt(t.pos, "syntax error: operator %s in an object value is rejected by jq 1.6 (wrap the value in parentheses: (... %s ...))", t.text, t.text)
			return
		}
		p.unexpected("',' or '}'")
	}
}

// parsePatterns parses Pattern ('?//' Pattern)*, binding variables in p.sc.
func (p *parser) parsePatterns() []*gojq.Pattern {
	pats := []*gojq.Pattern{p.parsePattern()}
	for p.err == nil && p.is("?//") {
		p.advance()
		pats = append(pats, p.parsePattern())
	}
	if p.err != nil {
		return nil
	}
	return pats
}

func (p *parser) parsePattern() *gojq.Pattern {
	if !p.enter() {
		return nil
	}
	defer p.leave()
	switch {
	case p.is("$"):
		name := p.patternVar()
		if p.err != nil {
			return nil
		}
		return &gojq.Pattern{Name: "$" + name}
	case p.is("["):
		p.advance()
		pat := &gojq.Pattern{}
		for p.err == nil {
			pat.Array = append(pat.Array, p.parsePattern())
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if p.err != nil || !p.expect("]") {
			return nil
		}
		return pat
	case p.is("{"):
		return p.parseObjectPattern()
	}
	p.unexpected("'$', '[' or '{'")
	return nil
}

func (p *parser) patternVar() string {
	p.advance() // $
	if p.tok.kind != tIdent {
		p.unexpected("a variable name")
		return ""
	}
	name, pos := p.tok.text, p.tok.pos
	p.advance()
	p.reserve(name, pos)
	p.sc.addVar(name)
	return name
}

func (p *parser) parseObjectPattern() *gojq.Pattern {
	p.advance() // {
	pat := &gojq.Pattern{}
	for p.err == nil {
		po := p.parseObjPat()
		if p.err != nil {
			return nil
		}
		pat.Object = append(pat.Object, po)
		if !p.is(",") {
			break
		}
		p.advance()
	}
	if p.err != nil || !p.expect("}") {
		return nil
	}
	return pat
}

// parseObjPat parses $name, $name: P, ident: P, keyword: P, "str": P, (exp): P.
func (p *parser) parseObjPat() *gojq.PatternObject {
	pos := p.tok.pos
	po := &gojq.PatternObject{}
	switch {
	case p.is("$"):
		po.Key = "$" + p.patternVar()
		if p.err != nil || !p.is(":") {
			return po
		}
	case p.tok.kind == tIdent || p.tok.kind == tKeyword:
		po.Key = p.tok.text
		p.advance()
	case p.atString():
		k := p.parseString()
		if p.err != nil {
			return nil
		}
		if k.Term.Type == gojq.TermTypeString {
			po.KeyString = k.Term.Str
		} else {
			po.KeyQuery = k
		}
	case p.is("("):
		p.advance()
		k := p.parseExp(precNone, assocLeft)
		if p.err != nil || !p.expect(")") || !p.checkConstKey(k, pos) {
			return nil
		}
		po.KeyQuery = k
	default:
		p.unexpected("an object pattern key")
		return nil
	}
	if !p.expect(":") {
		return nil
	}
	po.Val = p.parsePattern()
	return po
}
