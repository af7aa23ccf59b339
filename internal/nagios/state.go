// Package nagios implements the parts of the Nagios / monitoring-plugins
// plugin conventions sesctl check needs: service states and their exit
// codes, threshold ranges ([@][start:][end]), performance data and the
// multi-line plugin output format.
//
// Nothing here exits the process: callers turn a State into an exit code.
package nagios

// State is a plugin state; its value is the plugin's exit code.
type State int

// The four plugin states, valued as their exit codes.
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

// String returns the state as plugins print it: OK, WARNING, CRITICAL, UNKNOWN.
func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	default:
		return "UNKNOWN"
	}
}

// severity orders states for Worst: CRITICAL > WARNING > UNKNOWN > OK.
// UNKNOWN ranks below WARNING so a definite problem is never hidden by a
// scope that could not be measured (the monitoring-plugins max_state_alt
// order).
func (s State) severity() int {
	switch s {
	case OK:
		return 0
	case Unknown:
		return 1
	case Warning:
		return 2
	case Critical:
		return 3
	default:
		return 1
	}
}

// Worst returns the most severe of the given states (OK for none).
func Worst(states ...State) State {
	w := OK
	for _, s := range states {
		if s < OK || s > Unknown {
			s = Unknown
		}
		if s.severity() > w.severity() {
			w = s
		}
	}
	return w
}
