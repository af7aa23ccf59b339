package athena

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/sink"
)

// AthenaAPI is the part of the Athena client the runner uses.
type AthenaAPI interface {
	StartQueryExecution(ctx context.Context, in *sdkathena.StartQueryExecutionInput, optFns ...func(*sdkathena.Options)) (*sdkathena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *sdkathena.GetQueryExecutionInput, optFns ...func(*sdkathena.Options)) (*sdkathena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *sdkathena.GetQueryResultsInput, optFns ...func(*sdkathena.Options)) (*sdkathena.GetQueryResultsOutput, error)
	StopQueryExecution(ctx context.Context, in *sdkathena.StopQueryExecutionInput, optFns ...func(*sdkathena.Options)) (*sdkathena.StopQueryExecutionOutput, error)
}

// S3ListAPI is the part of the S3 client used to list identities.
type S3ListAPI interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Athena's SQL engine is billed per byte scanned: USD 5 per TB (10^12 bytes),
// each query rounded up to the next megabyte with a 10 MB minimum
// (https://aws.amazon.com/athena/pricing/, us-east-1; other regions and
// provisioned capacity differ). The estimate printed after each query uses
// these numbers.
const (
	USDPerTB        = 5.0
	billingMinBytes = 10 * 1000 * 1000
	billingUnit     = 1000 * 1000
)

// EstimatedCostUSD is what scanning n bytes costs at USDPerTB with the
// 10 MB per-query minimum.
func EstimatedCostUSD(n int64) float64 {
	billed := max(n, billingMinBytes)
	billed = (billed + billingUnit - 1) / billingUnit * billingUnit
	return float64(billed) / 1e12 * USDPerTB
}

// AthenaOptions configure an AthenaRunner.
type AthenaOptions struct {
	Database       string // Glue database; QueryExecutionContext.Database
	Table          string // table name; default DefaultTable
	WorkGroup      string // empty: the account's default (primary)
	OutputLocation string // s3://... for results; empty: the workgroup's setting
	// Location is the lake root (s3://bucket/ or s3://bucket/root/). It is
	// only needed to list identities when a query names none.
	Location string
	Spec     pipeline.Spec
	// Progress receives the data-scanned and cost line; nil discards it.
	Progress io.Writer
	// PollInitial and PollMax bound the GetQueryExecution backoff
	// (defaults 250 ms doubling to 5 s).
	PollInitial, PollMax time.Duration

	// Athena and S3 replace the clients built from the aws.Config (tests).
	Athena AthenaAPI
	S3     S3ListAPI
}

// AthenaRunner runs queries with Amazon Athena.
type AthenaRunner struct {
	o      AthenaOptions
	athena AthenaAPI
	s3     S3ListAPI
	sleep  func(ctx context.Context, d time.Duration) error
}

// NewAthenaRunner returns a runner whose clients come from cfg unless o
// supplies them.
func NewAthenaRunner(cfg aws.Config, o AthenaOptions) *AthenaRunner {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.PollInitial <= 0 {
		o.PollInitial = 250 * time.Millisecond
	}
	if o.PollMax <= 0 {
		o.PollMax = 5 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	r := &AthenaRunner{o: o, athena: o.Athena, s3: o.S3, sleep: sleepCtx}
	if r.athena == nil {
		r.athena = sdkathena.NewFromConfig(cfg)
	}
	if r.s3 == nil {
		// Path-style addressing when an endpoint URL is set (MinIO, moto).
		r.s3 = sink.NewS3Client(cfg, sink.DefaultPathStyle(cfg))
	}
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// QueryFailedError is a query Athena ran and reported FAILED or CANCELLED.
type QueryFailedError struct {
	ID, State, Reason string
}

func (e *QueryFailedError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("athena query %s %s", e.ID, strings.ToLower(e.State))
	}
	return fmt.Sprintf("athena query %s %s: %q", e.ID, strings.ToLower(e.State), e.Reason)
}

// RunSQL runs sql in the configured database and workgroup and returns all
// result rows. When ctx is cancelled while the query runs, the query is
// stopped with StopQueryExecution before RunSQL returns ctx's error.
func (r *AthenaRunner) RunSQL(ctx context.Context, sql string) (*Result, error) {
	id, err := r.start(ctx, sql)
	if err != nil {
		return nil, err
	}
	qe, err := r.wait(ctx, id)
	if err != nil {
		if ctx.Err() != nil {
			r.stop(ctx, id)
			return nil, fmt.Errorf("athena query %s: %w", id, ctx.Err())
		}
		return nil, err
	}
	r.reportScanned(id, qe)
	return r.results(ctx, id)
}

func (r *AthenaRunner) start(ctx context.Context, sql string) (string, error) {
	in := &sdkathena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String(r.o.Database)},
	}
	if r.o.WorkGroup != "" {
		in.WorkGroup = aws.String(r.o.WorkGroup)
	}
	if r.o.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(r.o.OutputLocation)}
	}
	out, err := r.athena.StartQueryExecution(ctx, in)
	if err != nil {
		return "", fmt.Errorf("athena StartQueryExecution: %w", err)
	}
	return aws.ToString(out.QueryExecutionId), nil
}

