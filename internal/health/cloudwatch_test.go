package health

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go/encoding/cbor"
)

func datapoints(id string, status string, ts []time.Time, vals []float64) cbor.Value {
	tl := cbor.List{}
	for _, t := range ts {
		tl = append(tl, cborTime(t))
	}
	vl := cbor.List{}
	for _, v := range vals {
		vl = append(vl, cbor.Float64(v))
	}
	return cbor.Map{"Id": cbor.String(id), "Label": cbor.String(id), "StatusCode": cbor.String(status), "Timestamps": tl, "Values": vl}
}

// TestCloudWatchWire runs the real SDK client against a stub transport: the
// request body is the CBOR the SDK serializes (Smithy RPC v2 CBOR, which
// moto's server does not speak), the two response pages are CBOR built with
// smithy-go's own encoder.
func TestCloudWatchWire(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	t1, t2, t3 := now.Add(-3*time.Hour), now.Add(-2*time.Hour), now.Add(-10*time.Minute)
	st := &stubTransport{resps: []stubResponse{
		cborResponse(cbor.Map{
			"MetricDataResults": cbor.List{
				datapoints("send", "PartialData", []time.Time{t3, t2}, []float64{700, 500}),
				datapoints("bounce", "Complete", []time.Time{t2}, []float64{9}),
				datapoints("bounce_rate", "Complete", []time.Time{t3, t1}, []float64{0.0123, 0.02}),
			},
			"NextToken": cbor.String("page-2"),
		}),
		cborResponse(cbor.Map{
			"MetricDataResults": cbor.List{
				datapoints("send", "Complete", []time.Time{t1}, []float64{300}),
				datapoints("complaint", "Complete", []time.Time{t1}, []float64{1}),
			},
		}),
	}}
	f := &CloudWatchFetcher{
		API:              cloudwatch.NewFromConfig(testConfig(st)),
		ConfigurationSet: "marketing",
		Now:              func() time.Time { return now },
	}
	w := Window{From: now.Add(-24 * time.Hour), To: now, Desc: "last 24h"}
	m, err := f.Measure(context.Background(), w, Selection{})
	if err != nil {
		t.Fatal(err)
	}
	st.checkAllUsed(t)
	if len(st.reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(st.reqs))
	}
	r := st.reqs[0]
	if r.Method != "POST" || r.Path != "/service/GraniteServiceVersion20100801/operation/GetMetricData" {
		t.Errorf("request %s %s", r.Method, r.Path)
	}
	golden(t, filepath.Join("testdata", "getmetricdata.headers"), headerLines(r, "Content-Type", "Smithy-Protocol", "Accept")+"\n")
	golden(t, filepath.Join("testdata", "getmetricdata.request.json"), cborJSON(t, r.Body))
	if second := cborJSON(t, st.reqs[1].Body); !strings.Contains(second, `"NextToken": "page-2"`) {
		t.Errorf("second page request has no NextToken:\n%s", second)
	}

	s := m.Scopes[0]
	want := map[Metric]float64{Sends: 1500, Deliveries: 0, Bounces: 9, Complaints: 1, Rejects: 0, RenderingFailures: 0, BounceRate: 1.23}
	for metric, v := range want {
		got, ok := s.Values.Get(metric)
		if !ok || math.Abs(got-v) > 1e-9 {
			t.Errorf("%s = %v (present %v), want %v", metric, got, ok, v)
		}
	}
	if cr, ok := s.Values.Get(ComplaintRate); !ok || !math.IsNaN(cr) {
		t.Errorf("complaint rate = %v, %v; want present and undetermined", cr, ok)
	}
	if s.Values.Has(Delays) {
		t.Error("CloudWatch has no delay metric, but Delays is present")
	}
	if s.Name != "configuration set marketing" {
		t.Errorf("scope name %q", s.Name)
	}
}

func TestCloudWatchErrors(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	w := Window{From: now.Add(-time.Hour), To: now}
	tests := []struct {
		name string
		resp stubResponse
		want string
	}{
		{"access denied", stubResponse{status: 403, header: map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"},
			body: cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"), "message": cbor.String("User is not authorized to perform cloudwatch:GetMetricData")})},
			"not authorized"},
		{"forbidden series", cborResponse(cbor.Map{"MetricDataResults": cbor.List{
			cbor.Map{"Id": cbor.String("send"), "StatusCode": cbor.String("Forbidden"), "Messages": cbor.List{cbor.Map{"Code": cbor.String("Forbidden"), "Value": cbor.String("no access to AWS/SES")}}},
		}}), "send: status Forbidden: no access to AWS/SES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &stubTransport{resps: []stubResponse{tt.resp}}
			f := &CloudWatchFetcher{API: cloudwatch.NewFromConfig(testConfig(st)), Now: func() time.Time { return now }}
			_, err := f.Measure(context.Background(), w, Selection{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to mention %q", err, tt.want)
			}
		})
	}
	f := &CloudWatchFetcher{}
	if _, err := f.Measure(context.Background(), w, Selection{PerIdentity: true}); err == nil || !strings.Contains(err.Error(), "no sender-identity dimension") {
		t.Errorf("per-identity on CloudWatch: %v", err)
	}
}

func TestCloudWatchNoData(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	w := Window{From: now.Add(-time.Hour), To: now}
	empty := cbor.Map{"MetricDataResults": cbor.List{datapoints("send", "Complete", nil, nil)}}
	for _, zeroed := range []bool{false, true} {
		st := &stubTransport{resps: []stubResponse{cborResponse(empty)}}
		f := &CloudWatchFetcher{API: cloudwatch.NewFromConfig(testConfig(st)), Now: func() time.Time { return now }}
		m, err := f.Measure(context.Background(), w, Selection{Zeroed: zeroed})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Scopes[0]
		if zeroed {
			if s.NoData != "" {
				t.Errorf("zeroed: NoData %q", s.NoData)
			}
			if v, ok := s.Values.Get(BounceRate); !ok || v != 0 {
				t.Errorf("zeroed bounce rate = %v, %v", v, ok)
			}
		} else if !strings.Contains(s.NoData, "no AWS/SES datapoints") {
			t.Errorf("NoData = %q", s.NoData)
		}
	}
}

func TestCloudWatchPeriod(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		from, to time.Time
		want     int32
	}{
		{now.Add(-24 * time.Hour), now, 60},
		{now.Add(-7 * day), now, 60},
		{now.Add(-14 * day), now, 300},  // 20160 minutes > 12600 points per series
		{now.Add(-20 * day), now, 300},  // 1-minute data is kept for 15 days
		{now.Add(-90 * day), now, 3600}, // 5-minute data for 63 days
		{now.Add(-400 * day), now.Add(-399 * day), 3600},
		{now.Add(-3000 * day), now, 86400},
	}
	for _, tt := range tests {
		if got := CloudWatchPeriod(Window{From: tt.from, To: tt.to}, now); got != tt.want {
			t.Errorf("window %s..%s: period %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}
