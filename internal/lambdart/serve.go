package lambdart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Handler serves one invocation and returns the response body (JSON).
// Its context ends at the invocation's deadline (less Client.Margin).
type Handler func(ctx context.Context, inv *Invocation) ([]byte, error)

// Error is a handler error with the errorType Lambda records for it,
// "Category.Reason" by convention (e.g. "Sesctl.SourceError").
type Error struct {
	Type string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error of type typ.
func Errorf(typ, format string, a ...any) error {
	return &Error{Type: typ, Err: fmt.Errorf(format, a...)}
}

// Error types Serve reports on its own.
const (
	TypeHandlerError    = "Runtime.HandlerError"    // a handler error without an *Error type
	TypePanic           = "Runtime.Panic"           // the handler panicked
	TypeInvalidResponse = "Runtime.InvalidResponse" // the API refused the response body
)

// ErrorType is the type of the first *Error in err's chain, else
// TypeHandlerError.
func ErrorType(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Type != "" {
		return e.Type
	}
	return TypeHandlerError
}

// Serve fetches invocations one after the other and hands each to h:
// a result goes to the response endpoint, an error (or a panic) to the
// error endpoint, and the loop goes on. It returns nil when ctx ends, or
// the runtime API failure that stopped it (the runtime should then exit
// with a non-zero status so that Lambda replaces the environment). log
// receives a line per invocation (Lambda sends stderr to CloudWatch Logs).
func (c *Client) Serve(ctx context.Context, h Handler, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	for {
		inv, err := c.Next(ctx)
		if err == nil {
			err = c.serveOne(ctx, h, inv, log)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// serveOne runs h for inv and posts its outcome. It returns only the
// errors that end the loop.
func (c *Client) serveOne(ctx context.Context, h Handler, inv *Invocation, log io.Writer) error {
	if inv.TraceID != "" {
		// The documented contract: X-Ray SDKs read the trace header here.
		_ = os.Setenv("_X_AMZN_TRACE_ID", inv.TraceID)
	}
	ictx, cancel := c.invocationContext(ctx, inv)
	body, herr := call(ictx, h, inv, log)
	cancel()
	if herr == nil {
		err := c.Respond(ctx, inv.RequestID, body)
		if err == nil || IsFatal(err) {
			return err
		}
		herr = &Error{Type: TypeInvalidResponse, Err: err}
	}
	report := ErrorReport{Message: herr.Error(), Type: ErrorType(herr)}
	fmt.Fprintf(log, "invocation %s failed: %s: %s\n", inv.RequestID, report.Type, report.Message)
	err := c.Fail(ctx, inv.RequestID, report)
	if err != nil && !IsFatal(err) {
		fmt.Fprintf(log, "invocation %s: %v\n", inv.RequestID, err)
		return nil
	}
	return err
}

func (c *Client) invocationContext(ctx context.Context, inv *Invocation) (context.Context, context.CancelFunc) {
	if inv.Deadline.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, inv.Deadline.Add(-c.Margin))
}

// call runs h, turning a panic into an error of type Runtime.Panic.
func call(ctx context.Context, h Handler, inv *Invocation, log io.Writer) (body []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(log, "invocation %s: panic: %v\n%s\n", inv.RequestID, r, strings.TrimSpace(string(debug.Stack())))
			body, err = nil, &Error{Type: TypePanic, Err: fmt.Errorf("panic: %v", r)}
		}
	}()
	return h(ctx, inv)
}
