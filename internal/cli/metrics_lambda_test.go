package cli

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/sesctl/sesctl/internal/awsenv"
	"github.com/sesctl/sesctl/internal/lambdart/lambdarttest"
	"github.com/sesctl/sesctl/internal/testutil/proc"
)

// cwDatum is one datum of a PutMetricData request as CloudWatch got it.
type cwDatum struct {
	Metric, Dims, Unit string
	Value              float64
	Timestamp          time.Time
}

func (d cwDatum) String() string {
	return fmt.Sprintf("%s{%s}=%g %s @%s", d.Metric, d.Dims, d.Value, d.Unit, d.Timestamp.UTC().Format(time.RFC3339))
}

// cwRequest is one PutMetricData request.
type cwRequest struct {
	Path, Namespace string
	Datums          []cwDatum
}

// find returns the datum of metric with dims ("" for the totals).
func (r cwRequest) find(metric, dims string) (cwDatum, bool) {
	for _, d := range r.Datums {
		if d.Metric == metric && d.Dims == dims {
			return d, true
		}
	}
	return cwDatum{}, false
}

// cwEndpoint is a CloudWatch endpoint over HTTP (for --endpoint-url):
// it decodes every PutMetricData request the SDK sends (Smithy RPC v2
// CBOR, gzip-compressed or not) and answers with the queued statuses:
// 200 with an empty CBOR map, or an AccessDenied error document.
type cwEndpoint struct {
	URL      string
	mu       sync.Mutex
	reqs     []cwRequest
	statuses []int
	problems []string
}

func newCWEndpoint(t *testing.T, statuses ...int) *cwEndpoint {
	t.Helper()
	e := &cwEndpoint{statuses: statuses}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

func (e *cwEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	req, err := decodePutMetricData(r)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil || len(e.statuses) == 0 {
		e.problems = append(e.problems, fmt.Sprintf("%s %s: %v (answers left %d)", r.Method, r.URL.Path, err, len(e.statuses)))
		http.Error(w, "unexpected", http.StatusInternalServerError)
		return
	}
	e.reqs = append(e.reqs, req)
	status := e.statuses[0]
	e.statuses = e.statuses[1:]
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.WriteHeader(status)
	if status == 200 {
		_, _ = w.Write(cbor.Encode(cbor.Map{}))
		return
	}
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"),
		"message": cbor.String("User: arn:aws:sts::111122223333:assumed-role/sesctl-metrics/fn is not authorized to perform: cloudwatch:PutMetricData")}))
}

func (e *cwEndpoint) requests() []cwRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

func (e *cwEndpoint) check(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.problems) > 0 || len(e.statuses) > 0 {
		t.Errorf("CloudWatch stub: problems %v, %d answers never requested", e.problems, len(e.statuses))
	}
}

func decodePutMetricData(r *http.Request) (cwRequest, error) {
	out := cwRequest{Path: r.URL.Path}
	if !strings.HasSuffix(r.URL.Path, "/operation/PutMetricData") {
		return out, fmt.Errorf("not PutMetricData")
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return out, err
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return out, err
	}
	v, err := cbor.Decode(b)
	if err != nil {
		return out, err
	}
	m, ok := v.(cbor.Map)
	if !ok {
		return out, fmt.Errorf("body is %T", v)
	}
	out.Namespace = cborString(m["Namespace"])
	list, _ := m["MetricData"].(cbor.List)
	for _, item := range list {
		dm, _ := item.(cbor.Map)
		d := cwDatum{Metric: cborString(dm["MetricName"]), Unit: cborString(dm["Unit"]), Value: cborNumber(dm["Value"])}
		if tag, ok := dm["Timestamp"].(*cbor.Tag); ok {
			d.Timestamp = cborEpoch(tag.Value)
		} else if tag, ok := dm["Timestamp"].(cbor.Tag); ok {
			d.Timestamp = cborEpoch(tag.Value)
		}
		var dims []string
		dl, _ := dm["Dimensions"].(cbor.List)
		for _, x := range dl {
			dd, _ := x.(cbor.Map)
			dims = append(dims, cborString(dd["Name"])+"="+cborString(dd["Value"]))
		}
		sort.Strings(dims)
		d.Dims = strings.Join(dims, ",")
		out.Datums = append(out.Datums, d)
	}
	return out, nil
}

func cborString(v cbor.Value) string {
	s, _ := v.(cbor.String)
	return string(s)
}

func cborNumber(v cbor.Value) float64 {
	switch x := v.(type) {
	case cbor.Float64:
		return float64(x)
	case cbor.Float32:
		return float64(x)
	case cbor.Uint:
		return float64(x)
	case cbor.NegInt:
		return -float64(x)
	}
	return math.NaN()
}

func cborEpoch(v cbor.Value) time.Time {
	secs := cborNumber(v)
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

// lambdaAWSEnv is the environment of a function whose AWS calls go to
// stubs: static credentials, a region, no shared files.
func lambdaAWSEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "eu-west-1", "AWS_PROFILE": "", "AWS_CA_BUNDLE": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "_X_AMZN_TRACE_ID": "",
	}
}

