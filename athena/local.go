package athena

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/schema"
)

// ScanStats describe what the local engine read for the last query.
type ScanStats struct {
	Partitions int   // partition folders that held objects
	Files      int   // objects read
	Bytes      int64 // their size on disk
}

// LocalRunner runs queries with an embedded DuckDB over a lake folder
// written by sesctl replay. It reads only the partition folders a query
// needs, computed from the days, identities and event types, and passes
// DuckDB the exact list of objects: the lake is never globbed.
type LocalRunner struct {
	root   string
	spec   pipeline.Spec
	table  string
	layout *Layout
	loc    *time.Location
	db     *sql.DB
	lister DirLister

	// Progress receives a line per query with what was read; nil
	// discards it.
	Progress io.Writer
	// Now is the clock for the default scope of RunSQL (nil: time.Now).
	Now func() time.Time
	// SQLScope restricts what RunSQL exposes; nil means the projection
	// range (the last RetentionDays days, all identities, all event types).
	SQLScope *Params
	// Stats describe the last query.
	Stats ScanStats
}

// NewLocalRunner opens the lake folder lakeDir laid out by spec.
func NewLocalRunner(lakeDir string, spec pipeline.Spec) (*LocalRunner, error) {
	st, err := os.Stat(lakeDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("lake folder %s does not exist (write one with: sesctl replay EVENTS --out %s)", lakeDir, lakeDir)
	case err != nil:
		return nil, fmt.Errorf("lake folder: %w", err)
	case !st.IsDir():
		return nil, fmt.Errorf("lake folder %s is not a folder", lakeDir)
	}
	layout, err := ParseLayout(spec.Prefix, spec.Query, false)
	if err != nil {
		return nil, err
	}
	loc, err := spec.Location()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("start the local query engine: %w", err)
	}
	return &LocalRunner{root: lakeDir, spec: spec, table: DefaultTable, layout: layout, loc: loc, db: db,
		lister: DirLister{Root: lakeDir}, Progress: io.Discard, Now: time.Now}, nil
}

// Close releases the engine.
func (r *LocalRunner) Close() error { return r.db.Close() }

// TableName is the name RunSQL exposes the lake under (as in Athena).
func (r *LocalRunner) TableName() string { return r.table }

// Run runs a canned query over the partitions p selects.
func (r *LocalRunner) Run(ctx context.Context, q *CannedQuery, p Params) (*Result, error) {
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("local query engine: %w", err)
	}
	defer conn.Close()
	src, err := r.prepare(ctx, conn, q.EventTypes, p)
	if err != nil {
		return nil, err
	}
	sqlText, err := q.SQL(*src, p)
	if err != nil {
		return nil, err
	}
	return r.query(ctx, conn, sqlText)
}

// RunSQL runs ad-hoc SQL with the lake exposed as the table ses_events
// (its Athena name), holding the partitions of SQLScope.
func (r *LocalRunner) RunSQL(ctx context.Context, sqlText string) (*Result, error) {
	p := r.defaultScope()
	if r.SQLScope != nil {
		p = *r.SQLScope
	}
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("local query engine: %w", err)
	}
	defer conn.Close()
	if _, err := r.prepare(ctx, conn, schema.EventTypes, p); err != nil {
		return nil, err
	}
	return r.query(ctx, conn, sqlText)
}

func (r *LocalRunner) defaultScope() Params {
	now := r.Now().In(r.loc)
	return Params{From: now.AddDate(0, 0, -r.spec.RetentionDays), To: now}
}

// SQL renders q for the local engine the way Run would, without running
// it (the views it reads are created by Run).
func (r *LocalRunner) SQL(ctx context.Context, q *CannedQuery, p Params) (string, error) {
	src, _, err := r.source(ctx, q.EventTypes, p)
	if err != nil {
		return "", err
	}
	return q.SQL(*src, p)
}

// source works out the partitions of p and the Source a query renders
// against.
func (r *LocalRunner) source(ctx context.Context, eventTypes []string, p Params) (*Source, []partition, error) {
	fixed, timeVals, err := fixedValues(r.layout, eventTypes, p, r.loc)
	if err != nil {
		return nil, nil, err
	}
	parts, err := r.layout.enumerate(ctx, r.lister, fixed, false)
	if err != nil {
		return nil, nil, err
	}
	values := map[string][]string{}
	for _, c := range r.layout.Columns() {
		if c.Role == RoleIdentity || c.Role == RoleInjected {
			values[c.Name] = columnValues(parts, c.Name)
			if len(values[c.Name]) == 0 {
				// Nothing in the lake: keep the query valid; it reads no
				// partition and returns no rows.
				values[c.Name] = []string{""}
			}
		}
	}
	src := &Source{Engine: EngineDuckDB, Layout: r.layout, Values: values, TimeValues: timeVals,
		Table: func(t string) string { return quoteIdent(viewName(r.table, t)) }}
	return src, parts, nil
}

