// Package health is the logic behind sesctl check, sesctl metrics publish
// and sesctl audit: SES sending metrics and their thresholds, time windows,
// the sources they are read from (the event lake through the query engine,
// or CloudWatch AWS/SES), CloudWatch custom-metric publishing and the
// CloudTrail record of SES management calls.
package health

import (
	"math"

	"github.com/sesctl/sesctl/internal/nagios"
)

// Metric identifies one measured quantity.
type Metric int

// The metrics sesctl check knows, in output order.
const (
	Sends Metric = iota
	Deliveries
	Bounces
	Complaints
	Rejects
	Delays
	RenderingFailures
	BounceRate
	ComplaintRate
	numMetrics
)

// MetricInfo describes a metric for flags, output and perfdata.
type MetricInfo struct {
	Label string // perfdata label: "bounce_rate"
	Flag  string // flag suffix: --warning-bounce-rate
	Human string // summary text: "bounce rate"
	UOM   string // nagios.UOMCounter or nagios.UOMPercent
	// Default thresholds (percent for rates); "" means none.
	DefaultWarn, DefaultCrit string
}

var metricInfo = [numMetrics]MetricInfo{
	Sends:             {Label: "sends", Flag: "sends", Human: "sends", UOM: nagios.UOMCounter},
	Deliveries:        {Label: "deliveries", Flag: "deliveries", Human: "deliveries", UOM: nagios.UOMCounter},
	Bounces:           {Label: "bounces", Flag: "bounces", Human: "bounces", UOM: nagios.UOMCounter},
	Complaints:        {Label: "complaints", Flag: "complaints", Human: "complaints", UOM: nagios.UOMCounter},
	Rejects:           {Label: "rejects", Flag: "rejects", Human: "rejects", UOM: nagios.UOMCounter},
	Delays:            {Label: "delays", Flag: "delays", Human: "delays", UOM: nagios.UOMCounter},
	RenderingFailures: {Label: "rendering_failures", Flag: "rendering-failures", Human: "rendering failures", UOM: nagios.UOMCounter},
	// SES places an account under review at a 5% bounce rate and may pause
	// sending at 10%; for complaints the lines are 0.1% and 0.5%.
	BounceRate:    {Label: "bounce_rate", Flag: "bounce-rate", Human: "bounce rate", UOM: nagios.UOMPercent, DefaultWarn: "5", DefaultCrit: "10"},
	ComplaintRate: {Label: "complaint_rate", Flag: "complaint-rate", Human: "complaint rate", UOM: nagios.UOMPercent, DefaultWarn: "0.1", DefaultCrit: "0.5"},
}

// AllMetrics lists every metric in output order.
func AllMetrics() []Metric {
	out := make([]Metric, numMetrics)
	for i := range out {
		out[i] = Metric(i)
	}
	return out
}

// Info describes m.
func (m Metric) Info() MetricInfo { return metricInfo[m] }

// String is the perfdata label.
func (m Metric) String() string { return metricInfo[m].Label }

// IsRate reports whether m is a percentage.
func (m Metric) IsRate() bool { return metricInfo[m].UOM == nagios.UOMPercent }

// Values holds the measured value of each metric. A metric the source does
// not provide is absent; a metric it provides but could not determine (a
// rate without sends) is present as NaN, printed as U in perfdata and never
// compared with thresholds.
type Values struct {
	v  [numMetrics]float64
	ok [numMetrics]bool
}

// Set records a value.
func (v *Values) Set(m Metric, x float64) {
	v.v[m], v.ok[m] = x, true
}

// Get returns the value of m and whether it is present.
func (v Values) Get(m Metric) (float64, bool) { return v.v[m], v.ok[m] }

// Has reports whether m is present.
func (v Values) Has(m Metric) bool { return v.ok[m] }

// Counts are event counts over a window, as the event lake yields them.
type Counts struct {
	Sends             int64
	Deliveries        int64
	HardBounces       int64 // Permanent bounces: what the SES bounce rate counts
	SoftBounces       int64 // Transient and Undetermined bounces
	Complaints        int64
	Rejects           int64
	Delays            int64
	RenderingFailures int64
}

// Add returns the sum of c and o.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		Sends:             c.Sends + o.Sends,
		Deliveries:        c.Deliveries + o.Deliveries,
		HardBounces:       c.HardBounces + o.HardBounces,
		SoftBounces:       c.SoftBounces + o.SoftBounces,
		Complaints:        c.Complaints + o.Complaints,
		Rejects:           c.Rejects + o.Rejects,
		Delays:            c.Delays + o.Delays,
		RenderingFailures: c.RenderingFailures + o.RenderingFailures,
	}
}

// IsZero reports whether no event was counted.
func (c Counts) IsZero() bool { return c == Counts{} }

// Values turns counts into metric values. Rates are percentages of sends:
// bounce rate = hard bounces / sends, complaint rate = complaints / sends.
// Without sends the rates are undetermined (NaN), unless zeroed, when they
// are 0.
func (c Counts) Values(zeroed bool) Values {
	var v Values
	v.Set(Sends, float64(c.Sends))
	v.Set(Deliveries, float64(c.Deliveries))
	v.Set(Bounces, float64(c.HardBounces))
	v.Set(Complaints, float64(c.Complaints))
	v.Set(Rejects, float64(c.Rejects))
	v.Set(Delays, float64(c.Delays))
	v.Set(RenderingFailures, float64(c.RenderingFailures))
	if c.Sends == 0 && zeroed {
		v.Set(BounceRate, 0)
		v.Set(ComplaintRate, 0)
		return v
	}
	v.Set(BounceRate, percent(c.HardBounces, c.Sends))
	v.Set(ComplaintRate, percent(c.Complaints, c.Sends))
	return v
}

func percent(n, d int64) float64 {
	if d == 0 {
		return math.NaN()
	}
	return 100 * float64(n) / float64(d)
}