func sesctlArgsJSON(t *testing.T, args ...string) string {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// bootstrapInProcess runs lambdaBootstrap as Main would, with the clock
// fixed at now, until stop is called.
type bootstrapInProcess struct {
	errb   *proc.Output
	code   chan int
	cancel context.CancelFunc
}

func startBootstrap(t *testing.T, now time.Time, rt *lambdarttest.Runtime, sesctlArgs string) *bootstrapInProcess {
	t.Helper()
	for k, v := range lambdaAWSEnv(t) {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_LAMBDA_RUNTIME_API", rt.Addr())
	t.Setenv(EnvSesctlArgs, sesctlArgs)
	b := &bootstrapInProcess{errb: &proc.Output{}, code: make(chan int, 1)}
	f := &Factory{
		IO:  &IOStreams{In: strings.NewReader(""), Out: b.errb, Err: b.errb},
		Now: func() time.Time { return now },
		AWS: &awsenv.Options{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go func() {
		code, handled := lambdaBootstrap(ctx, f, nil)
		if !handled {
			code = -1
		}
		b.code <- code
	}()
	return b
}

func (b *bootstrapInProcess) stop(t *testing.T) int {
	t.Helper()
	b.cancel()
	select {
	case c := <-b.code:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("the bootstrap did not stop\n%s", b.errb)
	}
	return -1
}

// invoke queues ev and returns what the runtime posted for it.
func invoke(t *testing.T, rt *lambdarttest.Runtime, ev lambdarttest.Event, log fmt.Stringer) lambdarttest.Post {
	t.Helper()
	rt.Invoke(ev)
	p, err := rt.Wait(30 * time.Second)
	if err != nil {
		t.Fatalf("%s: %v\nlog:\n%s", ev.RequestID, err, log)
	}
	if p.RequestID != ev.RequestID {
		t.Fatalf("posted for %q, want %q", p.RequestID, ev.RequestID)
	}
	return p
}

func scheduledEvent(at string) string {
	return `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events",` +
		`"account":"111122223333","time":"` + at + `","region":"eu-west-1",` +
		`"resources":["arn:aws:events:eu-west-1:111122223333:rule/sesctl-metrics"],"detail":{}}`
}

// wantResponse decodes a response post and compares the fields that do
// not depend on the datum count, which is checked against CloudWatch's
// request instead.
func wantResponse(t *testing.T, p lambdarttest.Post, want metricsLambdaResult) metricsLambdaResult {
	t.Helper()
	if p.Kind != "response" {
		t.Fatalf("%s: posted %s %s, want a response", p.RequestID, p.Kind, p.Body)
	}
	var got metricsLambdaResult
	if err := json.Unmarshal(p.Body, &got); err != nil {
		t.Fatalf("%s: response %s: %v", p.RequestID, p.Body, err)
	}
	cmp := got
	cmp.Datums = want.Datums
	if cmp != want {
		t.Errorf("%s: response\n got %+v\nwant %+v", p.RequestID, got, want)
	}
	return got
}

func wantError(t *testing.T, p lambdarttest.Post, errorType, msg string) {
	t.Helper()
	var body struct{ ErrorMessage, ErrorType string }
	if p.Kind != "error" || json.Unmarshal(p.Body, &body) != nil {
		t.Fatalf("%s: posted %s %s, want an error", p.RequestID, p.Kind, p.Body)
	}
	if body.ErrorType != errorType || !strings.Contains(body.ErrorMessage, msg) || p.Header.Get("Lambda-Runtime-Function-Error-Type") != errorType {
		t.Errorf("%s: error %s (header %q), want type %s and a message with %q", p.RequestID, p.Body, p.Header.Get("Lambda-Runtime-Function-Error-Type"), errorType, msg)
	}
}

// wantDatums checks datums of one request: "metric{dims}" → value.
func wantDatums(t *testing.T, req cwRequest, stamp time.Time, want map[string]float64, absent ...string) {
	t.Helper()
	for key, v := range want {
		metric, dims, _ := strings.Cut(strings.TrimSuffix(key, "}"), "{")
		d, ok := req.find(metric, dims)
		if !ok || d.Value != v || !d.Timestamp.Equal(stamp) {
			t.Errorf("datum %s: got %v (found %v), want %g at %s", key, d, ok, v, stamp.Format(time.RFC3339))
		}
	}
	for _, key := range absent {
		metric, dims, _ := strings.Cut(strings.TrimSuffix(key, "}"), "{")
		if d, ok := req.find(metric, dims); ok {
			t.Errorf("datum %s should not be published: %v", key, d)
		}
	}
}

func TestMetricsLambdaInvocations(t *testing.T) {
	lake := monLake(t)
	clock := monDay.Add(26 * time.Hour) // 2024-03-09T02:00Z, for events without a time
	rt := lambdarttest.New()
	defer rt.Close()
	cw := newCWEndpoint(t, 200, 200, 200, 403)
	b := startBootstrap(t, clock, rt, sesctlArgsJSON(t, "--endpoint-url", cw.URL, "metrics", "publish", "--lake", lake, "--since", "24h"))

	// A scheduled event: its time is "now"; --since 24h at 05:00 covers
	// 2024-03-08 and 2024-03-09 so far; the datums are stamped 05:00.
	sched := scheduledEvent("2024-03-09T05:00:00Z")
	p1 := invoke(t, rt, lambdarttest.Event{RequestID: "r1", Payload: sched, Deadline: time.Now().Add(time.Minute)}, b.errb)
	want := metricsLambdaResult{Now: "2024-03-09T05:00:00Z", NowFrom: "event",
		Window:      "last 24h, counted as whole days 2024-03-08..2024-03-09",
		WindowStart: "2024-03-08T00:00:00Z", WindowEnd: "2024-03-10T00:00:00Z", Timestamp: "2024-03-09T05:00:00Z",
		Namespace: "SESCTL", Identities: 3, Published: true}
	got := wantResponse(t, p1, want)
	reqs := cw.requests()
	if len(reqs) != 1 || reqs[0].Namespace != "SESCTL" || got.Datums != len(reqs[0].Datums) {
		t.Fatalf("CloudWatch got %d requests; response says %d datums", len(reqs), got.Datums)
	}
	stamp := time.Date(2024, 3, 9, 5, 0, 0, 0, time.UTC)
	wantDatums(t, reqs[0], stamp, map[string]float64{
		"Sends{SenderIdentity=news.example}":         400,
		"HardBounces{SenderIdentity=news.example}":   50,
		"BounceRate{SenderIdentity=news.example}":    12.5,
		"ComplaintRate{SenderIdentity=news.example}": 0.5,
		"Sends{SenderIdentity=shop.example}":         1200,
		"HardBounces{SenderIdentity=shop.example}":   6,
		"BounceRate{SenderIdentity=warn.example}":    7,
		"Sends{}":       1700,
		"HardBounces{}": 63,
	})

	// The same event retried: the same window, the same datums.
	p2 := invoke(t, rt, lambdarttest.Event{RequestID: "r2", Payload: sched}, b.errb)
	if string(p2.Body) != string(p1.Body) {
		t.Errorf("retry answered %s, first %s", p2.Body, p1.Body)
	}
	if reqs = cw.requests(); len(reqs) != 2 || !slices.Equal(reqs[1].Datums, reqs[0].Datums) {
		t.Errorf("retry published other datums")
	}

	// An event with "now".
	p3 := invoke(t, rt, lambdarttest.Event{RequestID: "r3", Payload: `{"now":"2024-03-08T20:00:00Z"}`}, b.errb)
	wantResponse(t, p3, metricsLambdaResult{Now: "2024-03-08T20:00:00Z", NowFrom: "now",
		Window:      "last 24h, counted as whole days 2024-03-07..2024-03-08",
		WindowStart: "2024-03-07T00:00:00Z", WindowEnd: "2024-03-09T00:00:00Z", Timestamp: "2024-03-08T20:00:00Z",
		Namespace: "SESCTL", Identities: 3, Published: true})
	if reqs = cw.requests(); len(reqs) == 3 {
		wantDatums(t, reqs[2], time.Date(2024, 3, 8, 20, 0, 0, 0, time.UTC), map[string]float64{"Sends{}": 1700})
	}

	// {} uses the clock; CloudWatch refuses: an invocation error, and
	// the function goes on serving.
	p4 := invoke(t, rt, lambdarttest.Event{RequestID: "r4", Payload: `{}`}, b.errb)
	wantError(t, p4, "Sesctl.CloudWatchError", "AccessDenied")

	// A window without events publishes nothing and says so.
	p5 := invoke(t, rt, lambdarttest.Event{RequestID: "r5", Payload: `{"now":"2024-03-20T00:00:00Z"}`}, b.errb)
	wantResponse(t, p5, metricsLambdaResult{Now: "2024-03-20T00:00:00Z", NowFrom: "now",
		// At midnight the last 24h are exactly the day before.
		Window:      "last 24h",
		WindowStart: "2024-03-19T00:00:00Z", WindowEnd: "2024-03-20T00:00:00Z", Timestamp: "2024-03-20T00:00:00Z",
		Namespace: "SESCTL", Identities: 0, Published: false})

	// Events that cannot be used, and a deadline already passed.
	for _, tt := range []struct {
		ev        lambdarttest.Event
		errorType string
		msg       string
	}{
		{lambdarttest.Event{RequestID: "r6", Payload: `[1,2]`}, "Sesctl.InvalidEvent", "not a JSON object"},
		{lambdarttest.Event{RequestID: "r7", Payload: scheduledEvent("yesterday")}, "Sesctl.InvalidEvent", `event field "time": "yesterday" is not an RFC 3339 time`},
		{lambdarttest.Event{RequestID: "r8", Payload: `{"source":"aws.events","detail-type":"Scheduled Event"}`}, "Sesctl.InvalidEvent", `the scheduled event has no "time"`},
		{lambdarttest.Event{RequestID: "r9", Payload: sched, Deadline: time.Now().Add(-time.Second)}, "Sesctl.Timeout", "deadline exceeded"},
	} {
		wantError(t, invoke(t, rt, tt.ev, b.errb), tt.errorType, tt.msg)
	}

	if code := b.stop(t); code != 0 {
		t.Errorf("exit %d after the runtime was stopped\n%s", code, b.errb)
	}
	if got := len(cw.requests()); got != 4 {
		t.Errorf("%d PutMetricData requests, want 4", got)
	}
	cw.check(t)
	if u := rt.Unexpected(); len(u) > 0 {
		t.Errorf("unexpected runtime API requests: %v", u)
	}
	log := b.errb.String()
	for _, line := range []string{
		"sesctl: serving Lambda invocations: metrics publish from lake " + lake + " to namespace SESCTL",
		"sesctl: invocation r1: now 2024-03-09T05:00:00Z (event)",
		"sesctl: invocation r4: now 2024-03-09T02:00:00Z (clock)",
		"invocation r4 failed: Sesctl.CloudWatchError: CloudWatch PutMetricData",
	} {
		if !strings.Contains(log, line) {
			t.Errorf("log lacks %q:\n%s", line, log)
		}
	}
}

func TestMetricsLambdaInitErrors(t *testing.T) {
	lake := monLake(t)
	for _, tt := range []struct {
		name, args, msg string
	}{
		{"unset", "", `SESCTL_ARGS is not set: give the arguments as a JSON array`},
		{"not json", `metrics publish --athena`, "SESCTL_ARGS is not a JSON array of strings: invalid character"},
		{"not strings", `["metrics", 1]`, "SESCTL_ARGS is not a JSON array of strings"},
		{"empty", `[]`, "SESCTL_ARGS is an empty array"},
		{"other command", `["query","bounces","--lake","lake"]`, `SESCTL_ARGS runs "sesctl query": only "sesctl metrics publish" can serve Lambda invocations`},
		{"parent command", `["metrics"]`, `SESCTL_ARGS runs "sesctl metrics": only`},
		{"unknown command", `["bogus"]`, `SESCTL_ARGS: unknown command "bogus" for "sesctl"`},
		{"bad flag", `["metrics","publish","--bogus"]`, "unknown flag: --bogus"},
		{"no lake", `["metrics","publish","--lake","` + filepath.Join(lake, "missing") + `"]`, "missing does not exist"},
		{"no source", `["metrics","publish"]`, "choose a source: --lake DIR or --athena"},
		{"bad namespace", sesctlArgsJSON(t, "metrics", "publish", "--lake", lake, "--namespace", "AWS/SES"), "AWS/ is reserved"},
		{"bad window", sesctlArgsJSON(t, "metrics", "publish", "--lake", lake, "--since", "soon"), "--since"},
		{"help", sesctlArgsJSON(t, "metrics", "publish", "--help"), "SESCTL_ARGS metrics publish --help ended without serving invocations"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := lambdarttest.New()
			defer rt.Close()
			b := startBootstrap(t, monDay, rt, tt.args)
			p, err := rt.Wait(10 * time.Second)
			if err != nil {
				t.Fatalf("%v\n%s", err, b.errb)
			}
			var body struct{ ErrorMessage, ErrorType string }
			if p.Kind != "init/error" || p.Path != "/2018-06-01/runtime/init/error" || json.Unmarshal(p.Body, &body) != nil {
				t.Fatalf("posted %s %s %s", p.Kind, p.Path, p.Body)
			}
			if body.ErrorType != "Sesctl.InitError" || p.Header.Get("Lambda-Runtime-Function-Error-Type") != "Sesctl.InitError" || !strings.Contains(body.ErrorMessage, tt.msg) {
				t.Errorf("init error %s, want a message with %q", p.Body, tt.msg)
			}
			if code := b.stop(t); code != ExitFailure {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(b.errb.String(), "sesctl: Lambda init error: ") {
				t.Errorf("stderr lacks the init error:\n%s", b.errb)
			}
		})
	}
}

func TestMetricsLambdaNotSelected(t *testing.T) {
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "")
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, Now: time.Now, AWS: &awsenv.Options{}}
	if _, handled := lambdaBootstrap(context.Background(), f, nil); handled {
		t.Error("no runtime API: the bootstrap took over")
	}
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1")
	if _, handled := lambdaBootstrap(context.Background(), f, []string{"version"}); handled {
		t.Error("arguments given: the bootstrap took over")
	}
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "")
	_, errOut, code := monRun(t, monDay, nil, "metrics", "publish", "--lake", monLake(t), "--lambda")
	if code != ExitUsage || !strings.Contains(errOut, "--lambda: AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("--lambda without the runtime API: exit %d %q", code, errOut)
	}
}

func TestLambdaEventTime(t *testing.T) {
	clock := time.Date(2026, 11, 22, 5, 7, 30, 0, time.UTC)
	for _, tt := range []struct {
		payload, want, from, err string
	}{
		{"", "2026-11-22T05:07:30Z", "clock", ""},
		{" null ", "2026-11-22T05:07:30Z", "clock", ""},
		{"{}", "2026-11-22T05:07:30Z", "clock", ""},
		{scheduledEvent("2026-11-22T05:00:00Z"), "2026-11-22T05:00:00Z", "event", ""},
		{scheduledEvent("2026-11-22T06:00:00+01:00"), "2026-11-22T05:00:00Z", "event", ""},
		{`{"now":"2024-03-08T20:00:00.5Z"}`, "2024-03-08T20:00:00.5Z", "now", ""},
		{`{"now":null}`, "2026-11-22T05:07:30Z", "clock", ""},
		// Only a scheduled event's time counts; other events' do not.
		{`{"source":"aws.s3","detail-type":"Object Created","time":"2020-01-01T00:00:00Z"}`, "2026-11-22T05:07:30Z", "clock", ""},
		{`{"source":"aws.events","detail-type":"Scheduled Event","time":"2020-01-01T00:00:00Z","now":"2021-01-01T00:00:00Z"}`, "2020-01-01T00:00:00Z", "event", ""},
		{`{"now":1700000000}`, "", "", `event field "now": want an RFC 3339 time string, got 1700000000`},
		{`{"now":"2024-03-08"}`, "", "", `"2024-03-08" is not an RFC 3339 time`},
		{`{"source":"aws.events","detail-type":"Scheduled Event","time":""}`, "", "", `"" is not an RFC 3339 time`},
		{`"2024-03-08T20:00:00Z"`, "", "", "not a JSON object"},
		{`{"now":`, "", "", "not a JSON object"},
		{`{} {}`, "", "", "not a JSON object"},
	} {
		got, from, err := lambdaEventTime([]byte(tt.payload), func() time.Time { return clock })
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.payload, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.payload, err)
		case got.UTC().Format(time.RFC3339Nano) != tt.want || from != tt.from:
			t.Errorf("%s: %s (%s), want %s (%s)", tt.payload, got.UTC().Format(time.RFC3339Nano), from, tt.want, tt.from)
		}
	}
}

