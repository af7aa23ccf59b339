package lambdart

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen is one request an httptest handler received.
type seen struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// apiStub answers every request with status and body and records it.
type apiStub struct {
	mu     sync.Mutex
	reqs   []seen
	status int
	header map[string]string
	body   string
}

func (s *apiStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, seen{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: string(b)})
	s.mu.Unlock()
	for k, v := range s.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(s.status)
	_, _ = io.WriteString(w, s.body)
}

func stubClient(t *testing.T, st *apiStub) *Client {
	t.Helper()
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	c, err := New(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // base URL, or "" for an error
	}{
		{"127.0.0.1:9001", "http://127.0.0.1:9001/2018-06-01/runtime"},
		{" localhost:8080 ", "http://localhost:8080/2018-06-01/runtime"},
		{"[::1]:9001", "http://[::1]:9001/2018-06-01/runtime"},
		{"", ""},
		{"127.0.0.1:9001/2018-06-01", ""},
		{"http://127.0.0.1:9001", ""},
		{"user@host:1", ""},
	} {
		c, err := New(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("New(%q) = %s, want an error", tt.in, c.base)
		case tt.want != "" && err != nil:
			t.Errorf("New(%q): %v", tt.in, err)
		case tt.want != "" && c.base != tt.want:
			t.Errorf("New(%q) base %s, want %s", tt.in, c.base, tt.want)
		}
	}
	t.Setenv(EnvRuntimeAPI, "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("FromEnv without the variable: %v", err)
	}
}

func TestNext(t *testing.T) {
	deadline := time.Date(2026, 11, 22, 5, 0, 3, 250e6, time.UTC)
	st := &apiStub{status: 200, body: `{"source":"aws.events"}`, header: map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		"Lambda-Runtime-Deadline-Ms":          strconv.FormatInt(deadline.UnixMilli(), 10),
		"Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:111122223333:function:sesctl-metrics",
		"Lambda-Runtime-Trace-Id":             "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
	}}
	inv, err := stubClient(t, st).Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.reqs[0]; got.Method != "GET" || got.Path != "/2018-06-01/runtime/invocation/next" || got.Body != "" {
		t.Errorf("request %s %s %q", got.Method, got.Path, got.Body)
	}
	want := Invocation{
		RequestID:   "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		Deadline:    deadline,
		FunctionARN: "arn:aws:lambda:eu-west-1:111122223333:function:sesctl-metrics",
		TraceID:     "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
	}
	if inv.RequestID != want.RequestID || !inv.Deadline.Equal(want.Deadline) || inv.FunctionARN != want.FunctionARN ||
		inv.TraceID != want.TraceID || string(inv.Payload) != `{"source":"aws.events"}` {
		t.Errorf("got %+v (payload %s)\nwant %+v", inv, inv.Payload, want)
	}
}

func TestNextFailures(t *testing.T) {
	for _, tt := range []struct {
		name   string
		stub   *apiStub
		want   string
		status int // StatusError status, 0 for another error
		fatal  bool
	}{
		{"no request id", &apiStub{status: 200, body: "{}"}, "no Lambda-Runtime-Aws-Request-Id header", 0, true},
		{"container error", &apiStub{status: 500, body: `{"errorMessage":"boom","errorType":"Runtime.Unknown"}`},
			`Lambda runtime API next: HTTP 500: {"errorMessage":"boom","errorType":"Runtime.Unknown"}`, 500, true},
		{"forbidden", &apiStub{status: 403, body: "no"}, "Lambda runtime API next: HTTP 403: no", 403, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stubClient(t, tt.stub).Next(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			var se *StatusError
			if got := errors.As(err, &se); got != (tt.status != 0) || (got && se.Status != tt.status) {
				t.Errorf("StatusError %v (%+v), want status %d", got, se, tt.status)
			}
			if IsFatal(err) != tt.fatal {
				t.Errorf("IsFatal = %v, want %v", IsFatal(err), tt.fatal)
			}
		})
	}
}

func TestNextUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	c, err := New(addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Next(context.Background()); err == nil || !IsFatal(err) {
		t.Errorf("Next on a closed port: %v, want a fatal error", err)
	}
}

