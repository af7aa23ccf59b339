// Package cli holds the sesctl command tree. Each command lives in its own
// file and registers itself with register() from an init function, so
// commands can be added without touching this file.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/sesctl/sesctl/internal/cli.Version=v1.2.3".
// Otherwise it is the module version `go install` recorded, or "dev".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// commandCtor builds one top-level command.
type commandCtor func(f *Factory) *cobra.Command

var registry = map[string]commandCtor{}

// register adds a top-level command; name is only used for ordering and
// duplicate detection.
func register(name string, ctor commandCtor) {
	if _, dup := registry[name]; dup {
		panic("cli: command registered twice: " + name)
	}
	registry[name] = ctor
}

// NewRootCmd builds the whole command tree around f.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "sesctl",
		Short: "Turn Amazon SES event publishing into a queryable, healthy lake",
		Long: `sesctl builds and checks the pipeline SES event publishing feeds:
SES configuration set -> Kinesis Data Firehose (dynamic partitioning, jq on
JQ-1.6) -> S3 -> Athena. It can replay events locally exactly as Firehose
would partition them, query the lake, validate templates and check sending
health from Nagios or Icinga.

EXIT STATUS
  0  success
  1  the command ran and found failures (--fail-on-error, findings, ...)
  2  bad flags, arguments or unreadable input
  3  unexpected error (AWS call failed, I/O error)
  sesctl check uses the Nagios convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.`,
		Example: `  sesctl replay testdata/samples/official.jsonl --out lake
  sesctl partition testdata/samples/official.jsonl
  sesctl completion bash > /etc/bash_completion.d/sesctl`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("sesctl {{.Version}}\n")
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.Err)
	f.AWS.AddFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		root.AddCommand(registry[n](f))
	}
	return root
}

// Main runs sesctl with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if code, ok := lambdaBootstrap(ctx, NewFactory(SystemIO()), os.Args[1:]); ok {
		return code // a Lambda custom runtime: arguments from SESCTL_ARGS
	}
	return Run(ctx, os.Args[1:], SystemIO())
}

// Run executes one sesctl invocation; tests call it in-process.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	f := NewFactory(io)
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		reportError(io.Err, err)
	}
	return exitCode(err)
}

func reportError(w io.Writer, err error) {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "sesctl: interrupted")
		return
	}
	fmt.Fprintf(w, "sesctl: %v\n", err)
}
