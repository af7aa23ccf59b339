// Package parquetconv converts SES event records (JSON) to Parquet rows the
// way Firehose record format conversion does for the sesctl table: one row
// per record, columns from schema.Columns() with their lower-case Athena
// names, Snappy compression inside the file.
//
// Like Firehose's OpenX JSON deserializer, JSON keys match column names
// case-insensitively, unknown keys are ignored, missing keys and JSON null
// become NULL, and scalars are converted to string columns as their JSON
// text. A value that cannot be converted (an object where a string belongs,
// a non-integer in a bigint column) fails the record with a *RecordError:
// Firehose sends such records to the format-conversion-failed error output.
package parquetconv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/sesctl/sesctl/schema"
)

// RecordError reports a record that does not fit the table schema.
type RecordError struct {
	Path string // JSON path of the offending value ("" for the record)
	Msg  string
}

func (e *RecordError) Error() string {
	if e.Path == "" {
		return "parquet conversion: " + e.Msg
	}
	return fmt.Sprintf("parquet conversion: %s: %s", e.Path, e.Msg)
}

// Schema returns the Parquet schema of the events table.
func Schema() *parquet.Schema {
	return parquet.NewSchema("ses_event", columnsGroup(schema.Columns()))
}

func columnsGroup(fields []schema.Field) parquet.Group {
	g := parquet.Group{}
	for _, f := range fields {
		g[f.Name] = parquet.Optional(typeNode(f.Type))
	}
	return g
}

func typeNode(t schema.Type) parquet.Node {
	switch t.Kind {
	case schema.Bigint:
		return parquet.Int(64)
	case schema.Boolean:
		return parquet.Leaf(parquet.BooleanType)
	case schema.Array:
		return parquet.List(parquet.Optional(typeNode(*t.Elem)))
	case schema.Map:
		return parquet.Map(typeNode(*t.Key), parquet.Optional(typeNode(*t.Elem)))
	case schema.Struct:
		return columnsGroup(t.Fields)
	}
	return parquet.String()
}

// node mirrors one optional schema node with what shredding needs: the
// JSON key, the kind, children and, for leaves, the column index.
type node struct {
	name    string // lower-case column name
	jsonKey string
	kind    schema.Kind
	fields  []*node // Struct: in schema order
	byKey   map[string]*node
	elem    *node // Array element, Map value
	key     *node // Map key
	column  int   // leaf column index
	leaves  []int // column indexes of every leaf below, in column order
}

// build mirrors t; path is the Parquet path of the node.
func build(s *parquet.Schema, name, jsonKey string, t schema.Type, path []string) (*node, error) {
	n := &node{name: name, jsonKey: jsonKey, kind: t.Kind}
	var err error
	switch t.Kind {
	case schema.Struct:
		n.byKey = map[string]*node{}
		for _, f := range t.Fields {
			c, err := build(s, f.Name, f.JSONKey, f.Type, append(slices.Clone(path), f.Name))
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, c)
			n.byKey[strings.ToLower(f.JSONKey)] = c
			n.leaves = append(n.leaves, c.leaves...)
		}
	case schema.Array:
		n.elem, err = build(s, "element", "", *t.Elem, append(slices.Clone(path), "list", "element"))
		if err != nil {
			return nil, err
		}
		n.leaves = n.elem.leaves
	case schema.Map:
		kv := append(slices.Clone(path), "key_value")
		if n.key, err = build(s, "key", "", *t.Key, append(slices.Clone(kv), "key")); err != nil {
			return nil, err
		}
		if n.elem, err = build(s, "value", "", *t.Elem, append(slices.Clone(kv), "value")); err != nil {
			return nil, err
		}
		n.leaves = append(slices.Clone(n.key.leaves), n.elem.leaves...)
	default:
		leaf, ok := s.Lookup(path...)
		if !ok {
			return nil, fmt.Errorf("parquet schema has no column %s", strings.Join(path, "."))
		}
		n.column = leaf.ColumnIndex
		n.leaves = []int{leaf.ColumnIndex}
	}
	slices.Sort(n.leaves)
	return n, nil
}

// Encoder writes SES records as rows of one Parquet file.
type Encoder struct {
	w    *parquet.Writer
	root *node
	row  parquet.Row
	n    int
}

// NewEncoder starts a Parquet file on w. Close must be called to write the
// footer.
func NewEncoder(w io.Writer) (*Encoder, error) {
	ts, err := tableSchema()
	if err != nil {
		return nil, err
	}
	pw := parquet.NewWriter(w, ts.schema, parquet.Compression(&parquet.Snappy),
		parquet.CreatedBy("sesctl", "", ""))
	return &Encoder{w: pw, root: ts.root}, nil
}

// compiledSchema is the Parquet schema and its shredding tree, built once:
// both derive from the static schema.Columns() and are read-only.
type compiledSchema struct {
	schema *parquet.Schema
	root   *node
}

var tableSchema = sync.OnceValues(func() (compiledSchema, error) {
	s := Schema()
	root, err := build(s, "", "", schema.Type{Kind: schema.Struct, Fields: schema.Columns()}, nil)
	if err != nil {
		return compiledSchema{}, fmt.Errorf("parquet schema: %w", err)
	}
	return compiledSchema{schema: s, root: root}, nil
})

// Rows returns the number of rows written so far.
func (e *Encoder) Rows() int { return e.n }

