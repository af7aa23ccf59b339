package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/sesctl/sesctl/internal/awsenv"
)

// monDay is the day the test lakes hold events for.
var monDay = time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)

// monIdentity describes one identity's events in a test lake: sends
// single-recipient messages, the first hard of them bounce permanently,
// the next soft bounce transiently, and complaints complain.
type monIdentity struct {
	domain                  string
	sends, hard, soft, cmpl int
	suppressed              int // extra Permanent/OnAccountSuppressionList bounces
}

// writeMonLake writes the identities' events into dir in the default
// layout (events/<identity>/<event type>/yyyy/MM/dd/), one JSON line per
// event, as sesctl replay would lay them out.
func writeMonLake(t testing.TB, dir string, ids []monIdentity) {
	t.Helper()
	for _, id := range ids {
		files := map[string]*bytes.Buffer{}
		add := func(typ string, rec map[string]any) {
			if files[typ] == nil {
				files[typ] = &bytes.Buffer{}
			}
			b, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			files[typ].Write(append(b, '\n'))
		}
		for i := 0; i < id.sends+id.suppressed; i++ {
			at := monDay.Add(time.Duration(i) * time.Second)
			rcpt := fmt.Sprintf("r%d@recipient.example", i)
			mail := map[string]any{
				"timestamp": at.Format(time.RFC3339Nano), "source": "Mailer <mailer@" + id.domain + ">",
				"messageId": fmt.Sprintf("%s-%d", id.domain, i), "destination": []string{rcpt},
				"tags": map[string][]string{"ses:configuration-set": {"cs1"}},
			}
			if i < id.sends {
				add("Send", map[string]any{"eventType": "Send", "mail": mail, "send": map[string]any{}})
			}
			switch {
			case i >= id.sends:
				add("Bounce", bounce(mail, rcpt, "Permanent", "OnAccountSuppressionList", at, i))
			case i < id.hard:
				add("Bounce", bounce(mail, rcpt, "Permanent", "General", at, i))
			case i < id.hard+id.soft:
				add("Bounce", bounce(mail, rcpt, "Transient", "MailboxFull", at, i))
			case i < id.hard+id.soft+id.cmpl:
				add("Complaint", map[string]any{"eventType": "Complaint", "mail": mail, "complaint": map[string]any{
					"complainedRecipients": []any{map[string]any{"emailAddress": rcpt}},
					"timestamp":            at.Add(time.Hour).Format(time.RFC3339Nano), "feedbackId": fmt.Sprintf("c-%d", i),
				}})
			}
		}
		for typ, buf := range files {
			p := filepath.Join(dir, "events", id.domain, typ, monDay.Format("2006/01/02"), "sesctl-events-1-2024-03-08-00-00-00-test")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func bounce(mail map[string]any, rcpt, typ, sub string, at time.Time, i int) map[string]any {
	return map[string]any{"eventType": "Bounce", "mail": mail, "bounce": map[string]any{
		"bounceType": typ, "bounceSubType": sub,
		"bouncedRecipients": []any{map[string]any{"emailAddress": rcpt, "action": "failed"}},
		"timestamp":         at.Add(time.Minute).Format(time.RFC3339Nano), "feedbackId": fmt.Sprintf("b-%d", i),
	}}
}

// monRun runs sesctl in-process with a fixed clock and AWS requests going
// to rt; it returns stdout, stderr and the exit code.
func monRun(t testing.TB, now time.Time, rt http.RoundTripper, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	f := &Factory{
		IO:  &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb},
		Now: func() time.Time { return now },
		AWS: &awsenv.Options{},
	}
	if rt != nil {
		// Keep the host's AWS setup out: a CA bundle cannot be applied to
		// a stub client, and profiles must not leak in.
		t.Setenv("AWS_CA_BUNDLE", "")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_PROFILE", "")
		f.AWS.HTTPClient = &http.Client{Transport: rt}
		f.AWS.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
		})
		t.Setenv("AWS_REGION", "eu-west-1")
	}
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		reportError(&errb, err)
	}
	return out.String(), errb.String(), exitCode(err)
}

// monStub records requests and answers from a queue.
type monStub struct {
	mu    sync.Mutex
	reqs  []*http.Request
	body  [][]byte
	resps []func() *http.Response
}

