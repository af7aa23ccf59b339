package cli

// AWS Lambda mode of `sesctl metrics publish`: the sesctl binary, named
// bootstrap in a provided.al2023 deployment package, serves invocations
// through the Lambda runtime API (internal/lambdart). Each invocation runs
// one publish with the configured flags; a scheduled event's time is the
// "now" its window is computed from.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/internal/health"
	"github.com/sesctl/sesctl/internal/lambdart"
)

// EnvSesctlArgs holds sesctl's arguments, a JSON array of strings, when
// the Lambda runtime starts the bootstrap without any.
const EnvSesctlArgs = "SESCTL_ARGS"

// The one command that can serve Lambda invocations.
const lambdaCommand = "sesctl metrics publish"

// Error types reported to Lambda (errorType and the
// Lambda-Runtime-Function-Error-Type header).
const (
	lambdaErrInit         = "Sesctl.InitError"       // SESCTL_ARGS or the flags are unusable
	lambdaErrInvalidEvent = "Sesctl.InvalidEvent"    // the event is not JSON, or its time is not RFC 3339
	lambdaErrUsage        = "Sesctl.UsageError"      // the flags do not work for this window (e.g. a lake folder gone)
	lambdaErrSource       = "Sesctl.SourceError"     // reading the events (Athena, the lake) failed
	lambdaErrCloudWatch   = "Sesctl.CloudWatchError" // PutMetricData failed
	lambdaErrTimeout      = "Sesctl.Timeout"         // the invocation's deadline came first
)

// lambdaState travels in the context from the bootstrap to the command,
// which marks that it started serving: anything that ends the process
// before that is an initialization error.
type lambdaState struct{ serving bool }

type lambdaStateKey struct{}

// lambdaBootstrap runs sesctl as a Lambda custom runtime when the Lambda
// runtime API is there and the process got no arguments: the arguments
// come from SESCTL_ARGS. handled is false otherwise (a normal run).
func lambdaBootstrap(ctx context.Context, f *Factory, args []string) (code int, handled bool) {
	if os.Getenv(lambdart.EnvRuntimeAPI) == "" || len(args) > 0 {
		return 0, false
	}
	rt, err := lambdart.FromEnv()
	if err != nil {
		fmt.Fprintf(f.IO.Err, "sesctl: %v\n", err)
		return ExitFailure, true
	}
	args, err = lambdaArgs(os.Getenv(EnvSesctlArgs))
	if err == nil {
		err = lambdaCheckCommand(f, args)
	}
	if err != nil {
		return lambdaInitFailed(ctx, f, rt, err), true
	}
	st := &lambdaState{}
	root := NewRootCmd(f)
	root.SetArgs(args)
	err = root.ExecuteContext(context.WithValue(ctx, lambdaStateKey{}, st))
	if !st.serving {
		if err == nil {
			err = fmt.Errorf("%s %s ended without serving invocations", EnvSesctlArgs, strings.Join(args, " "))
		}
		return lambdaInitFailed(ctx, f, rt, err), true
	}
	if err != nil {
		reportError(f.IO.Err, err)
	}
	return exitCode(err), true
}

// lambdaArgs parses SESCTL_ARGS.
func lambdaArgs(env string) ([]string, error) {
	if strings.TrimSpace(env) == "" {
		return nil, fmt.Errorf(`%s is not set: give the arguments as a JSON array, e.g. ["metrics","publish","--athena","--since","24h"]`, EnvSesctlArgs)
	}
	var args []string
	if err := json.Unmarshal([]byte(env), &args); err != nil {
		return nil, fmt.Errorf("%s is not a JSON array of strings: %w", EnvSesctlArgs, err)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("%s is an empty array: want at least metrics publish", EnvSesctlArgs)
	}
	return args, nil
}

// lambdaCheckCommand refuses arguments that name any command but
// metrics publish.
func lambdaCheckCommand(f *Factory, args []string) error {
	cmd, _, err := NewRootCmd(f).Find(args)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvSesctlArgs, err)
	}
	if path := cmd.CommandPath(); path != lambdaCommand {
		return fmt.Errorf("%s runs %q: only %q can serve Lambda invocations", EnvSesctlArgs, path, lambdaCommand)
	}
	return nil
}

