package templates

// The Athena side of deps.go: the Glue tables and the named queries are
// derived by package athena, the code behind `sesctl athena ddl` and
// `sesctl query`.

import (
	"fmt"
	"strings"
	"time"

	"github.com/sesctl/sesctl/athena"
)

// bucketSentinel stands for the events bucket while athena derives
// locations; render turns it into the bucket name or a Ref.
const bucketSentinel = "s3://sesctl-render-bucket/"

// Sentinels for the values a saved query leaves to its runner; they become
// Athena execution parameters (?).
const (
	paramSentinel = "__sesctl_parameter__"
	dateSentinel  = "1970-01-01"
)

func deriveTables(o Options) (events, errors *athena.TableDef, err error) {
	opts := athena.TableOptions{Database: o.Database, Table: o.Table, Location: bucketSentinel, Format: o.Spec.Format}
	events, err = athena.DeriveTable(o.Spec, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("derive the events table: %w", err)
	}
	opts.Table = o.ErrorTable
	errSpec := o.Spec // the error output has its own lifecycle rule
	if o.ErrorRetentionDays > 0 {
		errSpec.RetentionDays = o.ErrorRetentionDays
	}
	errors, err = athena.DeriveErrorTable(errSpec, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("derive the error table: %w", err)
	}
	return events, errors, nil
}

// namedQuery is a canned query rendered for Athena, with the partition
// values a runner supplies left as ? parameters.
type namedQuery struct {
	Name, Description, SQL string
}

func cannedQueries(events *athena.TableDef) ([]namedQuery, error) {
	layout := events.Layout()
	src := athena.Source{
		Engine: athena.EngineAthena,
		Table: func(string) string {
			return quoteIdent(events.Database) + "." + quoteIdent(events.Name)
		},
		Layout:     layout,
		Values:     map[string][]string{},
		TimeValues: []string{paramSentinel},
	}
	var params []string
	for _, c := range layout.Columns() {
		switch c.Role {
		case athena.RoleIdentity, athena.RoleInjected:
			src.Values[c.Name] = []string{paramSentinel}
		}
	}
	day, _ := time.Parse(time.DateOnly, dateSentinel)
	var out []namedQuery
	for _, q := range athena.Queries() {
		sql, err := q.SQL(src, athena.Params{From: day, To: day})
		if err != nil {
			return nil, fmt.Errorf("render canned query %s: %w", q.Name, err)
		}
		sql, params = parameterize(sql, layout)
		desc := q.Description
		if len(params) > 0 {
			desc += " Parameters, in order: " + strings.Join(params, ", ") + "."
		}
		out = append(out, namedQuery{Name: q.Name, Description: desc, SQL: sql})
	}
	return out, nil
}

// parameterize replaces the sentinels with ? and names each parameter.
func parameterize(sql string, layout *athena.Layout) (string, []string) {
	var names []string
	var b strings.Builder
	rest := sql
	for {
		i := strings.Index(rest, "'"+paramSentinel+"'")
		j := strings.Index(rest, "'"+dateSentinel+"'")
		if i < 0 && j < 0 {
			b.WriteString(rest)
			return b.String(), names
		}
		var n int
		if j < 0 || (i >= 0 && i < j) {
			names = append(names, paramName(rest[:i], layout))
			b.WriteString(rest[:i])
			n = i + len(paramSentinel) + 2
		} else {
			names = append(names, "day (yyyy-MM-dd)")
			b.WriteString(rest[:j])
			n = j + len(dateSentinel) + 2
		}
		b.WriteString("?")
		rest = rest[n:]
	}
}

// paramName names a parameter after the column compared just before it.
func paramName(before string, layout *athena.Layout) string {
	for _, c := range layout.Columns() {
		q := `e.` + quoteIdent(c.Name) + " = "
		if strings.HasSuffix(before, q) {
			if c.Time != nil {
				return fmt.Sprintf("%s (%s)", c.Name, c.Time.Pattern())
			}
			return c.Name
		}
	}
	return "value"
}

// columnName is the partition column athena names after a query key.
func columnName(key string) string { return athena.ColumnName(key) }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
