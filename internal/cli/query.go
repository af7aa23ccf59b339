package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/pipeline"
)

func init() { register("query", newQueryCmd) }

// dayFlags are --day, --from and --to.
type dayFlags struct{ day, from, to string }

func (d *dayFlags) add(fl *pflag.FlagSet) {
	fl.StringVar(&d.day, "day", "", "one day: 2024-03-08, 2024/03/08, today or yesterday (default today)")
	fl.StringVar(&d.from, "from", "", "first day of a range (same forms as --day)")
	fl.StringVar(&d.to, "to", "", "last day of a range, included (default: --from)")
}

// params turns the flags into a day range; days are calendar days in the
// spec's time zone (UTC by default), "today" is f.Now's date there.
func (d *dayFlags) params(f *Factory, spec pipeline.Spec) (athena.Params, error) {
	loc, err := spec.Location()
	if err != nil {
		return athena.Params{}, usageErrorf("%v", err)
	}
	now := f.Now().In(loc)
	switch {
	case d.day != "" && (d.from != "" || d.to != ""):
		return athena.Params{}, usageErrorf("use either --day or --from/--to")
	case d.to != "" && d.from == "":
		return athena.Params{}, usageErrorf("--to needs --from")
	case d.day == "" && d.from == "":
		d.day = "today"
	}
	first, last := d.day, d.day
	if d.from != "" {
		first, last = d.from, d.to
		if last == "" {
			last = first
		}
	}
	from, err := parseDay(first, now)
	if err != nil {
		return athena.Params{}, err
	}
	to, err := parseDay(last, now)
	if err != nil {
		return athena.Params{}, err
	}
	if to.Before(from) {
		return athena.Params{}, usageErrorf("--to %s is before --from %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	return athena.Params{From: from, To: to}, nil
}

// parseDay reads 2024-03-08, 2024/03/08, today or yesterday.
func parseDay(s string, now time.Time) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "today":
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), nil
	case "yesterday":
		y := now.AddDate(0, 0, -1)
		return time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErrorf("day %q: want 2024-03-08, 2024/03/08, today or yesterday", s)
}

// engineFlags choose and configure the engine: --lake or --athena.
type engineFlags struct {
	spec   specFlags
	lake   string
	athena bool
	ath    athena.AthenaOptions
	output string
}

func (e *engineFlags) add(fl *pflag.FlagSet) {
	e.spec.add(fl, false)
	fl.StringVar(&e.lake, "lake", "lake", "local lake folder written by sesctl replay")
	fl.BoolVar(&e.athena, "athena", false, "run on Amazon Athena instead of the local lake")
	fl.StringVar(&e.ath.Database, "database", athena.DefaultDatabase, "with --athena: Glue database")
	fl.StringVar(&e.ath.Table, "table", athena.DefaultTable, "with --athena: events table")
	fl.StringVar(&e.ath.WorkGroup, "workgroup", "", "with --athena: workgroup (default: the account's primary)")
	fl.StringVar(&e.ath.OutputLocation, "output-location", "", "with --athena: s3:// location for results (default: the workgroup's)")
	fl.StringVar(&e.ath.Location, "location", "", "with --athena: lake root s3://bucket/ (to list identities when --identity is absent)")
	fl.StringVarP(&e.output, "output", "o", athena.OutputTable, "output format: table, csv or json")
}

// runner is what both engines offer.
type runner interface {
	Run(ctx context.Context, q *athena.CannedQuery, p athena.Params) (*athena.Result, error)
	RunSQL(ctx context.Context, sql string) (*athena.Result, error)
}

