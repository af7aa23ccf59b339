package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// Violation is one way a resource's properties break its schema.
type Violation struct {
	// Path is the property path below Properties, e.g.
	// ["ExtendedS3DestinationConfiguration", "BufferingHints", "SizeInMBs"].
	Path []string
	// Line and Column locate the offending value (or its parent for a
	// missing property) in the template.
	Line, Column int
	// Rule is a stable id: schema.required, schema.additional-property,
	// schema.type, schema.enum, schema.pattern, schema.length, schema.range,
	// schema.items, schema.one-of, schema.any-of, schema.not, schema.other.
	Rule    string
	Message string
}

// placeholder stands in for the value of an intrinsic function. Errors at
// the placeholder's own location are discarded, since the real value is only
// known at deploy time.
const placeholder = "arn:aws:intrinsic:us-east-1:123456789012:placeholder"

// ValidateNode checks a resource's Properties node (nil when the resource
// has none). Intrinsic functions are replaced by type-appropriate
// placeholders; Fn::If is checked with its first branch that is not
// AWS::NoValue. CloudFormation's own scalar coercion ("64" for an integer,
// 123 for a string) is accepted.
func (s *Schema) ValidateNode(props *cfnyaml.Node) ([]Violation, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	c := &converter{intrinsic: map[string]bool{}, pos: map[string][2]int{}}
	var inst any = map[string]any{}
	if props != nil {
		inst = c.convert(props, nil)
		if inst == cfnyaml.Omit {
			inst = map[string]any{}
		}
	}
	err := s.compiled.Validate(inst)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate %s: %w", s.TypeName, err)
	}
	f := &filter{c: c, inst: inst}
	leaves := f.leaves(ve)
	out := make([]Violation, 0, len(leaves))
	seen := map[string]bool{}
	for _, l := range leaves {
		v := f.violation(l)
		key := strings.Join(v.Path, "/") + "|" + v.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out, nil
}

type converter struct {
	intrinsic map[string]bool   // instance pointers holding a placeholder
	pos       map[string][2]int // instance pointer -> line, column
}

func ptr(path []string) string { return "/" + strings.Join(path, "/") }

func (c *converter) convert(n *cfnyaml.Node, path []string) any {
	c.pos[ptr(path)] = [2]int{n.Line, n.Column}
	if fn, arg, ok := n.Intrinsic(); ok {
		return c.intrinsicValue(fn, arg, path)
	}
	switch n.Kind {
	case cfnyaml.Map:
		m := make(map[string]any, len(n.Entries))
		for _, e := range n.Entries {
			p := append(append([]string(nil), path...), e.Key)
			c.pos[ptr(p)] = [2]int{e.Line, e.Column}
			v := c.convert(e.Value, p)
			if v != cfnyaml.Omit {
				m[e.Key] = v
			}
			c.pos[ptr(p)] = [2]int{e.Line, e.Column}
		}
		return m
	case cfnyaml.List:
		l := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			v := c.convert(it, append(append([]string(nil), path...), strconv.Itoa(len(l))))
			if v != cfnyaml.Omit {
				l = append(l, v)
			}
		}
		return l
	}
	return n.Interface(nil)
}

func (c *converter) intrinsicValue(fn string, arg *cfnyaml.Node, path []string) any {
	if fn == "Ref" && arg.Value == "AWS::NoValue" {
		return cfnyaml.Omit
	}
	if fn == "Fn::If" && arg.Kind == cfnyaml.List && len(arg.Items) == 3 {
		for _, branch := range arg.Items[1:] {
			if v := c.convert(branch, path); v != cfnyaml.Omit {
				return v
			}
		}
		return cfnyaml.Omit
	}
	c.intrinsic[ptr(path)] = true
	switch fn {
	case "Fn::GetAZs", "Fn::Split", "Fn::Cidr":
		return []any{placeholder}
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return true
	case "Fn::Length":
		return json.Number("1")
	}
	return placeholder
}

// covered reports whether the instance location is, or is inside, a
// placeholder.
func (c *converter) covered(loc []string) bool {
	for i := len(loc); i >= 0; i-- {
		if c.intrinsic[ptr(loc[:i])] {
			return true
		}
	}
	return false
}