// lambdaInitFailed reports err to the init error endpoint and to stderr
// (CloudWatch Logs) and returns the exit code.
func lambdaInitFailed(ctx context.Context, f *Factory, rt *lambdart.Client, err error) int {
	msg := err.Error()
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		msg = fmt.Sprintf("%s exited with status %d", lambdaCommand, ee.Code)
	}
	fmt.Fprintf(f.IO.Err, "sesctl: Lambda init error: %s\n", msg)
	if perr := rt.InitError(ctx, lambdart.ErrorReport{Message: msg, Type: lambdaErrInit}); perr != nil {
		fmt.Fprintf(f.IO.Err, "sesctl: %v\n", perr)
	}
	return ExitFailure
}

// metricsLambdaWanted reports whether publish runs as a Lambda handler.
func metricsLambdaWanted(o *metricsPublishOptions) bool {
	return o.lambda || os.Getenv(lambdart.EnvRuntimeAPI) != ""
}

// runMetricsLambda checks the flags once, then serves invocations until
// the runtime API goes away or the process is told to stop.
func runMetricsLambda(cmd *cobra.Command, f *Factory, o *metricsPublishOptions) error {
	rt, err := lambdart.FromEnv()
	if err != nil {
		return usageErrorf("--lambda: %v", err)
	}
	st, viaBootstrap := cmd.Context().Value(lambdaStateKey{}).(*lambdaState)
	desc, err := metricsLambdaPreflight(cmd.Context(), f, o)
	if err != nil {
		if !viaBootstrap {
			// Started with arguments (a container image's command, or
			// --lambda by hand): report the init error here.
			_ = rt.InitError(cmd.Context(), lambdart.ErrorReport{Message: err.Error(), Type: lambdaErrInit})
		}
		return err
	}
	if viaBootstrap {
		st.serving = true
	}
	ctx := cmd.Context()
	defer cmd.SetContext(ctx)
	fmt.Fprintf(f.IO.Err, "sesctl: serving Lambda invocations: metrics publish from %s to namespace %s\n", desc, o.namespace)
	h := func(ictx context.Context, inv *lambdart.Invocation) ([]byte, error) {
		return metricsLambdaInvoke(ictx, cmd, f, o, inv)
	}
	if err := rt.Serve(ctx, h, f.IO.Err); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	return nil
}

// metricsLambdaPreflight finds what every invocation would fail on
// before the first one: bad flags, an unreadable lake, no AWS region.
func metricsLambdaPreflight(ctx context.Context, f *Factory, o *metricsPublishOptions) (string, error) {
	if !monValidOutput(o.output) {
		return "", usageErrorf("--output %q: want table, csv or json", o.output)
	}
	if strings.TrimSpace(o.namespace) == "" || strings.HasPrefix(o.namespace, "AWS/") {
		return "", usageErrorf("--namespace %q: give a namespace of your own (AWS/ is reserved)", o.namespace)
	}
	if _, err := o.window.Resolve(f.Now().UTC().Truncate(time.Minute), "24h"); err != nil {
		return "", usageErrorf("%v", err)
	}
	src, desc, err := o.events.open(ctx, f, io.Discard)
	if err != nil {
		return "", usageErrorf("%v", err)
	}
	src.Close()
	return desc, nil
}

// metricsLambdaResult is an invocation's response.
type metricsLambdaResult struct {
	Now         string `json:"now"`     // the time the window was computed from
	NowFrom     string `json:"nowFrom"` // "event" (a scheduled event's time), "now" (the event's now field) or "clock"
	Window      string `json:"window"`  // as in the messages: "last 24h, counted as whole days ..."
	WindowStart string `json:"windowStart"`
	WindowEnd   string `json:"windowEnd"`
	Timestamp   string `json:"timestamp"` // of every datum
	Namespace   string `json:"namespace"`
	Identities  int    `json:"identities"`
	Datums      int    `json:"datums"`
	Published   bool   `json:"published"` // false with --dry-run or without events
}