// open starts the chosen engine; the returned func releases it.
func (e *engineFlags) open(ctx context.Context, f *Factory, spec pipeline.Spec) (runner, *athena.LocalRunner, func(), error) {
	if e.athena {
		cfg, err := f.AWS.Load(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		o := e.ath
		o.Spec, o.Progress = spec, f.IO.Err
		return athena.NewAthenaRunner(cfg, o), nil, func() {}, nil
	}
	r, err := athena.NewLocalRunner(e.lake, spec)
	if err != nil {
		return nil, nil, nil, usageErrorf("%v", err)
	}
	r.Progress, r.Now = f.IO.Err, f.Now
	return r, r, func() { r.Close() }, nil
}

func (e *engineFlags) checkOutput() error {
	for _, o := range athena.OutputFormats {
		if e.output == o {
			return nil
		}
	}
	return usageErrorf("--output %q: want table, csv or json", e.output)
}

type queryOptions struct {
	engine     engineFlags
	days       dayFlags
	identities []string
	limit      int
}

func newQueryCmd(f *Factory) *cobra.Command {
	o := &queryOptions{}
	cmd := &cobra.Command{
		Use:   "query NAME",
		Short: "Run a canned query (bounces, complaints, summary, ...) locally or on Athena",
		Long: `query runs one of the canned queries (sesctl athena queries lists them)
over the days asked for, either with the embedded engine on a local lake
written by sesctl replay (--lake, the default) or with Amazon Athena
(--athena).

Locally, only the partition folders of those days, identities and event
types are read: sesctl lists them from the prefix layout and hands DuckDB
the exact objects, so the rest of the lake is never opened. Without
--identity, the identity folders present are listed. On Athena the same
query is rendered in Athena's dialect; the identity is an injected
partition column that needs literal values, so without --identity sesctl
lists the identities in the bucket (--location, ListObjectsV2 with a "/"
delimiter). Athena's data scanned and an estimated cost go to stderr;
Ctrl-C stops the Athena query.

Firehose delivers at least once, so every query removes duplicate events.
NULL values print as empty cells (null in JSON for numbers).

EXIT STATUS
  0  the query ran (an empty result is not an error; a hint goes to stderr)
  1  Athena ran the query and it failed (Athena's reason is quoted)
  2  unknown query, bad flags, missing lake folder
  3  an AWS call or the local engine failed
  130 interrupted`,
		Example: `  sesctl query bounces --day 2024/03/08
  sesctl query summary --from 2024-03-01 --to 2024-03-07 --identity example.com -o csv
  sesctl query complaints --day yesterday --athena --workgroup sesctl --location s3://acme-ses-events/
  sesctl query sql "SELECT event_type, count(*) AS n FROM ses_events GROUP BY 1 ORDER BY 1" --day 2024-03-08`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("give one query name: %s (or sesctl query sql \"SELECT ...\")", strings.Join(athena.QueryNames(), ", "))
			}
			return runQuery(cmd.Context(), f, o, args[0])
		},
	}
	o.add(cmd.Flags())
	cmd.AddCommand(newQuerySQLCmd(f))
	return cmd
}

func (o *queryOptions) add(fl *pflag.FlagSet) {
	o.engine.add(fl)
	o.days.add(fl)
	fl.StringArrayVar(&o.identities, "identity", nil, "sending identity (domain) to query; repeatable (default: all)")
	fl.IntVar(&o.limit, "limit", 0, "return at most N rows (0: all)")
}

func runQuery(ctx context.Context, f *Factory, o *queryOptions, name string) error {
	q, err := lookupQuery(name)
	if err != nil {
		return err
	}
	if err := o.engine.checkOutput(); err != nil {
		return err
	}
	if o.limit < 0 {
		return usageErrorf("--limit must not be negative")
	}
	spec, err := o.engine.spec.spec()
	if err != nil {
		return err
	}
	p, err := o.days.params(f, spec)
	if err != nil {
		return err
	}
	p.Identities, p.Limit = o.identities, o.limit
	r, local, done, err := o.engine.open(ctx, f, spec)
	if err != nil {
		return err
	}
	defer done()
	res, err := r.Run(ctx, q, p)
	if err != nil {
		return queryError(err)
	}
	if local != nil && local.Stats.Files == 0 {
		fmt.Fprintf(f.IO.Err, "sesctl: no objects in %s for %s; the result is empty (is this the lake sesctl replay wrote, with the same --prefix?)\n", o.engine.lake, describe(p, q))
	}
	return res.Write(f.IO.Out, o.engine.output)
}

