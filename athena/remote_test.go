package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sesctl/sesctl/pipeline"
)

// ---- in-memory fakes of the narrow interfaces ----

type fakeAthena struct {
	states  []types.QueryExecutionState // returned by successive polls; the last repeats
	reason  string
	scanned int64
	pages   []*sdkathena.GetQueryResultsOutput
	onPoll  func(n int)

	started []*sdkathena.StartQueryExecutionInput
	polls   int
	stopped []string
	tokens  []string
}

func (f *fakeAthena) StartQueryExecution(_ context.Context, in *sdkathena.StartQueryExecutionInput, _ ...func(*sdkathena.Options)) (*sdkathena.StartQueryExecutionOutput, error) {
	f.started = append(f.started, in)
	return &sdkathena.StartQueryExecutionOutput{QueryExecutionId: aws.String("q-1")}, nil
}

func (f *fakeAthena) GetQueryExecution(_ context.Context, in *sdkathena.GetQueryExecutionInput, _ ...func(*sdkathena.Options)) (*sdkathena.GetQueryExecutionOutput, error) {
	f.polls++
	if f.onPoll != nil {
		f.onPoll(f.polls)
	}
	st := types.QueryExecutionStateSucceeded
	if len(f.states) > 0 {
		st = f.states[min(f.polls, len(f.states))-1]
	}
	return &sdkathena.GetQueryExecutionOutput{QueryExecution: &types.QueryExecution{
		QueryExecutionId: in.QueryExecutionId,
		Status:           &types.QueryExecutionStatus{State: st, StateChangeReason: aws.String(f.reason)},
		Statistics:       &types.QueryExecutionStatistics{DataScannedInBytes: aws.Int64(f.scanned)},
	}}, nil
}

func (f *fakeAthena) GetQueryResults(_ context.Context, in *sdkathena.GetQueryResultsInput, _ ...func(*sdkathena.Options)) (*sdkathena.GetQueryResultsOutput, error) {
	f.tokens = append(f.tokens, aws.ToString(in.NextToken))
	i := 0
	if in.NextToken != nil {
		fmt.Sscanf(*in.NextToken, "page-%d", &i)
	}
	return f.pages[i], nil
}

func (f *fakeAthena) StopQueryExecution(_ context.Context, in *sdkathena.StopQueryExecutionInput, _ ...func(*sdkathena.Options)) (*sdkathena.StopQueryExecutionOutput, error) {
	f.stopped = append(f.stopped, aws.ToString(in.QueryExecutionId))
	return &sdkathena.StopQueryExecutionOutput{}, nil
}

type fakeS3 struct {
	keys  []string
	calls []string
}

