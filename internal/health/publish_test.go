package health

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/encoding/cbor"
)

// datumMap indexes datums by metric name and "Name=Value,..." dimensions,
// failing on a duplicate (two datums for one custom metric).
type datumKey struct{ metric, dims string }

func datumMap(t *testing.T, ds []cwtypes.MetricDatum) map[datumKey]float64 {
	t.Helper()
	got := map[datumKey]float64{}
	for _, d := range ds {
		var dims []string
		for _, dim := range d.Dimensions {
			dims = append(dims, aws.ToString(dim.Name)+"="+aws.ToString(dim.Value))
		}
		k := datumKey{aws.ToString(d.MetricName), strings.Join(dims, ",")}
		if _, dup := got[k]; dup {
			t.Errorf("two datums for %v", k)
		}
		got[k] = aws.ToFloat64(d.Value)
	}
	return got
}

func TestDatums(t *testing.T) {
	ts := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	groups := GroupsFromSummary(sampleRows(), GroupOptions{ByIdentity: true})
	if len(groups) != 3 || groups[0].Identity != "news.example" || groups[1].Sends != 1200 {
		t.Fatalf("groups %+v", groups)
	}
	groups = append(groups,
		Group{Identity: "idle.example", ConfigurationSet: "cs1", Counts: Counts{Deliveries: 2}},
		Group{ConfigurationSet: "cs2", Counts: Counts{Sends: 8, Complaints: 1}},
		Group{Counts: Counts{Sends: 1603, Deliveries: 1541}},
	)
	ds := Datums(groups, PublishOptions{Timestamp: ts})
	for _, d := range ds {
		if !aws.ToTime(d.Timestamp).Equal(ts) || aws.ToInt32(d.StorageResolution) != 60 {
			t.Errorf("%s: timestamp %v resolution %d", aws.ToString(d.MetricName), d.Timestamp, aws.ToInt32(d.StorageResolution))
		}
	}
	got := datumMap(t, ds)
	want := map[datumKey]float64{
		{"Sends", "SenderIdentity=shop.example"}:                           1200,
		{"HardBounces", "SenderIdentity=news.example"}:                     50,
		{"BounceRate", "SenderIdentity=news.example"}:                      12.5,
		{"ComplaintRate", "SenderIdentity=news.example"}:                   0.5,
		{"SoftBounces", "SenderIdentity=shop.example"}:                     2,
		{"Deliveries", "SenderIdentity=idle.example,ConfigurationSet=cs1"}: 2,
		{"ComplaintRate", "ConfigurationSet=cs2"}:                          12.5,
		{"Sends", ""}:      1603,
		{"Deliveries", ""}: 1541,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%v = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got[datumKey{"BounceRate", "SenderIdentity=idle.example,ConfigurationSet=cs1"}]; ok {
		t.Error("a group without sends got a bounce rate")
	}
	// 3 identities with sends x 10 + 1 pair without sends x 8 + 1 set x 10 + totals x 10.
	if len(ds) != 58 {
		t.Errorf("%d datums, want 58", len(ds))
	}
	// Dimension names are the caller's.
	ds = Datums(groups[4:5], PublishOptions{Timestamp: ts, IdentityDimension: "Domain", ConfigSetDimension: "Set"})
	if d := ds[0].Dimensions; len(d) != 1 || aws.ToString(d[0].Name) != "Set" || aws.ToString(d[0].Value) != "cs2" {
		t.Errorf("dimensions %+v", d)
	}
}

// configSetRows: two identities sending through two configuration sets,
// and events without one, over two days.
func configSetRows() []IdentityDay {
	return []IdentityDay{
		{Identity: "a.example", ConfigurationSet: "marketing", Day: day1, Counts: Counts{Sends: 100, HardBounces: 9, Complaints: 1}},
		{Identity: "a.example", ConfigurationSet: "marketing", Day: day2, Counts: Counts{Sends: 300, HardBounces: 3}},
		{Identity: "a.example", ConfigurationSet: "transactional", Day: day2, Counts: Counts{Sends: 50, Deliveries: 50}},
		{Identity: "a.example", Day: day2, Counts: Counts{Sends: 10, HardBounces: 5, Rejects: 1}},
		{Identity: "b.example", ConfigurationSet: "marketing", Day: day2, Counts: Counts{Sends: 100, HardBounces: 0, Complaints: 3}},
		{Identity: "c.example", Day: day1, Counts: Counts{Delays: 2}},
	}
}

func TestGroupsFromSummary(t *testing.T) {
	all := GroupOptions{ByIdentity: true, ByConfigurationSet: true, ByIdentityAndSet: true, Totals: true}
	tests := []struct {
		name string
		rows []IdentityDay
		o    GroupOptions
		want []Group
	}{
		{"identity, configuration set, totals", configSetRows(), GroupOptions{ByIdentity: true, ByConfigurationSet: true, Totals: true}, []Group{
			// Each identity sums its sets and its events without one.
			{Identity: "a.example", Counts: Counts{Sends: 460, Deliveries: 50, HardBounces: 17, Complaints: 1, Rejects: 1}},
			{Identity: "b.example", Counts: Counts{Sends: 100, Complaints: 3}},
			{Identity: "c.example", Counts: Counts{Delays: 2}},
			// Sets sum their identities and days; events without a set are in none.
			{ConfigurationSet: "marketing", Counts: Counts{Sends: 500, HardBounces: 12, Complaints: 4}},
			{ConfigurationSet: "transactional", Counts: Counts{Sends: 50, Deliveries: 50}},
			{Counts: Counts{Sends: 560, Deliveries: 50, HardBounces: 17, Complaints: 4, Rejects: 1, Delays: 2}},
		}},
		{"configuration sets only", configSetRows(), GroupOptions{ByConfigurationSet: true}, []Group{
			{ConfigurationSet: "marketing", Counts: Counts{Sends: 500, HardBounces: 12, Complaints: 4}},
			{ConfigurationSet: "transactional", Counts: Counts{Sends: 50, Deliveries: 50}},
		}},
		{"pairs", configSetRows(), GroupOptions{ByIdentityAndSet: true}, []Group{
			{Identity: "a.example", ConfigurationSet: "marketing", Counts: Counts{Sends: 400, HardBounces: 12, Complaints: 1}},
			{Identity: "a.example", ConfigurationSet: "transactional", Counts: Counts{Sends: 50, Deliveries: 50}},
			{Identity: "b.example", ConfigurationSet: "marketing", Counts: Counts{Sends: 100, Complaints: 3}},
		}},
		{"no configuration set anywhere", sampleRows()[3:], all, []Group{
			{Identity: "tiny.example", Counts: Counts{Sends: 3, Deliveries: 2, HardBounces: 1}},
			{Counts: Counts{Sends: 3, Deliveries: 2, HardBounces: 1}},
		}},
		{"a row without an identity", []IdentityDay{{ConfigurationSet: "cs", Counts: Counts{Sends: 1}}}, all, []Group{
			{ConfigurationSet: "cs", Counts: Counts{Sends: 1}},
			{Counts: Counts{Sends: 1}},
		}},
		{"no rows", nil, all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := GroupsFromSummary(tt.rows, tt.o)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Rates of a configuration set come from its summed counts, never from
// averaging the rates of its rows: marketing is 12 hard bounces in 500
// sends (2.4%), while its rows' rates are 9%, 1% and 0% (mean 3.33%).
func TestConfigSetRatesFromSummedCounts(t *testing.T) {
	groups := GroupsFromSummary(configSetRows(), GroupOptions{ByIdentity: true, ByConfigurationSet: true, Totals: true})
	got := datumMap(t, Datums(groups, PublishOptions{Timestamp: day2}))
	want := map[datumKey]float64{
		{"BounceRate", "ConfigurationSet=marketing"}:     2.4,
		{"ComplaintRate", "ConfigurationSet=marketing"}:  0.8,
		{"Sends", "ConfigurationSet=marketing"}:          500,
		{"BounceRate", "ConfigurationSet=transactional"}: 0,
		{"BounceRate", "SenderIdentity=a.example"}:       100 * 17.0 / 460,
		{"Sends", ""}:       560,
		{"HardBounces", ""}: 17,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || math.Abs(g-v) > 1e-9 {
			t.Errorf("%v = %v (present %v), want %v", k, g, ok, v)
		}
	}
	// c.example has no sends: counts, no rates. 3 identities, 2 sets, totals.
	if _, ok := got[datumKey{"BounceRate", "SenderIdentity=c.example"}]; ok {
		t.Error("c.example has no sends but got a bounce rate")
	}
	if n := len(got); n != 10+10+8+10+10+10 {
		t.Errorf("%d datums, want 58", n)
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		ts   time.Time
		want string
	}{
		{now, ""},
		{now.Add(-13 * 24 * time.Hour), ""},
		{now.Add(-15 * 24 * time.Hour), "more than two weeks ago"},
		{now.Add(3 * time.Hour), "in the future"},
	} {
		err := CheckTimestamp(tt.ts, now)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckTimestamp(%v): %v, want %q", tt.ts, err, tt.want)
		}
	}
}

type countingPut struct{ sizes []int }

func (c *countingPut) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	c.sizes = append(c.sizes, len(in.MetricData))
	return &cloudwatch.PutMetricDataOutput{}, nil
}

func TestPublishBatches(t *testing.T) {
	ds := make([]cwtypes.MetricDatum, 2500)
	api := &countingPut{}
	n, err := Publish(context.Background(), api, "SESCTL", ds)
	if err != nil || n != 3 {
		t.Fatalf("Publish: %d requests, %v", n, err)
	}
	if len(api.sizes) != 3 || api.sizes[0] != 1000 || api.sizes[1] != 1000 || api.sizes[2] != 500 {
		t.Errorf("batch sizes %v, want [1000 1000 500]", api.sizes)
	}
}

// TestPutMetricDataWire records the CBOR request the real SDK serializes.
func TestPutMetricDataWire(t *testing.T) {
	ts := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	// One identity sending through one configuration set: its datums
	// with SenderIdentity, then the same with ConfigurationSet.
	rows := []IdentityDay{{Identity: "news.example", ConfigurationSet: "marketing", Day: ts, Counts: Counts{Sends: 400, HardBounces: 50, Complaints: 2}}}
	ds := Datums(GroupsFromSummary(rows, GroupOptions{ByIdentity: true, ByConfigurationSet: true}), PublishOptions{Timestamp: ts})
	st := &stubTransport{resps: []stubResponse{cborResponse(cbor.Map{})}}
	n, err := Publish(context.Background(), cloudwatch.NewFromConfig(testConfig(st)), "SESCTL", ds)
	if err != nil || n != 1 {
		t.Fatalf("Publish: %d, %v", n, err)
	}
	st.checkAllUsed(t)
	r := st.reqs[0]
	if r.Path != "/service/GraniteServiceVersion20100801/operation/PutMetricData" {
		t.Errorf("path %s", r.Path)
	}
	// The SDK gzips PutMetricData bodies (the operation's request-compression
	// trait); CloudWatch accepts Content-Encoding: gzip.
	golden(t, filepath.Join("testdata", "putmetricdata.headers"), headerLines(r, "Content-Type", "Content-Encoding", "Smithy-Protocol", "Accept")+"\n")
	golden(t, filepath.Join("testdata", "putmetricdata.request.json"), cborJSON(t, gunzip(t, r)))

	st = &stubTransport{resps: []stubResponse{{status: 400, header: map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"},
		body: cbor.Encode(cbor.Map{"__type": cbor.String("InvalidParameterValue"), "message": cbor.String("The timestamp is too old")})}}}
	_, err = Publish(context.Background(), cloudwatch.NewFromConfig(testConfig(st)), "SESCTL", ds)
	if err == nil || !strings.Contains(err.Error(), "The timestamp is too old") || !strings.Contains(err.Error(), "datums 1-20 of 20") {
		t.Errorf("error %v", err)
	}
}

func gunzip(t *testing.T, r recorded) []byte {
	t.Helper()
	if r.Header.Get("Content-Encoding") != "gzip" {
		return r.Body
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPutMetricDataLargestRequest sends MaxDatumsPerRequest datums whose
// dimensions are as long as SES allows (a 320-character address identity,
// a 64-character configuration set) through the real SDK: one request,
// under PutMetricData's 1 MB limit even before the SDK gzips it.
func TestPutMetricDataLargestRequest(t *testing.T) {
	id := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 250) + ".test"
	var groups []Group
	for i := range MaxDatumsPerRequest / len(publishedMetrics) {
		set := fmt.Sprintf("%s%04d", strings.Repeat("c", 60), i)
		groups = append(groups, Group{Identity: id, ConfigurationSet: set, Counts: Counts{Sends: 1 << 40, HardBounces: 1 << 39, Complaints: 3}})
	}
	ds := Datums(groups, PublishOptions{Timestamp: time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)})
	if len(id) != 320 || len(ds) != MaxDatumsPerRequest {
		t.Fatalf("identity of %d characters, %d datums", len(id), len(ds))
	}
	st := &stubTransport{resps: []stubResponse{cborResponse(cbor.Map{})}}
	n, err := Publish(context.Background(), cloudwatch.NewFromConfig(testConfig(st)), "SESCTL", ds)
	if err != nil || n != 1 {
		t.Fatalf("Publish: %d requests, %v", n, err)
	}
	raw := gunzip(t, st.reqs[0])
	if len(raw) >= 1<<20 || len(st.reqs[0].Body) >= 1<<20 {
		t.Errorf("request body %d bytes (%d as sent), over the 1 MB limit", len(raw), len(st.reqs[0].Body))
	}
	t.Logf("1000 datums: %d bytes of CBOR, %d as sent", len(raw), len(st.reqs[0].Body))
}
