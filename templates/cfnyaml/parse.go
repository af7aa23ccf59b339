package cfnyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is something wrong in the document that does not stop reading it.
type Problem struct {
	Line   int
	Column int
	Rule   string // "template.duplicate-key", "template.yaml-alias", "template.tag"
	Msg    string
}

// SyntaxError is a template that cannot be read at all.
type SyntaxError struct {
	Line int // 0 when unknown
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Limits that keep hostile input cheap.
const (
	maxDepth = 200
	maxNodes = 2_000_000
)

// Parse reads a template. The top level must be a mapping. Problems are
// returned for duplicate keys, YAML aliases and unknown tags; a *SyntaxError
// when the input is not a readable YAML/JSON mapping.
func Parse(data []byte) (*Node, []Problem, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, &SyntaxError{Msg: "empty template"}
		}
		return nil, nil, yamlError(err)
	}
	p := &parser{}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.problem(extra.Line, extra.Column, "template.multiple-documents",
			"a second YAML document follows; CloudFormation reads one template per file")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil, &SyntaxError{Msg: "empty template"}
		}
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, nil, &SyntaxError{Line: root.Line, Msg: "the template is not a mapping (expected keys such as Resources)"}
	}
	n, err := p.convert(root, 0)
	if err != nil {
		return nil, nil, err
	}
	return n, p.problems, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ":"))
	}
	return &SyntaxError{Line: line, Msg: msg}
}

type parser struct {
	problems []Problem
	nodes    int
}

func (p *parser) problem(line, col int, rule, format string, a ...any) {
	p.problems = append(p.problems, Problem{Line: line, Column: col, Rule: rule, Msg: fmt.Sprintf(format, a...)})
}

func (p *parser) convert(y *yaml.Node, depth int) (*Node, error) {
	p.nodes++
	if depth > maxDepth {
		return nil, &SyntaxError{Line: y.Line, Msg: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	if p.nodes > maxNodes {
		return nil, &SyntaxError{Line: y.Line, Msg: "template too large"}
	}
	if y.Kind == yaml.AliasNode {
		p.problem(y.Line, y.Column, "template.yaml-alias",
			"YAML alias *%s: the CloudFormation API does not accept anchors and aliases; expand them before deploying", y.Value)
		if y.Alias == nil {
			return &Node{Kind: Null, Line: y.Line, Column: y.Column}, nil
		}
		n, err := p.convert(y.Alias, depth+1)
		if err != nil {
			return nil, err
		}
		return relocate(n, y.Line, y.Column), nil
	}
	if tag := y.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		return p.intrinsic(y, depth)
	}
	return p.plain(y, depth)
}

// relocate gives a copied alias target the position of the alias.
func relocate(n *Node, line, col int) *Node {
	c := *n
	c.Line, c.Column = line, col
	return &c
}

func (p *parser) plain(y *yaml.Node, depth int) (*Node, error) {
	n := &Node{Line: y.Line, Column: y.Column}
	switch y.Kind {
	case yaml.MappingNode:
		return p.mapping(y, depth)
	case yaml.SequenceNode:
		n.Kind = List
		n.Items = make([]*Node, 0, len(y.Content))
		for _, c := range y.Content {
			it, err := p.convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, it)
		}
		return n, nil
	case yaml.ScalarNode:
		n.Kind, n.Value = scalar(y)
		return n, nil
	}
	return nil, &SyntaxError{Line: y.Line, Msg: "unexpected YAML node"}
}

func scalar(y *yaml.Node) (Kind, string) {
	switch y.ShortTag() {
	case "!!null":
		return Null, ""
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err == nil {
			return Bool, strconv.FormatBool(b)
		}
	case "!!int", "!!float":
		return Number, y.Value
	}
	return String, y.Value
}

func (p *parser) mapping(y *yaml.Node, depth int) (*Node, error) {
	n := &Node{Kind: Map, Line: y.Line, Column: y.Column}
	seen := make(map[string]int, len(y.Content)/2)
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.problem(k.Line, k.Column, "template.key", "a mapping key must be a plain string")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.problem(k.Line, k.Column, "template.duplicate-key",
				"duplicate key %q (first at line %d); CloudFormation rejects the template", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		val, err := p.convert(v, depth+1)
		if err != nil {
			return nil, err
		}
		n.Entries = append(n.Entries, Entry{Key: k.Value, Line: k.Line, Column: k.Column, Value: val})
	}
	return n, nil
}

// intrinsic rewrites a short-form tag to its long form.
func (p *parser) intrinsic(y *yaml.Node, depth int) (*Node, error) {
	name := y.Tag[1:]
	inner := *y
	inner.Tag = ""
	if y.Kind == yaml.ScalarNode {
		inner.Tag = "!!str"
	}
	arg, err := p.plain(&inner, depth+1)
	if err != nil {
		return nil, err
	}
	key := "Fn::" + name
	switch name {
	case "Ref", "Condition":
		key = name
	case "GetAtt":
		arg = splitGetAtt(arg)
	case "":
		p.problem(y.Line, y.Column, "template.tag", "empty tag")
	}
	if !knownShortForm[name] {
		p.problem(y.Line, y.Column, "template.tag", "unknown tag !%s (not a CloudFormation intrinsic function)", name)
	}
	return &Node{Kind: Map, Line: y.Line, Column: y.Column,
		Entries: []Entry{{Key: key, Line: y.Line, Column: y.Column, Value: arg}}}, nil
}

// splitGetAtt turns "Resource.Attr.Sub" into ["Resource", "Attr.Sub"].
func splitGetAtt(arg *Node) *Node {
	if arg.Kind != String {
		return arg
	}
	res, attr, ok := strings.Cut(arg.Value, ".")
	if !ok {
		return arg
	}
	at := func(s string) *Node { return &Node{Kind: String, Line: arg.Line, Column: arg.Column, Value: s} }
	return &Node{Kind: List, Line: arg.Line, Column: arg.Column, Items: []*Node{at(res), at(attr)}}
}

var knownShortForm = map[string]bool{
	"Ref": true, "Condition": true, "GetAtt": true, "Sub": true, "Join": true, "If": true,
	"Select": true, "Split": true, "FindInMap": true, "ImportValue": true, "Base64": true,
	"Cidr": true, "GetAZs": true, "Equals": true, "And": true, "Or": true, "Not": true,
	"Transform": true, "Length": true, "ToJsonString": true,
}