// fixedValues pins the columns a query determines: event types, days and,
// when given, identities.
func fixedValues(l *Layout, eventTypes []string, p Params, loc *time.Location) (map[string][]string, []string, error) {
	fixed := map[string][]string{}
	var timeVals []string
	for _, c := range l.Columns() {
		switch c.Role {
		case RoleEventType:
			fixed[c.Name] = eventTypes
		case RoleTime:
			vals, err := timeValues(c, p.From, p.To, loc)
			if err != nil {
				return nil, nil, err
			}
			fixed[c.Name], timeVals = vals, vals
		case RoleIdentity:
			if len(p.Identities) > 0 {
				fixed[c.Name] = sortedUnique(p.Identities)
			}
		}
	}
	if len(p.Identities) > 0 && l.Identity() == nil {
		return nil, nil, fmt.Errorf("the prefix %q has no identity partition key, so identities cannot be selected", l.raw)
	}
	return fixed, timeVals, nil
}

func columnValues(parts []partition, name string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p.values[name])
	}
	return sortedUnique(out)
}

// prepare creates one view per event type over that type's partitions, and
// the view named like the Athena table over all of them.
func (r *LocalRunner) prepare(ctx context.Context, conn *sql.Conn, eventTypes []string, p Params) (*Source, error) {
	src, parts, err := r.source(ctx, eventTypes, p)
	if err != nil {
		return nil, err
	}
	byType := map[string][]partitionFiles{}
	r.Stats = ScanStats{}
	for _, part := range parts {
		files, err := r.lister.Files(part.prefix)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		r.Stats.Partitions++
		r.Stats.Files += len(files)
		for _, f := range files {
			r.Stats.Bytes += f.Size
		}
		t := part.values[eventTypeColumn(r.layout)] // "" without an event-type column
		byType[t] = append(byType[t], partitionFiles{partition: part, files: files})
	}
	fmt.Fprintf(r.Progress, "local engine: read %d objects (%s) from %d partitions under %s\n",
		r.Stats.Files, FormatBytes(r.Stats.Bytes), r.Stats.Partitions, r.root)
	var all []string
	for _, t := range eventTypes {
		pf := byType[t]
		if eventTypeColumn(r.layout) == "" {
			pf = byType[""] // one set of partitions holds every type
		}
		view := viewName(r.table, t)
		if err := r.createView(ctx, conn, view, pf); err != nil {
			return nil, err
		}
		all = append(all, "SELECT * FROM "+quoteIdent(view))
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS %s", quoteIdent(r.table), strings.Join(all, "\nUNION ALL\n"))); err != nil {
		return nil, fmt.Errorf("local query engine: %w", err)
	}
	return src, nil
}

func eventTypeColumn(l *Layout) string {
	if c := l.EventType(); c != nil {
		return c.Name
	}
	return ""
}

// viewName is the local view holding events of one type.
func viewName(table, eventType string) string {
	return table + "__" + strings.ToLower(strings.ReplaceAll(eventType, " ", "_"))
}

type partitionFiles struct {
	partition
	files []LocalFile
}

func (r *LocalRunner) createView(ctx context.Context, conn *sql.Conn, name string, pf []partitionFiles) error {
	body := viewSQL(r.layout, pf)
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS\n%s", quoteIdent(name), body)); err != nil {
		return fmt.Errorf("local query engine: view %s: %w", name, err)
	}
	return nil
}

