package templates

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// Severity of a finding. Errors are what CloudFormation, Firehose or Athena
// would refuse, or data that would be lost or invisible; warnings are
// security and robustness problems; info is what sesctl cannot check.
type Severity string

// Severities, most severe first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// AtLeast reports whether s is as severe as min.
func (s Severity) AtLeast(min Severity) bool { return s.rank() <= min.rank() }

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch Severity(strings.ToLower(s)) {
	case SeverityError, SeverityWarning, SeverityInfo:
		return Severity(strings.ToLower(s)), nil
	}
	return "", fmt.Errorf("severity %q: want error, warning or info", s)
}

// Finding is one problem in a template.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Resource string   `json:"resource,omitempty"` // logical id
	Path     string   `json:"path,omitempty"`     // property path, e.g. Properties.ExtendedS3DestinationConfiguration.Prefix
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	where := ""
	if f.Resource != "" {
		where = " " + f.Resource
		if f.Path != "" {
			where += "." + f.Path
		}
	}
	return fmt.Sprintf("%s: %s [%s]%s: %s", loc, f.Severity, f.Rule, where, f.Message)
}

// Template is a parsed CloudFormation template.
type Template struct {
	File       string
	Root       *cfnyaml.Node
	Resources  []*Resource
	byID       map[string]*Resource
	Parameters map[string]*cfnyaml.Node
	Conditions map[string]*cfnyaml.Node
	Mappings   *cfnyaml.Node
}

// Resource is one entry of Resources.
type Resource struct {
	ID    string
	Type  string
	Line  int
	Node  *cfnyaml.Node
	Props *cfnyaml.Node // nil when the resource has no Properties
}

// Resource returns the resource with a logical id, or nil.
func (t *Template) Resource(id string) *Resource { return t.byID[id] }

// OfType returns the resources of a type, in document order.
func (t *Template) OfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range t.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Prop returns a property below Properties.
func (r *Resource) Prop(path ...string) *cfnyaml.Node { return r.Props.Path(path...) }

// PropLine returns the line of the deepest existing key along path, so a
// missing property is reported where its parent is.
func (r *Resource) PropLine(path ...string) int {
	line := r.Line
	n := r.Props
	if e := r.Node.Entry("Properties"); e != nil {
		line = e.Line
	}
	for _, k := range path {
		e := n.Entry(k)
		if e == nil {
			return line
		}
		line, n = e.Line, e.Value
	}
	return line
}

// parseTemplate reads a template and reports structural problems.
func parseTemplate(file string, data []byte) (*Template, []Finding, error) {
	root, problems, err := cfnyaml.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	t := &Template{File: file, Root: root, byID: map[string]*Resource{},
		Parameters: map[string]*cfnyaml.Node{}, Conditions: map[string]*cfnyaml.Node{}, Mappings: root.Get("Mappings")}
	var out []Finding
	for _, p := range problems {
		sev := SeverityError
		if p.Rule == "template.yaml-alias" {
			// The CloudFormation API is reported not to accept aliases;
			// tools such as aws cloudformation package expand them first.
			sev = SeverityWarning
		}
		out = append(out, Finding{File: file, Line: p.Line, Rule: p.Rule, Severity: sev, Message: p.Msg})
	}
	for _, e := range entriesOf(root.Get("Parameters")) {
		t.Parameters[e.Key] = e.Value
	}
	for _, e := range entriesOf(root.Get("Conditions")) {
		t.Conditions[e.Key] = e.Value
	}
	res := root.Entry("Resources")
	if res == nil || res.Value.Kind != cfnyaml.Map || len(res.Value.Entries) == 0 {
		return nil, nil, fmt.Errorf("%s: not a CloudFormation template: no Resources section", file)
	}
	for _, e := range res.Value.Entries {
		out = append(out, t.addResource(e)...)
	}
	return t, out, nil
}

// entriesOf returns a Map's entries (nil for anything else).
func entriesOf(n *cfnyaml.Node) []cfnyaml.Entry {
	if n == nil || n.Kind != cfnyaml.Map {
		return nil
	}
	return n.Entries
}

func (t *Template) addResource(e cfnyaml.Entry) []Finding {
	r := &Resource{ID: e.Key, Line: e.Line, Node: e.Value}
	bad := func(msg string) []Finding {
		return []Finding{{File: t.File, Line: e.Line, Resource: e.Key, Rule: "template.resource", Severity: SeverityError, Message: msg}}
	}
	if e.Value.Kind != cfnyaml.Map {
		return bad("a resource must be a mapping with Type and Properties")
	}
	typ, ok := e.Value.Get("Type").Str()
	if !ok || typ == "" {
		return bad("the resource has no Type")
	}
	r.Type = typ
	r.Props = e.Value.Get("Properties")
	t.Resources = append(t.Resources, r)
	t.byID[r.ID] = r
	var out []Finding
	if r.Props != nil && r.Props.Kind != cfnyaml.Map {
		if _, _, isFn := r.Props.Intrinsic(); !isFn {
			out = append(out, bad("Properties must be a mapping")...)
		}
	}
	if !validLogicalID(r.ID) {
		out = append(out, bad(fmt.Sprintf("logical id %q must be alphanumeric (A-Za-z0-9)", r.ID))...)
	}
	return out
}

func validLogicalID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// sortFindings orders findings by file, line, then rule.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Rule < b.Rule
	})
}
