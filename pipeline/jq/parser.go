package jq

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"
)

// The gate is a recursive-descent rendition of jq 1.6's bison grammar
// (src/parser.y at jq-1.6), with bison's precedence declarations turned into
// precedence climbing. It accepts exactly what jq 1.6 parses and compiles
// (grammar, builtin functions, variables, labels, constant object keys and
// constant division by zero) and builds the gojq syntax tree directly, so
// gojq never re-parses the query with its own, more permissive grammar.

// ixMode says how index expressions are built.
type ixMode int

const (
	ixNative   ixMode = iota // gojq's own indexing everywhere
	ixBrackets               // .[expr] (non-string) and slices go through jq 1.6 indexing
	ixAll                    // every index goes through jq 1.6 indexing (jq 1.6 error wording)
)

// Precedence levels of jq 1.6's grammar, lowest first.
const (
	precNone    = 0
	precFuncDef = 1
	precPipe    = 2
	precComma   = 3
	precAlt     = 4
	precAssign  = 5
	precOr      = 6
	precAnd     = 7
	precCompare = 8
	precAdd     = 9
	precMul     = 10
	precOpt     = 12 // postfix '?'
	precTry     = 13
	precCatch   = 14
)

type assoc int

const (
	assocLeft assoc = iota
	assocRight
	assocNon
)

type binop struct {
	prec  int
	assoc assoc
	op    gojq.Operator
}

var binops = map[string]binop{
	"|": {precPipe, assocRight, gojq.OpPipe}, ",": {precComma, assocLeft, gojq.OpComma},
	"//": {precAlt, assocRight, gojq.OpAlt},
	"=":  {precAssign, assocNon, gojq.OpAssign}, "|=": {precAssign, assocNon, gojq.OpModify},
	"+=": {precAssign, assocNon, gojq.OpUpdateAdd}, "-=": {precAssign, assocNon, gojq.OpUpdateSub},
	"*=": {precAssign, assocNon, gojq.OpUpdateMul}, "/=": {precAssign, assocNon, gojq.OpUpdateDiv},
	"%=": {precAssign, assocNon, gojq.OpUpdateMod}, "//=": {precAssign, assocNon, gojq.OpUpdateAlt},
	"or": {precOr, assocLeft, gojq.OpOr}, "and": {precAnd, assocLeft, gojq.OpAnd},
	"==": {precCompare, assocNon, gojq.OpEq}, "!=": {precCompare, assocNon, gojq.OpNe},
	"<": {precCompare, assocNon, gojq.OpLt}, ">": {precCompare, assocNon, gojq.OpGt},
	"<=": {precCompare, assocNon, gojq.OpLe}, ">=": {precCompare, assocNon, gojq.OpGe},
	"+": {precAdd, assocLeft, gojq.OpAdd}, "-": {precAdd, assocLeft, gojq.OpSub},
	"*": {precMul, assocLeft, gojq.OpMul}, "/": {precMul, assocLeft, gojq.OpDiv},
	"%": {precMul, assocLeft, gojq.OpMod},
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 500

// use records where a jq 1.6 builtin function or variable is used.
type use struct {
	key string // "name/arity" or "$name"
	pos int
}

// objPair is one key/value of an object construction.
type objPair struct {
	key    string // the static key ("" when not static)
	static bool
	pos    int
	val    *gojq.Query // nil for {$x}-style shorthand handled by gojq
	kv     *gojq.ObjectKeyVal
}

type objInfo struct {
	pos   int
	pairs []objPair
}

type parser struct {
	src     string
	lx      lexer
	tok     token
	peeked  token
	hasPeek bool
	err     *QueryError
	sc      *scope
	mode    ixMode
	uses    []use
	paths   bool // assignment operators, path/1 or del/1 (path expressions)
	tmp     int
	depth   int
	consts  map[*gojq.Query]any
	objs    map[*gojq.Object]*objInfo
}

// program is a parsed jq 1.6 program.
type program struct {
	query *gojq.Query
	uses  []use
	paths bool
	objs  map[*gojq.Object]*objInfo
	empty bool // only definitions, no main expression
}

func parseProgram(src string, mode ixMode) (*program, *QueryError) {
	p := &parser{src: src, lx: lexer{src: src}, sc: &scope{}, mode: mode,
		consts: map[*gojq.Query]any{}, objs: map[*gojq.Object]*objInfo{}}
	p.advance()
	q, empty := p.parseTopLevel()
	if p.err != nil {
		return nil, p.err
	}
	return &program{query: q, uses: p.uses, paths: p.paths, objs: p.objs, empty: empty}, nil
}

func (p *parser) advance() {
	if p.hasPeek {
		p.tok, p.hasPeek = p.peeked, false
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) peek() token {
	if !p.hasPeek {
		p.peeked, p.hasPeek = p.lx.next(), true
	}
	return p.peeked
}

// is reports whether the lookahead is the operator or keyword text.
func (p *parser) is(text string) bool {
	return (p.tok.kind == tOp || p.tok.kind == tKeyword) && p.tok.text == text
}

func (p *parser) failAt(pos int, format string, args ...any) {
	if p.err == nil {
		line, col := position(p.src, pos)
		p.err = &QueryError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) unexpected(expecting string) {
	if p.tok.kind == tQQText && p.tok.err != "" {
		p.failAt(p.tok.pos, "%s", p.tok.err)
		return
	}
	msg := "syntax error, unexpected " + describe(p.tok)
	if expecting != "" {
		msg += ", expecting " + expecting
	}
	p.failAt(p.tok.pos, "%s", msg)
}

func (p *parser) expect(text string) bool {
	if p.err != nil {
		return false
	}
	if !p.is(text) {
		p.unexpected("'" + text + "'")
		return false
	}
	p.advance()
	return true
}

func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.tok.pos, "query nested too deeply (more than %d levels)", maxDepth)
		return false
	}
	return true
}

