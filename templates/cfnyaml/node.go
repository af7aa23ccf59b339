// Package cfnyaml reads CloudFormation templates, YAML with the short-form
// intrinsic tags (!Ref, !Sub, !GetAtt, ...) or JSON, into a tree that keeps
// the line and column of every key and value.
//
// Short forms are rewritten to the long form CloudFormation itself uses:
// `!Ref X` becomes {"Ref": "X"}, `!GetAtt A.B` becomes {"Fn::GetAtt": ["A",
// "B"]}, `!Condition C` becomes {"Condition": "C"} and every other `!Name`
// becomes {"Fn::Name": ...}. A JSON template and its YAML twin therefore give
// the same tree.
package cfnyaml

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Kind is the JSON type of a node.
type Kind uint8

// Node kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Map
	List
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Map:
		return "object"
	case List:
		return "array"
	}
	return "unknown"
}

// Node is one value of a template.
type Node struct {
	Kind   Kind
	Line   int
	Column int
	// Value is the text of a scalar. Booleans are "true" or "false".
	Value string
	// Entries are the keys of a Map in document order.
	Entries []Entry
	// Items are the elements of a List.
	Items []*Node
}

// Entry is one key of a Map.
type Entry struct {
	Key    string
	Line   int
	Column int
	Value  *Node
}

// Get returns the value of key in a Map, or nil.
func (n *Node) Get(key string) *Node {
	if e := n.Entry(key); e != nil {
		return e.Value
	}
	return nil
}

// Entry returns the entry of key in a Map, or nil.
func (n *Node) Entry(key string) *Entry {
	if n == nil || n.Kind != Map {
		return nil
	}
	for i := range n.Entries {
		if n.Entries[i].Key == key {
			return &n.Entries[i]
		}
	}
	return nil
}

// Path follows keys through nested Maps and returns nil when one is missing.
func (n *Node) Path(keys ...string) *Node {
	for _, k := range keys {
		n = n.Get(k)
		if n == nil {
			return nil
		}
	}
	return n
}

// IsScalar reports whether n is a string, number, boolean or null.
func (n *Node) IsScalar() bool {
	return n != nil && n.Kind != Map && n.Kind != List
}

// Str returns a scalar's text. CloudFormation passes every scalar to
// resource providers as text, so numbers and booleans count.
func (n *Node) Str() (string, bool) {
	if n == nil || !n.IsScalar() || n.Kind == Null {
		return "", false
	}
	return n.Value, true
}

// BoolValue returns a boolean written as true/false or "true"/"false".
func (n *Node) BoolValue() (v, ok bool) {
	s, ok := n.Str()
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// IntValue returns an integer written as a number or a numeric string.
func (n *Node) IntValue() (int, bool) {
	s, ok := n.Str()
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return i, true
}

// Intrinsic reports whether n is an intrinsic function call: a Map with a
// single key that is "Ref" or starts with "Fn::". It returns the function
// name ("Ref", "Fn::Sub", ...) and its argument.
func (n *Node) Intrinsic() (fn string, arg *Node, ok bool) {
	if n == nil || n.Kind != Map || len(n.Entries) != 1 {
		return "", nil, false
	}
	k := n.Entries[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k, n.Entries[0].Value, true
	}
	return "", nil, false
}

// ContainsIntrinsic reports whether n or anything below it is an intrinsic.
func (n *Node) ContainsIntrinsic() bool {
	if n == nil {
		return false
	}
	if _, _, ok := n.Intrinsic(); ok {
		return true
	}
	for _, e := range n.Entries {
		if e.Value.ContainsIntrinsic() {
			return true
		}
	}
	for _, it := range n.Items {
		if it.ContainsIntrinsic() {
			return true
		}
	}
	return false
}

// Interface converts n to plain Go values (map[string]any, []any, string,
// bool, json.Number, nil). replace, when not nil, is called for every
// intrinsic function and its result is used instead; returning Omit drops a
// map key or list element (AWS::NoValue).
func (n *Node) Interface(replace func(fn string, arg *Node) any) any {
	if n == nil {
		return nil
	}
	if replace != nil {
		if fn, arg, ok := n.Intrinsic(); ok {
			return replace(fn, arg)
		}
	}
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Value == "true"
	case Number:
		return json.Number(n.Value)
	case String:
		return n.Value
	case Map:
		m := make(map[string]any, len(n.Entries))
		for _, e := range n.Entries {
			v := e.Value.Interface(replace)
			if v == Omit {
				continue
			}
			m[e.Key] = v
		}
		return m
	}
	l := make([]any, 0, len(n.Items))
	for _, it := range n.Items {
		v := it.Interface(replace)
		if v == Omit {
			continue
		}
		l = append(l, v)
	}
	return l
}

type omit struct{}

// Omit is returned by an Interface replace function to drop a value.
var Omit any = omit{}

// MarshalJSON writes n as JSON, keeping the key order of the document.
func (n *Node) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := n.writeJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (n *Node) writeJSON(b *bytes.Buffer) error {
	switch n.Kind {
	case Null:
		b.WriteString("null")
	case Bool:
		b.WriteString(n.Value)
	case Number:
		if json.Valid([]byte(n.Value)) {
			b.WriteString(n.Value)
			return nil
		}
		return writeJSONString(b, n.Value)
	case String:
		return writeJSONString(b, n.Value)
	case Map:
		return n.writeJSONMap(b)
	case List:
		b.WriteByte('[')
		for i, it := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := it.writeJSON(b); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	}
	return nil
}

func (n *Node) writeJSONMap(b *bytes.Buffer) error {
	b.WriteByte('{')
	for i, e := range n.Entries {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeJSONString(b, e.Key); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := e.Value.writeJSON(b); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
