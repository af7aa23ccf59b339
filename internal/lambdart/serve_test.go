package lambdart_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesctl/sesctl/internal/lambdart"
	"github.com/sesctl/sesctl/internal/lambdart/lambdarttest"
	"github.com/sesctl/sesctl/internal/testutil/proc"
)

// handler answers by payload: "ok" echoes, "typed" fails with a typed
// error, "plain" with an untyped one, "panic" panics, "deadline"
// reports its context's deadline.
func handler(ctx context.Context, inv *lambdart.Invocation) ([]byte, error) {
	switch string(inv.Payload) {
	case `"typed"`:
		return nil, fmt.Errorf("publish: %w", lambdart.Errorf("Sesctl.CloudWatchError", "PutMetricData: AccessDenied"))
	case `"plain"`:
		return nil, errors.New("something broke")
	case `"panic"`:
		var m map[string]int
		m["x"]++ // a nil map write: a real runtime panic
		return nil, nil
	case `"deadline"`:
		d, ok := ctx.Deadline()
		return fmt.Appendf(nil, `{"deadline":%q,"ok":%v,"trace":%q}`, d.UTC().Format(time.RFC3339Nano), ok, os.Getenv("_X_AMZN_TRACE_ID")), nil
	}
	return append([]byte(`{"echo":`), append(inv.Payload, '}')...), nil
}

func TestServe(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", "")
	rt := lambdarttest.New()
	defer rt.Close()
	c, err := lambdart.New(rt.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c.Margin = 250 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := &proc.Output{}
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx, handler, log) }()

	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	tests := []struct {
		ev        lambdarttest.Event
		kind      string
		body      string
		errorType string
	}{
		{lambdarttest.Event{RequestID: "r1", Payload: `{"a":1}`}, "response", `{"echo":{"a":1}}`, ""},
		{lambdarttest.Event{RequestID: "r2", Payload: `"typed"`}, "error",
			`{"errorMessage":"publish: PutMetricData: AccessDenied","errorType":"Sesctl.CloudWatchError"}`, "Sesctl.CloudWatchError"},
		{lambdarttest.Event{RequestID: "r3", Payload: `"plain"`}, "error",
			`{"errorMessage":"something broke","errorType":"Runtime.HandlerError"}`, "Runtime.HandlerError"},
		{lambdarttest.Event{RequestID: "r4", Payload: `"panic"`}, "error",
			`{"errorMessage":"panic: assignment to entry in nil map","errorType":"Runtime.Panic"}`, "Runtime.Panic"},
		// After a panic the loop goes on; the deadline less the margin
		// reaches the handler, and so does the trace header.
		{lambdarttest.Event{RequestID: "r5", Payload: `"deadline"`, Deadline: deadline, TraceID: "Root=1-abc"}, "response",
			fmt.Sprintf(`{"deadline":%q,"ok":true,"trace":"Root=1-abc"}`, deadline.Add(-250*time.Millisecond).UTC().Format(time.RFC3339Nano)), ""},
	}
	for _, tt := range tests {
		rt.Invoke(tt.ev)
		p, err := rt.Wait(5 * time.Second)
		if err != nil {
			t.Fatalf("%s: %v\nlog:\n%s", tt.ev.RequestID, err, log)
		}
		wantPath := "/2018-06-01/runtime/invocation/" + tt.ev.RequestID + "/" + tt.kind
		if p.Kind != tt.kind || p.RequestID != tt.ev.RequestID || p.Path != wantPath || string(p.Body) != tt.body {
			t.Errorf("%s: got %s %s %s\nwant %s %s", tt.ev.RequestID, p.Kind, p.Path, p.Body, wantPath, tt.body)
		}
		if got := p.Header.Get("Lambda-Runtime-Function-Error-Type"); got != tt.errorType {
			t.Errorf("%s: error type header %q, want %q", tt.ev.RequestID, got, tt.errorType)
		}
	}
	if !strings.Contains(log.String(), "invocation r4 failed: Runtime.Panic: panic: assignment to entry in nil map") ||
		!strings.Contains(log.String(), "goroutine") {
		t.Errorf("log lacks the panic and its stack:\n%s", log)
	}
	// Serve is blocked in /next; ending the context ends it cleanly.
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if u := rt.Unexpected(); len(u) != 0 {
		t.Errorf("unexpected requests: %v", u)
	}
}

// scriptedAPI is a runtime API whose answers the test chooses per path.
func scriptedAPI(t *testing.T, answer func(path string) (int, http.Header, string)) (*lambdart.Client, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
		status, h, body := answer(r.URL.Path)
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := lambdart.New(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return c, &paths
}

func TestServeStopsOnFatalAPIError(t *testing.T) {
	c, paths := scriptedAPI(t, func(string) (int, http.Header, string) {
		return 500, nil, `{"errorMessage":"State transition from Ready to InvocationResponse failed","errorType":"InvalidStateTransition"}`
	})
	err := c.Serve(context.Background(), handler, nil)
	var se *lambdart.StatusError
	if !errors.As(err, &se) || se.Status != 500 || se.Op != "next" {
		t.Fatalf("Serve: %v", err)
	}
	if len(*paths) != 1 {
		t.Errorf("requests %v, want only the one /next", *paths)
	}
}

func TestServeRefusedResponseBecomesError(t *testing.T) {
	calls := 0
	c, paths := scriptedAPI(t, func(path string) (int, http.Header, string) {
		switch {
		case strings.HasSuffix(path, "/next"):
			calls++
			if calls > 1 {
				return 500, nil, "stop"
			}
			return 200, http.Header{"Lambda-Runtime-Aws-Request-Id": {"r1"}}, `{}`
		case strings.HasSuffix(path, "/response"):
			return 413, nil, `{"errorType":"RequestEntityTooLarge"}`
		}
		return 202, nil, ""
	})
	err := c.Serve(context.Background(), handler, nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 500: stop") {
		t.Fatalf("Serve: %v", err)
	}
	want := []string{
		"GET /2018-06-01/runtime/invocation/next ",
		`POST /2018-06-01/runtime/invocation/r1/response {"echo":{}}`,
		`POST /2018-06-01/runtime/invocation/r1/error {"errorMessage":"Lambda runtime API response: HTTP 413: {\"errorType\":\"RequestEntityTooLarge\"}","errorType":"Runtime.InvalidResponse"}`,
		"GET /2018-06-01/runtime/invocation/next ",
	}
	if strings.Join(*paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(*paths, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrorType(t *testing.T) {
	typed := lambdart.Errorf("Sesctl.SourceError", "read events: %w", io.ErrUnexpectedEOF)
	for _, tt := range []struct {
		err  error
		want string
	}{
		{typed, "Sesctl.SourceError"},
		{fmt.Errorf("wrapped: %w", typed), "Sesctl.SourceError"},
		{errors.New("bare"), "Runtime.HandlerError"},
		{&lambdart.Error{Err: errors.New("no type")}, "Runtime.HandlerError"},
	} {
		if got := lambdart.ErrorType(tt.err); got != tt.want {
			t.Errorf("ErrorType(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !errors.Is(typed, io.ErrUnexpectedEOF) {
		t.Error("Errorf does not wrap")
	}
	var report lambdart.ErrorReport
	if err := json.Unmarshal([]byte(`{"errorMessage":"m","errorType":"t","stackTrace":["a"]}`), &report); err != nil || report.Message != "m" || report.Type != "t" || len(report.StackTrace) != 1 {
		t.Errorf("ErrorReport JSON names: %+v %v", report, err)
	}
}
