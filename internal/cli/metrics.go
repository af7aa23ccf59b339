package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/internal/health"
)

func init() { register("metrics", newMetricsCmd) }

func newMetricsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "Turn SES event data into CloudWatch custom metrics",
		Long: `metrics works on CloudWatch custom metrics computed from SES event data.

AWS/SES has account-level and configuration-set metrics only; metrics
publish adds counts and rates per sender identity and per configuration set
computed from event data, so CloudWatch alarms can fire on one identity's
or one configuration set's bounce rate before it drags the account's
reputation down.`,
		Example: `  sesctl metrics publish --lake lake --since 24h --dry-run
  sesctl metrics publish --athena --database sesctl --since 24h`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for sesctl metrics (want: publish)", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newMetricsPublishCmd(f))
	return cmd
}

type metricsPublishOptions struct {
	window       health.WindowFlags
	events       monEventFlags
	identities   []string
	namespace    string
	identityDim  string
	configSetDim string
	dimensions   []string
	noTotals     bool
	dryRun       bool
	output       string
	lambda       bool
	// observe, set in Lambda mode, sees each publish before it is sent.
	observe func(w health.Window, stamp time.Time, groups []health.Group, datums []cwtypes.MetricDatum)
}

// The scopes --dimensions names.
const (
	metricsDimIdentity  = "identity"
	metricsDimConfigSet = "configuration-set"
	metricsDimPair      = "identity+configuration-set"
)

