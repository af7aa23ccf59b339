package health

import (
	"fmt"
	"math"

	"github.com/sesctl/sesctl/internal/nagios"
)

// Threshold is a metric's warning and critical range; nil means none.
type Threshold struct {
	Warn, Crit *nagios.Range
}

// Thresholds holds one Threshold per metric.
type Thresholds [numMetrics]Threshold

// DefaultThresholds returns SES's review and pause lines for the rates
// (bounce 5% / 10%, complaint 0.1% / 0.5%) and no count thresholds.
func DefaultThresholds() Thresholds {
	var t Thresholds
	for _, m := range AllMetrics() {
		info := m.Info()
		// The defaults are constants known to parse.
		_ = t.Set(m, info.DefaultWarn, info.DefaultCrit)
	}
	return t
}

// Set parses warn and crit for m. An empty string sets no threshold.
func (t *Thresholds) Set(m Metric, warn, crit string) error {
	w, err := parseOptionalRange(warn)
	if err != nil {
		return fmt.Errorf("--warning-%s: %w", m.Info().Flag, err)
	}
	c, err := parseOptionalRange(crit)
	if err != nil {
		return fmt.Errorf("--critical-%s: %w", m.Info().Flag, err)
	}
	t[m] = Threshold{Warn: w, Crit: c}
	return nil
}

func parseOptionalRange(s string) (*nagios.Range, error) {
	if s == "" {
		return nil, nil
	}
	r, err := nagios.ParseRange(s)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Configured reports whether m has a warning or critical range.
func (t Thresholds) Configured(m Metric) bool {
	return t[m].Warn != nil || t[m].Crit != nil
}

// State evaluates v against m's ranges, critical first. An undetermined
// value (NaN) is OK here: absence of data is reported separately.
func (t Thresholds) State(m Metric, v float64) (nagios.State, *nagios.Range) {
	if math.IsNaN(v) {
		return nagios.OK, nil
	}
	if r := t[m].Crit; r != nil && r.Alert(v) {
		return nagios.Critical, r
	}
	if r := t[m].Warn; r != nil && r.Alert(v) {
		return nagios.Warning, r
	}
	return nagios.OK, nil
}
