package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/internal/health"
	"github.com/sesctl/sesctl/internal/nagios"
)

func init() { register("check", newCheckCmd) }

type checkOptions struct {
	window      health.WindowFlags
	events      monEventFlags
	cloudwatch  bool
	configSet   string
	identities  []string
	perIdentity bool
	zeroed      bool
	minSends    int64
	timeout     time.Duration
	warn, crit  []string // indexed by health.Metric
}

func newCheckCmd(f *Factory) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Nagios/Icinga plugin: SES bounce and complaint rates, sends and failures",
		Long: `check is a monitoring plugin for Nagios, Icinga, Centreon, Naemon and
friends. It measures SES sending over a window, compares every metric with
its thresholds and prints one status line with performance data:

  SES CRITICAL - news.example: bounce rate 12.5% > 10% (critical); 400 sends (last 24h) | sends=400c;;;0 ...

SOURCES (choose one)
  --lake DIR     the local lake written by sesctl replay / sesctl generate
  --athena       the lake in S3 through Amazon Athena (same flags as sesctl query)
  --cloudwatch   the AWS/SES CloudWatch metrics (account level, or one
                 --configuration-set). Counts are summed over the window; the
                 bounce and complaint rates are SES's own reputation metrics,
                 the latest value in the window (not a window average).

From event data the bounce rate is hard (Permanent) bounces over sends and
the complaint rate complaints over sends, in percent, for the events whose
time falls in the window. SES computes its reputation rates over a
"representative volume" instead, so the two differ; event data can do what
AWS/SES cannot: --identity and --per-identity.

WINDOW
  --since 24h | 7d | 90m | since:1d    ending now (default 24h)
  --day 2024-03-08 | 2024/03/08 | today | yesterday   one calendar day
  --from D|TIME [--to D|TIME]   a date as --to includes that day

SCOPE
  the whole account (default), --identity X (repeatable: their sum), or
  --per-identity: every identity is judged on its own, the worst state
  wins, and the long output lists each identity.

THRESHOLDS
  Every metric has --warning-<metric> and --critical-<metric> in
  monitoring-plugins range syntax: 10 (alert above 10), 10: (below 10),
  ~:10 (above 10), 10:20 (outside 10..20), @10:20 (inside 10..20);
  endpoints are inclusive, so a bounce rate of exactly 5% is OK against 5.
  Rates are in percent. Defaults follow SES: bounce rate 5 / 10 (review /
  possible pause), complaint rate 0.1 / 0.5. An empty value disables a
  threshold. Metrics: sends, deliveries, bounces (hard), complaints,
  rejects, delays (not in AWS/SES), rendering-failures, bounce-rate,
  complaint-rate. --warning-sends 100: alerts on fewer than 100 sends (a
  pipeline that went quiet); add --zeroed so that no data counts as 0.

OUTPUT
  First line: SES <STATE> - <summary> | <perfdata>, then long output.
  Perfdata: counts with UOM c, rates with UOM % and min 0 max 100; values in
  plain decimal (C locale), U when undetermined (a rate without sends).
  --per-identity adds '<identity>#<metric>' perfdata for sends and every
  metric with a threshold.

EXIT STATUS (plugin convention)
  0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. UNKNOWN covers no data (unless
  --zeroed), bad flags, AWS and credential errors and --timeout, always
  with a one-line reason on standard output.`,
		Example: `  sesctl check --lake lake --since 24h
  sesctl check --athena --database sesctl --per-identity --since since:1d
  sesctl check --cloudwatch --region eu-west-1
  sesctl check --cloudwatch --configuration-set marketing --warning-bounce-rate 3 --critical-bounce-rate 5
  sesctl check --lake lake --identity news.example --warning-sends 100: --critical-sends 10: --zeroed --since 1h`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return checkUnknown(f, fmt.Errorf("unexpected argument %q", args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runCheck(cmd, f, o) },
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return checkUnknown(f, err) })
	addCheckFlags(cmd, o)
	return cmd
}

