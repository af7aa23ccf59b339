// Package lambdarttest is a fake AWS Lambda runtime API for tests: it
// hands out queued invocations on GET /2018-06-01/runtime/invocation/next
// (blocking until one is queued, as the real API long-polls) and records
// every POST to the response, error and init error endpoints.
package lambdarttest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// Event is one queued invocation.
type Event struct {
	RequestID   string
	Deadline    time.Time // zero: no deadline header
	FunctionARN string
	TraceID     string
	Payload     string
}

// Post is one request the runtime sent to a reporting endpoint.
type Post struct {
	Kind      string // "response", "error" or "init/error"
	RequestID string // empty for init errors
	Path      string
	Header    http.Header
	Body      []byte
}

// Runtime is the fake API.
type Runtime struct {
	srv   *httptest.Server
	queue chan Event
	posts chan Post
	done  chan struct{}
	once  sync.Once

	mu         sync.Mutex
	handedOut  map[string]bool
	unexpected []string
}

// New starts a fake runtime API on a local port.
func New() *Runtime {
	r := &Runtime{
		queue:     make(chan Event, 64),
		posts:     make(chan Post, 64),
		done:      make(chan struct{}),
		handedOut: map[string]bool{},
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// Addr is the value for AWS_LAMBDA_RUNTIME_API.
func (r *Runtime) Addr() string { return strings.TrimPrefix(r.srv.URL, "http://") }

// Invoke queues an invocation.
func (r *Runtime) Invoke(ev Event) { r.queue <- ev }

// Wait returns the next recorded post, or an error after timeout.
func (r *Runtime) Wait(timeout time.Duration) (Post, error) {
	select {
	case p := <-r.posts:
		return p, nil
	case <-time.After(timeout):
		return Post{}, fmt.Errorf("fake Lambda runtime API: nothing posted within %v", timeout)
	}
}

// Unexpected lists the requests that matched no endpoint, or reported on
// a request ID that was never handed out.
func (r *Runtime) Unexpected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.unexpected...)
}

// Close releases waiting /next calls and stops the server.
func (r *Runtime) Close() {
	r.once.Do(func() { close(r.done) })
	r.srv.Close()
}

func (r *Runtime) serve(w http.ResponseWriter, req *http.Request) {
	path := req.URL.EscapedPath()
	rest, ok := strings.CutPrefix(path, prefix)
	switch {
	case ok && rest == "invocation/next" && req.Method == http.MethodGet:
		r.next(w, req)
	case ok && rest == "init/error" && req.Method == http.MethodPost:
		r.record(w, req, "init/error", "")
	case ok && strings.HasPrefix(rest, "invocation/") && req.Method == http.MethodPost:
		parts := strings.Split(strings.TrimPrefix(rest, "invocation/"), "/")
		if len(parts) == 2 && (parts[1] == "response" || parts[1] == "error") {
			if id, err := url.PathUnescape(parts[0]); err == nil {
				r.record(w, req, parts[1], id)
				return
			}
		}
		r.reject(w, req)
	default:
		r.reject(w, req)
	}
}

func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	var ev Event
	select {
	case ev = <-r.queue:
	case <-req.Context().Done():
		return
	case <-r.done:
		http.Error(w, "fake runtime closed", http.StatusGone)
		return
	}
	r.mu.Lock()
	r.handedOut[ev.RequestID] = true
	r.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", ev.RequestID)
	if !ev.Deadline.IsZero() {
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.Deadline.UnixMilli(), 10))
	}
	if ev.FunctionARN != "" {
		h.Set("Lambda-Runtime-Invoked-Function-Arn", ev.FunctionARN)
	}
	if ev.TraceID != "" {
		h.Set("Lambda-Runtime-Trace-Id", ev.TraceID)
	}
	h.Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, ev.Payload)
}

func (r *Runtime) record(w http.ResponseWriter, req *http.Request, kind, id string) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if id != "" {
		r.mu.Lock()
		known := r.handedOut[id]
		delete(r.handedOut, id)
		if !known {
			r.unexpected = append(r.unexpected, req.Method+" "+req.URL.EscapedPath()+" (request ID not handed out or already answered)")
		}
		r.mu.Unlock()
		if !known {
			http.Error(w, `{"errorMessage":"invalid request ID","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
	}
	r.posts <- Post{Kind: kind, RequestID: id, Path: req.URL.EscapedPath(), Header: req.Header.Clone(), Body: body}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func (r *Runtime) reject(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.unexpected = append(r.unexpected, req.Method+" "+req.URL.EscapedPath())
	r.mu.Unlock()
	http.NotFound(w, req)
}
