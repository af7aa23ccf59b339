package health

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// GetMetricDataAPI is the part of the CloudWatch client the check uses.
type GetMetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// SESNamespace is where SES publishes its account metrics.
const SESNamespace = "AWS/SES"

// ConfigurationSetDimension is the AWS/SES dimension for per
// configuration-set metrics (reputation metrics there need
// ReputationOptions.ReputationMetricsEnabled on the configuration set).
const ConfigurationSetDimension = "ses:configuration-set"

// cwQuery maps one AWS/SES metric onto a check metric.
type cwQuery struct {
	id     string // GetMetricData query id
	name   string // AWS/SES metric name
	metric Metric
	rate   bool // reputation gauge (fraction 0-1), not a count
}

// cwQueries are the AWS/SES metrics the check reads. SES has no delay
// metric in AWS/SES, so Delays is not measured from CloudWatch.
var cwQueries = []cwQuery{
	{"send", "Send", Sends, false},
	{"delivery", "Delivery", Deliveries, false},
	{"bounce", "Bounce", Bounces, false},
	{"complaint", "Complaint", Complaints, false},
	{"reject", "Reject", Rejects, false},
	{"rendering_failure", "RenderingFailure", RenderingFailures, false},
	{"bounce_rate", "Reputation.BounceRate", BounceRate, true},
	{"complaint_rate", "Reputation.ComplaintRate", ComplaintRate, true},
}

// CloudWatchFetcher measures from the AWS/SES CloudWatch metrics.
//
// Counts are the Sum over the window. The reputation rates are not averaged
// over the window (Centreon's two-day Average hides a climb that started
// this morning): the check takes SES's most recent published value in the
// window, which SES itself already computes over the account's
// representative volume.
type CloudWatchFetcher struct {
	API              GetMetricDataAPI
	ConfigurationSet string // "" for the account
	Now              func() time.Time
}

// Describe implements Fetcher.
func (f *CloudWatchFetcher) Describe() string {
	if f.ConfigurationSet != "" {
		return "CloudWatch " + SESNamespace + " " + ConfigurationSetDimension + "=" + f.ConfigurationSet
	}
	return "CloudWatch " + SESNamespace
}

// Measure implements Fetcher.
func (f *CloudWatchFetcher) Measure(ctx context.Context, w Window, sel Selection) (*Measurement, error) {
	if sel.PerIdentity || len(sel.Identities) > 0 {
		return nil, errors.New("CloudWatch AWS/SES has no sender-identity dimension: use --lake or --athena for --identity and --per-identity")
	}
	in := f.input(w)
	series := map[string]*cwSeries{}
	for {
		out, err := f.API.GetMetricData(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("CloudWatch GetMetricData: %w", err)
		}
		if err := collectSeries(series, out.MetricDataResults); err != nil {
			return nil, err
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return f.measurement(series, sel.Zeroed), nil
}

// CloudWatchPeriod picks the GetMetricData period for a window: the finest
// of 1 minute, 5 minutes, 1 hour and 1 day that CloudWatch still retains for
// the window's start (1-minute data for 15 days, 5-minute for 63, hourly for
// 455) and that keeps the eight series within GetMetricData's 100,800 data
// points per call.
func CloudWatchPeriod(w Window, now time.Time) int32 {
	age := now.Sub(w.From)
	perSeries := time.Duration(100800 / len(cwQueries))
	for _, p := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour} {
		switch {
		case p < 5*time.Minute && age > 15*24*time.Hour:
			continue
		case p < time.Hour && age > 63*24*time.Hour:
			continue
		case w.Duration()/p > perSeries:
			continue
		}
		return int32(p / time.Second)
	}
	return 86400
}

func (f *CloudWatchFetcher) input(w Window) *cloudwatch.GetMetricDataInput {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	period := CloudWatchPeriod(w, now())
	var dims []cwtypes.Dimension
	if f.ConfigurationSet != "" {
		dims = []cwtypes.Dimension{{Name: aws.String(ConfigurationSetDimension), Value: aws.String(f.ConfigurationSet)}}
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(w.From),
		EndTime:   aws.Time(w.To),
		ScanBy:    cwtypes.ScanByTimestampDescending,
	}
	for _, q := range cwQueries {
		stat := "Sum"
		if q.rate {
			stat = "Average"
		}
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id: aws.String(q.id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(SESNamespace), MetricName: aws.String(q.name), Dimensions: dims},
				Period: aws.Int32(period),
				Stat:   aws.String(stat),
			},
			ReturnData: aws.Bool(true),
		})
	}
	return in
}

// cwSeries accumulates one query's datapoints across pages.
type cwSeries struct {
	sum    float64
	n      int
	latest time.Time
	last   float64
}

func collectSeries(series map[string]*cwSeries, results []cwtypes.MetricDataResult) error {
	for _, r := range results {
		id := aws.ToString(r.Id)
		switch r.StatusCode {
		case cwtypes.StatusCodeInternalError, cwtypes.StatusCodeForbidden:
			msg := ""
			if len(r.Messages) > 0 {
				msg = ": " + aws.ToString(r.Messages[0].Value)
			}
			return fmt.Errorf("CloudWatch GetMetricData %s: status %s%s", id, r.StatusCode, msg)
		}
		s := series[id]
		if s == nil {
			s = &cwSeries{}
			series[id] = s
		}
		for i, v := range r.Values {
			if i >= len(r.Timestamps) || math.IsNaN(v) {
				continue
			}
			s.sum += v
			s.n++
			if ts := r.Timestamps[i]; ts.After(s.latest) {
				s.latest, s.last = ts, v
			}
		}
	}
	return nil
}

func (f *CloudWatchFetcher) measurement(series map[string]*cwSeries, zeroed bool) *Measurement {
	name := ""
	if f.ConfigurationSet != "" {
		name = "configuration set " + f.ConfigurationSet
	}
	found := false
	for _, s := range series {
		found = found || s.n > 0
	}
	if !found && !zeroed {
		return &Measurement{Scopes: []Scope{{Name: name, NoData: "no AWS/SES datapoints in the window (use --zeroed to count missing data as zero)"}}}
	}
	scope := Scope{Name: name}
	for _, q := range cwQueries {
		s := series[q.id]
		switch {
		case !q.rate:
			// SES emits count datapoints only when events happen: none is zero.
			if s != nil {
				scope.Values.Set(q.metric, s.sum)
			} else {
				scope.Values.Set(q.metric, 0)
			}
		case s != nil && s.n > 0:
			scope.Values.Set(q.metric, 100*s.last)
			scope.Notes = append(scope.Notes, fmt.Sprintf("%s %s as of %s", q.name, FormatValue(q.metric, 100*s.last), s.latest.UTC().Format(time.RFC3339)))
		case zeroed:
			scope.Values.Set(q.metric, 0)
		default:
			scope.Values.Set(q.metric, math.NaN())
			scope.Notes = append(scope.Notes, fmt.Sprintf("no %s datapoint in the window (SES publishes it only once the account has had a bounce or complaint)", q.name))
		}
	}
	return &Measurement{Scopes: []Scope{scope}}
}
