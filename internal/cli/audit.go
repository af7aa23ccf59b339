package cli

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/internal/health"
)

func init() { register("audit", newAuditCmd) }

type auditOptions struct {
	window       health.WindowFlags
	includeReads bool
	output       string
}

func newAuditCmd(f *Factory) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show who changed the SES setup: management calls from CloudTrail",
		Long: `audit lists the SES management calls recorded in CloudTrail's event history
(LookupEvents, event source ses.amazonaws.com) in the region: who created,
deleted or changed identities, configuration sets, event destinations,
templates and other SES resources, when, and from which address.

For each call it prints the time (UTC), the operation, the caller (the ARN
from userIdentity, else the user name), the source IP address (or the AWS
service that called on the caller's behalf), the resource named in the
request parameters (identity=..., configuration-set=...,
event-destination=...) and, for calls that failed, the error code. Read-only
calls (Get*, List*, ...) are left out unless --include-reads is given.

What is not here: sending calls. SendEmail, SendRawEmail, SendBulkEmail and
SMTP sending are not CloudTrail management events, so the event history
never shows them (a trail can record them as paid data events, which this
command does not read). The record of every message is SES event
publishing: the lake that sesctl replay and sesctl query work on.

CloudTrail's event history keeps 90 days; an older --from is cut to 90 days
ago. LookupEvents allows two requests per second per account and region;
the SDK retries when throttled.

EXIT STATUS
  0  the events were listed (possibly none)
  2  bad flags
  3  the CloudTrail call failed (credentials, permissions, network)`,
		Example: `  sesctl audit --since 7d
  sesctl audit --day yesterday --output csv > ses-changes.csv
  sesctl audit --from 2024-03-01 --to 2024-03-07 --include-reads --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, f, o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.window.Since, "since", "", "window ending now: 24h, 7d, since:1d (default 7d)")
	fl.StringVar(&o.window.Day, "day", "", "one UTC day: 2024-03-08, 2024/03/08, today, yesterday")
	fl.StringVar(&o.window.From, "from", "", "window start: a date or an RFC 3339 time")
	fl.StringVar(&o.window.To, "to", "", "window end: a date (inclusive) or an RFC 3339 time (default now)")
	fl.BoolVar(&o.includeReads, "include-reads", false, "also list read-only calls (Get*, List*, Describe*)")
	fl.StringVarP(&o.output, "output", "o", athena.OutputTable, "output format: table, csv or json")
	return cmd
}

func runAudit(cmd *cobra.Command, f *Factory, o *auditOptions) error {
	if !monValidOutput(o.output) {
		return usageErrorf("--output %q: want table, csv or json", o.output)
	}
	now := f.Now().UTC()
	w, err := o.window.Resolve(now, "7d")
	if err != nil {
		return usageErrorf("%v", err)
	}
	if oldest := now.Add(-health.EventHistoryRetention); w.From.Before(oldest) {
		fmt.Fprintf(f.IO.Err, "sesctl: CloudTrail event history keeps 90 days: starting at %s\n", oldest.Format(time.RFC3339))
		w.From = oldest
	}
	if !w.From.Before(w.To) {
		return usageErrorf("the window %s lies outside CloudTrail's 90-day event history", w.Desc)
	}
	ctx := cmd.Context()
	cfg, err := f.AWS.Load(ctx)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	events, err := health.Audit(ctx, cloudtrail.NewFromConfig(cfg), health.AuditOptions{From: w.From, To: w.To, IncludeReads: o.includeReads})
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	res := auditResult(events)
	if err := res.Write(f.IO.Out, o.output); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	if o.output == athena.OutputTable {
		fmt.Fprintf(f.IO.Err, "%d SES %s between %s and %s\n", len(events), monPlural(len(events), "call", "calls"),
			w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	return nil
}

func auditResult(events []health.AuditEvent) *athena.Result {
	res := &athena.Result{
		Columns: []string{"time", "event", "user", "source_ip", "resource", "error"},
		Types:   []string{"timestamp", "varchar", "varchar", "varchar", "varchar", "varchar"},
	}
	for _, e := range events {
		res.Rows = append(res.Rows, []string{e.Time.Format(time.RFC3339), e.EventName, e.User, e.SourceIP, e.Resource, e.Error})
	}
	return res
}

func monValidOutput(s string) bool {
	for _, f := range athena.OutputFormats {
		if s == f {
			return true
		}
	}
	return false
}

func monPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
