package health

import (
	"fmt"
	"math"
	"strings"

	"github.com/sesctl/sesctl/internal/nagios"
)

// Report is the outcome of one check, ready to print as plugin output.
type Report struct {
	Window      Window
	Source      string // "lake lake/", "Athena", "CloudWatch AWS/SES"
	PerIdentity bool
	Results     []ScopeResult // EvaluateAll order
	// Totals is the sum over all identities (per-identity mode only).
	Totals     *Scope
	Thresholds Thresholds
	MinSends   int64
	// Notes go to the long output after the scope lines.
	Notes []string
}

// State is the worst state of all scopes; a report without scopes is UNKNOWN.
func (r Report) State() nagios.State {
	if len(r.Results) == 0 {
		return nagios.Unknown
	}
	st := nagios.OK
	for _, s := range r.Results {
		st = nagios.Worst(st, s.State)
	}
	return st
}

// Result renders the report as plugin output.
func (r Report) Result() nagios.Result {
	out := nagios.Result{Service: "SES", State: r.State()}
	if !r.PerIdentity && len(r.Results) == 1 {
		s := r.Results[0]
		out.Summary = scopeSummary(s, true) + " (" + r.Window.Desc + ")"
		out.Perf = r.perfData("", s.Values, true)
		out.Long = append(r.scopeNotes(s), r.footer()...)
		return out
	}
	out.Summary = r.multiSummary()
	if r.Totals != nil {
		out.Perf = r.perfData("", r.Totals.Values, false)
	}
	for _, s := range r.Results {
		out.Long = append(out.Long, "["+s.State.String()+"] "+scopeSummary(s, true))
		out.LongPerf = append(out.LongPerf, r.identityPerf(s)...)
	}
	out.Long = append(out.Long, r.footer()...)
	return out
}

func (r Report) multiSummary() string {
	counts := map[nagios.State]int{}
	for _, s := range r.Results {
		counts[s.State]++
	}
	noun := "identities"
	if len(r.Results) == 1 {
		noun = "identity"
	}
	head := fmt.Sprintf("%d %s", len(r.Results), noun)
	if r.State() == nagios.OK {
		if r.Totals != nil {
			head += " OK, in total " + contextText(r.Totals.Values, nil)
		}
		return head + " (" + r.Window.Desc + ")"
	}
	var parts []string
	for _, st := range []nagios.State{nagios.Critical, nagios.Warning, nagios.Unknown, nagios.OK} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], strings.ToLower(st.String())))
		}
	}
	worst := r.Results[0]
	return head + ": " + strings.Join(parts, ", ") + "; worst " + scopeSummary(worst, false) + " (" + r.Window.Desc + ")"
}

// scopeSummary is "name: problems; context", or just the context when OK.
func scopeSummary(s ScopeResult, withContext bool) string {
	prefix := ""
	if s.Name != "" {
		prefix = s.Name + ": "
	}
	if s.NoData != "" {
		return prefix + s.NoData
	}
	var problems []string
	seen := map[Metric]bool{}
	for _, f := range s.Findings {
		seen[f.Metric] = true
		problems = append(problems, fmt.Sprintf("%s %s %s (%s)", f.Metric.Info().Human,
			FormatValue(f.Metric, f.Value), f.Violation, strings.ToLower(f.State.String())))
	}
	text := strings.Join(problems, ", ")
	if withContext || text == "" {
		if ctx := contextText(s.Values, seen); ctx != "" {
			if text != "" {
				text += "; "
			}
			text += ctx
		}
	}
	if s.RatesSkipped {
		text += ", rates not judged below --min-sends"
	}
	return prefix + text
}

// contextText is "1200 sends, bounce rate 0.5%, complaint rate 0.0833%",
// leaving out metrics already named as problems.
func contextText(v Values, skip map[Metric]bool) string {
	var parts []string
	if x, ok := v.Get(Sends); ok && !skip[Sends] {
		parts = append(parts, FormatValue(Sends, x)+" sends")
	}
	for _, m := range []Metric{BounceRate, ComplaintRate} {
		if x, ok := v.Get(m); ok && !math.IsNaN(x) && !skip[m] {
			parts = append(parts, m.Info().Human+" "+FormatValue(m, x))
		}
	}
	return strings.Join(parts, ", ")
}

func (r Report) scopeNotes(s ScopeResult) []string {
	return append([]string(nil), s.Notes...)
}

func (r Report) footer() []string {
	lines := append([]string(nil), r.Notes...)
	lines = append(lines, fmt.Sprintf("window %s..%s, source %s",
		r.Window.From.Format("2006-01-02T15:04:05Z"), r.Window.To.Format("2006-01-02T15:04:05Z"), r.Source))
	return lines
}

// perfData renders every metric the source provides.
func (r Report) perfData(prefix string, v Values, thresholds bool) []nagios.PerfDatum {
	var out []nagios.PerfDatum
	for _, m := range AllMetrics() {
		if !v.Has(m) {
			continue
		}
		out = append(out, r.datum(prefix, m, v, thresholds))
	}
	return out
}

// identityPerf carries, per identity, the sends and every metric with a
// threshold: enough to graph what is judged without passing Nagios's output
// size limit for accounts with many identities.
func (r Report) identityPerf(s ScopeResult) []nagios.PerfDatum {
	if s.NoData != "" {
		return nil
	}
	var out []nagios.PerfDatum
	for _, m := range AllMetrics() {
		if !s.Values.Has(m) || (m != Sends && !r.Thresholds.Configured(m)) {
			continue
		}
		out = append(out, r.datum(s.Name+"#", m, s.Values, true))
	}
	return out
}

func (r Report) datum(prefix string, m Metric, v Values, thresholds bool) nagios.PerfDatum {
	x, _ := v.Get(m)
	d := nagios.PerfDatum{Label: prefix + m.Info().Label, Value: x, UOM: m.Info().UOM, Min: nagios.Float(0)}
	if m.IsRate() {
		d.Max = nagios.Float(100)
	}
	if thresholds {
		d.Warn, d.Crit = r.Thresholds[m].Warn, r.Thresholds[m].Crit
	}
	return d
}
