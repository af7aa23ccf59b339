// Package jq compiles and runs Firehose MetadataExtraction queries the way
// Firehose's JQ-1.6 engine does.
//
// Compile gates the query through a parser of jq 1.6's grammar (rejecting
// the jq 1.7 and gojq extensions that Firehose refuses), then compiles it with
// gojq. Extract runs it on one record and returns the partition key values as
// jq 1.6 would print them, or an *ExtractError for records that Firehose
// sends to the metadata-extraction-failed error output.
package jq

import (
	"context"
	"fmt"
	"strings"

	"github.com/itchyny/gojq"
)

// Firehose limits (MetadataExtractionQuery parameter value; partitioning keys).
const (
	MaxQueryLength = 5120
	MaxKeys        = 50
)

// Messages Firehose uses for failed records.
const (
	MsgNonJSON   = "Non JSON record provided"
	MsgNullEmpty = "partitionKeys values must not be null or empty"
)

// QueryError is a query Firehose would reject, with the 1-based line and
// column (in characters) of the offending token.
type QueryError struct {
	Line, Column int
	Msg          string
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("query:%d:%d: %s", e.Line, e.Column, e.Msg)
}

// ExtractError is a record-level failure: the record goes to the error
// output with error-output-type metadata-extraction-failed.
type ExtractError struct {
	Msg string
}

func (e *ExtractError) Error() string { return e.Msg }

// Query is a compiled MetadataExtractionQuery. It is safe for concurrent use.
type Query struct {
	src     string
	keys    []string
	slots   []int      // for each evaluated object pair, its index in keys
	fast    *gojq.Code // what Extract runs
	precise *gojq.Code // rerun on failure for jq 1.6's error wording (nil: same as fast)
	prune   *pathTrie  // the parts of the record the query can observe (nil: all)
	path    *fastPlan  // single-scan extraction of plain path queries (nil: none)
	// rebuild recompiles the fast plan with extra captured paths (nil when
	// there is no fast path).
	rebuild func(captures [][]string) *fastPlan
}

// Source returns the query text as given to Compile.
func (q *Query) Source() string { return q.src }

// Keys returns the static keys of the query's object, in source order.
func (q *Query) Keys() []string { return append([]string(nil), q.keys...) }

// Compile checks a MetadataExtractionQuery against jq 1.6 and Firehose's
// rules and compiles it. Errors are *QueryError.
func Compile(src string) (*Query, error) {
	if err := checkParameter(src); err != nil {
		return nil, err
	}
	prog, qerr := parseProgram(src, ixNative)
	if qerr != nil {
		return nil, qerr
	}
	if qerr := checkPolicy(src, prog); qerr != nil {
		return nil, qerr
	}
	obj, defs, qerr := topObject(src, prog)
	if qerr != nil {
		return nil, qerr
	}
	q := &Query{src: src}
	if qerr := q.setKeys(src, obj); qerr != nil {
		return nil, qerr
	}
	q.prune = pruneTrie(defs, obj)
	q.path = compileFast(defs, obj, nil)
	if q.path != nil {
		q.rebuild = func(captures [][]string) *fastPlan { return compileFast(defs, obj, captures) }
	}
	if err := q.compileCodes(src, prog, defs, obj); err != nil {
		return nil, err
	}
	return q, nil
}

// checkParameter applies the API constraints of the processor parameter.
func checkParameter(src string) error {
	if strings.TrimSpace(src) == "" {
		return &QueryError{Line: 1, Column: 1, Msg: "the query is empty (Firehose requires a non-blank MetadataExtractionQuery)"}
	}
	if n := len([]rune(src)); n > MaxQueryLength {
		line, col := position(src, len(string([]rune(src)[:MaxQueryLength])))
		return &QueryError{Line: line, Column: col, Msg: fmt.Sprintf("the query is %d characters long; Firehose accepts at most %d", n, MaxQueryLength)}
	}
	return nil
}

// setKeys records the distinct keys in first-appearance order, as jq builds
// the object.
func (q *Query) setKeys(src string, obj *objInfo) *QueryError {
	index := map[string]int{}
	for _, pair := range obj.pairs {
		if !pair.static || pair.val == nil {
			line, col := position(src, pair.pos)
			return &QueryError{Line: line, Column: col, Msg: "partition keys must be static (a name, a string without interpolation, or a constant string in parentheses)"}
		}
		i, seen := index[pair.key]
		if !seen {
			i = len(q.keys)
			index[pair.key] = i
			q.keys = append(q.keys, pair.key)
		}
		q.slots = append(q.slots, i)
	}
	if len(q.keys) == 0 {
		line, col := position(src, obj.pos)
		return &QueryError{Line: line, Column: col, Msg: "the object has no keys; Firehose needs at least one partition key"}
	}
	if len(q.keys) > MaxKeys {
		line, col := position(src, obj.pairs[len(obj.pairs)-1].pos)
		return &QueryError{Line: line, Column: col, Msg: fmt.Sprintf("%d partition keys; Firehose accepts at most %d", len(q.keys), MaxKeys)}
	}
	return nil
}