type filter struct {
	c    *converter
	inst any
}

// leaves flattens an error tree to the errors worth reporting. For oneOf and
// anyOf, a branch whose every error is excused counts as a match and drops
// the whole group; otherwise the branch with the fewest errors is reported.
func (f *filter) leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		if len(e.Causes) == 0 {
			return f.keep(e)
		}
		var best []*jsonschema.ValidationError
		for i, c := range e.Causes {
			l := f.leaves(c)
			if len(l) == 0 {
				return nil
			}
			if i == 0 || len(l) < len(best) {
				best = l
			}
		}
		return best
	}
	if len(e.Causes) == 0 {
		return f.keep(e)
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, f.leaves(c)...)
	}
	return out
}

func (f *filter) keep(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if f.c.covered(e.InstanceLocation) || f.coerced(e) {
		return nil
	}
	return []*jsonschema.ValidationError{e}
}

// coerced excuses type errors CloudFormation resolves by converting scalars.
func (f *filter) coerced(e *jsonschema.ValidationError) bool {
	t, ok := e.ErrorKind.(*kind.Type)
	if !ok {
		return false
	}
	v := valueAt(f.inst, e.InstanceLocation)
	for _, want := range t.Want {
		switch want {
		case "string":
			switch v.(type) {
			case json.Number, bool:
				return true
			}
		case "integer":
			if s, ok := v.(string); ok {
				if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
					return true
				}
			}
		case "number":
			if s, ok := v.(string); ok {
				if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
					return true
				}
			}
		case "boolean":
			if s, ok := v.(string); ok {
				ls := strings.ToLower(s)
				if ls == "true" || ls == "false" {
					return true
				}
			}
		}
	}
	return false
}

func valueAt(v any, loc []string) any {
	for _, tok := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (f *filter) violation(e *jsonschema.ValidationError) Violation {
	path := e.InstanceLocation
	rule, msg := describe(e)
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
		path = append(append([]string(nil), path...), ap.Properties[0])
	}
	v := Violation{Path: append([]string(nil), path...), Rule: rule, Message: msg}
	for i := len(path); i >= 0; i-- {
		if p, ok := f.c.pos[ptr(path[:i])]; ok {
			v.Line, v.Column = p[0], p[1]
			break
		}
	}
	return v
}

var printer = message.NewPrinter(language.English)

func describe(e *jsonschema.ValidationError) (rule, msg string) {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		return "schema.required", fmt.Sprintf("missing required property %s", strings.Join(k.Missing, ", "))
	case *kind.AdditionalProperties:
		return "schema.additional-property", fmt.Sprintf("%s is not a property of this type", strings.Join(k.Properties, ", "))
	case *kind.Type:
		return "schema.type", fmt.Sprintf("got %s, want %s", k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		return "schema.enum", fmt.Sprintf("%v: %s", k.Got, k.LocalizedString(printer))
	case *kind.Const:
		return "schema.enum", fmt.Sprintf("%v: %s", k.Got, k.LocalizedString(printer))
	case *kind.Pattern:
		return "schema.pattern", k.LocalizedString(printer)
	case *kind.MinLength, *kind.MaxLength:
		return "schema.length", k.LocalizedString(printer)
	case *kind.Minimum, *kind.Maximum, *kind.ExclusiveMinimum, *kind.ExclusiveMaximum, *kind.MultipleOf:
		return "schema.range", k.LocalizedString(printer)
	case *kind.MinItems, *kind.MaxItems, *kind.UniqueItems, *kind.AdditionalItems:
		return "schema.items", k.LocalizedString(printer)
	case *kind.OneOf:
		return "schema.one-of", "must match exactly one of the allowed shapes"
	case *kind.AnyOf:
		return "schema.any-of", "matches none of the allowed shapes"
	case *kind.Not:
		return "schema.not", "uses a combination of properties the type does not allow"
	case *kind.Dependency, *kind.DependentRequired:
		return "schema.required", k.LocalizedString(printer)
	}
	return "schema.other", e.ErrorKind.LocalizedString(printer)
}