func (p *parser) leave() { p.depth-- }

// position converts a byte offset to a 1-based line and rune column.
func position(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	before := src[:pos]
	line := 1 + strings.Count(before, "\n")
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCountInString(before)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tInvalid:
		return fmt.Sprintf("invalid character %q", t.text)
	case tIdent:
		return "identifier " + t.text
	case tField:
		return "field ." + t.text
	case tLiteral:
		return "number " + t.val
	case tFormat:
		return "format " + t.text
	case tQQStart:
		return "string"
	case tQQText, tQQInterpStart, tQQInterpEnd, tQQEnd:
		return "string content"
	case tOp:
		return "'" + t.text + "'"
	}
	return t.text
}

// parseTopLevel parses Module Imports (Exp | FuncDefs).
func (p *parser) parseTopLevel() (*gojq.Query, bool) {
	if p.is("module") {
		if p.parseModule(); p.err != nil {
			return nil, false
		}
	}
	if p.is("import") || p.is("include") {
		p.failAt(p.tok.pos, "%s: modules cannot be loaded by Firehose's jq (there is no module search path)", p.tok.text)
		return nil, false
	}
	var defs []*gojq.FuncDef
	if p.tok.kind == tEOF { // an empty program is the identity
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIdentity}}, true
	}
	for p.err == nil && p.is("def") {
		fd := p.parseFuncDef()
		if fd == nil {
			return nil, false
		}
		defs = append(defs, fd)
		if p.tok.kind == tEOF {
			return &gojq.Query{FuncDefs: defs, Term: &gojq.Term{Type: gojq.TermTypeIdentity}}, true
		}
	}
	q := p.parseExp(precNone, assocLeft)
	if p.err == nil && p.tok.kind != tEOF {
		p.unexpected("end of query")
	}
	if p.err != nil {
		return nil, false
	}
	if len(defs) > 0 {
		q = &gojq.Query{FuncDefs: defs, Term: &gojq.Term{Type: gojq.TermTypeQuery, Query: q}}
	}
	return q, false
}

// parseModule parses `module Exp;`, whose metadata must be a constant object.
func (p *parser) parseModule() {
	pos := p.tok.pos
	p.advance()
	q := p.parseExp(precNone, assocLeft)
	if p.err != nil {
		return
	}
	v, ok := p.consts[q]
	switch {
	case !ok:
		p.failAt(pos, "Module metadata must be constant")
	case !isConstObject(v):
		p.failAt(pos, "Module metadata must be an object")
	}
	p.expect(";")
}

// parseFuncDef parses `def name: body;` or `def name(params): body;` and
// binds the name in the current scope.
func (p *parser) parseFuncDef() *gojq.FuncDef {
	p.advance() // def
	if p.tok.kind != tIdent {
		p.unexpected("a function name")
		return nil
	}
	name, pos := p.tok.text, p.tok.pos
	p.advance()
	params := p.parseParams()
	if p.err != nil || !p.expect(":") {
		return nil
	}
	key := name + "/" + strconv.Itoa(len(params))
	p.reserve(name, pos)
	for _, a := range params {
		p.reserve(strings.TrimPrefix(a, "$"), pos)
	}
	p.sc.addFunc(key)
	outer := p.sc
	p.sc = outer.child()
	p.sc.addFunc(key)
	for _, a := range params {
		if strings.HasPrefix(a, "$") {
			p.sc.addVar(a[1:])
			p.sc.addFunc(a[1:] + "/0")
		} else {
			p.sc.addFunc(a + "/0")
		}
	}
	body := p.parseExp(precNone, assocLeft)
	p.sc = outer
	if p.err != nil || !p.expect(";") {
		return nil
	}
	return &gojq.FuncDef{Name: name, Args: params, Body: body}
}