func newMetricsPublishCmd(f *Factory) *cobra.Command {
	o := &metricsPublishOptions{}
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Publish SES counts and rates per identity and configuration set as CloudWatch custom metrics",
		Long: `publish reads the SES events of a window from the lake (--lake) or Athena
(--athena), adds them up per sender identity and per configuration set, and
sends the result to CloudWatch with PutMetricData:

  Sends, Deliveries, HardBounces, SoftBounces, Complaints, Rejects, Delays,
  RenderingFailures   (Unit Count: events in the window)
  BounceRate, ComplaintRate   (Unit Percent: hard bounces and complaints
                               over sends; only for scopes with sends)

in the namespace --namespace (default SESCTL), once for each scope:

  SenderIdentity=<identity>   each identity: all its configuration sets,
                              and its mail sent without one, together
  ConfigurationSet=<name>     each configuration set (the events'
                              ses:configuration-set tag): all identities
                              together; mail sent without a configuration
                              set belongs to none
  (no dimensions)             everything together: the totals

--dimensions picks the dimensioned scopes from identity, configuration-set
(the default: both) and identity+configuration-set (one scope per pair,
with both dimensions; only when named). --identity-dimension and
--configuration-set-dimension rename the dimensions. Rates are always
those of the scope's summed counts, never averages of rates. --no-totals
leaves out the totals; --identity leaves out the totals and the
configuration-set scopes, since a sum over some identities is neither the
account's nor the set's (pairs are still complete).

The lake and Athena count events per day (the lake's partition day, when
Firehose delivered them), so the window is widened to the whole days
it touches: --since 24h at 10:30 covers yesterday and today so far. Every
datum is stamped with the window end (midnight after the last day) or, for
a day still running, the current minute; at standard (one-minute)
resolution.

Re-publishing a window: CloudWatch never replaces a datapoint. A second
PutMetricData of the same window adds a second sample with the same value
at the same timestamp, so the Minimum, Maximum and Average statistics of
that minute stay as they were, while SampleCount and Sum grow. Publishing
is idempotent in that sense: alarm on Maximum or Average, never on Sum.
A finished window (--day yesterday, --from/--to in the past) always gets
the same timestamp; a running one gets one datapoint per run. CloudWatch
refuses timestamps more than two weeks old, so --day and --from/--to must
end within that.

Run it from cron, e.g. every hour with --since 24h, and alarm on the
Maximum of BounceRate per identity or configuration set over one hour.
Each metric and dimension combination is a billed custom metric: ten per
identity, configuration set, pair and for the totals, so --dimensions and
--no-totals are how to publish less.

AWS LAMBDA
  The same binary runs as a Lambda function (runtime provided.al2023,
  handler bootstrap): scripts/lambda/package.sh builds the zip, a static
  linux build without the local engine named bootstrap. Started with no
  arguments and AWS_LAMBDA_RUNTIME_API set, as Lambda does, sesctl takes
  its arguments from SESCTL_ARGS, a JSON array such as
  ["metrics","publish","--athena","--database","sesctl","--since","24h"],
  and serves invocations (--lambda, or AWS_LAMBDA_RUNTIME_API, selects this
  mode): each one publishes once. Invoke it from an EventBridge schedule,
  e.g. rate(1 hour): the scheduled event's time is "now" for the window, so
  a retried invocation publishes the same window. Other events may carry
  {"now":"2026-11-22T05:00:00Z"}, or be {} to use the clock. The response
  is JSON (window, identities, datums); failures are invocation errors
  of type Sesctl.SourceError, Sesctl.CloudWatchError, Sesctl.Timeout,
  Sesctl.InvalidEvent or Sesctl.UsageError, and the function keeps
  serving. Unusable SESCTL_ARGS or flags are an init error.

EXIT STATUS
  0  published (or printed with --dry-run), or no events in the window
  1  Lambda mode: SESCTL_ARGS or the flags are unusable (an init error),
     or the Lambda runtime API failed
  2  bad flags
  3  reading the events or calling CloudWatch failed`,
		Example: `  # what would be published, as a table
  sesctl metrics publish --lake lake --since 24h --dry-run
  # crontab: every hour, the last 24 hours
  5 * * * * sesctl metrics publish --athena --database sesctl --since 24h --region eu-west-1
  # yesterday, into a namespace of your own
  sesctl metrics publish --lake lake --day yesterday --namespace Mail/SES
  # per configuration set only, and no totals
  sesctl metrics publish --lake lake --since 24h --dimensions configuration-set --no-totals
  # AWS Lambda: the function's environment (the zip holds only bootstrap)
  SESCTL_ARGS=["metrics","publish","--athena","--database","sesctl","--since","24h"]
  # the handler against a local Lambda runtime API (an emulator)
  AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 sesctl metrics publish --lambda --lake lake --since 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if metricsLambdaWanted(o) {
				return runMetricsLambda(cmd, f, o)
			}
			return runMetricsPublish(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	o.events.addFlags(fl)
	fl.StringVar(&o.window.Since, "since", "", "window ending at the current minute: 24h, 7d, since:1d (default 24h)")
	fl.StringVar(&o.window.Day, "day", "", "one day (UTC, or --time-zone's): 2024-03-08, 2024/03/08, today, yesterday")
	fl.StringVar(&o.window.From, "from", "", "window start: a date or an RFC 3339 time")
	fl.StringVar(&o.window.To, "to", "", "window end: a date (inclusive) or an RFC 3339 time (default now)")
	fl.StringSliceVar(&o.identities, "identity", nil, "only these sender identities (repeatable or comma-separated)")
	fl.StringVar(&o.namespace, "namespace", health.DefaultNamespace, "CloudWatch namespace")
	fl.StringVar(&o.identityDim, "identity-dimension", health.DefaultIdentityDimension, "dimension name for the sender identity")
	fl.StringVar(&o.configSetDim, "configuration-set-dimension", health.DefaultConfigSetDimension, "dimension name for the configuration set")
	fl.StringSliceVar(&o.dimensions, "dimensions", []string{metricsDimIdentity, metricsDimConfigSet},
		"scopes with dimensions: identity, configuration-set, identity+configuration-set (comma-separated; empty for the totals only)")
	fl.BoolVar(&o.noTotals, "no-totals", false, "do not publish the metrics without dimensions for everything together (implied by --identity)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "print the datums instead of publishing them")
	fl.BoolVar(&o.lambda, "lambda", false, "serve AWS Lambda invocations through the runtime API (implied when AWS_LAMBDA_RUNTIME_API is set)")
	fl.StringVarP(&o.output, "output", "o", athena.OutputTable, "--dry-run output format: table, csv or json")
	return cmd
}

func runMetricsPublish(cmd *cobra.Command, f *Factory, o *metricsPublishOptions) error {
	if !monValidOutput(o.output) {
		return usageErrorf("--output %q: want table, csv or json", o.output)
	}
	if strings.TrimSpace(o.namespace) == "" || strings.HasPrefix(o.namespace, "AWS/") {
		return usageErrorf("--namespace %q: give a namespace of your own (AWS/ is reserved)", o.namespace)
	}
	scopes, err := o.groupOptions(cmd.Flags().Changed("dimensions"))
	if err != nil {
		return err
	}
	now := f.Now().UTC()
	w, err := o.window.Resolve(now.Truncate(time.Minute), "24h")
	if err != nil {
		return usageErrorf("%v", err)
	}
	ctx := cmd.Context()
	src, _, err := o.events.open(ctx, f, f.IO.Err)
	if err != nil {
		if o.events.athena {
			return &ExitError{Code: ExitInternal, Err: err}
		}
		return usageErrorf("%v", err)
	}
	defer src.Close()
	// The summary counts whole (partition) days; the datums are stamped
	// with the window end, or the current minute for a window that has
	// not ended yet.
	if w, err = o.window.Resolve(now.In(src.loc).Truncate(time.Minute), "24h"); err != nil {
		return usageErrorf("%v", err)
	}
	w = w.WholeDaysIn(src.loc)
	stamp := w.To
	if minute := now.Truncate(time.Minute); stamp.After(minute) {
		stamp = minute
	}
	if !o.dryRun {
		if err := health.CheckTimestamp(stamp, now); err != nil {
			return usageErrorf("%v", err)
		}
	}
	rows, err := src.Summary(ctx, w.From, w.To, monLower(o.identities))
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("read events: %w", err)}
	}
	groups := health.GroupsFromSummary(rows, scopes)
	datums := health.Datums(groups, health.PublishOptions{
		IdentityDimension: o.identityDim, ConfigSetDimension: o.configSetDim, Timestamp: stamp,
	})
	if o.observe != nil {
		o.observe(w, stamp, groups, datums)
	}
	if len(datums) == 0 {
		fmt.Fprintf(f.IO.Err, "sesctl: no SES events in %s: nothing to publish\n", w.Desc)
		return nil
	}
	if o.dryRun {
		return metricsDryRun(f, o, datums, groups)
	}
	return metricsSend(cmd, f, o, datums, groups)
}

// groupOptions turns --dimensions, --no-totals and --identity into the
// scopes to publish. With --identity the totals and the configuration-set
// scopes would be sums over some identities only: they are left out, and
// naming configuration-set explicitly (dimensionsSet) is an error.
func (o *metricsPublishOptions) groupOptions(dimensionsSet bool) (health.GroupOptions, error) {
	g := health.GroupOptions{Totals: !o.noTotals && len(o.identities) == 0}
	for _, d := range o.dimensions {
		switch strings.ToLower(strings.TrimSpace(d)) {
		case metricsDimIdentity:
			g.ByIdentity = true
		case metricsDimConfigSet:
			g.ByConfigurationSet = true
		case metricsDimPair:
			g.ByIdentityAndSet = true
		case "":
		default:
			return g, usageErrorf("--dimensions %q: want %s, %s or %s", d, metricsDimIdentity, metricsDimConfigSet, metricsDimPair)
		}
	}
	if g.ByConfigurationSet && len(o.identities) > 0 {
		if dimensionsSet {
			return g, usageErrorf("--dimensions %s with --identity would publish the sum over some identities as the configuration set's; use %s", metricsDimConfigSet, metricsDimPair)
		}
		g.ByConfigurationSet = false
	}
	if o.identityDim == o.configSetDim {
		return g, usageErrorf("--identity-dimension and --configuration-set-dimension are both %q: give them different names", o.identityDim)
	}
	if !g.ByIdentity && !g.ByConfigurationSet && !g.ByIdentityAndSet && !g.Totals {
		return g, usageErrorf("nothing to publish: no --dimensions and no totals (--no-totals or --identity)")
	}
	return g, nil
}

// metricsScopes describes what the groups cover: "3 identities, 2
// configuration sets, totals".
func metricsScopes(groups []health.Group) string {
	var ids, sets, pairs, totals int
	for _, g := range groups {
		switch {
		case g.Identity != "" && g.ConfigurationSet != "":
			pairs++
		case g.Identity != "":
			ids++
		case g.ConfigurationSet != "":
			sets++
		default:
			totals++
		}
	}
	var parts []string
	for _, p := range []struct {
		n         int
		one, many string
	}{{ids, "identity", "identities"}, {sets, "configuration set", "configuration sets"}, {pairs, "identity and configuration set pair", "identity and configuration set pairs"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, monPlural(p.n, p.one, p.many)))
		}
	}
	if totals > 0 {
		parts = append(parts, "totals")
	}
	return strings.Join(parts, ", ")
}

func metricsDryRun(f *Factory, o *metricsPublishOptions, datums []cwtypes.MetricDatum, groups []health.Group) error {
	res := &athena.Result{
		Columns: []string{"namespace", "metric", "dimensions", "timestamp", "value", "unit"},
		Types:   []string{"varchar", "varchar", "varchar", "timestamp", "double", "varchar"},
	}
	for _, d := range datums {
		res.Rows = append(res.Rows, []string{
			o.namespace, aws.ToString(d.MetricName), monDimensions(d.Dimensions),
			aws.ToTime(d.Timestamp).UTC().Format(time.RFC3339),
			strconv.FormatFloat(aws.ToFloat64(d.Value), 'f', -1, 64), string(d.Unit),
		})
	}
	if err := res.Write(f.IO.Out, o.output); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	fmt.Fprintf(f.IO.Err, "dry run: %d %s not published (%s)\n", len(datums), monPlural(len(datums), "datum", "datums"), metricsScopes(groups))
	return nil
}

func metricsSend(cmd *cobra.Command, f *Factory, o *metricsPublishOptions, datums []cwtypes.MetricDatum, groups []health.Group) error {
	ctx := cmd.Context()
	cfg, err := f.AWS.Load(ctx)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	n, err := health.Publish(ctx, cloudwatch.NewFromConfig(cfg), o.namespace, datums)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	fmt.Fprintf(f.IO.Err, "published %d %s (%s) to CloudWatch namespace %s at %s in %d %s\n",
		len(datums), monPlural(len(datums), "datum", "datums"), metricsScopes(groups),
		o.namespace, aws.ToTime(datums[0].Timestamp).UTC().Format(time.RFC3339), n, monPlural(n, "request", "requests"))
	return nil
}

func monDimensions(dims []cwtypes.Dimension) string {
	parts := make([]string, 0, len(dims))
	for _, d := range dims {
		parts = append(parts, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func monLower(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
			out = append(out, id)
		}
	}
	return out
}
