package templates

// INTERIM until pipeline/jq lands: a minimal stand-in with the contract of
// docs/ARCHITECTURE.md (Compile, Keys, Extract) built on gojq, without the
// jq 1.6 dialect gate. Replaced by calls to pipeline/jq.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/itchyny/gojq"
)

type jqQuery interface {
	Keys() []string
	// values returns each key's value as text; null and "" come back as
	// ok=false.
	values(record []byte) (vals []string, ok []bool, err error)
}

type interimQuery struct {
	code *gojq.Code
	keys []string
}

func compileQuery(src string) (jqQuery, error) {
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
