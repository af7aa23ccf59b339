package templates

import (
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// statement is one IAM policy statement with where it came from.
type statement struct {
	Node      *cfnyaml.Node
	Effect    string
	Actions   []string // lower-cased; "" entries for intrinsic values
	Resources []*cfnyaml.Node
	NotAction bool
	Path      string // property path of the statement
}

// policy is a policy document attached to a role.
type policy struct {
	Source *Resource // the resource holding the document
	Path   string    // property path of the document
	Doc    *cfnyaml.Node
}

// statements lists a policy document's statements.
func statements(doc *cfnyaml.Node, base string) []statement {
	st := doc.Get("Statement")
	var list []*cfnyaml.Node
	switch {
	case st == nil:
	case st.Kind == cfnyaml.List:
		list = st.Items
	default:
		list = []*cfnyaml.Node{st}
	}
	out := make([]statement, 0, len(list))
	for i, s := range list {
		path := base + ".Statement"
		if st.Kind == cfnyaml.List {
			path += "[" + itoa(i) + "]"
		}
		effect, _ := s.Get("Effect").Str()
		actions, notAction := s.Get("Action"), false
		if actions == nil {
			actions, notAction = s.Get("NotAction"), true
		}
		out = append(out, statement{Node: s, Effect: effect, Actions: lowerStrings(scalarList(actions)),
			Resources: nodeList(s.Get("Resource")), NotAction: notAction, Path: path})
	}
	return out
}

func nodeList(n *cfnyaml.Node) []*cfnyaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == cfnyaml.List {
		return n.Items
	}
	return []*cfnyaml.Node{n}
}

// scalarList reads a string or a list of strings; intrinsic items give "".
func scalarList(n *cfnyaml.Node) []string {
	var out []string
	for _, it := range nodeList(n) {
		s, _ := it.Str()
		out = append(out, s)
	}
	return out
}

func lowerStrings(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// rolePolicies returns the identity policies attached to each role: inline
// Policies, and AWS::IAM::Policy, ManagedPolicy and RolePolicy resources
// naming the role.
func rolePolicies(t *Template) map[string][]policy {
	out := map[string][]policy{}
	for _, r := range t.OfType("AWS::IAM::Role") {
		for i, p := range nodeList(r.Prop("Policies")) {
			out[r.ID] = append(out[r.ID], policy{Source: r, Path: "Properties.Policies[" + itoa(i) + "].PolicyDocument", Doc: p.Get("PolicyDocument")})
		}
	}
	for _, r := range t.Resources {
		var roles []*cfnyaml.Node
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			roles = nodeList(r.Prop("Roles"))
		case "AWS::IAM::RolePolicy":
			roles = nodeList(r.Prop("RoleName"))
		default:
			continue
		}
		for _, role := range roles {
			id := refTarget(role)
			if t.Resource(id) == nil {
				continue
			}
			out[id] = append(out[id], policy{Source: r, Path: "Properties.PolicyDocument", Doc: r.Prop("PolicyDocument")})
		}
	}
	return out
}

// refTarget returns X for {Ref: X} (or "" when n is something else).
func refTarget(n *cfnyaml.Node) string {
	fn, arg, ok := n.Intrinsic()
	if !ok || fn != "Ref" {
		return ""
	}
	s, _ := arg.Str()
	return s
}

// getAttTarget returns X for {Fn::GetAtt: [X, attr]}.
func getAttTarget(n *cfnyaml.Node, attr string) string {
	fn, arg, ok := n.Intrinsic()
	if !ok || fn != "Fn::GetAtt" {
		return ""
	}
	res, a, ok := getAttArgs(arg)
	if !ok || a != attr {
		return ""
	}
	return res
}

// trustedServices lists the service principals a role's trust policy
// allows to assume it.
func trustedServices(role *Resource) []string {
	var out []string
	for _, st := range statements(role.Prop("AssumeRolePolicyDocument"), "Properties.AssumeRolePolicyDocument") {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		for _, svc := range scalarList(st.Node.Path("Principal", "Service")) {
			out = append(out, strings.ToLower(svc))
		}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
