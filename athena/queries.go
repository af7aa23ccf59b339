package athena

import (
	"fmt"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/sesctl/sesctl/pipeline"
)

// Engines a canned query renders for.
const (
	EngineAthena = "athena" // Amazon Athena engine v3 (Trino)
	EngineDuckDB = "duckdb" // the embedded local engine
)

// Params select what a canned query reads.
type Params struct {
	// From and To are calendar days, both included. Only their dates
	// count, read in the spec's time zone (UTC unless the stream sets
	// CustomTimeZone).
	From, To time.Time
	// Identities restrict the sending identities; empty means all that
	// exist (listed from the lake or the bucket).
	Identities []string
	// Limit caps the rows returned; 0 means no limit.
	Limit int
}

// QueryColumn documents one output column of a canned query.
type QueryColumn struct{ Name, Doc string }

// CannedQuery is one query definition, rendered per engine.
type CannedQuery struct {
	Name        string
	Description string
	// EventTypes are the event types (and so the partitions) it reads.
	EventTypes []string
	Columns    []QueryColumn
	// Dedupe says what identifies one event, so duplicates delivered by
	// Firehose (at least once) are counted once.
	Dedupe string
	// timeExpr is the event's own timestamp over alias e; it filters days
	// when the prefix has no timestamp partition.
	timeExpr string
	body     *template.Template
}

// Queries returns the canned queries in display order.
func Queries() []*CannedQuery { return append([]*CannedQuery(nil), canned...) }

// Lookup finds a canned query by name.
func Lookup(name string) (*CannedQuery, bool) {
	for _, q := range canned {
		if q.Name == name {
			return q, true
		}
	}
	return nil, false
}

// QueryNames lists the canned query names.
func QueryNames() []string {
	out := make([]string, len(canned))
	for i, q := range canned {
		out[i] = q.Name
	}
	return out
}

// ColumnNames returns the output column names.
func (q *CannedQuery) ColumnNames() []string {
	out := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		out[i] = c.Name
	}
	return out
}

// Source is what a query is rendered against: the table (or the local
// engine's views), the lake layout, and literal values for the injected
// partition columns.
type Source struct {
	Engine string
	// Table returns the SQL relation holding events of one type. Athena
	// has one table; the local engine has a view per event type so each
	// part of a query reads only its own partitions.
	Table  func(eventType string) string
	Layout *Layout
	// Values holds the literal values of each injected partition column
	// (by column name); Athena requires them in the WHERE clause.
	Values map[string][]string
	// TimeValues are the time partition values the days cover.
	TimeValues []string
}

// SQL renders the query for src.Engine with p.
func (q *CannedQuery) SQL(src Source, p Params) (string, error) {
	if src.Engine != EngineAthena && src.Engine != EngineDuckDB {
		return "", fmt.Errorf("unknown engine %q", src.Engine)
	}
	r := &renderer{q: q, src: src, p: p}
	var b strings.Builder
	t, err := q.body.Clone()
	if err != nil {
		return "", err
	}
	if err := t.Funcs(r.funcs()).Execute(&b, r); err != nil {
		return "", fmt.Errorf("render query %s: %w", q.Name, err)
	}
	sql := strings.TrimSpace(b.String())
	if p.Limit > 0 {
		sql += fmt.Sprintf("\nLIMIT %d", p.Limit)
	}
	return sql, nil
}

type renderer struct {
	q   *CannedQuery
	src Source
	p   Params
}

func (r *renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"table":    r.table,
		"where":    r.where,
		"unnest":   r.unnest,
		"tag":      r.tag,
		"join":     r.join,
		"identity": r.identity,
		"day":      r.day,
	}
}

func (r *renderer) table(eventType string) string { return r.src.Table(eventType) + " e" }

// where renders the WHERE conditions that pin every partition column and
// the event type; eventTypes is a comma-separated list.
func (r *renderer) where(eventTypes string) (string, error) {
	types := strings.Split(eventTypes, ",")
	var conds []string
	timeFiltered := false
	for _, c := range r.src.Layout.Columns() {
		col := "e." + quoteIdent(c.Name)
		switch c.Role {
		case RoleEventType:
			conds = append(conds, inList(col, types))
		case RoleTime:
			conds = append(conds, inList(col, r.src.TimeValues))
			timeFiltered = true
		case RoleIdentity, RoleInjected:
			vals := r.src.Values[c.Name]
			if len(vals) == 0 {
				return "", fmt.Errorf("no values for the injected partition column %q", c.Name)
			}
			conds = append(conds, inList(col, vals))
		}
	}
	conds = append(conds, inList("e.eventtype", types))
	if !timeFiltered {
		conds = append(conds, fmt.Sprintf("substr(%s, 1, 10) BETWEEN %s AND %s",
			r.q.timeExpr, quoteString(r.p.From.Format(time.DateOnly)), quoteString(r.p.To.Format(time.DateOnly))))
	}
	return strings.Join(conds, "\n    AND "), nil
}

