package templates

import (
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// glueTable is an AWS::Glue::Table as far as it could be resolved.
type glueTable struct {
	res        *Resource
	name       string
	params     map[string]string
	paramLines map[string]int
	partitions []column
	columns    []column
	serde      map[string]string
	template   string // storage.location.template, "" when absent or unresolved
	bucket     string // bucket of the template (or the Location)
	key        string // key part of the template (or the Location)
}

type column struct {
	name, typ string
	line      int
}

func (g *glueTable) projection() bool {
	return strings.EqualFold(strings.TrimSpace(g.params["projection.enabled"]), "true")
}

func (g *glueTable) prop(name string) string { return g.params["projection."+name] }

func (g *glueTable) paramLine(key string) int {
	if l, ok := g.paramLines[key]; ok {
		return l
	}
	return g.res.PropLine("TableInput", "Parameters")
}

// tables reads every Glue table.
func (t *Template) tables() []*glueTable {
	var out []*glueTable
	for _, r := range t.OfType("AWS::Glue::Table") {
		in := r.Prop("TableInput")
		g := &glueTable{res: r, params: map[string]string{}, paramLines: map[string]int{}, serde: map[string]string{}}
		g.name, _ = t.eval(in.Get("Name"))
		g.name = strings.ToLower(g.name)
		for _, e := range entriesOf(in.Get("Parameters")) {
			if v, ok := t.eval(e.Value); ok {
				g.params[e.Key] = v
			}
			g.paramLines[e.Key] = e.Line
		}
		g.partitions = t.columns(in.Get("PartitionKeys"))
		g.columns = t.columns(in.Path("StorageDescriptor", "Columns"))
		for _, e := range entriesOf(in.Path("StorageDescriptor", "SerdeInfo", "Parameters")) {
			if v, ok := t.eval(e.Value); ok {
				g.serde[e.Key] = v
			}
		}
		loc := g.params["storage.location.template"]
		if loc != "" {
			g.template = loc
		} else {
			loc, _ = t.eval(in.Path("StorageDescriptor", "Location"))
		}
		g.bucket, g.key, _ = splitS3URL(loc)
		out = append(out, g)
	}
	return out
}

func (t *Template) columns(n *cfnyaml.Node) []column {
	var out []column
	for _, c := range nodeList(n) {
		name, _ := t.eval(c.Get("Name"))
		typ, _ := t.eval(c.Get("Type"))
		out = append(out, column{name: strings.ToLower(name), typ: typ, line: c.Line})
	}
	return out
}

// segment is a piece of a prefix or location template: literal text or an
// expression (a prefix expression, or a template's ${column}).
type segment struct {
	lit    string
	isExpr bool
	ns     string // prefix namespace: timestamp, partitionKeyFromQuery, firehose
	value  string // pattern, key or firehose value; column name for templates
}

// prefixSegments splits an (effective) Firehose prefix.
func prefixSegments(raw string) ([]segment, bool) {
	p, err := parsePrefix(raw)
	if err != nil {
		return nil, false
	}
	var out []segment
	for _, part := range p.Parts() {
		if part.IsExpression() {
			out = append(out, segment{isExpr: true, ns: part.Namespace, value: part.Value})
			continue
		}
		out = appendLit(out, part.Literal)
	}
	return out, true
}

// templateSegments splits the key part of a storage.location.template.
func templateSegments(key string) []segment {
	var out []segment
	for key != "" {
		i := strings.Index(key, "${")
		if i < 0 {
			return appendLit(out, key)
		}
		end := strings.IndexByte(key[i:], '}')
		if end < 0 {
			return appendLit(out, key)
		}
		out = appendLit(out, key[:i])
		out = append(out, segment{isExpr: true, value: strings.ToLower(key[i+2 : i+end])})
		key = key[i+end+1:]
	}
	return out
}

func appendLit(s []segment, lit string) []segment {
	if lit == "" {
		return s
	}
	if n := len(s); n > 0 && !s[n-1].isExpr {
		s[n-1].lit += lit
		return s
	}
	return append(s, segment{lit: lit})
}

// lead is the literal text before the first expression.
func lead(segs []segment) string {
	if len(segs) > 0 && !segs[0].isExpr {
		return segs[0].lit
	}
	return ""
}

// align pairs the expressions of a prefix with the ${columns} of a
// template. ok is false when the literal structure differs.
func align(pfx, tmpl []segment) (pairs [][2]segment, ok bool) {
	if len(pfx) != len(tmpl) {
		return nil, false
	}
	for i := range pfx {
		if pfx[i].isExpr != tmpl[i].isExpr {
			return nil, false
		}
		if !pfx[i].isExpr {
			if pfx[i].lit != tmpl[i].lit {
				return nil, false
			}
			continue
		}
		pairs = append(pairs, [2]segment{pfx[i], tmpl[i]})
	}
	return pairs, true
}

// expectedTemplate renders the template a prefix calls for, naming each
// expression after the table's partition column in the same position when
// there is one.
func expectedTemplate(bucket string, pfx []segment, cols []column) string {
	var b strings.Builder
	b.WriteString("s3://" + bucket + "/")
	n := 0
	for _, s := range pfx {
		if !s.isExpr {
			b.WriteString(s.lit)
			continue
		}
		name := s.value
		if n < len(cols) {
			name = cols[n].name
		}
		n++
		b.WriteString("${" + name + "}")
	}
	return b.String()
}
