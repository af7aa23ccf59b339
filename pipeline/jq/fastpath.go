package jq

import (
	"strconv"

	"github.com/itchyny/gojq"
)

// The fast path serves queries whose every key value is a path from the
// record root (.eventType, .mail.tags."ses:from-domain"[0]), optionally piped
// through string builtins with constant arguments (the default query's
// `.mail.source | split("@") | .[-1] | rtrimstr(">") | ascii_downcase`).
//
// One scan validates the whole record without building it and notes where
// the last occurrence of each wanted member starts and ends; only those
// values are decoded, then the remaining steps run with the same Go
// functions the gojq program calls; string steps on a plain string run on
// its bytes without decoding it (bytesteps.go). The fast path only ever answers when
// every key yields a usable partition value; anything else (invalid JSON, a
// missing member, a type mismatch, an error from a step, a null or empty
// value) makes it step aside so the general path produces the result and the
// exact jq 1.6 error message. It is therefore equal to the general path by
// construction for the records it answers, which the differential and fuzz
// tests check.

// fastPlan is the compiled fast path of a query.
type fastPlan struct {
	root     *fastNode
	pairs    []fastPair // aligned with Query.slots
	nleaf    int
	captures []int // leaves of the captured paths (see Query.Capture)
}

// fastPair is one key value: a member path, then further steps.
type fastPair struct {
	leaf  int // index of the path's value among the scan's spans
	steps []fastStep
	// bytes are steps as byte steps, when byteOK (see bytesteps.go).
	bytes  []byteStep
	byteOK bool
}

// fastStep is `.[k]` (fn nil) or a builtin call with constant arguments.
type fastStep struct {
	key  any // string or float64 for an index step
	fn   func(any, []any) any
	name string // the builtin's name (fn not nil)
	args []any
}

// fastNode is a member path prefix: its wanted children and, when a key
// value is this member, its leaf index.
type fastNode struct {
	kids  map[string]*fastNode
	few   []fastKid // the kids, when there are at most fewKids: compared, not hashed
	leaf  int       // -1 when no key value is this member itself
	under []int     // leaves at or below this node (reset on a duplicate member)
}

// fastKid is a wanted child member and its node.
type fastKid struct {
	name string
	node *fastNode
}

// fewKids is the most children a node looks up by comparing names: every
// member of an object on a path is looked up, and comparing a name with a
// handful of others (lengths first) costs less than hashing it.
const fewKids = 4

// kid returns the child member named name (raw, unescaped bytes), or nil.
func (n *fastNode) kid(name []byte) *fastNode {
	if n.few != nil {
		for i := range n.few {
			if n.few[i].name == string(name) {
				return n.few[i].node
			}
		}
		return nil
	}
	return n.kids[string(name)] // no allocation for a map lookup
}

// fastFuncs are the builtins the fast path runs: their names resolve to the
// prelude's definitions (the fast path requires a query without its own
// definitions), which call these Go functions.
var fastFuncs = func() map[string]func(any, []any) any {
	want := map[string]string{
		"split/1": "_sesctl_split", "ltrimstr/1": "_sesctl_ltrimstr", "rtrimstr/1": "_sesctl_rtrimstr",
		"ascii_downcase/0": "_sesctl_ascii_downcase", "ascii_upcase/0": "_sesctl_ascii_upcase",
		"tostring/0": "_sesctl_tostring",
	}
	m := map[string]func(any, []any) any{}
	for name, impl := range want {
		for _, f := range goFuncs {
			if f.name == impl {
				m[name] = f.fn
			}
		}
	}
	return m
}()

// compileFast returns the fast plan of a query, or nil when some key value
// is not a plain path pipeline.
func compileFast(defs []*gojq.FuncDef, obj *objInfo, captures [][]string) *fastPlan {
	if len(defs) > 0 {
		return nil
	}
	plan := &fastPlan{root: &fastNode{leaf: -1}}
	for _, pair := range obj.pairs {
		fp, ok := plan.pair(pair.val)
		if !ok {
			return nil
		}
		plan.pairs = append(plan.pairs, fp)
	}
	for _, c := range captures {
		plan.captures = append(plan.captures, plan.addPath(c))
	}
	return plan
}