// ListObjectsV2 groups fake keys by the delimiter, two common prefixes per
// page to exercise pagination.
func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.calls = append(f.calls, aws.ToString(in.Prefix)+"|"+aws.ToString(in.ContinuationToken))
	var cps []string
	seen := map[string]bool{}
	for _, k := range f.keys {
		rest, ok := strings.CutPrefix(k, aws.ToString(in.Prefix))
		if !ok {
			continue
		}
		if i := strings.Index(rest, aws.ToString(in.Delimiter)); i >= 0 {
			cp := aws.ToString(in.Prefix) + rest[:i+1]
			if !seen[cp] {
				seen[cp] = true
				cps = append(cps, cp)
			}
		}
	}
	sort.Strings(cps)
	start := 0
	if in.ContinuationToken != nil {
		fmt.Sscanf(*in.ContinuationToken, "%d", &start)
	}
	end := min(start+2, len(cps))
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(end < len(cps))}
	for _, cp := range cps[start:end] {
		out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(cp)})
	}
	if end < len(cps) {
		out.NextContinuationToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func resultPage(next string, rows ...[]string) *sdkathena.GetQueryResultsOutput {
	out := &sdkathena.GetQueryResultsOutput{ResultSet: &types.ResultSet{
		ResultSetMetadata: &types.ResultSetMetadata{ColumnInfo: []types.ColumnInfo{
			{Name: aws.String("sender_identity"), Type: aws.String("varchar")},
			{Name: aws.String("sends"), Type: aws.String("bigint")},
		}},
	}}
	for _, r := range rows {
		var data []types.Datum
		for _, v := range r {
			if v == "<null>" {
				data = append(data, types.Datum{})
				continue
			}
			data = append(data, types.Datum{VarCharValue: aws.String(v)})
		}
		out.ResultSet.Rows = append(out.ResultSet.Rows, types.Row{Data: data})
	}
	if next != "" {
		out.NextToken = aws.String(next)
	}
	return out
}

func newFakeRunner(fa *fakeAthena, fs *fakeS3, progress io.Writer, o AthenaOptions) *AthenaRunner {
	o.Spec = pipeline.DefaultSpec()
	o.Athena, o.S3, o.Progress = fa, fs, progress
	o.PollInitial, o.PollMax = time.Millisecond, 4*time.Millisecond
	return NewAthenaRunner(aws.Config{}, o)
}

func TestAthenaRunSQLPollsAndPaginates(t *testing.T) {
	fa := &fakeAthena{
		states:  []types.QueryExecutionState{"QUEUED", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"},
		scanned: 123456789,
		pages: []*sdkathena.GetQueryResultsOutput{
			resultPage("page-1", []string{"sender_identity", "sends"}, []string{"a.example", "3"}),
			resultPage("", []string{"b.example", "<null>"}),
		},
	}
	var progress bytes.Buffer
	r := newFakeRunner(fa, &fakeS3{}, &progress, AthenaOptions{Database: "mail", WorkGroup: "wg", OutputLocation: "s3://results/"})
	var sleeps []time.Duration
	r.sleep = func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }
	res, err := r.RunSQL(context.Background(), "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{Columns: []string{"sender_identity", "sends"}, Types: []string{"varchar", "bigint"}, Rows: [][]string{{"a.example", "3"}, {"b.example", ""}}}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("result %v, want %v", res, want)
	}
	if got := fmt.Sprint(sleeps); got != "[1ms 2ms 4ms 4ms 4ms]" {
		t.Errorf("backoff %s", got)
	}
	if got := fmt.Sprint(fa.tokens); got != "[ page-1]" {
		t.Errorf("page tokens %s", got)
	}
	in := fa.started[0]
	if aws.ToString(in.QueryExecutionContext.Database) != "mail" || aws.ToString(in.WorkGroup) != "wg" || aws.ToString(in.ResultConfiguration.OutputLocation) != "s3://results/" {
		t.Errorf("start input %+v", in)
	}
	if got := progress.String(); got != "athena query q-1: 117.7 MiB scanned, estimated cost $0.000620 (at $5.00/TB, 10 MB minimum)\n" {
		t.Errorf("progress %q", got)
	}
}

func TestAthenaFailureQuotesReason(t *testing.T) {
	fa := &fakeAthena{states: []types.QueryExecutionState{"RUNNING", "FAILED"}, reason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved"}
	r := newFakeRunner(fa, &fakeS3{}, io.Discard, AthenaOptions{})
	_, err := r.RunSQL(context.Background(), "SELECT x")
	var qf *QueryFailedError
	if !errors.As(err, &qf) || qf.State != "FAILED" {
		t.Fatalf("err %v", err)
	}
	if want := `athena query q-1 failed: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved"`; err.Error() != want {
		t.Errorf("message %s", err)
	}
	if len(fa.stopped) != 0 {
		t.Error("a failed query was stopped")
	}
}

func TestAthenaCancelStopsTheQuery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fa := &fakeAthena{states: []types.QueryExecutionState{"RUNNING"}, onPoll: func(n int) {
		if n == 2 {
			cancel()
		}
	}}
	var progress bytes.Buffer
	r := newFakeRunner(fa, &fakeS3{}, &progress, AthenaOptions{})
	_, err := r.RunSQL(ctx, "SELECT 1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if fmt.Sprint(fa.stopped) != "[q-1]" {
		t.Errorf("stopped %v", fa.stopped)
	}
	if !strings.Contains(progress.String(), "stopped athena query q-1") {
		t.Errorf("progress %q", progress.String())
	}
}

func TestAthenaListsIdentities(t *testing.T) {
	fs := &fakeS3{keys: []string{
		"lake/events/a.example/Bounce/2024/03/08/x.gz",
		"lake/events/b.example/Send/2024/03/08/x.gz",
		"lake/events/c.example/Send/2024/03/08/x.gz",
		"lake/events/c.example/Bounce/2024/03/07/x.gz",
		"lake/errors/metadata-extraction-failed/2024/03/08/x.gz",
		"lake/events-not/x.example/Send/2024/03/08/x.gz",
	}}
	fa := &fakeAthena{pages: []*sdkathena.GetQueryResultsOutput{resultPage("", []string{"sender_identity", "sends"})}}
	var progress bytes.Buffer
	r := newFakeRunner(fa, fs, &progress, AthenaOptions{Location: "s3://bucket/lake/"})
	bounces, _ := Lookup("bounces")
	p := Params{From: day("2024-03-08"), To: day("2024-03-08")}
	if _, err := r.Run(context.Background(), bounces, p); err != nil {
		t.Fatal(err)
	}
	sql := aws.ToString(fa.started[0].QueryString)
	if !strings.Contains(sql, `e."sender_identity" IN ('a.example', 'b.example', 'c.example')`) {
		t.Errorf("identities not listed into the query:\n%s", sql)
	}
	if got := fmt.Sprint(fs.calls); got != "[lake/events/| lake/events/|2]" {
		t.Errorf("ListObjectsV2 calls %s", got)
	}
	if !strings.Contains(progress.String(), "listed sender_identity in s3://bucket/lake/ (2 ListObjectsV2 calls)") {
		t.Errorf("progress %q", progress.String())
	}

	// Given identities are used as they are, without listing.
	fs.calls = nil
	p.Identities = []string{"z.example"}
	sqlText, err := r.SQL(context.Background(), bounces, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs.calls) != 0 || !strings.Contains(sqlText, `e."sender_identity" = 'z.example'`) {
		t.Errorf("calls %v\n%s", fs.calls, sqlText)
	}
}

func TestAthenaNoIdentities(t *testing.T) {
	fa := &fakeAthena{}
	var progress bytes.Buffer
	r := newFakeRunner(fa, &fakeS3{}, &progress, AthenaOptions{Location: "s3://bucket/"})
	bounces, _ := Lookup("bounces")
	res, err := r.Run(context.Background(), bounces, Params{From: day("2024-03-08"), To: day("2024-03-08")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 0 || len(fa.started) != 0 {
		t.Errorf("rows %v, queries started %d", res.Rows, len(fa.started))
	}
	if !strings.Contains(progress.String(), "no sender_identity values under s3://bucket/events/") {
		t.Errorf("progress %q", progress.String())
	}
	r = newFakeRunner(fa, &fakeS3{}, &progress, AthenaOptions{})
	if _, err := r.Run(context.Background(), bounces, Params{From: day("2024-03-08"), To: day("2024-03-08")}); err == nil || !strings.Contains(err.Error(), "--identity") {
		t.Errorf("without a location: %v", err)
	}
}

func TestEstimatedCost(t *testing.T) {
	for n, want := range map[int64]float64{0: 0.00005, 10_000_000: 0.00005, 10_000_001: 0.000055, 1e12: 5} {
		if got := EstimatedCostUSD(n); fmt.Sprintf("%.9f", got) != fmt.Sprintf("%.9f", want) {
			t.Errorf("EstimatedCostUSD(%d) = %v, want %v", n, got, want)
		}
	}
}

// ---- wire tests: the real SDK clients with a recording HTTP client ----

type recorded struct {
	Method, URL, Target, Body string
}

// wireStub answers AWS requests from canned bodies and records them.
type wireStub struct {
	mu       sync.Mutex
	reqs     []recorded
	respond  func(r recorded) (int, string)
	gotStops int
}

func (s *wireStub) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	u := *req.URL
	q := u.Query()
	u.RawQuery = q.Encode() // sorted, so golden files are stable
	rec := recorded{Method: req.Method, URL: u.String(), Target: req.Header.Get("X-Amz-Target"), Body: normalizeBody(body)}
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()
	status, out := s.respond(rec)
	ct := "application/x-amz-json-1.1"
	if strings.HasPrefix(out, "<") {
		ct = "application/xml"
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(strings.NewReader(out)), Request: req}, nil
}

var tokenRE = regexp.MustCompile(`"ClientRequestToken":"[^"]*"`)

// normalizeBody replaces the SDK's random idempotency token and indents
// JSON so golden files read well.
func normalizeBody(b []byte) string {
	s := tokenRE.ReplaceAllString(string(b), `"ClientRequestToken":"<random>"`)
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		enc.Encode(v)
		return strings.TrimSuffix(b.String(), "\n")
	}
	return s
}

func (s *wireStub) transcript() string {
	var b strings.Builder
	for _, r := range s.reqs {
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
		if r.Target != "" {
			fmt.Fprintf(&b, "X-Amz-Target: %s\n", r.Target)
		}
		if r.Body != "" {
			fmt.Fprintf(&b, "%s\n", r.Body)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func wireConfig(stub *wireStub) aws.Config {
	return aws.Config{
		Region:      "eu-west-1",
		Credentials: aws.AnonymousCredentials{},
		HTTPClient:  stub,
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func TestWireAthenaQueryFlow(t *testing.T) {
	polls := 0
	stub := &wireStub{}
	stub.respond = func(r recorded) (int, string) {
		switch {
		case r.Target == "AmazonAthena.StartQueryExecution":
			return 200, `{"QueryExecutionId":"11111111-2222-3333-4444-555555555555"}`
		case r.Target == "AmazonAthena.GetQueryExecution":
			polls++
			state := "RUNNING"
			if polls > 1 {
				state = "SUCCEEDED"
			}
			return 200, `{"QueryExecution":{"QueryExecutionId":"11111111-2222-3333-4444-555555555555","Status":{"State":"` + state + `"},"Statistics":{"DataScannedInBytes":2048}}}`
		case r.Target == "AmazonAthena.GetQueryResults" && !strings.Contains(r.Body, "NextToken"):
			return 200, `{"ResultSet":{"ResultSetMetadata":{"ColumnInfo":[{"Name":"sender_identity","Type":"varchar"},{"Name":"bounced_at","Type":"varchar"}]},
"Rows":[{"Data":[{"VarCharValue":"sender_identity"},{"VarCharValue":"bounced_at"}]},{"Data":[{"VarCharValue":"a.example"},{"VarCharValue":"2024-03-08T10:01:00.000Z"}]}]},"NextToken":"tok-2"}`
		case r.Target == "AmazonAthena.GetQueryResults":
			return 200, `{"ResultSet":{"ResultSetMetadata":{"ColumnInfo":[{"Name":"sender_identity","Type":"varchar"},{"Name":"bounced_at","Type":"varchar"}]},
"Rows":[{"Data":[{"VarCharValue":"b.example"},{}]}]}}`
		case r.Method == "GET" && strings.Contains(r.URL, "list-type=2"):
			if strings.Contains(r.URL, "continuation-token") {
				return 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>lake</Name><Prefix>events/</Prefix><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>events/b.example/</Prefix></CommonPrefixes></ListBucketResult>`
			}
			return 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>lake</Name><Prefix>events/</Prefix><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><NextContinuationToken>ct-2</NextContinuationToken><CommonPrefixes><Prefix>events/a.example/</Prefix></CommonPrefixes></ListBucketResult>`
		}
		return 400, `{"__type":"InvalidRequestException","Message":"unexpected request"}`
	}
	var progress bytes.Buffer
	r := NewAthenaRunner(wireConfig(stub), AthenaOptions{
		Spec: pipeline.DefaultSpec(), Database: "sesctl", Table: "ses_events", WorkGroup: "sesctl",
		OutputLocation: "s3://lake-results/athena/", Location: "s3://lake/", Progress: &progress,
		PollInitial: time.Millisecond,
	})
	bounces, _ := Lookup("bounces")
	res, err := r.Run(context.Background(), bounces, Params{From: day("2024-03-08"), To: day("2024-03-08"), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Rows); got != "[[a.example 2024-03-08T10:01:00.000Z] [b.example ]]" {
		t.Errorf("rows %s", got)
	}
	golden(t, filepath.Join("wire", "athena-query-flow.txt"), stub.transcript())
	if !strings.Contains(progress.String(), "2.0 KiB scanned") {
		t.Errorf("progress %q", progress.String())
	}
}

func TestWireAthenaStopAndFailure(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stub := &wireStub{}
	stub.respond = func(r recorded) (int, string) {
		switch r.Target {
		case "AmazonAthena.StartQueryExecution":
			return 200, `{"QueryExecutionId":"q-stop"}`
		case "AmazonAthena.GetQueryExecution":
			cancel()
			return 200, `{"QueryExecution":{"QueryExecutionId":"q-stop","Status":{"State":"RUNNING"}}}`
		case "AmazonAthena.StopQueryExecution":
			return 200, `{}`
		}
		return 400, `{"__type":"InvalidRequestException","Message":"unexpected"}`
	}
	r := NewAthenaRunner(wireConfig(stub), AthenaOptions{Spec: pipeline.DefaultSpec(), PollInitial: time.Millisecond})
	if _, err := r.RunSQL(ctx, `SELECT count(*) FROM "sesctl"."ses_events"`); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	golden(t, filepath.Join("wire", "athena-stop.txt"), stub.transcript())

	// A failed query: Athena's own reason is quoted.
	stub = &wireStub{}
	stub.respond = func(r recorded) (int, string) {
		if r.Target == "AmazonAthena.StartQueryExecution" {
			return 200, `{"QueryExecutionId":"q-fail"}`
		}
		return 200, `{"QueryExecution":{"QueryExecutionId":"q-fail","Status":{"State":"FAILED","StateChangeReason":"CONSTRAINT_VIOLATION: For the injected projected partition column sender_identity, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.","AthenaError":{"ErrorCategory":2,"ErrorType":1006}}}}`
	}
	r = NewAthenaRunner(wireConfig(stub), AthenaOptions{Spec: pipeline.DefaultSpec(), PollInitial: time.Millisecond})
	_, err := r.RunSQL(context.Background(), `SELECT * FROM "sesctl"."ses_events"`)
	if err == nil || !strings.Contains(err.Error(), `failed: "CONSTRAINT_VIOLATION: For the injected projected partition column sender_identity`) {
		t.Errorf("err %v", err)
	}
}

func TestWireS3ListErrors(t *testing.T) {
	stub := &wireStub{respond: func(recorded) (int, string) {
		return 403, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
	}}
	r := NewAthenaRunner(wireConfig(stub), AthenaOptions{Spec: pipeline.DefaultSpec(), Location: "s3://lake/"})
	bounces, _ := Lookup("bounces")
	_, err := r.Run(context.Background(), bounces, Params{From: day("2024-03-08"), To: day("2024-03-08")})
	if err == nil || !strings.Contains(err.Error(), "list s3://lake/events/") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err %v", err)
	}
	if len(stub.reqs) != 1 || !strings.HasPrefix(stub.reqs[0].URL, "https://lake.s3.eu-west-1.amazonaws.com/?delimiter=%2F&list-type=2&prefix=events%2F") {
		t.Errorf("requests %+v", stub.reqs)
	}
}