func (s *monStub) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(req.Body)
	s.reqs = append(s.reqs, req)
	s.body = append(s.body, b)
	if len(s.resps) == 0 {
		return nil, fmt.Errorf("stub: unexpected request to %s", req.URL)
	}
	r := s.resps[0]()
	s.resps = s.resps[1:]
	r.Request = req
	return r, nil
}

func monResponse(status int, contentType string, body []byte) func() *http.Response {
	return func() *http.Response {
		h := http.Header{}
		h.Set("Content-Type", contentType)
		if contentType == "application/cbor" {
			h.Set("Smithy-Protocol", "rpc-v2-cbor")
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	}
}

func cborSeries(id string, at time.Time, v float64) cbor.Value {
	return cbor.Map{"Id": cbor.String(id), "StatusCode": cbor.String("Complete"),
		"Timestamps": cbor.List{cbor.Tag{ID: 1, Value: cbor.Float64(float64(at.Unix()))}},
		"Values":     cbor.List{cbor.Float64(v)}}
}

// The lake: shop.example 1200 sends, 6 hard bounces (0.5%), 1 complaint
// (0.0833%), 2 soft bounces, 3 suppressed bounces that do not count;
// news.example 400 sends, 50 hard bounces (12.5%), 2 complaints (0.5%);
// warn.example 100 sends, 7 hard bounces (7%).
func monLake(t testing.TB) string {
	dir := t.TempDir()
	writeMonLake(t, dir, []monIdentity{
		{domain: "shop.example", sends: 1200, hard: 6, soft: 2, cmpl: 1, suppressed: 3},
		{domain: "news.example", sends: 400, hard: 50, cmpl: 2},
		{domain: "warn.example", sends: 100, hard: 7},
	})
	return dir
}

func TestCheckLake(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(20 * time.Hour)
	tests := []struct {
		name  string
		args  []string
		code  int
		first string // expected first line, up to the perfdata
		perf  []string
	}{
		{"ok identity", []string{"--identity", "shop.example", "--day", "2024-03-08"}, 0,
			"SES OK - shop.example: 1200 sends, bounce rate 0.5%, complaint rate 0.0833% (2024-03-08)",
			[]string{"sends=1200c;;;0", "bounces=6c;;;0", "bounce_rate=0.5%;5;10;0;100", "complaint_rate=0.0833333%;0.1;0.5;0;100"}},
		{"stream time zone", []string{"--identity", "shop.example", "--day", "2024-03-08", "--time-zone", "Europe/Berlin"}, 0,
			"SES OK - shop.example: 1200 sends, bounce rate 0.5%, complaint rate 0.0833% (2024-03-08)",
			[]string{"2024-03-07T23:00:00Z..2024-03-08T23:00:00Z,"}},
		{"warning identity", []string{"--identity", "warn.example", "--since", "24h"}, 1,
			"SES WARNING - warn.example: bounce rate 7% > 5% (warning); 100 sends, complaint rate 0% (last 24h, counted as whole days 2024-03-07..2024-03-08)",
			[]string{"bounce_rate=7%;5;10;0;100"}},
		{"critical identity", []string{"--identity", "news.example", "--since", "since:1d"}, 2,
			"SES CRITICAL - news.example: bounce rate 12.5% > 10% (critical), complaint rate 0.5% > 0.1% (warning); 400 sends (last 1d, counted as whole days 2024-03-07..2024-03-08)",
			nil},
		{"account", []string{"--day", "today"}, 1,
			"SES WARNING - complaint rate 0.176% > 0.1% (warning); 1700 sends, bounce rate 3.71% (2024-03-08)",
			[]string{"sends=1700c;;;0", "bounces=63c;;;0", "complaints=3c;;;0", "bounce_rate=3.70588%;5;10;0;100"}},
		{"per identity", []string{"--per-identity", "--day", "2024-03-08"}, 2,
			"SES CRITICAL - 3 identities: 1 critical, 1 warning, 1 ok; worst news.example: bounce rate 12.5% > 10% (critical), complaint rate 0.5% > 0.1% (warning) (2024-03-08)",
			[]string{"news.example#bounce_rate=12.5%;5;10;0;100", "warn.example#sends=100c;;;0"}},
		{"sends too few", []string{"--identity", "warn.example", "--day", "2024-03-08", "--warning-sends", "1000:", "--critical-sends", "200:", "--warning-bounce-rate", "", "--critical-bounce-rate", ""}, 2,
			"SES CRITICAL - warn.example: sends 100 < 200 (critical); bounce rate 7%, complaint rate 0% (2024-03-08)",
			[]string{"sends=100c;1000:;200:;0", "bounce_rate=7%;;;0;100"}},
		{"no data", []string{"--day", "2024-03-01"}, 3,
			"SES UNKNOWN - no SES events in the window (use --zeroed to count missing data as zero) (2024-03-01)", nil},
		{"zeroed", []string{"--day", "2024-03-01", "--zeroed", "--critical-sends", "1:"}, 2,
			"SES CRITICAL - sends 0 < 1 (critical); bounce rate 0%, complaint rate 0% (2024-03-01)", []string{"sends=0c;;1:;0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := monRun(t, now, nil, append([]string{"check", "--lake", lake}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			first, _, _ := strings.Cut(out, "\n")
			text, perf, _ := strings.Cut(first, " | ")
			if text != tt.first {
				t.Errorf("first line:\n got %s\nwant %s", text, tt.first)
			}
			tokens := map[string]bool{}
			for _, tok := range strings.Fields(perf + " " + out) {
				tokens[tok] = true
			}
			for _, p := range tt.perf {
				if !tokens[p] {
					t.Errorf("perfdata lacks %s:\n%s", p, out)
				}
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
		})
	}
}

func TestCheckUnknown(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(20 * time.Hour)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "SES UNKNOWN - choose one source: --lake DIR, --athena or --cloudwatch"},
		{[]string{"check", "--lake", lake, "--cloudwatch"}, "SES UNKNOWN - choose one source"},
		{[]string{"check", "--lake", lake, "--warning-bounce-rate", "abc"}, `SES UNKNOWN - --warning-bounce-rate: range "abc": end "abc" is not a decimal number`},
		{[]string{"check", "--lake", lake, "--critical-complaint-rate", "5:1"}, `SES UNKNOWN - --critical-complaint-rate: range "5:1": start 5 is greater than end 1`},
		{[]string{"check", "--lake", lake, "--since", "forever"}, `SES UNKNOWN - --since: window "forever"`},
		{[]string{"check", "--lake", lake, "--no-such-flag"}, "SES UNKNOWN - unknown flag: --no-such-flag"},
		{[]string{"check", "--lake", lake, "extra"}, `SES UNKNOWN - unexpected argument "extra"`},
		{[]string{"check", "--lake", filepath.Join(lake, "missing")}, "SES UNKNOWN - lake folder"},
		{[]string{"check", "--lake", lake, "--configuration-set", "cs1"}, "SES UNKNOWN - --configuration-set needs --cloudwatch"},
		{[]string{"check", "--cloudwatch", "--per-identity"}, "SES UNKNOWN - CloudWatch AWS/SES has no sender-identity dimension"},
	}
	for _, tt := range tests {
		out, errOut, code := monRun(t, now, nil, tt.args...)
		if code != 3 || !strings.HasPrefix(out, tt.want) || strings.Count(out, "\n") != 1 || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q stderr %q; want 3 and %q on one line", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestCheckCloudWatch(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	resp := cbor.Encode(cbor.Map{"MetricDataResults": cbor.List{
		cborSeries("send", now.Add(-time.Hour), 10000),
		cborSeries("bounce", now.Add(-time.Hour), 80),
		cborSeries("complaint", now.Add(-time.Hour), 8),
		cborSeries("bounce_rate", now.Add(-5*time.Minute), 0.0123),
		cborSeries("complaint_rate", now.Add(-5*time.Minute), 0.0008),
	}})
	st := &monStub{resps: []func() *http.Response{monResponse(200, "application/cbor", resp)}}
	out, errOut, code := monRun(t, now, st, "check", "--cloudwatch", "--since", "24h")
	want := "SES OK - 10000 sends, bounce rate 1.23%, complaint rate 0.08% (last 24h) | sends=10000c;;;0 deliveries=0c;;;0 bounces=80c;;;0 complaints=8c;;;0 rejects=0c;;;0 rendering_failures=0c;;;0 bounce_rate=1.23%;5;10;0;100 complaint_rate=0.08%;0.1;0.5;0;100\n"
	if code != 0 || !strings.HasPrefix(out, want) || errOut != "" {
		t.Errorf("exit %d\n got %s\nwant %s%s", code, out, want, errOut)
	}
	if len(st.reqs) != 1 || !strings.HasSuffix(st.reqs[0].URL.Path, "/operation/GetMetricData") {
		t.Errorf("requests %v", st.reqs)
	}

	// An AWS error is UNKNOWN with one line naming the operation and the code.
	denied := cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"), "message": cbor.String("User: arn:aws:iam::1:user/x is not authorized to perform: cloudwatch:GetMetricData")})
	st = &monStub{resps: []func() *http.Response{monResponse(403, "application/cbor", denied)}}
	out, _, code = monRun(t, now, st, "check", "--cloudwatch")
	want = "SES UNKNOWN - CloudWatch GetMetricData: AccessDenied: User: arn:aws:iam::1:user/x is not authorized to perform: cloudwatch:GetMetricData\n"
	if code != 3 || out != want {
		t.Errorf("exit %d\n got %q\nwant %q", code, out, want)
	}
}