func addCheckFlags(cmd *cobra.Command, o *checkOptions) {
	fl := cmd.Flags()
	o.events.addFlags(fl)
	fl.BoolVar(&o.cloudwatch, "cloudwatch", false, "read the AWS/SES CloudWatch metrics")
	fl.StringVar(&o.configSet, "configuration-set", "", "with --cloudwatch: the ses:configuration-set dimension")
	fl.StringVar(&o.window.Since, "since", "", "window ending now: 24h, 7d, since:1d (default 24h)")
	fl.StringVar(&o.window.Day, "day", "", "one day (UTC, or --time-zone's): 2024-03-08, 2024/03/08, today, yesterday")
	fl.StringVar(&o.window.From, "from", "", "window start: a date or an RFC 3339 time")
	fl.StringVar(&o.window.To, "to", "", "window end: a date (inclusive) or an RFC 3339 time (default now)")
	fl.StringSliceVar(&o.identities, "identity", nil, "only these sender identities (repeatable or comma-separated)")
	fl.BoolVar(&o.perIdentity, "per-identity", false, "judge each identity; the worst decides")
	fl.BoolVar(&o.zeroed, "zeroed", false, "treat missing data as 0 instead of UNKNOWN")
	fl.Int64Var(&o.minSends, "min-sends", 0, "do not judge rates of a scope with fewer sends than this")
	fl.DurationVar(&o.timeout, "timeout", 50*time.Second, "give up with UNKNOWN after this long")
	o.warn = make([]string, len(health.AllMetrics()))
	o.crit = make([]string, len(health.AllMetrics()))
	for _, m := range health.AllMetrics() {
		info := m.Info()
		unit := ""
		if m.IsRate() {
			unit = " (percent)"
		}
		fl.StringVar(&o.warn[m], "warning-"+info.Flag, info.DefaultWarn, "warning range for "+info.Human+unit)
		fl.StringVar(&o.crit[m], "critical-"+info.Flag, info.DefaultCrit, "critical range for "+info.Human+unit)
	}
}

func runCheck(cmd *cobra.Command, f *Factory, o *checkOptions) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	res, err := o.run(ctx, f)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %s (--timeout)", o.timeout)
		}
		return checkUnknown(f, err)
	}
	fmt.Fprint(f.IO.Out, res.String())
	if res.State != nagios.OK {
		return silentExit(int(res.State))
	}
	return nil
}

func (o *checkOptions) run(ctx context.Context, f *Factory) (nagios.Result, error) {
	th, err := o.thresholds()
	if err != nil {
		return nagios.Result{}, err
	}
	if o.minSends < 0 {
		return nagios.Result{}, errors.New("--min-sends must not be negative")
	}
	w, err := o.window.Resolve(f.Now().UTC(), "24h")
	if err != nil {
		return nagios.Result{}, err
	}
	fetcher, err := o.fetcher(ctx, f)
	if err != nil {
		return nagios.Result{}, err
	}
	if c, ok := fetcher.(*health.EventFetcher); ok {
		src := c.Source.(*monSummary)
		defer src.Close()
		// The summary counts whole (partition) days of the stream's time
		// zone: calendar days are read there, and the window widened to them.
		if w, err = o.window.Resolve(f.Now().In(src.loc), "24h"); err != nil {
			return nagios.Result{}, err
		}
		w = w.WholeDaysIn(src.loc)
	}
	sel := health.Selection{Identities: monLower(o.identities), PerIdentity: o.perIdentity, Zeroed: o.zeroed}
	m, err := fetcher.Measure(ctx, w, sel)
	if err != nil {
		return nagios.Result{}, err
	}
	rep := health.Report{
		Window: w, Source: fetcher.Describe(), PerIdentity: o.perIdentity,
		Totals: m.Totals, Thresholds: th, MinSends: o.minSends, Notes: m.Notes,
		Results: health.EvaluateAll(m.Scopes, health.EvalOptions{Thresholds: th, MinSends: o.minSends}),
	}
	return rep.Result(), nil
}

func (o *checkOptions) thresholds() (health.Thresholds, error) {
	var th health.Thresholds
	for _, m := range health.AllMetrics() {
		if err := th.Set(m, o.warn[m], o.crit[m]); err != nil {
			return th, err
		}
	}
	return th, nil
}

func (o *checkOptions) fetcher(ctx context.Context, f *Factory) (health.Fetcher, error) {
	n := 0
	for _, set := range []bool{o.events.lake != "", o.events.athena, o.cloudwatch} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("choose one source: --lake DIR, --athena or --cloudwatch")
	}
	if !o.cloudwatch {
		if o.configSet != "" {
			return nil, errors.New("--configuration-set needs --cloudwatch")
		}
		// Plugin output is stdout only: engine progress is discarded.
		src, desc, err := o.events.open(ctx, f, nil)
		if err != nil {
			return nil, err
		}
		return &health.EventFetcher{Source: src, Desc: desc}, nil
	}
	if o.perIdentity || len(o.identities) > 0 {
		return nil, errors.New("CloudWatch AWS/SES has no sender-identity dimension: use --lake or --athena for --identity and --per-identity")
	}
	cfg, err := f.AWS.Load(ctx)
	if err != nil {
		return nil, err
	}
	return &health.CloudWatchFetcher{API: cloudwatch.NewFromConfig(cfg), ConfigurationSet: o.configSet, Now: f.Now}, nil
}

// checkUnknown prints the plugin's UNKNOWN line and returns exit status 3.
func checkUnknown(f *Factory, err error) error {
	res := nagios.Result{Service: "SES", State: nagios.Unknown, Summary: checkReason(err)}
	fmt.Fprint(f.IO.Out, res.String())
	return silentExit(int(nagios.Unknown))
}

