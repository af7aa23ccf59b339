package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/pipeline"
)

func init() { register("athena", newAthenaCmd) }

func newAthenaCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "athena",
		Short: "Athena tables and canned queries of the SES event lake",
		Long: `athena prints what Amazon Athena needs to query the lake: the CREATE
EXTERNAL TABLE statements (derived from the pipeline spec and the SES event
schema, never hand-written) and the canned queries that sesctl query runs.`,
		Example: `  sesctl athena ddl --location s3://acme-ses-events/
  sesctl athena queries
  sesctl athena queries bounces --day 2024-03-08 --identity example.com`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newAthenaDDLCmd(f), newAthenaQueriesCmd(f))
	return cmd
}

// specFlags override the default pipeline spec: the layout the Athena
// table and the local engine derive from.
type specFlags struct {
	prefix, errorPrefix, jq, timeZone string
	retention                         int
}

func (s *specFlags) add(fl *pflag.FlagSet, errorPrefix bool) {
	d := pipeline.DefaultSpec()
	fl.StringVar(&s.prefix, "prefix", d.Prefix, "Firehose S3 prefix expression the lake is written with")
	if errorPrefix {
		fl.StringVar(&s.errorPrefix, "error-prefix", d.ErrorPrefix, "Firehose S3 error output prefix")
	}
	fl.StringVar(&s.jq, "jq", d.Query, "Firehose MetadataExtractionQuery (tells which key is the event type)")
	fl.StringVar(&s.timeZone, "time-zone", d.TimeZone, "Firehose CustomTimeZone of the prefix timestamps (default UTC)")
	fl.IntVar(&s.retention, "retention", d.RetentionDays, "days of data kept: the projection range NOW-<days>DAYS,NOW")
}

func (s *specFlags) spec() (pipeline.Spec, error) {
	sp := pipeline.DefaultSpec()
	sp.Prefix, sp.Query, sp.TimeZone, sp.RetentionDays = s.prefix, s.jq, s.timeZone, s.retention
	if s.errorPrefix != "" {
		sp.ErrorPrefix = s.errorPrefix
	}
	if s.retention < 1 {
		return sp, usageErrorf("--retention must be at least 1 day")
	}
	if _, err := sp.Location(); err != nil {
		return sp, usageErrorf("--time-zone: %v", err)
	}
	return sp, nil
}

type athenaDDLOptions struct {
	spec                        specFlags
	format, database, table     string
	errorTable, location, which string
}