// reserve records a definition or binding that would shadow the names
// sesctl generates (refused by checkPolicy).
func (p *parser) reserve(name string, pos int) {
	if strings.HasPrefix(name, "_sesctl_") || strings.HasPrefix(name, "__sesctl_") {
		p.uses = append(p.uses, use{key: "reserved:" + name, pos: pos})
	}
}

func (p *parser) parseParams() []string {
	if !p.is("(") {
		return nil
	}
	p.advance()
	var params []string
	for {
		switch {
		case p.is("$"):
			p.advance()
			if p.tok.kind != tIdent {
				p.unexpected("a parameter name")
				return nil
			}
			params = append(params, "$"+p.tok.text)
		case p.tok.kind == tIdent:
			params = append(params, p.tok.text)
		default:
			p.unexpected("a parameter")
			return nil
		}
		p.advance()
		if p.is(")") {
			p.advance()
			return params
		}
		if !p.expect(";") {
			return nil
		}
	}
}

// parseExp parses an expression whose innermost pending grammar rule has
// precedence ctx and associativity ctxAssoc; it stops where bison would
// reduce that rule.
func (p *parser) parseExp(ctx int, ctxAssoc assoc) *gojq.Query {
	if !p.enter() {
		return nil
	}
	defer p.leave()
	left := p.parseOperand()
	for p.err == nil {
		if p.is("?") {
			if precOpt <= ctx {
				return left
			}
			p.advance()
			left = p.wrapTry(left, nil)
			continue
		}
		op, ok := p.binop()
		if !ok || op.prec < ctx || (op.prec == ctx && ctxAssoc == assocLeft) {
			return left
		}
		if op.prec == ctx && ctxAssoc == assocNon {
			p.unexpected("")
			return nil
		}
		left = p.parseBinary(left, op)
	}
	return left
}

func (p *parser) binop() (binop, bool) {
	if p.tok.kind != tOp && p.tok.kind != tKeyword {
		return binop{}, false
	}
	op, ok := binops[p.tok.text]
	return op, ok
}

func (p *parser) parseBinary(left *gojq.Query, op binop) *gojq.Query {
	opPos := p.tok.pos
	p.advance()
	right := p.parseExp(op.prec, op.assoc)
	if p.err != nil {
		return nil
	}
	if op.prec == precAssign {
		p.paths = true
	}
	q := &gojq.Query{Left: left, Op: op.op, Right: right}
	p.foldBinary(q, opPos)
	return q
}

// parseOperand parses what can start an expression: a term (possibly bound
// with `as`), unary minus, and the keyword constructs.
func (p *parser) parseOperand() *gojq.Query {
	if p.tok.kind == tKeyword {
		switch p.tok.text {
		case "def":
			return p.parseDefExp()
		case "reduce", "foreach":
			return p.parseReduceForeach()
		case "if":
			return p.parseIf()
		case "try":
			return p.parseTry()
		case "label":
			return p.parseLabel()
		}
	}
	if p.is("-") {
		p.advance()
		x := p.parseExp(precAdd, assocLeft)
		if p.err != nil {
			return nil
		}
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeUnary,
			Unary: &gojq.Unary{Op: gojq.OpSub, Term: asTerm(x)}}}
	}
	t := p.parseTerm()
	if p.err != nil {
		return nil
	}
	if p.is("as") {
		return p.parseBinding(t)
	}
	return t
}

// parseDefExp parses `def f: ...; Exp` inside an expression.
func (p *parser) parseDefExp() *gojq.Query {
	outer := p.sc
	p.sc = outer.child()
	defer func() { p.sc = outer }()
	fd := p.parseFuncDef()
	if fd == nil {
		return nil
	}
	body := p.parseExp(precFuncDef, assocLeft)
	if p.err != nil {
		return nil
	}
	q := &gojq.Query{FuncDefs: []*gojq.FuncDef{fd}, Term: &gojq.Term{Type: gojq.TermTypeQuery, Query: body}}
	if v, ok := p.consts[body]; ok {
		p.consts[q] = v
	}
	return q
}