// metricsLambdaInvoke runs one publish for inv.
func metricsLambdaInvoke(ctx context.Context, cmd *cobra.Command, f *Factory, o *metricsPublishOptions, inv *lambdart.Invocation) ([]byte, error) {
	now, from, err := lambdaEventTime(inv.Payload, f.Now)
	if err != nil {
		return nil, &lambdart.Error{Type: lambdaErrInvalidEvent, Err: err}
	}
	fmt.Fprintf(f.IO.Err, "sesctl: invocation %s: now %s (%s)\n", inv.RequestID, now.UTC().Format(time.RFC3339), from)
	res := metricsLambdaResult{Now: now.UTC().Format(time.RFC3339Nano), NowFrom: from, Namespace: o.namespace}
	observed := false
	o.observe = func(w health.Window, stamp time.Time, groups []health.Group, datums []cwtypes.MetricDatum) {
		observed = true
		res.Window, res.WindowStart, res.WindowEnd = w.Desc, w.From.UTC().Format(time.RFC3339), w.To.UTC().Format(time.RFC3339)
		res.Timestamp = stamp.UTC().Format(time.RFC3339)
		res.Identities, res.Datums = lambdaIdentities(groups), len(datums)
	}
	defer func() { o.observe = nil }()
	fi := *f
	fi.Now = func() time.Time { return now }
	cmd.SetContext(ctx)
	if err := runMetricsPublish(cmd, &fi, o); err != nil {
		return nil, &lambdart.Error{Type: lambdaErrorType(ctx, err, observed), Err: err}
	}
	res.Published = observed && !o.dryRun && res.Datums > 0
	return json.Marshal(res)
}

func lambdaIdentities(groups []health.Group) int {
	seen := map[string]bool{}
	for _, g := range groups {
		if g.Identity != "" {
			seen[g.Identity] = true
		}
	}
	return len(seen)
}

// lambdaErrorType classifies a failed publish. observed tells whether the
// events were read (so the failure came when publishing them).
func lambdaErrorType(ctx context.Context, err error, observed bool) string {
	var ee *ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return lambdaErrTimeout
	case observed:
		return lambdaErrCloudWatch
	case errors.As(err, &ee) && ee.Code == ExitUsage:
		return lambdaErrUsage
	}
	return lambdaErrSource
}

// lambdaEvent holds the event fields that set the time.
type lambdaEvent struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Time       json.RawMessage `json:"time"`
	Now        json.RawMessage `json:"now"`
}

// lambdaEventTime is the "now" of an invocation: the time of an
// EventBridge scheduled event (so a retried invocation covers the same
// window), else the event's "now" field, else the clock. An empty or null
// payload uses the clock.
func lambdaEventTime(payload []byte, clock func() time.Time) (time.Time, string, error) {
	p := strings.TrimSpace(string(payload))
	if p == "" || p == "null" {
		return clock(), "clock", nil
	}
	if !strings.HasPrefix(p, "{") {
		return time.Time{}, "", errors.New("the invocation event is not a JSON object")
	}
	var ev lambdaEvent
	if err := json.Unmarshal([]byte(p), &ev); err != nil {
		return time.Time{}, "", fmt.Errorf("the invocation event is not a JSON object: %w", err)
	}
	if ev.Source == "aws.events" && ev.DetailType == "Scheduled Event" {
		if len(ev.Time) == 0 {
			return time.Time{}, "", errors.New(`the scheduled event has no "time"`)
		}
		t, err := lambdaParseTime("time", ev.Time)
		return t, "event", err
	}
	if len(ev.Now) != 0 && string(ev.Now) != "null" {
		t, err := lambdaParseTime("now", ev.Now)
		return t, "now", err
	}
	return clock(), "clock", nil
}

func lambdaParseTime(field string, raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, fmt.Errorf("event field %q: want an RFC 3339 time string, got %s", field, raw)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("event field %q: %q is not an RFC 3339 time", field, s)
	}
	return t, nil
}