// pair compiles one key value: a path term, then pipes into steps.
func (plan *fastPlan) pair(q *gojq.Query) (fastPair, bool) {
	terms, ok := pipeTerms(q, nil)
	if !ok || len(terms) == 0 {
		return fastPair{}, false
	}
	keys, rest, ok := memberPath(terms[0])
	if !ok || len(keys) == 0 {
		return fastPair{}, false
	}
	steps, ok := indexSteps(rest)
	if !ok {
		return fastPair{}, false
	}
	for _, t := range terms[1:] {
		s, ok := termSteps(t)
		if !ok {
			return fastPair{}, false
		}
		steps = append(steps, s...)
	}
	fp := fastPair{leaf: plan.addPath(keys), steps: steps}
	fp.bytes, fp.byteOK = byteSteps(steps)
	return fp, true
}

// pipeTerms flattens `a | b | (c | d)` into its terms.
func pipeTerms(q *gojq.Query, out []*gojq.Term) ([]*gojq.Term, bool) {
	if q == nil || q.FuncDefs != nil || q.Meta != nil || q.Imports != nil || q.Patterns != nil {
		return nil, false
	}
	if q.Term != nil {
		t := q.Term
		if t.Type == gojq.TermTypeQuery && len(t.SuffixList) == 0 {
			return pipeTerms(t.Query, out)
		}
		return append(out, t), true
	}
	if q.Op != gojq.OpPipe {
		return nil, false
	}
	out, ok := pipeTerms(q.Left, out)
	if !ok {
		return nil, false
	}
	return pipeTerms(q.Right, out)
}

// memberPath splits `.a."b"[0]` into its leading member names and the rest.
func memberPath(t *gojq.Term) ([]string, []*gojq.Suffix, bool) {
	suffixes := t.SuffixList
	switch t.Type {
	case gojq.TermTypeIdentity:
	case gojq.TermTypeIndex:
		suffixes = append([]*gojq.Suffix{{Index: t.Index}}, suffixes...)
	default:
		return nil, nil, false
	}
	var keys []string
	for len(suffixes) > 0 {
		k, ok := fastKey(suffixes[0])
		if s, isStr := k.(string); ok && isStr {
			keys = append(keys, s)
			suffixes = suffixes[1:]
			continue
		}
		break
	}
	return keys, suffixes, true
}

// termSteps compiles a term after a pipe: `.[k]...` or a known builtin.
func termSteps(t *gojq.Term) ([]fastStep, bool) {
	switch t.Type {
	case gojq.TermTypeIdentity:
		return indexSteps(t.SuffixList)
	case gojq.TermTypeIndex:
		return indexSteps(append([]*gojq.Suffix{{Index: t.Index}}, t.SuffixList...))
	case gojq.TermTypeFunc:
	default:
		return nil, false
	}
	fn := fastFuncs[t.Func.Name+"/"+strconv.Itoa(len(t.Func.Args))]
	if fn == nil {
		return nil, false
	}
	step := fastStep{fn: fn, name: t.Func.Name}
	for _, a := range t.Func.Args {
		s, ok := constString(a)
		if !ok {
			return nil, false
		}
		step.args = append(step.args, s)
	}
	more, ok := indexSteps(t.SuffixList)
	if !ok {
		return nil, false
	}
	return append([]fastStep{step}, more...), true
}

func indexSteps(suffixes []*gojq.Suffix) ([]fastStep, bool) {
	var steps []fastStep
	for _, s := range suffixes {
		k, ok := fastKey(s)
		if !ok {
			return nil, false
		}
		steps = append(steps, fastStep{key: k})
	}
	return steps, true
}

