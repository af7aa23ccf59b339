package templates

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/templates/schemas"
)

var resourceKeys = []string{"Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
	"Metadata", "CreationPolicy", "UpdatePolicy"}

// ruleSchema checks every resource's properties against its registry
// schema; types sesctl carries no schema for are reported as info.
func ruleSchema(t *Template) []Finding {
	var out []Finding
	for _, r := range t.Resources {
		out = append(out, t.resourceKeys(r)...)
		s, ok := schemas.Lookup(r.Type)
		if !ok {
			out = append(out, Finding{File: t.File, Line: r.Line, Resource: r.ID, Rule: "schema.unknown-type", Severity: SeverityInfo,
				Message: fmt.Sprintf("sesctl carries no schema for %s; its properties were not checked", r.Type)})
			continue
		}
		vs, err := s.ValidateNode(r.Props)
		if err != nil {
			out = append(out, Finding{File: t.File, Line: r.Line, Resource: r.ID, Rule: "schema.internal", Severity: SeverityError, Message: err.Error()})
			continue
		}
		for _, v := range vs {
			out = append(out, Finding{File: t.File, Line: v.Line, Resource: r.ID, Path: propPath(v.Path), Rule: v.Rule,
				Severity: SeverityError, Message: v.Message})
		}
		out = append(out, t.readOnlyProps(r, s)...)
	}
	return out
}

func (t *Template) resourceKeys(r *Resource) []Finding {
	var out []Finding
	for _, e := range r.Node.Entries {
		if !slices.Contains(resourceKeys, e.Key) {
			out = append(out, Finding{File: t.File, Line: e.Line, Resource: r.ID, Path: e.Key, Rule: "template.resource-attribute",
				Severity: SeverityError, Message: fmt.Sprintf("%s is not a resource attribute (did you mean to put it under Properties?)", e.Key)})
		}
	}
	return out
}

func (t *Template) readOnlyProps(r *Resource, s *schemas.Schema) []Finding {
	attrs, err := s.Attributes()
	if err != nil {
		return nil
	}
	var out []Finding
	for _, e := range entriesOf(r.Props) {
		if slices.Contains(attrs, e.Key) && !s.HasProperty(e.Key) {
			continue // additionalProperties already reported it
		}
		if slices.Contains(attrs, e.Key) {
			out = append(out, Finding{File: t.File, Line: e.Line, Resource: r.ID, Path: "Properties." + e.Key, Rule: "schema.read-only-property",
				Severity: SeverityError, Message: fmt.Sprintf("%s is read-only (an attribute CloudFormation returns); read it with Fn::GetAtt", e.Key)})
		}
	}
	return out
}

// propPath renders ["A", "0", "B"] as Properties.A[0].B.
func propPath(path []string) string {
	var b strings.Builder
	b.WriteString("Properties")
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		b.WriteString("." + p)
	}
	return b.String()
}