// BenchmarkCheckLake measures a whole per-identity check over the local
// engine: 1,700 sends and their bounces and complaints in 3 identities.
func BenchmarkCheckLake(b *testing.B) {
	lake := monLake(b)
	now := monDay.Add(20 * time.Hour)
	for b.Loop() {
		if _, _, code := monRun(b, now, nil, "check", "--lake", lake, "--day", "2024-03-08", "--per-identity"); code != 2 {
			b.Fatalf("exit %d", code)
		}
	}
}

// TestCheckAthena drives check --athena through the real Athena client:
// StartQueryExecution, GetQueryExecution, GetQueryResults (JSON 1.1) with
// a canned summary result.
func TestCheckAthena(t *testing.T) {
	results := athenaSummaryResults(t, [][]string{
		{"news.example", "", "2024-03-07", "300", "290", "20", "1", "0", "0", "0", "0", "0.066667", "0", "review", "ok"},
		{"news.example", "", "2024-03-08", "100", "95", "2", "0", "1", "0", "0", "0", "0.02", "0.01", "ok", "pause"},
	})
	js := "application/x-amz-json-1.1"
	st := &monStub{resps: []func() *http.Response{
		monResponse(200, js, []byte(`{"QueryExecutionId":"q-1"}`)),
		monResponse(200, js, []byte(`{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"SUCCEEDED"},"Statistics":{"DataScannedInBytes":2048}}}`)),
		monResponse(200, js, results),
	}}
	now := time.Date(2024, 3, 8, 10, 30, 0, 0, time.UTC)
	out, errOut, code := monRun(t, now, st, "check", "--athena", "--database", "ses", "--identity", "news.example", "--since", "24h")
	want := "SES WARNING - news.example: bounce rate 5.5% > 5% (warning), complaint rate 0.25% > 0.1% (warning); 400 sends (last 24h, counted as whole days 2024-03-07..2024-03-08) | sends=400c;;;0 deliveries=385c;;;0 bounces=22c;;;0 complaints=1c;;;0 rejects=0c;;;0 delays=0c;;;0 rendering_failures=0c;;;0 bounce_rate=5.5%;5;10;0;100 complaint_rate=0.25%;0.1;0.5;0;100\n"
	if code != 1 || !strings.HasPrefix(out, want) || errOut != "" {
		t.Fatalf("exit %d\n got %s\nwant %s\nstderr %s", code, out, want, errOut)
	}
	if !strings.Contains(out, "source Athena ses.ses_events") {
		t.Errorf("source not named:\n%s", out)
	}
	var start map[string]any
	if err := json.Unmarshal(st.body[0], &start); err != nil {
		t.Fatal(err)
	}
	sql, _ := start["QueryString"].(string)
	for _, frag := range []string{"'news.example'", "'2024/03/07'", "'2024/03/08'"} {
		if !strings.Contains(sql, frag) {
			t.Errorf("the summary SQL does not pin %s:\n%s", frag, sql)
		}
	}
	if ctx, _ := start["QueryExecutionContext"].(map[string]any); ctx["Database"] != "ses" {
		t.Errorf("QueryExecutionContext %v", start["QueryExecutionContext"])
	}
}