func FuzzLambdaEventTime(f *testing.F) {
	for _, s := range []string{"", "{}", "null", scheduledEvent("2026-11-22T05:00:00Z"), `{"now":"2024-03-08T20:00:00Z"}`, `{"now":5}`, `[]`, `{"source":"aws.events","detail-type":"Scheduled Event"}`} {
		f.Add([]byte(s))
	}
	clock := time.Date(2026, 11, 22, 5, 7, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, from, err := lambdaEventTime(payload, func() time.Time { return clock })
		if err != nil {
			return
		}
		switch from {
		case "clock":
			if !got.Equal(clock) {
				t.Errorf("clock time %v", got)
			}
		case "event", "now":
			if got.IsZero() {
				t.Error("zero time from the event")
			}
		default:
			t.Errorf("from %q", from)
		}
	})
}

func TestLambdaArgs(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want []string
		err  string
	}{
		{`["metrics","publish","--athena","--database","sesctl","--since","24h"]`, []string{"metrics", "publish", "--athena", "--database", "sesctl", "--since", "24h"}, ""},
		{` ["metrics", "publish", "--namespace", "Mail/SES \"x\""] `, []string{"metrics", "publish", "--namespace", `Mail/SES "x"`}, ""},
		{"", nil, "SESCTL_ARGS is not set"},
		{"  ", nil, "SESCTL_ARGS is not set"},
		{"null", nil, "empty array"},
		{`{"args":[]}`, nil, "not a JSON array of strings"},
		{`["metrics",null]`, []string{"metrics", ""}, ""},
	} {
		got, err := lambdaArgs(tt.env)
		if (err != nil) != (tt.err != "") || (err != nil && !strings.Contains(err.Error(), tt.err)) || !slices.Equal(got, tt.want) {
			t.Errorf("lambdaArgs(%q) = %q, %v; want %q, %q", tt.env, got, err, tt.want, tt.err)
		}
	}
}