// Write converts one JSON record to a row. A record that is not a JSON
// object or does not fit the schema returns a *RecordError and writes
// nothing.
func (e *Encoder) Write(record []byte) error {
	v, err := decode(record)
	if err != nil {
		return err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return &RecordError{Msg: "record is not a JSON object"}
	}
	sh := shredder{row: e.row[:0]}
	if err := sh.group(e.root, obj, 0, 0, 0, ""); err != nil {
		return err
	}
	// Values are emitted record-order; the writer wants them grouped by
	// column, each column's values in record order.
	sort.SliceStable(sh.row, func(i, j int) bool { return sh.row[i].Column() < sh.row[j].Column() })
	e.row = sh.row
	if _, err := e.w.WriteRows([]parquet.Row{sh.row}); err != nil {
		return fmt.Errorf("write parquet row: %w", err)
	}
	e.n++
	return nil
}

// Close flushes buffered rows and writes the file footer.
func (e *Encoder) Close() error {
	if err := e.w.Close(); err != nil {
		return fmt.Errorf("close parquet file: %w", err)
	}
	return nil
}

func decode(record []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &RecordError{Msg: "not JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &RecordError{Msg: "more than one JSON value in the record"}
	}
	return v, nil
}

// shredder turns one nested value into Parquet (repetition, definition)
// levelled values. Every schema node is optional, so each level of nesting
// that is present adds one to the definition level; lists and maps add one
// more for their repeated group.
type shredder struct{ row parquet.Row }

func (s *shredder) nulls(n *node, rep, def int) {
	for _, c := range n.leaves {
		s.row = append(s.row, parquet.NullValue().Level(rep, def, c))
	}
}

// value writes v for the optional node n; def is the definition level of
// n's parent, depth the repetition depth of n.
func (s *shredder) value(n *node, v any, rep, def, depth int, path string) error {
	if v == nil {
		s.nulls(n, rep, def)
		return nil
	}
	def++
	switch n.kind {
	case schema.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return &RecordError{Path: path, Msg: fmt.Sprintf("want an object, got %s", jsonKind(v))}
		}
		return s.group(n, obj, rep, def, depth, path)
	case schema.Array:
		return s.list(n, v, rep, def, depth, path)
	case schema.Map:
		return s.mapping(n, v, rep, def, depth, path)
	}
	pv, err := leafValue(n.kind, v)
	if err != nil {
		return &RecordError{Path: path, Msg: err.Error()}
	}
	s.row = append(s.row, pv.Level(rep, def, n.column))
	return nil
}

// group writes the fields of a present struct. JSON keys are matched
// case-insensitively; the exact key wins when both spellings occur.
func (s *shredder) group(n *node, obj map[string]any, rep, def, depth int, path string) error {
	for _, f := range n.fields {
		v, ok := obj[f.jsonKey]
		if !ok {
			v = lookupFold(obj, f.jsonKey)
		}
		if err := s.value(f, v, rep, def, depth, joinPath(path, f.jsonKey)); err != nil {
			return err
		}
	}
	return nil
}

func lookupFold(obj map[string]any, key string) any {
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// list writes a present array. A scalar is promoted to a one-element array,
// as the OpenX SerDe does.
func (s *shredder) list(n *node, v any, rep, def, depth int, path string) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	if len(items) == 0 {
		s.nulls(n, rep, def)
		return nil
	}
	for i, item := range items {
		r := rep
		if i > 0 {
			r = depth + 1
		}
		if err := s.value(n.elem, item, r, def+1, depth+1, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// mapping writes a present object as a MAP, keys sorted for determinism.
func (s *shredder) mapping(n *node, v any, rep, def, depth int, path string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return &RecordError{Path: path, Msg: fmt.Sprintf("want an object, got %s", jsonKind(v))}
	}
	if len(obj) == 0 {
		s.nulls(n, rep, def)
		return nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		r := rep
		if i > 0 {
			r = depth + 1
		}
		// The key is required: its definition level is that of the
		// repeated key_value group.
		s.row = append(s.row, parquet.ByteArrayValue([]byte(k)).Level(r, def+1, n.key.column))
		if err := s.value(n.elem, obj[k], r, def+1, depth+1, path+"."+k); err != nil {
			return err
		}
	}
	return nil
}

func leafValue(kind schema.Kind, v any) (parquet.Value, error) {
	switch kind {
	case schema.Bigint:
		return bigintValue(v)
	case schema.Boolean:
		switch b := v.(type) {
		case bool:
			return parquet.BooleanValue(b), nil
		case string:
			if p, err := strconv.ParseBool(b); err == nil && (b == "true" || b == "false") {
				return parquet.BooleanValue(p), nil
			}
		}
		return parquet.Value{}, fmt.Errorf("want a boolean, got %s", jsonKind(v))
	}
	switch x := v.(type) {
	case string:
		return parquet.ByteArrayValue([]byte(x)), nil
	case json.Number:
		return parquet.ByteArrayValue([]byte(x.String())), nil
	case bool:
		return parquet.ByteArrayValue([]byte(strconv.FormatBool(x))), nil
	}
	return parquet.Value{}, fmt.Errorf("want a string, got %s", jsonKind(v))
}

func bigintValue(v any) (parquet.Value, error) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = x
	default:
		return parquet.Value{}, fmt.Errorf("want an integer, got %s", jsonKind(v))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return parquet.Value{}, fmt.Errorf("want a 64-bit integer, got %q", text)
	}
	return parquet.Int64Value(n), nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