// wait polls GetQueryExecution with exponential backoff until the query
// leaves QUEUED/RUNNING.
func (r *AthenaRunner) wait(ctx context.Context, id string) (*types.QueryExecution, error) {
	delay := r.o.PollInitial
	for {
		out, err := r.athena.GetQueryExecution(ctx, &sdkathena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("athena GetQueryExecution %s: %w", id, err)
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return nil, fmt.Errorf("athena GetQueryExecution %s: response without a status", id)
		}
		switch qe.Status.State {
		case types.QueryExecutionStateSucceeded:
			return qe, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			return nil, &QueryFailedError{ID: id, State: string(qe.Status.State), Reason: aws.ToString(qe.Status.StateChangeReason)}
		}
		if err := r.sleep(ctx, delay); err != nil {
			return nil, err
		}
		delay = min(delay*2, r.o.PollMax)
	}
}

// stop asks Athena to cancel id. It runs on a context detached from the
// cancelled one, bounded to a few seconds.
func (r *AthenaRunner) stop(ctx context.Context, id string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := r.athena.StopQueryExecution(sctx, &sdkathena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		fmt.Fprintf(r.o.Progress, "sesctl: could not stop athena query %s: %v\n", id, err)
		return
	}
	fmt.Fprintf(r.o.Progress, "sesctl: stopped athena query %s\n", id)
}

func (r *AthenaRunner) reportScanned(id string, qe *types.QueryExecution) {
	var scanned int64
	if qe.Statistics != nil {
		scanned = aws.ToInt64(qe.Statistics.DataScannedInBytes)
	}
	fmt.Fprintf(r.o.Progress, "athena query %s: %s scanned, estimated cost $%.6f (at $%.2f/TB, 10 MB minimum)\n",
		id, FormatBytes(scanned), EstimatedCostUSD(scanned), USDPerTB)
}

// results reads every page of GetQueryResults. The first row of the first
// page repeats the column names and is skipped.
func (r *AthenaRunner) results(ctx context.Context, id string) (*Result, error) {
	res := &Result{}
	var token *string
	first := true
	for {
		out, err := r.athena.GetQueryResults(ctx, &sdkathena.GetQueryResultsInput{QueryExecutionId: aws.String(id), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("athena GetQueryResults %s: %w", id, err)
		}
		if out.ResultSet == nil {
			return nil, fmt.Errorf("athena GetQueryResults %s: response without a result set", id)
		}
		rows := out.ResultSet.Rows
		if first {
			res.Columns, res.Types = columnInfo(out.ResultSet.ResultSetMetadata)
			if len(rows) > 0 && isHeader(rows[0], res.Columns) {
				rows = rows[1:]
			}
			first = false
		}
		for _, row := range rows {
			res.Rows = append(res.Rows, datumText(row.Data, len(res.Columns)))
		}
		token = out.NextToken
		if aws.ToString(token) == "" {
			return res, nil
		}
	}
}

func columnInfo(md *types.ResultSetMetadata) (names, typ []string) {
	if md == nil {
		return nil, nil
	}
	for _, c := range md.ColumnInfo {
		names = append(names, aws.ToString(c.Name))
		typ = append(typ, normalizeType(aws.ToString(c.Type)))
	}
	return names, typ
}

// isHeader reports whether row holds exactly the column names, which
// GetQueryResults puts first for SELECT queries.
func isHeader(row types.Row, cols []string) bool {
	if len(row.Data) != len(cols) {
		return false
	}
	for i, d := range row.Data {
		if aws.ToString(d.VarCharValue) != cols[i] {
			return false
		}
	}
	return true
}

func datumText(data []types.Datum, n int) []string {
	out := make([]string, max(n, len(data)))
	for i, d := range data {
		out[i] = aws.ToString(d.VarCharValue) // NULL has no VarCharValue
	}
	return out
}

// normalizeType maps an engine type name onto the lower-case base names
// Result.Types uses: "decimal(12,6)" -> "decimal", "array(varchar)" ->
// "array", "VARCHAR" -> "varchar", "STRUCT(...)" -> "row".
func normalizeType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexAny(t, "(<"); i >= 0 {
		t = t[:i]
	}
	switch {
	case strings.HasSuffix(t, "[]") || t == "list":
		return "array"
	case t == "struct":
		return "row"
	case t == "timestamp with time zone", t == "timestamptz":
		return "timestamp"
	case t == "char", t == "string":
		return "varchar"
	}
	return strings.TrimSpace(t)
}