// parseBinding parses `Term as Patterns | Exp`.
func (p *parser) parseBinding(t *gojq.Query) *gojq.Query {
	p.advance() // as
	outer := p.sc
	p.sc = outer.child()
	defer func() { p.sc = outer }()
	pats := p.parsePatterns()
	if p.err != nil || !p.expect("|") {
		return nil
	}
	body := p.parseExp(precPipe, assocRight)
	if p.err != nil {
		return nil
	}
	return &gojq.Query{Left: t, Op: gojq.OpPipe, Right: body, Patterns: pats}
}

// parseReduceForeach parses reduce/foreach Term as Patterns (init; update[; extract]).
func (p *parser) parseReduceForeach() *gojq.Query {
	kw := p.tok.text
	p.advance()
	src := p.parseTerm()
	if p.err != nil || !p.expect("as") {
		return nil
	}
	outer := p.sc
	inner := outer.child()
	p.sc = inner
	pats := p.parsePatterns()
	p.sc = outer
	if p.err != nil || !p.expect("(") {
		return nil
	}
	init := p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect(";") {
		return nil
	}
	p.sc = inner
	defer func() { p.sc = outer }()
	update := p.parseExp(precNone, assocLeft)
	var extract *gojq.Query
	if p.err == nil && kw == "foreach" && p.is(";") {
		p.advance()
		extract = p.parseExp(precNone, assocLeft)
	}
	if p.err != nil || !p.expect(")") {
		return nil
	}
	if kw == "reduce" {
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeReduce,
			Reduce: &gojq.Reduce{Query: src, Patterns: pats, Start: init, Update: update}}}
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeForeach,
		Foreach: &gojq.Foreach{Query: src, Patterns: pats, Start: init, Update: update, Extract: extract}}}
}

// parseIf parses if/elif/else/end; jq 1.6 requires the else branch.
func (p *parser) parseIf() *gojq.Query {
	p.advance() // if
	cond := p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect("then") {
		return nil
	}
	then := p.parseExp(precNone, assocLeft)
	x := &gojq.If{Cond: cond, Then: then}
	for p.err == nil && p.is("elif") {
		p.advance()
		c := p.parseExp(precNone, assocLeft)
		if p.err != nil || !p.expect("then") {
			return nil
		}
		t := p.parseExp(precNone, assocLeft)
		x.Elif = append(x.Elif, &gojq.IfElif{Cond: c, Then: t})
	}
	if p.err != nil {
		return nil
	}
	if p.is("end") {
		p.failAt(p.tok.pos, "syntax error: if without else is rejected by jq 1.6 (add `else .` before end)")
		return nil
	}
	if !p.expect("else") {
		return nil
	}
	x.Else = p.parseExp(precNone, assocLeft)
	if p.err != nil || !p.expect("end") {
		return nil
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIf, If: x}}
}

// parseTry parses `try Exp [catch Exp]`; both bodies bind tighter than any
// binary operator and than postfix '?'.
func (p *parser) parseTry() *gojq.Query {
	p.advance() // try
	body := p.parseExp(precTry, assocLeft)
	if p.err != nil {
		return nil
	}
	var catch *gojq.Query
	if p.is("catch") {
		p.advance()
		catch = p.parseExp(precCatch, assocLeft)
		if p.err != nil {
			return nil
		}
	}
	return p.wrapTry(body, catch)
}

func (p *parser) wrapTry(body, catch *gojq.Query) *gojq.Query {
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeTry, Try: &gojq.Try{Body: body, Catch: catch}}}
}

// parseLabel parses `label $name | Exp`.
func (p *parser) parseLabel() *gojq.Query {
	p.advance() // label
	if !p.expect("$") {
		return nil
	}
	if p.tok.kind != tIdent {
		p.unexpected("a label name")
		return nil
	}
	name := p.tok.text
	p.advance()
	if !p.expect("|") {
		return nil
	}
	outer := p.sc
	p.sc = outer.child()
	p.sc.addLabel(name)
	body := p.parseExp(precPipe, assocRight)
	p.sc = outer
	if p.err != nil {
		return nil
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeLabel, Label: &gojq.Label{Ident: "$" + name, Body: body}}}
}

// asTerm turns a query into a term, wrapping it in parentheses when needed.
func asTerm(q *gojq.Query) *gojq.Term {
	if q.Term != nil && q.FuncDefs == nil && q.Patterns == nil {
		return q.Term
	}
	return &gojq.Term{Type: gojq.TermTypeQuery, Query: q}
}

func isIdentity(q *gojq.Query) bool {
	return q != nil && q.Term != nil && q.FuncDefs == nil && q.Term.Type == gojq.TermTypeIdentity && len(q.Term.SuffixList) == 0
}