func describe(p athena.Params, q *athena.CannedQuery) string {
	days := p.From.Format(time.DateOnly)
	if !p.To.Equal(p.From) {
		days += ".." + p.To.Format(time.DateOnly)
	}
	s := fmt.Sprintf("%s (%s)", days, strings.Join(q.EventTypes, ", "))
	if len(p.Identities) > 0 {
		s += " and identities " + strings.Join(p.Identities, ", ")
	}
	return s
}

// queryError maps engine errors to exit codes.
func queryError(err error) error {
	var failed *athena.QueryFailedError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &failed):
		return &ExitError{Code: ExitFailure, Err: err}
	}
	var le *athena.LayoutError
	if errors.As(err, &le) || errors.Is(err, athena.ErrNeedValues) {
		return usageErrorf("%v", err)
	}
	return &ExitError{Code: ExitInternal, Err: err}
}

type querySQLOptions struct {
	engine     engineFlags
	days       dayFlags
	identities []string
}

func newQuerySQLCmd(f *Factory) *cobra.Command {
	o := &querySQLOptions{}
	cmd := &cobra.Command{
		Use:   "sql \"SELECT ...\"",
		Short: "Run your own SQL on the local lake (or on Athena)",
		Long: `sql runs ad-hoc SQL. Locally the lake is exposed as the table ses_events,
its Athena name, with the same columns (mail.commonheaders.subject,
bounce.bouncedrecipients, ...) and partition columns (sender_identity,
event_type, day), so a query tried here runs on Athena too, except for
the few functions the engines spell differently (DuckDB: array_to_string
for array_join, map['key'] for element_at, no from_iso8601_timestamp).

Only the partitions of the selected days and identities are exposed:
--day/--from/--to (default: the projection range, the last --retention
days) and --identity (default: all).

With --athena the SQL is sent as it is: it must name the injected
partition column's values itself (WHERE sender_identity = '...').

EXIT STATUS
  0  the query ran
  1  Athena ran the query and it failed
  2  bad SQL (locally), bad flags, missing lake folder
  3  an AWS call failed`,
		Example: `  sesctl query sql "SELECT event_type, count(*) AS n FROM ses_events GROUP BY 1 ORDER BY 1" --day 2024-03-08
  sesctl query sql "SELECT mail.messageid, element_at(mail.tags, 'ses:configuration-set') FROM ses_events LIMIT 5" --athena`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runQuerySQL(cmd.Context(), f, o, args[0]) },
	}
	fl := cmd.Flags()
	o.engine.add(fl)
	o.days.add(fl)
	fl.StringArrayVar(&o.identities, "identity", nil, "sending identity to expose; repeatable (default: all)")
	return cmd
}

func runQuerySQL(ctx context.Context, f *Factory, o *querySQLOptions, sqlText string) error {
	if strings.TrimSpace(sqlText) == "" {
		return usageErrorf("the SQL is empty")
	}
	if err := o.engine.checkOutput(); err != nil {
		return err
	}
	spec, err := o.engine.spec.spec()
	if err != nil {
		return err
	}
	r, local, done, err := o.engine.open(ctx, f, spec)
	if err != nil {
		return err
	}
	defer done()
	if local != nil && (o.days.day != "" || o.days.from != "" || len(o.identities) > 0) {
		if o.days.day == "" && o.days.from == "" {
			now := f.Now()
			o.days.from, o.days.to = now.AddDate(0, 0, -spec.RetentionDays).Format(time.DateOnly), now.Format(time.DateOnly)
		}
		p, err := o.days.params(f, spec)
		if err != nil {
			return err
		}
		p.Identities = o.identities
		local.SQLScope = &p
	}
	res, err := r.RunSQL(ctx, sqlText)
	if err != nil {
		if local != nil && !errors.Is(err, context.Canceled) {
			return usageErrorf("%v", err)
		}
		return queryError(err)
	}
	return res.Write(f.IO.Out, o.engine.output)
}
