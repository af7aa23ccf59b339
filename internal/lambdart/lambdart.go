// Package lambdart is a client for the AWS Lambda runtime API (version
// 2018-06-01), the HTTP interface a custom runtime (provided.al2023) uses
// to fetch invocations and report their results:
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{request id}/response
//	POST /2018-06-01/runtime/invocation/{request id}/error
//	POST /2018-06-01/runtime/init/error
//
// The endpoint's host:port comes from the AWS_LAMBDA_RUNTIME_API
// environment variable, which Lambda sets for the bootstrap process.
package lambdart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// EnvRuntimeAPI names the environment variable holding the runtime API's
// host:port.
const EnvRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"

// Version is the runtime API version in every path.
const Version = "2018-06-01"

// Header names of the runtime API.
const (
	HeaderRequestID   = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs  = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID     = "Lambda-Runtime-Trace-Id"
	HeaderErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// maxErrorBody bounds how much of an unexpected answer is kept in a
// StatusError.
const maxErrorBody = 4 << 10

// Client talks to one runtime API endpoint.
type Client struct {
	base string // http://host:port/2018-06-01/runtime
	hc   *http.Client
	// Margin is taken off each invocation's deadline in Serve, so a
	// handler that runs out of time still has a moment to report it.
	Margin time.Duration
}

// New returns a client for the runtime API at hostPort (the value of
// AWS_LAMBDA_RUNTIME_API, e.g. 127.0.0.1:9001). Its HTTP client has no
// overall timeout: /next long-polls until an invocation arrives, and the
// runtime may be frozen in between.
func New(hostPort string) (*Client, error) {
	hostPort = strings.TrimSpace(hostPort)
	if hostPort == "" {
		return nil, fmt.Errorf("%s is not set: not running under the Lambda runtime API", EnvRuntimeAPI)
	}
	u, err := url.Parse("http://" + hostPort)
	if err != nil || u.Host != hostPort || u.Path != "" {
		return nil, fmt.Errorf("%s=%q: want host:port", EnvRuntimeAPI, hostPort)
	}
	return &Client{
		base:   "http://" + hostPort + "/" + Version + "/runtime",
		hc:     &http.Client{Transport: http.DefaultTransport},
		Margin: 500 * time.Millisecond,
	}, nil
}

// FromEnv is New with AWS_LAMBDA_RUNTIME_API.
func FromEnv() (*Client, error) { return New(os.Getenv(EnvRuntimeAPI)) }

// Invocation is one event handed out by /next.
type Invocation struct {
	RequestID   string
	Deadline    time.Time // zero when the header was missing or invalid
	FunctionARN string
	TraceID     string
	Payload     []byte
}

// ErrorReport is the body of the error endpoints.
type ErrorReport struct {
	Message    string   `json:"errorMessage"`
	Type       string   `json:"errorType"`
	StackTrace []string `json:"stackTrace,omitempty"`
}

// StatusError is an answer of the runtime API with an unexpected status.
type StatusError struct {
	Op     string // "next", "response", "error", "init error"
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("Lambda runtime API %s: HTTP %d", e.Op, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Fatal reports whether the runtime must exit: the API answers 500 when
// the execution environment is in a state it cannot recover from.
func (e *StatusError) Fatal() bool { return e.Status >= 500 }

// Next waits for the next invocation.
func (c *Client) Next(ctx context.Context) (*Invocation, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/invocation/next", nil)
	if err != nil {
		return nil, fmt.Errorf("Lambda runtime API next: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("Lambda runtime API next: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError("next", resp)
	}
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("Lambda runtime API next: read event: %w", err)
	}
	inv := &Invocation{
		RequestID:   resp.Header.Get(HeaderRequestID),
		FunctionARN: resp.Header.Get(HeaderFunctionARN),
		TraceID:     resp.Header.Get(HeaderTraceID),
		Payload:     payload,
	}
	if inv.RequestID == "" {
		return nil, fmt.Errorf("Lambda runtime API next: no %s header", HeaderRequestID)
	}
	inv.Deadline, _ = ParseDeadline(resp.Header.Get(HeaderDeadlineMs))
	return inv, nil
}

// ParseDeadline reads a Lambda-Runtime-Deadline-Ms value: Unix time in
// milliseconds.
func ParseDeadline(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: not a number of milliseconds", HeaderDeadlineMs, s)
	}
	if ms <= 0 || ms > 1<<53 {
		return time.Time{}, fmt.Errorf("%s %q: out of range", HeaderDeadlineMs, s)
	}
	return time.UnixMilli(ms), nil
}

// Respond posts the result of invocation requestID.
func (c *Client) Respond(ctx context.Context, requestID string, body []byte) error {
	return c.post(ctx, "response", c.invocationPath(requestID, "response"), "", body)
}

// Fail posts the error of invocation requestID; e.Type also goes into
// the Lambda-Runtime-Function-Error-Type header.
func (c *Client) Fail(ctx context.Context, requestID string, e ErrorReport) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("Lambda runtime API error: %w", err)
	}
	return c.post(ctx, "error", c.invocationPath(requestID, "error"), e.Type, body)
}

// InitError reports that the runtime could not start; the runtime should
// exit afterwards.
func (c *Client) InitError(ctx context.Context, e ErrorReport) error {
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("Lambda runtime API init error: %w", err)
	}
	return c.post(ctx, "init error", c.base+"/init/error", e.Type, body)
}

func (c *Client) invocationPath(requestID, what string) string {
	return c.base + "/invocation/" + url.PathEscape(requestID) + "/" + what
}

func (c *Client) post(ctx context.Context, op, u, errorType string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("Lambda runtime API %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if errorType != "" {
		req.Header.Set(HeaderErrorType, errorType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("Lambda runtime API %s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return statusError(op, resp)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

func statusError(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &StatusError{Op: op, Status: resp.StatusCode, Body: strings.TrimSpace(string(b))}
}

// IsFatal reports whether err means the runtime should exit (a 500 from
// the API, or the API being unreachable), as opposed to an answer
// about one invocation (400, 403, 413).
func IsFatal(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Fatal()
	}
	return err != nil
}
