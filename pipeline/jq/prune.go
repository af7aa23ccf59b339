package jq

import (
	"strconv"
	"strings"

	"github.com/itchyny/gojq"
)

// Pruned decoding: when every use of the record in the key values is a
// constant-field path from the root (.mail.source, .mail.tags."x"[0]), the
// decoder only builds those subtrees and validates the rest. Any other use of
// the record (a bare `.`, `..`, `.[]`, a function applied to the record,
// user-defined functions) disables pruning, so results never change.

// inputFree are builtins whose result does not depend on their input.
var inputFree = map[string]bool{
	"empty/0": true, "now/0": true, "error/1": true, "null/0": true, "true/0": true,
	"false/0": true, "nan/0": true, "infinite/0": true, "builtins/0": true,
	"range/1": true, "range/2": true, "range/3": true,
}

type pruner struct {
	root *pathTrie
	ok   bool
}

// pruneTrie returns the paths the key values can observe, or nil to decode
// the whole record.
func pruneTrie(defs []*gojq.FuncDef, obj *objInfo) *pathTrie {
	if len(defs) > 0 {
		return nil
	}
	p := &pruner{root: &pathTrie{}, ok: true}
	for _, pair := range obj.pairs {
		p.query(pair.val)
	}
	if !p.ok {
		return nil
	}
	return p.root
}

func (p *pruner) kill() { p.ok = false }

// query analyses q, whose input is the record root.
func (p *pruner) query(q *gojq.Query) {
	if q == nil || !p.ok {
		return
	}
	if q.FuncDefs != nil || q.Meta != nil || q.Imports != nil {
		p.kill()
		return
	}
	if q.Term != nil {
		p.term(q.Term)
		return
	}
	switch q.Op {
	case gojq.OpAssign, gojq.OpModify, gojq.OpUpdateAdd, gojq.OpUpdateSub, gojq.OpUpdateMul,
		gojq.OpUpdateDiv, gojq.OpUpdateMod, gojq.OpUpdateAlt:
		p.kill()
		return
	}
	p.query(q.Left)
	if q.Op == gojq.OpPipe && q.Patterns == nil {
		return // the right side sees the left side's output, never the record
	}
	for _, pat := range q.Patterns {
		p.pattern(pat)
	}
	p.query(q.Right)
}

func (p *pruner) pattern(pat *gojq.Pattern) {
	for _, e := range pat.Array {
		p.pattern(e)
	}
	for _, o := range pat.Object {
		if o.KeyQuery != nil || (o.KeyString != nil && o.KeyString.Queries != nil) {
			p.kill()
			return
		}
		if o.Val != nil {
			p.pattern(o.Val)
		}
	}
}

func (p *pruner) term(t *gojq.Term) {
	if t.Type == gojq.TermTypeIdentity {
		p.path(t.SuffixList)
		return
	}
	for _, s := range t.SuffixList {
		p.suffixArgs(s)
	}
	switch t.Type {
	case gojq.TermTypeNull, gojq.TermTypeTrue, gojq.TermTypeFalse, gojq.TermTypeNumber, gojq.TermTypeBreak:
	case gojq.TermTypeString:
		p.str(t.Str)
	case gojq.TermTypeFormat:
		if t.Str == nil {
			p.kill()
		} else {
			p.str(t.Str)
		}
	case gojq.TermTypeIndex:
		p.path(append([]*gojq.Suffix{{Index: t.Index}}, t.SuffixList...))
	case gojq.TermTypeFunc:
		p.call(t.Func)
	case gojq.TermTypeObject:
		p.object(t.Object)
	case gojq.TermTypeArray:
		p.query(t.Array.Query)
	case gojq.TermTypeUnary:
		p.term(t.Unary.Term)
	case gojq.TermTypeQuery:
		p.query(t.Query)
	default:
		p.control(t)
	}
}

// control handles if, try, reduce, foreach and label.
func (p *pruner) control(t *gojq.Term) {
	switch t.Type {
	case gojq.TermTypeIf:
		p.query(t.If.Cond)
		p.query(t.If.Then)
		for _, e := range t.If.Elif {
			p.query(e.Cond)
			p.query(e.Then)
		}
		p.query(t.If.Else)
	case gojq.TermTypeTry:
		p.query(t.Try.Body) // catch sees the error message
	case gojq.TermTypeReduce:
		p.loop(t.Reduce.Query, t.Reduce.Patterns, t.Reduce.Start)
	case gojq.TermTypeForeach:
		p.loop(t.Foreach.Query, t.Foreach.Patterns, t.Foreach.Start)
	case gojq.TermTypeLabel:
		p.query(t.Label.Body)
	default:
		p.kill()
	}
}

func (p *pruner) loop(src *gojq.Query, pats []*gojq.Pattern, start *gojq.Query) {
	p.query(src)
	for _, pat := range pats {
		p.pattern(pat)
	}
	p.query(start) // update and extract see the accumulator
}

func (p *pruner) str(s *gojq.String) {
	for _, q := range s.Queries {
		p.query(q)
	}
}

func (p *pruner) call(f *gojq.Func) {
	if strings.HasPrefix(f.Name, "$") {
		return
	}
	if !inputFree[f.Name+"/"+strconv.Itoa(len(f.Args))] {
		p.kill()
		return
	}
	for _, a := range f.Args {
		p.query(a)
	}
}

func (p *pruner) object(o *gojq.Object) {
	for _, kv := range o.KeyVals {
		if kv.KeyString != nil {
			p.str(kv.KeyString)
		}
		p.query(kv.KeyQuery)
		switch {
		case kv.Val != nil:
			p.query(kv.Val)
		case strings.HasPrefix(kv.Key, "$"):
		case kv.Key != "":
			p.add([]string{kv.Key})
		case kv.KeyString != nil && kv.KeyString.Queries == nil:
			p.add([]string{kv.KeyString.Str})
		default:
			p.kill()
		}
	}
}

// path handles `.` followed by suffixes: leading constant-string indexes
// form a path whose whole subtree is kept.
func (p *pruner) path(suffixes []*gojq.Suffix) {
	var keys []string
	i := 0
	for ; i < len(suffixes); i++ {
		k, ok := suffixKey(suffixes[i])
		if !ok {
			break
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		p.kill() // the record itself is observed
		return
	}
	p.add(keys)
	for _, s := range suffixes[i:] {
		p.suffixArgs(s)
	}
}

func suffixKey(s *gojq.Suffix) (string, bool) {
	if s.Index == nil || s.Index.IsSlice {
		return "", false
	}
	x := s.Index
	switch {
	case x.Name != "":
		return x.Name, true
	case x.Str != nil && x.Str.Queries == nil:
		return x.Str.Str, true
	}
	return constString(x.Start)
}

// suffixArgs analyses index expressions, which see the term's input.
func (p *pruner) suffixArgs(s *gojq.Suffix) {
	if s.Index == nil {
		return
	}
	if s.Index.Str != nil {
		p.str(s.Index.Str)
	}
	p.query(s.Index.Start)
	p.query(s.Index.End)
}

func (p *pruner) add(keys []string) {
	t := p.root
	for _, k := range keys {
		if t.all {
			return
		}
		if t.kids == nil {
			t.kids = map[string]*pathTrie{}
		}
		next, ok := t.kids[k]
		if !ok {
			next = &pathTrie{}
			t.kids[k] = next
		}
		t = next
	}
	t.all, t.kids = true, nil
}
