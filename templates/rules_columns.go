package templates

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sesctl/sesctl/schema"
)

// sesTags are the tags SES adds by itself (SES developer guide, event
// publishing auto-tags, plus ones seen in real events).
var sesTags = []string{
	"ses:configuration-set", "ses:caller-identity", "ses:from-domain", "ses:source-ip", "ses:outgoing-ip",
	"ses:operation", "ses:source-tls-version", "ses:outgoing-tls-version", "ses:recipient-isp", "ses:sender-identity",
}

// knownJSONKeys lists every JSON key of an SES event plus the SES tags.
func knownJSONKeys() []string {
	seen := map[string]bool{}
	schema.Walk(eventColumns(), func(_ string, f schema.Field) { seen[f.JSONKey] = true })
	for _, t := range sesTags {
		seen[t] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkSerdeMappings flags mapping.* SerDe properties that point at a JSON
// key no SES event has but that is a near miss of one (a typo makes the
// column NULL in every row).
func (t *Template) checkSerdeMappings(f *findings, g *glueTable) {
	known := knownJSONKeys()
	var keys []string
	for k := range g.serde {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		col, ok := strings.CutPrefix(k, "mapping.")
		target := g.serde[k]
		if !ok || containsString(known, target) {
			continue
		}
		s := suggest(target, known)
		if s == "" && !strings.HasPrefix(target, "ses:") {
			continue // a custom tag or field: cannot judge
		}
		msg := fmt.Sprintf("%s maps column %s to JSON key %q, which no SES event carries, so the column is NULL in every row", k, col, target)
		if s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		f.add(SeverityError, g.res.PropLine("TableInput", "StorageDescriptor", "SerdeInfo", "Parameters", k),
			"Properties.TableInput.StorageDescriptor.SerdeInfo.Parameters."+k, "glue.serde-mapping", "%s", msg)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkColumnTypes compares declared column types with the SES event
// model where both describe the same JSON key: an array declared as a
// scalar, or a scalar declared as a struct, fails or reads wrong.
func (t *Template) checkColumnTypes(f *findings, g *glueTable) {
	expected := map[string]schema.Field{}
	for _, c := range eventColumns() {
		expected[strings.ToLower(c.JSONKey)] = c
	}
	for i, c := range g.columns {
		want, ok := expected[strings.ToLower(g.jsonKey(c.name))]
		if !ok {
			continue
		}
		got, err := parseHiveType(c.typ)
		if err != nil {
			f.add(SeverityError, c.line, fmt.Sprintf("Properties.TableInput.StorageDescriptor.Columns[%d].Type", i), "glue.column-type", "%v", err)
			continue
		}
		cmp := &typeCompare{g: g}
		cmp.compare(c.name, got, want.Type)
		for _, m := range cmp.grouped() {
			f.add(SeverityError, c.line, fmt.Sprintf("Properties.TableInput.StorageDescriptor.Columns[%d].Type", i), "glue.column-type", "%s", m)
		}
	}
}

// jsonKey is the JSON key a column or struct field reads: its mapping.*
// property or its own name (the OpenX SerDe matches case-insensitively).
func (g *glueTable) jsonKey(name string) string {
	if k, ok := g.serde["mapping."+strings.ToLower(name)]; ok {
		return k
	}
	return name
}

type typeCompare struct {
	g *glueTable
	// problems grouped by parent path and message kind
	groups map[string][]string
	order  []string
}

func (c *typeCompare) add(parent, kind, field string) {
	if c.groups == nil {
		c.groups = map[string][]string{}
	}
	key := parent + "\x00" + kind
	if _, ok := c.groups[key]; !ok {
		c.order = append(c.order, key)
	}
	c.groups[key] = append(c.groups[key], field)
}

func (c *typeCompare) grouped() []string {
	var out []string
	for _, key := range c.order {
		parent, kind, _ := strings.Cut(key, "\x00")
		fields := c.groups[key]
		noun := "field " + fields[0] + " is"
		if len(fields) > 1 {
			noun = "fields " + strings.Join(fields, ", ") + " are"
		}
		out = append(out, fmt.Sprintf("%s: %s %s", parent, noun, kind))
	}
	return out
}

func (c *typeCompare) compare(path string, got *hiveType, want schema.Type) {
	parent, field := splitLast(path)
	switch want.Kind {
	case schema.Array:
		if got.Kind == "array" {
			c.compare(path+"[]", got.Elem, *want.Elem)
		} else if got.Kind != "string" || want.Elem.Kind != schema.String {
			c.add(parent, fmt.Sprintf("declared %s but SES sends an array (%s)", got.Kind, want.Hive()), field)
		} else {
			c.add(parent, "declared string but SES sends arrays of strings; declare array<string>", field)
		}
	case schema.Map:
		switch got.Kind {
		case "map":
			c.compare(path+"{}", got.Elem, *want.Elem)
		case "struct":
			for _, sf := range got.Fields {
				c.compare(path+"."+sf.Name, sf.Type, *want.Elem)
			}
		}
	case schema.Struct:
		if got.Kind != "struct" {
			if got.complex() {
				c.add(parent, fmt.Sprintf("declared %s but SES sends an object", got.Kind), field)
			}
			return
		}
		for _, sf := range got.Fields {
			if wf, ok := fieldByJSONKey(want, c.g.jsonKey(sf.Name)); ok {
				c.compare(path+"."+sf.Name, sf.Type, wf.Type)
			}
		}
	default:
		if got.complex() {
			c.add(parent, fmt.Sprintf("declared %s but SES sends a %s", got.Kind, want.Kind), field)
		}
	}
}

func fieldByJSONKey(t schema.Type, key string) (schema.Field, bool) {
	for _, f := range t.Fields {
		if strings.EqualFold(f.JSONKey, key) {
			return f, true
		}
	}
	return schema.Field{}, false
}

func splitLast(path string) (parent, last string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return path, path
	}
	return path[:i], path[i+1:]
}