// topObject finds the object construction the query must consist of,
// optionally after function definitions and inside parentheses.
func topObject(src string, prog *program) (*objInfo, []*gojq.FuncDef, *QueryError) {
	var defs []*gojq.FuncDef
	q := prog.query
	for q != nil && !prog.empty {
		defs = append(defs, q.FuncDefs...)
		t := q.Term
		if t == nil || len(t.SuffixList) > 0 || q.Patterns != nil {
			break
		}
		switch t.Type {
		case gojq.TermTypeObject:
			return prog.objs[t.Object], defs, nil
		case gojq.TermTypeQuery:
			q = t.Query
			continue
		}
		break
	}
	return nil, nil, &QueryError{Line: 1, Column: 1, Msg: "the query must construct one object of partition keys, like {key: .path, other: .path2}"}
}

// Extract runs the query on one record and returns the key values aligned
// with Keys(). Record-level failures are *ExtractError.
func (q *Query) Extract(record []byte) ([]string, error) {
	return q.ExtractContext(context.Background(), record)
}

// ExtractContext is Extract with a context that can stop a query that runs
// for too long.
func (q *Query) ExtractContext(ctx context.Context, record []byte) ([]string, error) {
	if q.path != nil {
		if vals, ok := q.path.extract(record, q.slots, len(q.keys), nil, nil); ok {
			return vals, nil
		}
	}
	return q.extractGeneral(ctx, record)
}

// extractGeneral decodes the record and runs the gojq program.
func (q *Query) extractGeneral(ctx context.Context, record []byte) ([]string, error) {
	v, err := decodeRecord(record, q.prune)
	if err != nil {
		return nil, err
	}
	out, err := run(ctx, q.fast, v)
	if err != nil {
		if q.precise != nil {
			if _, perr := run(ctx, q.precise, v); perr != nil {
				err = perr
			}
		}
		return nil, &ExtractError{Msg: jqMessage(err)}
	}
	return q.values(out)
}

func run(ctx context.Context, code *gojq.Code, v any) ([]any, error) {
	iter := code.RunWithContext(ctx, v)
	x, ok := iter.Next()
	if !ok {
		return nil, fmt.Errorf("the query produced no output")
	}
	if err, ok := x.(error); ok {
		return nil, err
	}
	out, ok := x.([]any)
	if !ok {
		return nil, fmt.Errorf("internal error: unexpected result %T", x)
	}
	return out, nil
}

// values turns each key's outputs into the string Firehose would use.
func (q *Query) values(out []any) ([]string, error) {
	final := make([]any, len(q.keys))
	for i, r := range out {
		vals, _ := r.([]any)
		key := q.keys[q.slots[i]]
		switch len(vals) {
		case 1:
			final[q.slots[i]] = vals[0]
		case 0:
			return nil, &ExtractError{Msg: fmt.Sprintf("the value of key %q produced no output, so the query produced no object", key)}
		default:
			return nil, &ExtractError{Msg: fmt.Sprintf("the value of key %q produced %d outputs, so the query produced %d objects instead of one", key, len(vals), len(vals))}
		}
	}
	res := make([]string, len(final))
	for i, v := range final {
		s, err := keyString(q.keys[i], v)
		if err != nil {
			return nil, err
		}
		res[i] = s
	}
	return res, nil
}

// keyString converts a key value to its partition string.
func keyString(key string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", &ExtractError{Msg: MsgNullEmpty}
	case string:
		if x == "" {
			return "", &ExtractError{Msg: MsgNullEmpty}
		}
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case []any, map[string]any:
		return "", &ExtractError{Msg: fmt.Sprintf("the value of key %q is an %s; sesctl only accepts strings, numbers and booleans as partition key values", key, kindName(v))}
	}
	s := formatNumber(mustFloat(v))
	if s == "null" {
		return "", &ExtractError{Msg: MsgNullEmpty}
	}
	return s, nil
}

func mustFloat(v any) float64 {
	f, _ := toFloat(v)
	return f
}