// viewSQL selects the table's columns (cast to the Athena names and
// types) plus the partition columns from the given objects. JSON objects
// are read with the schema's exact JSON keys, so a missing field is NULL
// and nothing is inferred; Parquet objects are matched by column name.
func viewSQL(l *Layout, pf []partitionFiles) string {
	var jsonFiles, parquetFiles []string
	var valueRows []string
	for _, p := range pf {
		for _, f := range p.files {
			if strings.HasSuffix(f.Path, ".parquet") {
				parquetFiles = append(parquetFiles, quoteString(f.Path))
			} else {
				jsonFiles = append(jsonFiles, quoteString(f.Path))
			}
			row := []string{quoteString(f.Path)}
			for _, c := range l.Columns() {
				row = append(row, quoteString(p.values[c.Name]))
			}
			valueRows = append(valueRows, "("+strings.Join(row, ", ")+")")
		}
	}
	partCols := []string{"filename"}
	for _, c := range l.Columns() {
		partCols = append(partCols, quoteIdent(c.Name))
	}
	var rels []string
	if len(jsonFiles) > 0 {
		rels = append(rels, fmt.Sprintf("SELECT %s, j.filename FROM read_json([%s], format = 'newline_delimited', columns = %s, filename = true) j",
			dataColumns(true), strings.Join(jsonFiles, ", "), jsonColumnsArg()))
	}
	if len(parquetFiles) > 0 {
		rels = append(rels, fmt.Sprintf("SELECT %s, j.filename FROM read_parquet([%s], filename = true, union_by_name = true) j",
			dataColumns(false), strings.Join(parquetFiles, ", ")))
	}
	var sel []string
	for _, c := range schema.Columns() {
		sel = append(sel, "d."+quoteIdent(c.Name))
	}
	for _, c := range l.Columns() {
		sel = append(sel, "p."+quoteIdent(c.Name))
	}
	if len(rels) == 0 {
		return emptyRelation(l)
	}
	return fmt.Sprintf("SELECT %s\nFROM (%s) d\nJOIN (VALUES %s) AS p(%s) ON d.filename = p.filename",
		strings.Join(sel, ", "), strings.Join(rels, "\nUNION ALL\n"), strings.Join(valueRows, ", "), strings.Join(partCols, ", "))
}

// dataColumns casts each table column to its canonical type; JSON
// columns are found under their JSON keys.
func dataColumns(fromJSON bool) string {
	var out []string
	for _, c := range schema.Columns() {
		src := c.Name
		if fromJSON {
			src = c.JSONKey
		}
		out = append(out, fmt.Sprintf("CAST(j.%s AS %s) AS %s", quoteIdent(src), duckType(c.Type, false), quoteIdent(c.Name)))
	}
	return strings.Join(out, ", ")
}

// jsonColumnsArg is read_json's columns argument: every column under its
// JSON key with a type whose struct fields carry the JSON keys.
func jsonColumnsArg() string {
	var out []string
	for _, c := range schema.Columns() {
		out = append(out, quoteString(c.JSONKey)+": "+quoteString(duckType(c.Type, true)))
	}
	return "{" + strings.Join(out, ", ") + "}"
}

func emptyRelation(l *Layout) string {
	var sel []string
	for _, c := range schema.Columns() {
		sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(c.Type, false), quoteIdent(c.Name)))
	}
	for _, c := range l.Columns() {
		sel = append(sel, "CAST(NULL AS VARCHAR) AS "+quoteIdent(c.Name))
	}
	return "SELECT " + strings.Join(sel, ", ") + " WHERE false"
}

// duckType renders a schema type for DuckDB; jsonKeys names struct fields
// by their JSON keys (for read_json) instead of their column names.
func duckType(t schema.Type, jsonKeys bool) string {
	switch t.Kind {
	case schema.Bigint:
		return "BIGINT"
	case schema.Boolean:
		return "BOOLEAN"
	case schema.Array:
		return duckType(*t.Elem, jsonKeys) + "[]"
	case schema.Map:
		return "MAP(" + duckType(*t.Key, jsonKeys) + ", " + duckType(*t.Elem, jsonKeys) + ")"
	case schema.Struct:
		var fs []string
		for _, f := range t.Fields {
			name := f.Name
			if jsonKeys {
				name = f.JSONKey
			}
			fs = append(fs, quoteIdent(name)+" "+duckType(f.Type, jsonKeys))
		}
		return "STRUCT(" + strings.Join(fs, ", ") + ")"
	}
	return "VARCHAR"
}

func (r *LocalRunner) query(ctx context.Context, conn *sql.Conn, sqlText string) (*Result, error) {
	rows, err := conn.QueryContext(ctx, sqlText)
	if err != nil {
		return nil, fmt.Errorf("local query: %w", err)
	}
	defer rows.Close()
	res, err := scanResult(rows)
	if err != nil {
		return nil, fmt.Errorf("local query: %w", err)
	}
	return res, nil
}
