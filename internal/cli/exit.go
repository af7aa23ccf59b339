package cli

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes shared by every command. `sesctl check` uses the Nagios
// convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) through ExitError.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the command ran but found failures (e.g. --fail-on-error, validation findings)
	ExitUsage    = 2 // bad flags, bad arguments or unreadable input
	ExitInternal = 3 // unexpected error: AWS call failed, I/O error while writing
	ExitCanceled = 130
)

// ExitError carries an exit code with an optional message. A nil Err with a
// code prints nothing (the command already reported).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErrorf reports bad flags or input (exit 2).
func usageErrorf(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// silentExit exits with code without printing anything more.
func silentExit(code int) error { return &ExitError{Code: code} }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		return ExitCanceled
	}
	return ExitInternal
}