// FormatBytes renders n with a binary unit (B, KiB, MiB, GiB, TiB).
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}

// ErrNoPartitions reports that a query has nothing to read: no identity
// (or other injected partition value) exists under the lake's prefix.
var ErrNoPartitions = errors.New("no matching partitions")

// ErrNeedValues reports that Athena needs literal values for an injected
// partition column and there is no way to list them.
var ErrNeedValues = errors.New("Athena needs literal values for the injected partition columns")

// Run renders q for Athena and runs it. Injected partition columns need
// literal values: identities come from p, or are listed from the bucket
// (ListObjectsV2 with a "/" delimiter under Location).
func (r *AthenaRunner) Run(ctx context.Context, q *CannedQuery, p Params) (*Result, error) {
	sqlText, err := r.SQL(ctx, q, p)
	if errors.Is(err, ErrNoPartitions) {
		fmt.Fprintf(r.o.Progress, "sesctl: %v; nothing to query\n", err)
		return &Result{Columns: q.ColumnNames()}, nil
	}
	if err != nil {
		return nil, err
	}
	res, err := r.RunSQL(ctx, sqlText)
	if err == nil && len(res.Columns) == 0 {
		res.Columns = q.ColumnNames() // an empty result may come without metadata
	}
	return res, err
}

// SQL renders q for Athena with p, listing identities when p names none.
func (r *AthenaRunner) SQL(ctx context.Context, q *CannedQuery, p Params) (string, error) {
	layout, err := ParseLayout(r.o.Spec.Prefix, r.o.Spec.Query, false)
	if err != nil {
		return "", err
	}
	loc, err := r.o.Spec.Location()
	if err != nil {
		return "", err
	}
	fixed, timeVals, err := fixedValues(layout, q.EventTypes, p, loc)
	if err != nil {
		return "", err
	}
	values, err := r.injectedValues(ctx, layout, fixed)
	if err != nil {
		return "", err
	}
	table := quoteIdent(r.o.Database) + "." + quoteIdent(r.o.Table)
	src := Source{Engine: EngineAthena, Layout: layout, Values: values, TimeValues: timeVals,
		Table: func(string) string { return table }}
	return q.SQL(src, p)
}

// injectedValues returns the literal values of every injected column:
// fixed ones as given, the others listed from S3.
func (r *AthenaRunner) injectedValues(ctx context.Context, layout *Layout, fixed map[string][]string) (map[string][]string, error) {
	values := map[string][]string{}
	var missing []string
	for _, c := range layout.Columns() {
		if c.Role != RoleIdentity && c.Role != RoleInjected {
			continue
		}
		if v := fixed[c.Name]; v != nil {
			values[c.Name] = v
			continue
		}
		missing = append(missing, c.Name)
	}
	if len(missing) == 0 {
		return values, nil
	}
	if r.o.Location == "" {
		return nil, fmt.Errorf("%w (%s): pass --identity, or --location s3://bucket/ so sesctl can list them", ErrNeedValues, strings.Join(missing, ", "))
	}
	ls, err := NewS3Lister(r.s3, r.o.Location)
	if err != nil {
		return nil, err
	}
	parts, err := layout.enumerate(ctx, ls, fixed, true)
	if err != nil {
		return nil, err
	}
	for _, name := range missing {
		values[name] = columnValues(parts, name)
		if len(values[name]) == 0 {
			return nil, fmt.Errorf("%w: no %s values under %s%s", ErrNoPartitions, name, strings.TrimSuffix(r.o.Location, "/")+"/", layout.staticPrefix())
		}
	}
	fmt.Fprintf(r.o.Progress, "listed %s in %s (%d ListObjectsV2 calls)\n", strings.Join(missing, ", "), r.o.Location, ls.Calls)
	return values, nil
}