// checkReason makes an error one readable line. AWS errors keep the
// service, the operation, and AWS's error code and message, or the cause
// (credentials, network) without the SDK's retry and nested-call chatter.
func checkReason(err error) string {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return strings.Join(strings.Fields(err.Error()), " ")
	}
	prefix := oe.Service() + " " + oe.Operation() + ": "
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return prefix + ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	msg := oe.Err.Error()
	if _, cause, ok := strings.Cut(msg, "get credentials: "); ok {
		msg = "no usable AWS credentials: " + cause
	}
	if _, cause, ok := strings.Cut(msg, "request send failed, "); ok {
		msg = cause
	}
	msg, _, _ = strings.Cut(msg, ", operation error ")
	return prefix + strings.Join(strings.Fields(msg), " ")
}

// monEventFlags choose the event-data source shared by check and metrics
// publish: the local lake or Athena, with the same flags as sesctl query.
type monEventFlags struct {
	spec   specFlags
	lake   string
	athena bool
	ath    athena.AthenaOptions
}

func (e *monEventFlags) addFlags(fl *pflag.FlagSet) {
	e.spec.add(fl, false)
	fl.StringVar(&e.lake, "lake", "", "read events from this local lake folder (sesctl replay --out)")
	fl.BoolVar(&e.athena, "athena", false, "read events with Amazon Athena")
	fl.StringVar(&e.ath.Database, "database", athena.DefaultDatabase, "with --athena: Glue database")
	fl.StringVar(&e.ath.Table, "table", athena.DefaultTable, "with --athena: events table")
	fl.StringVar(&e.ath.WorkGroup, "workgroup", "", "with --athena: workgroup (default: the account's primary)")
	fl.StringVar(&e.ath.OutputLocation, "output-location", "", "with --athena: s3:// location for results (default: the workgroup's)")
	fl.StringVar(&e.ath.Location, "location", "", "with --athena: lake root s3://bucket/ (to list identities when --identity is absent)")
}

// open returns the summary source the flags select, its description and
// the time zone its days are in. progress receives the engines' progress
// lines (Athena's data scanned and cost); nil discards them.
func (e *monEventFlags) open(ctx context.Context, f *Factory, progress io.Writer) (*monSummary, string, error) {
	q, ok := athena.Lookup("summary")
	if !ok {
		return nil, "", errors.New("the query engine has no summary query")
	}
	spec, err := e.spec.spec()
	if err != nil {
		return nil, "", err
	}
	loc, err := spec.Location()
	if err != nil {
		return nil, "", err
	}
	if progress == nil {
		progress = io.Discard
	}
	switch {
	case e.lake != "" && e.athena:
		return nil, "", errors.New("use either --lake or --athena")
	case e.lake != "":
		r, err := athena.NewLocalRunner(e.lake, spec)
		if err != nil {
			return nil, "", err
		}
		r.Progress, r.Now = progress, f.Now
		return &monSummary{runner: r, query: q, loc: loc}, "lake " + e.lake, nil
	case e.athena:
		cfg, err := f.AWS.Load(ctx)
		if err != nil {
			return nil, "", err
		}
		o := e.ath
		o.Spec, o.Progress = spec, progress
		return &monSummary{runner: athena.NewAthenaRunner(cfg, o), query: q, loc: loc}, "Athena " + o.Database + "." + o.Table, nil
	}
	return nil, "", errors.New("choose a source: --lake DIR or --athena")
}

// monRunner is the part of the query runners the summary uses.
type monRunner interface {
	Run(ctx context.Context, q *athena.CannedQuery, p athena.Params) (*athena.Result, error)
}

// monSummary adapts a query runner's canned summary query to
// health.SummarySource. The summary counts by lake partition day (the
// Firehose arrival day, in the stream's time zone), so it is asked for
// every day the window touches: callers widen their window with
// Window.WholeDaysIn(loc).
type monSummary struct {
	runner monRunner
	query  *athena.CannedQuery
	loc    *time.Location
}

func (m *monSummary) Summary(ctx context.Context, from, to time.Time, identities []string) ([]health.IdentityDay, error) {
	first, last := health.Window{From: from, To: to}.DaysIn(m.loc)
	// Params carry calendar dates: only the date part counts.
	p := athena.Params{From: dateOnly(first), To: dateOnly(last), Identities: identities}
	res, err := m.runner.Run(ctx, m.query, p)
	if err != nil {
		return nil, fmt.Errorf("summary query: %w", err)
	}
	return health.ParseSummary(res.Columns, res.Rows)
}

func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Close releases the local engine.
func (m *monSummary) Close() error {
	if c, ok := m.runner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
