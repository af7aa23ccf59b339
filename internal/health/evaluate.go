package health

import (
	"math"
	"sort"

	"github.com/sesctl/sesctl/internal/nagios"
)

// Scope is one thing a check judges: the account, a set of identities, one
// identity or a configuration set, with its measured values.
type Scope struct {
	Name   string // "" for the account (or the union of --identity values)
	Values Values
	// NoData, when set, is why nothing could be measured; the scope is
	// UNKNOWN with this reason.
	NoData string
	// Notes are extra facts for the long output ("12 soft bounces").
	Notes []string
}

// Finding is a metric that breached a threshold.
type Finding struct {
	Metric    Metric
	Value     float64
	State     nagios.State
	Violation string // "> 10%"
}

// ScopeResult is a judged scope.
type ScopeResult struct {
	Scope
	State    nagios.State
	Findings []Finding // non-OK metrics, critical first, in metric order
	// RatesSkipped is set when --min-sends kept the rates from being judged.
	RatesSkipped bool
}

// EvalOptions tune evaluation.
type EvalOptions struct {
	Thresholds Thresholds
	// MinSends: below this many sends the rates are reported but not judged,
	// so three sends and one bounce do not page anyone. 0 judges always.
	MinSends int64
}

// Evaluate judges one scope.
func Evaluate(s Scope, o EvalOptions) ScopeResult {
	res := ScopeResult{Scope: s, State: nagios.OK}
	if s.NoData != "" {
		res.State = nagios.Unknown
		return res
	}
	sends, haveSends := s.Values.Get(Sends)
	for _, m := range AllMetrics() {
		v, ok := s.Values.Get(m)
		if !ok || math.IsNaN(v) {
			continue
		}
		if m.IsRate() && haveSends && sends < float64(o.MinSends) {
			res.RatesSkipped = true
			continue
		}
		st, r := o.Thresholds.State(m, v)
		if st == nagios.OK {
			continue
		}
		res.Findings = append(res.Findings, Finding{Metric: m, Value: v, State: st, Violation: r.Violation(v, unitFormatter(m))})
		res.State = nagios.Worst(res.State, st)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		return res.Findings[i].State > res.Findings[j].State
	})
	return res
}

// EvaluateAll judges every scope and sorts the results worst first, then
// by name.
func EvaluateAll(scopes []Scope, o EvalOptions) []ScopeResult {
	out := make([]ScopeResult, 0, len(scopes))
	for _, s := range scopes {
		out = append(out, Evaluate(s, o))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].State, out[j].State
		if a != b {
			return nagios.Worst(a, b) == a
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// FormatValue prints a metric value for people: rates with the precision
// they need and a percent sign (0.0833%, never 0.00%), counts in full.
func FormatValue(m Metric, v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if m.IsRate() {
		return nagios.FormatNumber(v, 3) + "%"
	}
	return nagios.FormatNumber(v, 3)
}

func unitFormatter(m Metric) func(float64) string {
	return func(v float64) string { return FormatValue(m, v) }
}