// fastKey reads `.name`, `."str"`, `.["str"]`, `.[N]` or `.[-N]` with a
// small integer N; anything else (slices, iteration, `?`, computed keys)
// is not fast.
func fastKey(s *gojq.Suffix) (any, bool) {
	if s == nil || s.Index == nil || s.Iter || s.Optional || s.Index.IsSlice || s.Index.End != nil {
		return nil, false
	}
	x := s.Index
	switch {
	case x.Name != "":
		return x.Name, true
	case x.Str != nil && x.Str.Queries == nil:
		return x.Str.Str, true
	case x.Start == nil:
		return nil, false
	}
	if str, ok := constString(x.Start); ok {
		return str, true
	}
	return smallIntConst(x.Start)
}

// smallIntConst reads an integer literal of at most 9 digits, possibly
// negated.
func smallIntConst(q *gojq.Query) (any, bool) {
	if q == nil || q.Term == nil || q.FuncDefs != nil || len(q.Term.SuffixList) > 0 {
		return nil, false
	}
	t, sign := q.Term, 1.0
	if t.Type == gojq.TermTypeUnary && t.Unary.Op == gojq.OpSub && len(t.Unary.Term.SuffixList) == 0 {
		t, sign = t.Unary.Term, -1
	}
	if t.Type != gojq.TermTypeNumber || len(t.Number) == 0 || len(t.Number) > 9 {
		return nil, false
	}
	for i := 0; i < len(t.Number); i++ {
		if !isDigit(t.Number[i]) {
			return nil, false
		}
	}
	n, err := strconv.Atoi(t.Number)
	if err != nil {
		return nil, false
	}
	return sign * float64(n), true
}

// addPath adds a member path to the trie and returns its leaf index (the
// same path twice shares one leaf).
func (plan *fastPlan) addPath(keys []string) int {
	n := plan.root
	path := []*fastNode{n}
	for _, k := range keys {
		if n.kids == nil {
			n.kids = map[string]*fastNode{}
		}
		next := n.kids[k]
		if next == nil {
			next = &fastNode{leaf: -1}
			n.kids[k] = next
			if len(n.kids) <= fewKids {
				n.few = append(n.few, fastKid{k, next})
			} else {
				n.few = nil // past a handful: hashed
			}
		}
		n = next
		path = append(path, n)
	}
	if n.leaf < 0 {
		n.leaf = plan.nleaf
		plan.nleaf++
		for _, p := range path {
			p.under = append(p.under, n.leaf)
		}
	}
	return n.leaf
}

// extract runs the plan; ok is false when the general path must answer.
// raw, when not nil, receives the captured paths' raw values. x, when not
// nil, keeps the key strings for reuse (see Extractor).
func (plan *fastPlan) extract(record []byte, slots []int, nkeys int, raw [][]byte, x *Extractor) ([]string, bool) {
	var spanBuf [16]span
	spans := spanBuf[:0]
	if plan.nleaf > len(spanBuf) {
		spans = make([]span, plan.nleaf)
	} else {
		spans = spanBuf[:plan.nleaf]
	}
	for i := range spans {
		spans[i] = span{-1, -1}
	}
	s := scanner{decoder: decoder{data: record}, spans: spans}
	s.space()
	if !s.value(plan.root) {
		return nil, false
	}
	s.space()
	if s.pos != len(record) {
		return nil, false
	}
	for i, leaf := range plan.captures[:min(len(raw), len(plan.captures))] {
		raw[i] = nil
		if sp := spans[leaf]; sp.start >= 0 {
			raw[i] = record[sp.start:sp.end]
		}
	}
	out := make([]string, nkeys)
	for i, p := range plan.pairs {
		str, ok := plan.pairKey(record, spans[p.leaf], p, x)
		if !ok {
			return nil, false
		}
		out[slots[i]] = str
	}
	for _, str := range out {
		if str == "" { // a key no pair gave a value (usable keys are never empty)
			return nil, false
		}
	}
	return out, true
}

