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

// Group is the event counts of one published scope. Identity and
// ConfigurationSet say which dimensions its datums carry; an empty one is
// left out, so a Group with neither is the sum of everything (datums
// without dimensions).
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

// Datums builds the metric data for groups, in their order: every count
// for every group, and the two rates (percent of sends) for groups with
// sends.
func Datums(groups []Group, o PublishOptions) []cwtypes.MetricDatum {
	if o.IdentityDimension == "" {
		o.IdentityDimension = DefaultIdentityDimension
	}
	if o.ConfigSetDimension == "" {
		o.ConfigSetDimension = DefaultConfigSetDimension
	}
	var out []cwtypes.MetricDatum
	for _, g := range groups {
		out = append(out, groupDatums(g.Counts, groupDimensions(g, o), o.Timestamp)...)
	}
	return out
}

func groupDimensions(g Group, o PublishOptions) []cwtypes.Dimension {
	var dims []cwtypes.Dimension
	if g.Identity != "" {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(o.IdentityDimension), Value: aws.String(g.Identity)})
	}
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
// MaxDatumsPerRequest and returns the number of requests made. The other
// request limit, 1 MB, is out of reach: a datum with both dimensions at
// their longest (a 320-character identity, a 64-character configuration
// set) serializes to well under 1 KB (TestPutMetricDataLargestRequest).
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

// GroupOptions choose the scopes GroupsFromSummary adds rows up into.
type GroupOptions struct {
	// ByIdentity: one group per sender identity, its configuration sets
	// (and the events without one) summed.
	ByIdentity bool
	// ByConfigurationSet: one group per configuration set, its identities
	// summed. Rows without a configuration set belong to none.
	ByConfigurationSet bool
	// ByIdentityAndSet: one group per identity and configuration set pair
	// (rows with a configuration set only).
	ByIdentityAndSet bool
	// Totals: one group without dimensions, the sum of every row.
	Totals bool
}

// GroupsFromSummary adds up summary rows (over their days) into the
// scopes o selects: identities, then configuration sets, then pairs, each
// sorted by name, then the totals. Every group's counts are sums of rows,
// so its rates (from Datums) are rates of the summed counts, never
// averages of rates. Rows without an identity count only towards
// configuration sets and totals: CloudWatch refuses empty dimension
// values.
func GroupsFromSummary(rows []IdentityDay, o GroupOptions) []Group {
	type key struct{ id, set string }
	byID, bySet, byPair := map[key]Counts{}, map[key]Counts{}, map[key]Counts{}
	var total Counts
	for _, r := range rows {
		total = total.Add(r.Counts)
		if r.Identity != "" {
			byID[key{id: r.Identity}] = byID[key{id: r.Identity}].Add(r.Counts)
		}
		if r.ConfigurationSet == "" {
			continue
		}
		bySet[key{set: r.ConfigurationSet}] = bySet[key{set: r.ConfigurationSet}].Add(r.Counts)
		if r.Identity != "" {
			k := key{r.Identity, r.ConfigurationSet}
			byPair[k] = byPair[k].Add(r.Counts)
		}
	}
	var out []Group
	for _, sel := range []struct {
		on bool
		by map[key]Counts
	}{{o.ByIdentity, byID}, {o.ByConfigurationSet, bySet}, {o.ByIdentityAndSet, byPair}} {
		if !sel.on {
			continue
		}
		groups := make([]Group, 0, len(sel.by))
		for k, c := range sel.by {
			groups = append(groups, Group{Identity: k.id, ConfigurationSet: k.set, Counts: c})
		}
		sort.Slice(groups, func(i, j int) bool {
			if groups[i].Identity != groups[j].Identity {
				return groups[i].Identity < groups[j].Identity
			}
			return groups[i].ConfigurationSet < groups[j].ConfigurationSet
		})
		out = append(out, groups...)
	}
	if o.Totals && len(rows) > 0 {
		out = append(out, Group{Counts: total})
	}
	return out
}
