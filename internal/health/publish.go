package health

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// PutMetricDataAPI is the part of the CloudWatch client metrics publish uses.
type PutMetricDataAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// Defaults of sesctl metrics publish.
const (
	DefaultNamespace          = "SESCTL"
	DefaultIdentityDimension  = "SenderIdentity"
	DefaultConfigSetDimension = "ConfigurationSet"
	// MaxDatumsPerRequest is PutMetricData's limit of metrics per request.
	MaxDatumsPerRequest = 1000
	// PutMetricData accepts timestamps up to two weeks in the past and two
	// hours in the future.
	maxPastTimestamp   = 14 * 24 * time.Hour
	maxFutureTimestamp = 2 * time.Hour
)

// Group is the event counts of one sender identity (and, when the source
// provides it, one configuration set) over the window.
type Group struct {
	Identity         string
	ConfigurationSet string
	Counts
}

// PublishOptions shape the published datums.
type PublishOptions struct {
	IdentityDimension  string // default SenderIdentity
	ConfigSetDimension string // default ConfigurationSet
	// Timestamp of every datum: the window end, so one window always maps
	// to the same datapoint time.
	Timestamp time.Time
	// AccountTotals adds datums without dimensions: the sum of all groups.
	AccountTotals bool
}

// publishedMetric names one published metric.
type publishedMetric struct {
	name  string
	unit  cwtypes.StandardUnit
	value func(c Counts) (float64, bool)
}

func count(f func(Counts) int64) func(Counts) (float64, bool) {
	return func(c Counts) (float64, bool) { return float64(f(c)), true }
}

func rate(f func(Counts) int64) func(Counts) (float64, bool) {
	return func(c Counts) (float64, bool) {
		if c.Sends == 0 {
			return 0, false
		}
		return percent(f(c), c.Sends), true
	}
}

var publishedMetrics = []publishedMetric{
	{"Sends", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.Sends })},
	{"Deliveries", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.Deliveries })},
	{"HardBounces", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.HardBounces })},
	{"SoftBounces", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.SoftBounces })},
	{"Complaints", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.Complaints })},
	{"Rejects", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.Rejects })},
	{"Delays", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.Delays })},
	{"RenderingFailures", cwtypes.StandardUnitCount, count(func(c Counts) int64 { return c.RenderingFailures })},
	{"BounceRate", cwtypes.StandardUnitPercent, rate(func(c Counts) int64 { return c.HardBounces })},
	{"ComplaintRate", cwtypes.StandardUnitPercent, rate(func(c Counts) int64 { return c.Complaints })},
}

// PublishedMetricNames lists the metric names publish writes.
func PublishedMetricNames() []string {
	out := make([]string, len(publishedMetrics))
	for i, m := range publishedMetrics {
		out[i] = m.name
	}
	return out
}

// Datums builds the metric data for groups: every count for every group,
// and the two rates (percent of sends) for groups with sends. Groups are
// sorted by identity then configuration set so the output is stable.
func Datums(groups []Group, o PublishOptions) []cwtypes.MetricDatum {
	if o.IdentityDimension == "" {
		o.IdentityDimension = DefaultIdentityDimension
	}
	if o.ConfigSetDimension == "" {
		o.ConfigSetDimension = DefaultConfigSetDimension
	}
	sorted := append([]Group(nil), groups...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Identity != sorted[j].Identity {
			return sorted[i].Identity < sorted[j].Identity
		}
		return sorted[i].ConfigurationSet < sorted[j].ConfigurationSet
	})
	var out []cwtypes.MetricDatum
	var total Counts
	for _, g := range sorted {
		total = total.Add(g.Counts)
		out = append(out, groupDatums(g.Counts, groupDimensions(g, o), o.Timestamp)...)
	}
	if o.AccountTotals && len(groups) > 0 {
		out = append(out, groupDatums(total, nil, o.Timestamp)...)
	}
	return out
}

func groupDimensions(g Group, o PublishOptions) []cwtypes.Dimension {
	dims := []cwtypes.Dimension{{Name: aws.String(o.IdentityDimension), Value: aws.String(g.Identity)}}
	if g.ConfigurationSet != "" {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(o.ConfigSetDimension), Value: aws.String(g.ConfigurationSet)})
	}
	return dims
}

func groupDatums(c Counts, dims []cwtypes.Dimension, ts time.Time) []cwtypes.MetricDatum {
	var out []cwtypes.MetricDatum
	for _, m := range publishedMetrics {
		v, ok := m.value(c)
		if !ok {
			continue
		}
		out = append(out, cwtypes.MetricDatum{
			MetricName: aws.String(m.name),
			Dimensions: dims,
			Timestamp:  aws.Time(ts),
			Value:      aws.Float64(v),
			Unit:       m.unit,
			// Standard resolution: CloudWatch keeps one datapoint per minute
			// and the window end is minute-aligned; high resolution would
			// cost more and add nothing to a per-window value.
			StorageResolution: aws.Int32(60),
		})
	}
	return out
}

// CheckTimestamp refuses timestamps PutMetricData would reject.
func CheckTimestamp(ts, now time.Time) error {
	if ts.Before(now.Add(-maxPastTimestamp)) {
		return fmt.Errorf("window end %s is more than two weeks ago: CloudWatch rejects older timestamps", ts.UTC().Format(time.RFC3339))
	}
	if ts.After(now.Add(maxFutureTimestamp)) {
		return fmt.Errorf("window end %s is more than two hours in the future", ts.UTC().Format(time.RFC3339))
	}
	return nil
}

// Publish sends datums to namespace in requests of at most
// MaxDatumsPerRequest and returns the number of requests made.
func Publish(ctx context.Context, api PutMetricDataAPI, namespace string, datums []cwtypes.MetricDatum) (int, error) {
	requests := 0
	for start := 0; start < len(datums); start += MaxDatumsPerRequest {
		end := min(start+MaxDatumsPerRequest, len(datums))
		_, err := api.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
			Namespace:  aws.String(namespace),
			MetricData: datums[start:end],
		})
		if err != nil {
			return requests, fmt.Errorf("CloudWatch PutMetricData (datums %d-%d of %d): %w", start+1, end, len(datums), err)
		}
		requests++
	}
	return requests, nil
}

// GroupsFromSummary adds up summary rows per identity.
func GroupsFromSummary(rows []IdentityDay) []Group {
	by := map[string]Counts{}
	for _, r := range rows {
		by[r.Identity] = by[r.Identity].Add(r.Counts)
	}
	out := make([]Group, 0, len(by))
	for id, c := range by {
		out = append(out, Group{Identity: id, Counts: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Identity < out[j].Identity })
	return out
}