func FuzzLambdaArgs(f *testing.F) {
	for _, s := range []string{`["metrics","publish"]`, "", "[]", "null", `[1]`, `["a"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, env string) {
		args, err := lambdaArgs(env)
		if err == nil && len(args) == 0 {
			t.Errorf("lambdaArgs(%q) accepted no arguments", env)
		}
		if err == nil {
			// What was accepted round-trips.
			b, _ := json.Marshal(args)
			again, err := lambdaArgs(string(b))
			if err != nil || !slices.Equal(again, args) {
				t.Errorf("round trip of %q: %q %v", args, again, err)
			}
		}
	})
}

// TestMetricsLambdaBootstrapProcess runs the real sesctl binary the way
// Lambda does: no arguments, AWS_LAMBDA_RUNTIME_API and SESCTL_ARGS in
// the environment, against the fake runtime API and a CloudWatch stub,
// over a lake that sesctl replay writes from testdata/samples.
func TestMetricsLambdaBootstrapProcess(t *testing.T) {
	bin, err := exec.LookPath("sesctl")
	if err != nil {
		t.Skipf("no sesctl on PATH (TestMain puts the test binary there): %v", err)
	}
	_, file, _, _ := runtime.Caller(0)
	samples := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples", "official.jsonl")
	lake := filepath.Join(t.TempDir(), "lake")
	if out, err := exec.Command(bin, "replay", samples, "--out", lake).CombinedOutput(); err != nil {
		t.Fatalf("sesctl replay: %v\n%s", err, out)
	}

	rt := lambdarttest.New()
	defer rt.Close()
	cw := newCWEndpoint(t, 200, 403, 200)
	env := lambdaAWSEnv(t)
	env["AWS_LAMBDA_RUNTIME_API"] = rt.Addr()
	env[EnvSesctlArgs] = sesctlArgsJSON(t, "--endpoint-url", cw.URL, "metrics", "publish", "--lake", lake, "--since", "24h")
	cmd, stderr := bootstrapCommand(bin, env)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	// The official Bounce (Permanent) and Complaint samples both arrived
	// on 2017-08-05: a schedule at 05:00 the next day counts them.
	p := invoke(t, rt, lambdarttest.Event{RequestID: "b1", Payload: scheduledEvent("2017-08-06T05:00:00Z"), Deadline: time.Now().Add(time.Minute)}, stderr)
	got := wantResponse(t, p, metricsLambdaResult{Now: "2017-08-06T05:00:00Z", NowFrom: "event",
		Window:      "last 24h, counted as whole days 2017-08-05..2017-08-06",
		WindowStart: "2017-08-05T00:00:00Z", WindowEnd: "2017-08-07T00:00:00Z", Timestamp: "2017-08-06T05:00:00Z",
		Namespace: "SESCTL", Identities: 1, Published: true})
	reqs := cw.requests()
	wantOneRequest(t, reqs, got.Datums)
	at := time.Date(2017, 8, 6, 5, 0, 0, 0, time.UTC)
	wantDatums(t, reqs[0], at, map[string]float64{
		"HardBounces{SenderIdentity=example.com}": 1, "Complaints{SenderIdentity=example.com}": 1,
		"Sends{SenderIdentity=example.com}": 0, "HardBounces{}": 1, "Complaints{}": 1,
	}, "BounceRate{SenderIdentity=example.com}", "ComplaintRate{}") // no sends, no rates

	// CloudWatch refuses the next one: an invocation error; then the
	// 2016-10-14 Send and Reject.
	wantError(t, invoke(t, rt, lambdarttest.Event{RequestID: "b2", Payload: `{"now":"2017-08-05T12:00:00Z"}`}, stderr), "Sesctl.CloudWatchError", "AccessDenied")
	p = invoke(t, rt, lambdarttest.Event{RequestID: "b3", Payload: `{"now":"2016-10-14T23:00:00Z"}`}, stderr)
	wantResponse(t, p, metricsLambdaResult{Now: "2016-10-14T23:00:00Z", NowFrom: "now",
		Window:      "last 24h, counted as whole days 2016-10-13..2016-10-14",
		WindowStart: "2016-10-13T00:00:00Z", WindowEnd: "2016-10-15T00:00:00Z", Timestamp: "2016-10-14T23:00:00Z",
		Namespace: "SESCTL", Identities: 1, Published: true})
	if reqs = cw.requests(); len(reqs) != 3 {
		t.Fatalf("CloudWatch got %d requests, want 3 (published, refused, published)", len(reqs))
	}
	wantDatums(t, reqs[2], time.Date(2016, 10, 14, 23, 0, 0, 0, time.UTC), map[string]float64{
		"Sends{SenderIdentity=example.com}": 1, "Rejects{SenderIdentity=example.com}": 1,
		"BounceRate{SenderIdentity=example.com}": 0, "Sends{}": 1,
	})

	// Lambda stops the environment with SIGTERM: a clean exit.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, stderr); code != 0 {
		t.Errorf("exit %d after SIGTERM\n%s", code, stderr)
	}
	cw.check(t)
	if u := rt.Unexpected(); len(u) > 0 {
		t.Errorf("unexpected runtime API requests: %v", u)
	}
}

func TestMetricsLambdaBootstrapProcessInitError(t *testing.T) {
	bin, err := exec.LookPath("sesctl")
	if err != nil {
		t.Skipf("no sesctl on PATH (TestMain puts the test binary there): %v", err)
	}
	rt := lambdarttest.New()
	defer rt.Close()
	env := lambdaAWSEnv(t)
	env["AWS_LAMBDA_RUNTIME_API"] = rt.Addr()
	env[EnvSesctlArgs] = `["check","--athena"]`
	cmd, stderr := bootstrapCommand(bin, env)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	p, err := rt.Wait(30 * time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want := `{"errorMessage":"SESCTL_ARGS runs \"sesctl check\": only \"sesctl metrics publish\" can serve Lambda invocations","errorType":"Sesctl.InitError"}`
	if p.Path != "/2018-06-01/runtime/init/error" || string(p.Body) != want {
		t.Errorf("posted %s %s\nwant %s", p.Path, p.Body, want)
	}
	if code := waitExit(t, cmd, stderr); code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
}

// bootstrapCommand is the sesctl binary started with no arguments and
// env on top of the test's environment.
func bootstrapCommand(bin string, env map[string]string) (*exec.Cmd, *proc.Output) {
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, overridden := env[k]; !overridden && !strings.HasPrefix(k, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr := &proc.Output{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	return cmd, stderr
}

func waitExit(t *testing.T, cmd *exec.Cmd, log fmt.Stringer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("wait: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatalf("sesctl did not exit\n%s", log)
	}
	return -1
}

// awsEndpoint serves both services a Lambda function of the template
// calls through one --endpoint-url: Athena (JSON 1.1, routed by
// X-Amz-Target) with a canned summary, and CloudWatch PutMetricData.
type awsEndpoint struct {
	*cwEndpoint
	mu      sync.Mutex
	targets []string
	sql     []string
	deny    bool // StartQueryExecution answers AccessDeniedException
}

func newAWSEndpoint(t *testing.T, summaryRows [][]string, cwStatuses ...int) *awsEndpoint {
	t.Helper()
	e := &awsEndpoint{cwEndpoint: &cwEndpoint{statuses: cwStatuses}}
	results := athenaSummaryResults(t, summaryRows)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if target == "" {
			e.cwEndpoint.serve(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.targets = append(e.targets, target)
		deny := e.deny
		if target == "AmazonAthena.StartQueryExecution" {
			var in struct{ QueryString string }
			_ = json.Unmarshal(body, &in)
			e.sql = append(e.sql, in.QueryString)
		}
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch target {
		case "AmazonAthena.StartQueryExecution":
			if deny {
				w.WriteHeader(400)
				_, _ = io.WriteString(w, `{"__type":"AccessDeniedException","Message":"User is not authorized to perform: athena:StartQueryExecution"}`)
				return
			}
			_, _ = io.WriteString(w, `{"QueryExecutionId":"q-1"}`)
		case "AmazonAthena.GetQueryExecution":
			_, _ = io.WriteString(w, `{"QueryExecution":{"QueryExecutionId":"q-1","Status":{"State":"SUCCEEDED"},"Statistics":{"DataScannedInBytes":2048}}}`)
		case "AmazonAthena.GetQueryResults":
			_, _ = w.Write(results)
		default:
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// wantOneRequest: CloudWatch got one PutMetricData, with as many datums
// as the function's response says it published.
func wantOneRequest(t *testing.T, reqs []cwRequest, datums int) {
	t.Helper()
	if len(reqs) != 1 || len(reqs[0].Datums) != datums {
		t.Fatalf("CloudWatch got %d requests, the response says %d datums", len(reqs), datums)
	}
}

// athenaSummaryResults is a GetQueryResults answer of the summary query
// with rows (in the order of its columns here; sesctl reads them by name).
func athenaSummaryResults(t *testing.T, rows [][]string) []byte {
	t.Helper()
	cols := []string{"sender_identity", "configuration_set", "day", "sends", "deliveries", "hard_bounces", "soft_bounces", "complaints", "rejects", "delays", "rendering_failures", "bounce_rate", "complaint_rate", "bounce_status", "complaint_status"}
	row := func(vals []string) map[string]any {
		var data []any
		for _, v := range vals {
			data = append(data, map[string]any{"VarCharValue": v})
		}
		return map[string]any{"Data": data}
	}
	var info []any
	for _, c := range cols {
		info = append(info, map[string]any{"Name": c, "Type": "varchar"})
	}
	all := []any{row(cols)}
	for _, r := range rows {
		all = append(all, row(r))
	}
	b, err := json.Marshal(map[string]any{"ResultSet": map[string]any{"ResultSetMetadata": map[string]any{"ColumnInfo": info}, "Rows": all}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMetricsLambdaAthena is the template's configuration: --athena,
// one identity, a schedule.
func TestMetricsLambdaAthena(t *testing.T) {
	rows := [][]string{
		{"news.example", "", "2026-11-21", "300", "290", "20", "1", "0", "0", "0", "0", "0.066667", "0", "review", "ok"},
		{"news.example", "", "2026-11-22", "100", "95", "2", "0", "1", "0", "0", "0", "0.02", "0.01", "ok", "pause"},
	}
	aws := newAWSEndpoint(t, rows, 200)
	rt := lambdarttest.New()
	defer rt.Close()
	b := startBootstrap(t, time.Date(2026, 11, 22, 5, 1, 0, 0, time.UTC), rt, sesctlArgsJSON(t, "--endpoint-url", aws.URL,
		"metrics", "publish", "--athena", "--database", "sesctl", "--workgroup", "sesctl", "--identity", "news.example", "--since", "24h"))

	p := invoke(t, rt, lambdarttest.Event{RequestID: "a1", Payload: scheduledEvent("2026-11-22T05:00:00Z"), Deadline: time.Now().Add(time.Minute)}, b.errb)
	got := wantResponse(t, p, metricsLambdaResult{Now: "2026-11-22T05:00:00Z", NowFrom: "event",
		Window:      "last 24h, counted as whole days 2026-11-21..2026-11-22",
		WindowStart: "2026-11-21T00:00:00Z", WindowEnd: "2026-11-23T00:00:00Z", Timestamp: "2026-11-22T05:00:00Z",
		Namespace: "SESCTL", Identities: 1, Published: true})
	reqs := aws.requests()
	wantOneRequest(t, reqs, got.Datums)
	// 400 sends, 22 hard bounces (5.5%), 1 complaint (0.25%) over the two days.
	wantDatums(t, reqs[0], time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC), map[string]float64{
		"Sends{SenderIdentity=news.example}": 400, "HardBounces{SenderIdentity=news.example}": 22,
		"BounceRate{SenderIdentity=news.example}": 5.5, "ComplaintRate{SenderIdentity=news.example}": 0.25,
	}, "Sends{}") // --identity: no totals

	// Athena refuses: a source error, and nothing goes to CloudWatch.
	aws.mu.Lock()
	aws.deny = true
	aws.mu.Unlock()
	wantError(t, invoke(t, rt, lambdarttest.Event{RequestID: "a2", Payload: scheduledEvent("2026-11-22T06:00:00Z")}, b.errb), "Sesctl.SourceError", "AccessDeniedException")

	if code := b.stop(t); code != 0 {
		t.Errorf("exit %d\n%s", code, b.errb)
	}
	aws.check(t)
	aws.mu.Lock()
	defer aws.mu.Unlock()
	wantTargets := []string{"AmazonAthena.StartQueryExecution", "AmazonAthena.GetQueryExecution", "AmazonAthena.GetQueryResults", "AmazonAthena.StartQueryExecution"}
	if !slices.Equal(aws.targets, wantTargets) {
		t.Errorf("Athena calls %v, want %v", aws.targets, wantTargets)
	}
	if len(aws.sql) == 0 || !strings.Contains(aws.sql[0], "'2026/11/21'") || !strings.Contains(aws.sql[0], "'2026/11/22'") || !strings.Contains(aws.sql[0], "'news.example'") {
		t.Errorf("the summary SQL does not pin the event's days and the identity:\n%s", aws.sql)
	}
}

func TestLambdaCheckCommand(t *testing.T) {
	f := &Factory{IO: &IOStreams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, Now: time.Now, AWS: &awsenv.Options{}}
	for _, tt := range []struct {
		args []string
		err  string
	}{
		{[]string{"metrics", "publish", "--athena"}, ""},
		{[]string{"--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:1", "metrics", "publish", "--athena"}, ""},
		{[]string{"metrics", "--region=eu-west-1", "publish"}, ""},
		// cobra adds its help command only when executing: unknown here.
		{[]string{"help", "metrics", "publish"}, `unknown command "help" for "sesctl"`},
		{[]string{"check", "--athena"}, `runs "sesctl check"`},
		{[]string{"metrics", "publish2"}, `runs "sesctl metrics"`},
	} {
		err := lambdaCheckCommand(f, tt.args)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%q: %v, want %q", tt.args, err, tt.err)
		}
	}
}

// TestMetricsLambdaFlagWithArguments: sesctl started with arguments and
// --lambda (a container image's command) reports its init errors itself.
func TestMetricsLambdaFlagWithArguments(t *testing.T) {
	rt := lambdarttest.New()
	defer rt.Close()
	t.Setenv("AWS_LAMBDA_RUNTIME_API", rt.Addr())
	_, errOut, code := monRun(t, monDay, nil, "metrics", "publish", "--lambda", "--lake", filepath.Join(t.TempDir(), "missing"))
	if code != ExitUsage || !strings.Contains(errOut, "missing does not exist") {
		t.Errorf("exit %d %q", code, errOut)
	}
	p, err := rt.Wait(5 * time.Second)
	if err != nil || p.Kind != "init/error" || !strings.Contains(string(p.Body), `missing does not exist (write one with`) ||
		!strings.HasSuffix(string(p.Body), `,"errorType":"Sesctl.InitError"}`) {
		t.Errorf("posted %s %s (%v)", p.Kind, p.Body, err)
	}
}