// pairKey is one key's value: by byte steps when they apply, otherwise by
// decoding the value and running the steps on it.
func (plan *fastPlan) pairKey(record []byte, sp span, p fastPair, x *Extractor) (string, bool) {
	if sp.start < 0 {
		return "", false
	}
	if p.byteOK {
		if str, ok := rawString(record[sp.start:sp.end]); ok {
			var scratch []byte
			buf := &scratch
			if x != nil {
				buf = &x.buf
			}
			if b, ok := runBytes(p.bytes, str, buf); ok && len(b) > 0 {
				return x.intern(b), true
			}
		}
	}
	v, ok := plan.pairValue(record, sp, p)
	if !ok {
		return "", false
	}
	return fastString(v)
}

// pairValue decodes a path's value (sp: a span that was found) and runs
// the remaining steps.
func (plan *fastPlan) pairValue(record []byte, sp span, p fastPair) (any, bool) {
	d := decoder{data: record[:sp.end], pos: sp.start}
	v, err := d.value(nil)
	if err != nil {
		return nil, false
	}
	for _, st := range p.steps {
		if st.fn != nil {
			v = st.fn(v, st.args)
		} else {
			v = jqIndex(v, st.key)
		}
		if _, isErr := v.(error); isErr {
			return nil, false
		}
	}
	return v, true
}

// fastString is keyString for the values it accepts without an error.
func fastString(v any) (string, bool) {
	switch v.(type) {
	case string, bool, float64:
	default:
		return "", false
	}
	s, err := keyString("", v)
	return s, err == nil
}

type span struct{ start, end int }

// scanner validates a record as decodeRecord does, recording the spans of
// the wanted members' last occurrences.
type scanner struct {
	decoder
	spans []span
}

// value scans one value; n is the trie node this value is (nil: unwanted).
func (s *scanner) value(n *fastNode) bool {
	if s.pos >= len(s.data) {
		return false
	}
	start := s.pos
	var ok bool
	switch c := s.data[s.pos]; {
	case c == '{':
		ok = s.object(n)
	case c == '[':
		ok = s.array()
	case c == '"':
		_, err := s.scanString()
		ok = err == nil
	case c == 't':
		ok = s.literal("true") == nil
	case c == 'f':
		ok = s.literal("false") == nil
	case c == 'n':
		ok = s.literal("null") == nil
	default:
		ok = s.numberSyntax()
	}
	if ok && n != nil && n.leaf >= 0 {
		s.spans[n.leaf] = span{start, s.pos}
	}
	return ok
}

func (s *scanner) object(n *fastNode) bool {
	if s.enter() != nil {
		return false
	}
	defer func() { s.depth-- }()
	s.pos++ // {
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return true
	}
	for {
		if !s.member(n) {
			return false
		}
		s.space()
		if s.pos >= len(s.data) {
			return false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.space()
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) member(n *fastNode) bool {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return false
	}
	kstart := s.pos
	slow, err := s.scanString()
	if err != nil {
		return false
	}
	var kid *fastNode
	if n != nil && n.kids != nil {
		kid = s.child(n, kstart, slow)
	}
	s.space()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return false
	}
	s.pos++
	s.space()
	s.depth++ // the key, as in decoder.member
	defer func() { s.depth-- }()
	if kid != nil {
		for _, l := range kid.under {
			s.spans[l] = span{-1, -1} // a later duplicate member replaces an earlier one
		}
	}
	return s.value(kid)
}

// child finds the trie node of the member whose name was just scanned.
func (s *scanner) child(n *fastNode, kstart int, slow bool) *fastNode {
	raw := s.data[kstart+1 : s.pos-1]
	if !slow {
		return n.kid(raw)
	}
	k, err := unescape(raw)
	if err != nil {
		return nil
	}
	return n.kids[k]
}

func (s *scanner) array() bool {
	if s.enter() != nil {
		return false
	}
	defer func() { s.depth-- }()
	s.pos++ // [
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		if !s.value(nil) {
			return false
		}
		s.space()
		if s.pos >= len(s.data) {
			return false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.space()
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// numberSyntax checks a strict JSON number (decoder.number accepts exactly
// these, out-of-range values included).
func (s *scanner) numberSyntax() bool {
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return false
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}