// unnest expands an array column into rows named alias. For arrays of
// structs Athena (Trino) turns each struct field into a column, so the
// alias becomes the relation and alias.field the column; DuckDB keeps the
// struct as one column named alias, so alias.field is a field access.
// Either way the query reads alias.field.
func (r *renderer) unnest(path, alias string) (string, error) {
	elem, err := arrayElem(path)
	if err != nil {
		return "", err
	}
	if r.src.Engine == EngineDuckDB || len(elem) == 0 {
		return fmt.Sprintf("CROSS JOIN UNNEST(e.%s) AS u_%s(%s)", path, alias, alias), nil
	}
	return fmt.Sprintf("CROSS JOIN UNNEST(e.%s) AS %s(%s)", path, alias, strings.Join(elem, ", ")), nil
}

// tag returns the first value of a tag: map<string,array<string>>.
func (r *renderer) tag(mapExpr, key string) string {
	if r.src.Engine == EngineDuckDB {
		return fmt.Sprintf("%s[%s][1]", mapExpr, quoteString(key))
	}
	return fmt.Sprintf("element_at(element_at(%s, %s), 1)", mapExpr, quoteString(key))
}

// join joins an array of strings with ", ".
func (r *renderer) join(expr string) string {
	if r.src.Engine == EngineDuckDB {
		return fmt.Sprintf("array_to_string(%s, ', ')", expr)
	}
	return fmt.Sprintf("array_join(%s, ', ')", expr)
}

// identity is the sending identity of event e: its partition column, or
// the domain of mail.source when the prefix has none.
func (r *renderer) identity() string {
	if c := r.src.Layout.Identity(); c != nil {
		return "e." + quoteIdent(c.Name)
	}
	return `lower(regexp_replace(regexp_extract(e.mail.source, '[^@]*$'), '>$', ''))`
}

// day is the yyyy-MM-dd day of event e's partition (the day it was
// delivered to the lake), or of its own timestamp when the prefix has no
// timestamp partition.
func (r *renderer) day() (string, error) {
	c := r.src.Layout.Time()
	if c == nil {
		return fmt.Sprintf("substr(%s, 1, 10)", r.q.timeExpr), nil
	}
	y, m, d, ok := dateOffsets(c)
	if !ok {
		return "", fmt.Errorf("query %s needs the day, but the timestamp pattern %q has no fixed-width yyyy, MM and dd", r.q.Name, c.Time.Pattern())
	}
	col := "e." + quoteIdent(c.Name)
	return fmt.Sprintf("substr(%s, %d, 4) || '-' || substr(%s, %d, 2) || '-' || substr(%s, %d, 2)", col, y+1, col, m+1, col, d+1), nil
}

// dateOffsets finds where year, month and day sit in values of a time
// column whose format has fixed width.
func dateOffsets(c *layoutColumn) (y, m, d int, ok bool) {
	refs := []time.Time{
		time.Date(1987, 11, 29, 13, 46, 58, 0, time.UTC),
		time.Date(2034, 10, 28, 14, 47, 59, 0, time.UTC),
		time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var s []string
	for _, t := range refs {
		s = append(s, c.Time.Format(t))
		if len(s[len(s)-1]) != len(s[0]) {
			return 0, 0, 0, false
		}
	}
	find := func(width int, want ...string) int {
		for i := 0; i+width <= len(s[0]); i++ {
			hit := true
			for k := range s {
				hit = hit && s[k][i:i+width] == want[k]
			}
			if hit {
				return i
			}
		}
		return -1
	}
	y, m, d = find(4, "1987", "2034", "2001"), find(2, "11", "10", "01"), find(2, "29", "28", "01")
	return y, m, d, y >= 0 && m >= 0 && d >= 0
}

func inList(col string, vals []string) string {
	if len(vals) == 1 {
		return col + " = " + quoteString(vals[0])
	}
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quoteString(v)
	}
	return col + " IN (" + strings.Join(q, ", ") + ")"
}

// quoteString renders a SQL string literal (both engines double quotes).
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent renders a SQL identifier in double quotes.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sortedUnique returns vals sorted without duplicates.
func sortedUnique(vals []string) []string {
	out := append([]string(nil), vals...)
	sort.Strings(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// Render renders q for engine without touching a lake or a bucket: the
// Athena table is database.table, the local engine's views get their usual
// names, and injected partition columns without values in p get the
// placeholder <column>. It is what sesctl athena queries NAME prints.
func Render(q *CannedQuery, engine string, spec pipeline.Spec, database, table string, p Params) (string, error) {
	layout, err := ParseLayout(spec.Prefix, spec.Query, false)
	if err != nil {
		return "", err
	}
	loc, err := spec.Location()
	if err != nil {
		return "", err
	}
	fixed, timeVals, err := fixedValues(layout, q.EventTypes, p, loc)
	if err != nil {
		return "", err
	}
	values := map[string][]string{}
	for _, c := range layout.Columns() {
		if c.Role == RoleIdentity || c.Role == RoleInjected {
			values[c.Name] = fixed[c.Name]
			if values[c.Name] == nil {
				values[c.Name] = []string{"<" + c.Name + ">"}
			}
		}
	}
	if database == "" {
		database = DefaultDatabase
	}
	if table == "" {
		table = DefaultTable
	}
	src := Source{Engine: engine, Layout: layout, Values: values, TimeValues: timeVals}
	switch engine {
	case EngineAthena:
		name := quoteIdent(strings.ToLower(database)) + "." + quoteIdent(strings.ToLower(table))
		src.Table = func(string) string { return name }
	case EngineDuckDB:
		src.Table = func(t string) string { return quoteIdent(viewName(DefaultTable, t)) }
	}
	return q.SQL(src, p)
}