func TestNextBlocksUntilCanceled(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	t.Cleanup(func() { close(block); srv.Close() })
	c, _ := New(strings.TrimPrefix(srv.URL, "http://"))
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.Next(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next after the context ended: %v", err)
	}
}

func TestPosts(t *testing.T) {
	for _, tt := range []struct {
		name      string
		call      func(*Client) error
		path      string
		body      string
		errorType string // want the Lambda-Runtime-Function-Error-Type header
	}{
		{"response", func(c *Client) error {
			return c.Respond(context.Background(), "156cb537-e2d4-11e8-9b34-d36013741fb9", []byte(`{"datums":40}`))
		}, "/2018-06-01/runtime/invocation/156cb537-e2d4-11e8-9b34-d36013741fb9/response", `{"datums":40}`, ""},
		{"invocation error", func(c *Client) error {
			return c.Fail(context.Background(), "156cb537-e2d4-11e8-9b34-d36013741fb9",
				ErrorReport{Message: "read events: Athena: AccessDenied", Type: "Sesctl.SourceError"})
		}, "/2018-06-01/runtime/invocation/156cb537-e2d4-11e8-9b34-d36013741fb9/error",
			`{"errorMessage":"read events: Athena: AccessDenied","errorType":"Sesctl.SourceError"}`, "Sesctl.SourceError"},
		{"request id escaped", func(c *Client) error {
			return c.Respond(context.Background(), "a/b c", []byte(`{}`))
		}, "/2018-06-01/runtime/invocation/a%2Fb%20c/response", `{}`, ""},
		{"init error", func(c *Client) error {
			return c.InitError(context.Background(), ErrorReport{Message: `SESCTL_ARGS: invalid JSON`, Type: "Sesctl.InitError"})
		}, "/2018-06-01/runtime/init/error", `{"errorMessage":"SESCTL_ARGS: invalid JSON","errorType":"Sesctl.InitError"}`, "Sesctl.InitError"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &apiStub{status: 202, body: `{"status":"OK"}`}
			if err := tt.call(stubClient(t, st)); err != nil {
				t.Fatal(err)
			}
			got := st.reqs[0]
			if got.Method != "POST" || got.Path != tt.path || got.Body != tt.body {
				t.Errorf("got %s %s %s\nwant POST %s %s", got.Method, got.Path, got.Body, tt.path, tt.body)
			}
			if et, ok := got.Header[http.CanonicalHeaderKey(HeaderErrorType)]; (tt.errorType == "") != !ok || (ok && et[0] != tt.errorType) {
				t.Errorf("error type header %q, want %q", et, tt.errorType)
			}
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestPostRefused(t *testing.T) {
	st := &apiStub{status: 413, body: `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`}
	err := stubClient(t, st).Respond(context.Background(), "id-1", []byte("{}"))
	var se *StatusError
	if !errors.As(err, &se) || se.Op != "response" || se.Status != 413 || IsFatal(err) || !strings.Contains(err.Error(), "RequestEntityTooLarge") {
		t.Errorf("got %v", err)
	}
}

func TestParseDeadline(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64 // ms, 0 for an error
	}{
		{"1542409706888", 1542409706888},
		{" 1542409706888 ", 1542409706888},
		{"", 0},
		{"-5", 0},
		{"0", 0},
		{"1.5e12", 0},
		{"99999999999999999999", 0},
	} {
		got, err := ParseDeadline(tt.in)
		if (err != nil) != (tt.want == 0) || (err == nil && got.UnixMilli() != tt.want) {
			t.Errorf("ParseDeadline(%q) = %v, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseDeadline(f *testing.F) {
	for _, s := range []string{"1542409706888", "", "-1", "0", "9007199254740993", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDeadline(s)
		if err != nil {
			return
		}
		if ms := d.UnixMilli(); strconv.FormatInt(ms, 10) != strings.TrimLeft(strings.TrimSpace(s), "+0") {
			t.Errorf("ParseDeadline(%q) = %d ms", s, ms)
		}
	})
}