func newAthenaDDLCmd(f *Factory) *cobra.Command {
	o := &athenaDDLOptions{}
	cmd := &cobra.Command{
		Use:   "ddl",
		Short: "Print CREATE EXTERNAL TABLE for the events and the error output",
		Long: `ddl prints the Athena DDL of two tables over the lake: the SES events and
Firehose's error output. Columns come from the SES event schema: a struct
per event object, tags as map<string,array<string>> (so colon keys such as
ses:configuration-set need no mapping), reserved words in backticks.

Partition columns and their projection come from the prefix expression:
each !{partitionKeyFromQuery:K} becomes a string column K (snake_case); the
sending-identity key is injected, the event-type key an enum of the ten SES
event types exactly as SES spells them ("Rendering Failure" keeps its
space, nothing quoted), the !{timestamp:P} a date column with format P and
range NOW-<retention>DAYS,NOW. storage.location.template is the prefix
under --location. Prefixes Athena cannot project (random strings, two
timestamps, double slashes) are refused with the reason.

--format parquet prints the variant over Parquet objects written by
Firehose record format conversion (sesctl replay --format parquet).

EXIT STATUS
  0  the DDL was printed
  2  bad flags or a prefix that cannot back an Athena table`,
		Example: `  sesctl athena ddl --location s3://acme-ses-events/
  sesctl athena ddl --location s3://acme-ses-events/ --format parquet --which events
  sesctl athena ddl --location s3://logs/ses/ --prefix 'ses/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy-MM-dd}/'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAthenaDDL(f, o) },
	}
	fl := cmd.Flags()
	o.spec.add(fl, true)
	fl.StringVar(&o.format, "format", pipeline.FormatJSON, "object format of the events: json or parquet")
	fl.StringVar(&o.database, "database", athena.DefaultDatabase, "Glue database")
	fl.StringVar(&o.table, "table", athena.DefaultTable, "events table name")
	fl.StringVar(&o.errorTable, "error-table", athena.DefaultErrorTable, "error output table name")
	fl.StringVar(&o.location, "location", "", "lake root, s3://bucket/ or s3://bucket/path/ (required)")
	fl.StringVar(&o.which, "which", "both", "tables to print: events, errors or both")
	return cmd
}

func runAthenaDDL(f *Factory, o *athenaDDLOptions) error {
	if o.location == "" {
		return usageErrorf("--location s3://bucket/ is required: the tables need to know where the lake is")
	}
	if o.format != pipeline.FormatJSON && o.format != pipeline.FormatParquet {
		return usageErrorf("--format %q: want json or parquet", o.format)
	}
	spec, err := o.spec.spec()
	if err != nil {
		return err
	}
	var defs []*athena.TableDef
	if o.which == "events" || o.which == "both" {
		td, err := athena.DeriveTable(spec, athena.TableOptions{Database: o.database, Table: o.table, Location: o.location, Format: o.format})
		if err != nil {
			return usageErrorf("%v", err)
		}
		defs = append(defs, td)
	}
	if o.which == "errors" || o.which == "both" {
		td, err := athena.DeriveErrorTable(spec, athena.TableOptions{Database: o.database, Table: o.errorTable, Location: o.location})
		if err != nil {
			return usageErrorf("error table: %v", err)
		}
		defs = append(defs, td)
	}
	if len(defs) == 0 {
		return usageErrorf("--which %q: want events, errors or both", o.which)
	}
	for i, td := range defs {
		if i > 0 {
			fmt.Fprintln(f.IO.Out)
		}
		if _, err := io.WriteString(f.IO.Out, td.DDL()); err != nil {
			return err
		}
	}
	return nil
}

type athenaQueriesOptions struct {
	spec            specFlags
	days            dayFlags
	identities      []string
	engine          string
	database, table string
	limit           int
}

func newAthenaQueriesCmd(f *Factory) *cobra.Command {
	o := &athenaQueriesOptions{}
	cmd := &cobra.Command{
		Use:   "queries [NAME]",
		Short: "List the canned queries, or show one with its SQL",
		Long: `queries lists the canned queries sesctl query runs. With a NAME it shows
the query's columns, how it removes duplicate events (Firehose delivers at
least once) and its SQL, rendered for Athena or for the local engine.

Each query is one definition rendered per engine: Athena (Trino) expands an
UNNEST of an array of structs into one column per field, DuckDB keeps one
struct column, and a few functions are spelled differently. Athena needs
literal values for the injected identity column: pass --identity, or the
SQL shows the placeholder '<sender_identity>'.

EXIT STATUS
  0  printed
  2  unknown query name or bad flags`,
		Example: `  sesctl athena queries
  sesctl athena queries summary --day yesterday --identity example.com
  sesctl athena queries bounces --engine duckdb`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAthenaQueries(f, o, args) },
	}
	fl := cmd.Flags()
	o.spec.add(fl, false)
	o.days.add(fl)
	fl.StringArrayVar(&o.identities, "identity", nil, "sending identity to pin in the SQL (repeatable)")
	fl.StringVar(&o.engine, "engine", athena.EngineAthena, "render for athena or duckdb (the local engine)")
	fl.StringVar(&o.database, "database", athena.DefaultDatabase, "Glue database")
	fl.StringVar(&o.table, "table", athena.DefaultTable, "events table name")
	fl.IntVar(&o.limit, "limit", 0, "add LIMIT N")
	return cmd
}

func runAthenaQueries(f *Factory, o *athenaQueriesOptions, args []string) error {
	if len(args) == 0 {
		res := &athena.Result{Columns: []string{"name", "event types", "description"}}
		for _, q := range athena.Queries() {
			res.Rows = append(res.Rows, []string{q.Name, strings.Join(q.EventTypes, ", "), q.Description})
		}
		return res.WriteTable(f.IO.Out)
	}
	q, err := lookupQuery(args[0])
	if err != nil {
		return err
	}
	if o.engine != athena.EngineAthena && o.engine != athena.EngineDuckDB {
		return usageErrorf("--engine %q: want athena or duckdb", o.engine)
	}
	spec, err := o.spec.spec()
	if err != nil {
		return err
	}
	p, err := o.days.params(f, spec)
	if err != nil {
		return err
	}
	p.Identities, p.Limit = o.identities, o.limit
	sql, err := athena.Render(q, o.engine, spec, o.database, o.table, p)
	if err != nil {
		return usageErrorf("%v", err)
	}
	w := f.IO.Out
	fmt.Fprintf(w, "-- %s: %s\n", q.Name, q.Description)
	fmt.Fprintf(w, "-- duplicates: one row per %s\n-- columns:\n", q.Dedupe)
	for _, c := range q.Columns {
		fmt.Fprintf(w, "--   %-20s %s\n", c.Name, c.Doc)
	}
	_, err = fmt.Fprintf(w, "%s;\n", sql)
	return err
}

// lookupQuery finds a canned query or says which exist.
func lookupQuery(name string) (*athena.CannedQuery, error) {
	q, ok := athena.Lookup(name)
	if !ok {
		return nil, usageErrorf("unknown query %q; the queries are: %s", name, strings.Join(athena.QueryNames(), ", "))
	}
	return q, nil
}
