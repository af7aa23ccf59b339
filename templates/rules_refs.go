package templates

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
	"github.com/sesctl/sesctl/templates/schemas"
)

// walk calls fn for n and every node below it with its property path.
func walk(n *cfnyaml.Node, path string, fn func(n *cfnyaml.Node, path string)) {
	if n == nil {
		return
	}
	fn(n, path)
	for _, e := range n.Entries {
		walk(e.Value, joinPath(path, e.Key), fn)
	}
	for i, it := range n.Items {
		walk(it, path+"["+strconv.Itoa(i)+"]", fn)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var knownFunctions = []string{
	"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::Split", "Fn::FindInMap",
	"Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
	"Fn::Transform", "Fn::Length", "Fn::ToJsonString",
}

// ruleRefs checks every Ref, Fn::GetAtt, Fn::Sub variable, condition name
// and DependsOn target in resources and outputs.
func ruleRefs(t *Template) []Finding {
	var out []Finding
	for _, r := range t.Resources {
		out = append(out, t.checkRefsIn(r.ID, r.Node, "")...)
		out = append(out, t.checkDependsOn(r)...)
		if e := r.Node.Entry("Condition"); e != nil {
			out = append(out, t.checkConditionName(r.ID, e.Value, "Condition", e.Line)...)
		}
	}
	for _, e := range entriesOf(t.Root.Get("Outputs")) {
		out = append(out, t.checkRefsIn("", e.Value, "Outputs."+e.Key)...)
	}
	return out
}

func (t *Template) checkRefsIn(resID string, n *cfnyaml.Node, base string) []Finding {
	var out []Finding
	walk(n, base, func(n *cfnyaml.Node, path string) {
		if n.Kind != cfnyaml.Map || len(n.Entries) != 1 {
			return
		}
		key := n.Entries[0].Key
		arg := n.Entries[0].Value
		line := n.Entries[0].Line
		add := func(rule, msg string) {
			out = append(out, Finding{File: t.File, Line: line, Resource: resID, Path: path, Rule: rule, Severity: SeverityError, Message: msg})
		}
		switch {
		case key == "Ref":
			if name, ok := arg.Str(); !ok {
				add("ref.invalid", "Ref takes the name of a parameter or resource")
			} else if msg := t.refProblem(name, resID); msg != "" {
				add("ref.unknown-target", msg)
			}
		case key == "Fn::GetAtt":
			if rule, msg := t.getAttProblem(arg, resID); msg != "" {
				add(rule, msg)
			}
		case key == "Fn::Sub":
			for _, msg := range t.subProblems(arg, resID) {
				add("sub.unknown-variable", msg)
			}
		case key == "Fn::If":
			if arg.Kind == cfnyaml.List && len(arg.Items) > 0 {
				out = append(out, t.checkConditionName(resID, arg.Items[0], path, line)...)
			}
		case strings.HasPrefix(key, "Fn::") && !slices.Contains(knownFunctions, key):
			add("template.unknown-function", fmt.Sprintf("%s is not a CloudFormation intrinsic function", key))
		}
	})
	return out
}

func (t *Template) refProblem(name, from string) string {
	if pseudoParameters[name] || t.Parameters[name] != nil {
		return ""
	}
	if t.byID[name] != nil {
		if name == from {
			return fmt.Sprintf("Ref %s refers to the resource itself (a circular dependency)", name)
		}
		return ""
	}
	if strings.HasPrefix(name, "AWS::") {
		return fmt.Sprintf("Ref %s: no such pseudo parameter", name)
	}
	return fmt.Sprintf("Ref %s: no parameter or resource with that name", name)
}

func (t *Template) getAttProblem(arg *cfnyaml.Node, from string) (rule, msg string) {
	res, attr, ok := getAttArgs(arg)
	if !ok {
		if arg.Kind == cfnyaml.List && len(arg.Items) == 2 {
			return "", "" // attribute given by an intrinsic: cannot check
		}
		return "getatt.invalid", "Fn::GetAtt takes [LogicalId, AttributeName] or LogicalId.AttributeName"
	}
	r := t.byID[res]
	if r == nil {
		return "getatt.unknown-resource", fmt.Sprintf("Fn::GetAtt %s.%s: no resource %s", res, attr, res)
	}
	if res == from {
		return "getatt.unknown-resource", fmt.Sprintf("Fn::GetAtt %s.%s refers to the resource itself", res, attr)
	}
	return t.attributeProblem(r, attr)
}

func (t *Template) attributeProblem(r *Resource, attr string) (rule, msg string) {
	if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource" {
		return "", ""
	}
	s, ok := schemas.Lookup(r.Type)
	if !ok {
		return "", ""
	}
	attrs, err := s.Attributes()
	if err != nil || slices.Contains(attrs, attr) {
		return "", ""
	}
	// Older resource types also return some configurable properties
	// (SNS TopicName, EC2 Subnet VpcId); the registry schema does not say
	// which, so a property name is given the benefit of the doubt.
	if first, _, _ := strings.Cut(attr, "."); s.HasProperty(first) {
		return "", ""
	}
	if len(attrs) == 0 {
		return "getatt.unknown-attribute", fmt.Sprintf("Fn::GetAtt %s.%s: %s has no attributes (use Ref)", r.ID, attr, r.Type)
	}
	return "getatt.unknown-attribute", fmt.Sprintf("Fn::GetAtt %s.%s: %s has no attribute %s (it has %s)", r.ID, attr, r.Type, attr, strings.Join(attrs, ", "))
}

func (t *Template) subProblems(arg *cfnyaml.Node, from string) []string {
	text, vars, ok := subArgs(arg)
	if !ok {
		return nil
	}
	var out []string
	for _, m := range subVarRE.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if strings.HasPrefix(name, "!") || vars.Get(name) != nil {
			continue
		}
		if res, attr, dotted := strings.Cut(name, "."); dotted {
			r := t.byID[res]
			if r == nil {
				out = append(out, fmt.Sprintf("Fn::Sub variable ${%s}: no resource %s", name, res))
			} else if _, msg := t.attributeProblem(r, attr); msg != "" {
				out = append(out, "Fn::Sub variable ${"+name+"}: "+strings.TrimPrefix(msg, "Fn::GetAtt "+res+"."+attr+": "))
			}
			continue
		}
		if msg := t.refProblem(name, from); msg != "" {
			out = append(out, "Fn::Sub variable ${"+name+"}: "+strings.TrimPrefix(msg, "Ref "+name+": "))
		}
	}
	return out
}

func (t *Template) checkConditionName(resID string, n *cfnyaml.Node, path string, line int) []Finding {
	name, ok := n.Str()
	if !ok || t.Conditions[name] != nil {
		return nil
	}
	return []Finding{{File: t.File, Line: line, Resource: resID, Path: path, Rule: "condition.unknown", Severity: SeverityError,
		Message: fmt.Sprintf("condition %s is not defined in Conditions", name)}}
}

func (t *Template) checkDependsOn(r *Resource) []Finding {
	e := r.Node.Entry("DependsOn")
	if e == nil {
		return nil
	}
	var names []*cfnyaml.Node
	if e.Value.Kind == cfnyaml.List {
		names = e.Value.Items
	} else {
		names = []*cfnyaml.Node{e.Value}
	}
	var out []Finding
	for _, n := range names {
		name, _ := n.Str()
		if t.byID[name] == nil || name == r.ID {
			out = append(out, Finding{File: t.File, Line: n.Line, Resource: r.ID, Path: "DependsOn", Rule: "ref.unknown-dependency",
				Severity: SeverityError, Message: fmt.Sprintf("DependsOn %q: no other resource with that name", name)})
		}
	}
	return out
}
