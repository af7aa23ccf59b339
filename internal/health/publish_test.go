package health

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/encoding/cbor"
)

func TestDatums(t *testing.T) {
	ts := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	groups := GroupsFromSummary(sampleRows())
	if len(groups) != 3 || groups[0].Identity != "news.example" || groups[1].Sends != 1200 {
		t.Fatalf("groups %+v", groups)
	}
	groups = append(groups, Group{Identity: "idle.example", ConfigurationSet: "cs1", Counts: Counts{Deliveries: 2}})
	ds := Datums(groups, PublishOptions{Timestamp: ts, AccountTotals: true})
	type key struct{ metric, dims string }
	got := map[key]float64{}
	for _, d := range ds {
		var dims []string
		for _, dim := range d.Dimensions {
			dims = append(dims, aws.ToString(dim.Name)+"="+aws.ToString(dim.Value))
		}
		got[key{aws.ToString(d.MetricName), strings.Join(dims, ",")}] = aws.ToFloat64(d.Value)
		if !aws.ToTime(d.Timestamp).Equal(ts) || aws.ToInt32(d.StorageResolution) != 60 {
			t.Errorf("%s: timestamp %v resolution %d", aws.ToString(d.MetricName), d.Timestamp, aws.ToInt32(d.StorageResolution))
		}
	}
	want := map[key]float64{
		{"Sends", "SenderIdentity=shop.example"}:                           1200,
		{"HardBounces", "SenderIdentity=news.example"}:                     50,
		{"BounceRate", "SenderIdentity=news.example"}:                      12.5,
		{"ComplaintRate", "SenderIdentity=news.example"}:                   0.5,
		{"SoftBounces", "SenderIdentity=shop.example"}:                     2,
		{"Deliveries", "SenderIdentity=idle.example,ConfigurationSet=cs1"}: 2,
		{"Sends", ""}:      1603,
		{"Deliveries", ""}: 1541,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%v = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got[key{"BounceRate", "SenderIdentity=idle.example,ConfigurationSet=cs1"}]; ok {
		t.Error("a group without sends got a bounce rate")
	}
	// 3 identities with sends x 10 + 1 without sends x 8 + totals x 10.
	if len(ds) != 48 {
		t.Errorf("%d datums, want 48", len(ds))
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
	ds := Datums([]Group{{Identity: "news.example", ConfigurationSet: "marketing", Counts: Counts{Sends: 400, HardBounces: 50, Complaints: 2}}},
		PublishOptions{Timestamp: ts})
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
	if err == nil || !strings.Contains(err.Error(), "The timestamp is too old") || !strings.Contains(err.Error(), "datums 1-10 of 10") {
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
