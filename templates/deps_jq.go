package templates

// The jq side of deps.go: MetadataExtractionQuery goes through pipeline/jq,
// the jq 1.6 gate and extractor `sesctl replay` uses. Firehose reports a
// record whose key is null only as "partitionKeys values must not be null
// or empty"; to say which key it was, the query is also run key by key with
// gojq (attribution only: whether a record fails is pipeline/jq's call).

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/itchyny/gojq"

	"github.com/sesctl/sesctl/pipeline/jq"
)

type jqQuery interface {
	Keys() []string
	// values returns each key's value as text; ok[i] is false for a key
	// that is null or empty. err is a record the query fails on.
	values(record []byte) (vals []string, ok []bool, err error)
}

type gatedQuery struct {
	q    *jq.Query
	attr *interimQuery // nil when gojq cannot parse the query
}

// compileQuery runs the jq 1.6 gate.
func compileQuery(src string) (jqQuery, error) {
	q, err := jq.Compile(src)
	if err != nil {
		return nil, err
	}
	g := &gatedQuery{q: q}
	if a, err := compileAttribution(src); err == nil && strings.Join(a.keys, "\x00") == strings.Join(q.Keys(), "\x00") {
		g.attr = a
	}
	return g, nil
}

func (g *gatedQuery) Keys() []string { return g.q.Keys() }

func (g *gatedQuery) values(record []byte) ([]string, []bool, error) {
	vals, err := g.q.Extract(record)
	if err == nil {
		ok := make([]bool, len(vals))
		for i := range ok {
			ok[i] = true
		}
		return vals, ok, nil
	}
	var ee *jq.ExtractError
	if errors.As(err, &ee) && ee.Msg == jq.MsgNullEmpty && g.attr != nil {
		if avals, aok, aerr := g.attr.values(record); aerr == nil && containsFalse(aok) {
			return avals, aok, nil
		}
	}
	return nil, nil, err
}

func containsFalse(ok []bool) bool {
	for _, b := range ok {
		if !b {
			return true
		}
	}
	return false
}

// interimQuery evaluates each key with gojq, for attribution.
type interimQuery struct {
	code *gojq.Code
	keys []string
}

func compileAttribution(src string) (*interimQuery, error) {
	q, err := gojq.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("jq: %w", err)
	}
	if q.Term == nil || q.Term.Object == nil || q.Left != nil {
		return nil, fmt.Errorf("jq: the query must be an object construction such as {key: .field}")
	}
	var keys []string
	for _, kv := range q.Term.Object.KeyVals {
		switch {
		case kv.Key != "":
			keys = append(keys, strings.TrimPrefix(kv.Key, "$"))
		case kv.KeyString != nil && kv.KeyString.Queries == nil:
			keys = append(keys, kv.KeyString.Str)
		default:
			return nil, fmt.Errorf("jq: object keys must be static names")
		}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("jq: %w", err)
	}
	return &interimQuery{code: code, keys: keys}, nil
}

func (q *interimQuery) Keys() []string { return q.keys }

func (q *interimQuery) values(record []byte) ([]string, []bool, error) {
	var v any
	if err := json.Unmarshal(record, &v); err != nil {
		return nil, nil, err
	}
	out, ok := q.code.Run(v).Next()
	if !ok {
		return nil, nil, fmt.Errorf("no output")
	}
	if err, isErr := out.(error); isErr {
		return nil, nil, err
	}
	m, _ := out.(map[string]any)
	vals := make([]string, len(q.keys))
	oks := make([]bool, len(q.keys))
	for i, k := range q.keys {
		switch x := m[k].(type) {
		case nil:
		case string:
			vals[i], oks[i] = x, x != ""
		default:
			b, _ := json.Marshal(x)
			vals[i], oks[i] = string(b), true
		}
	}
	return vals, oks, nil
}
