package pipeline

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/minio"
	"github.com/sesctl/sesctl/pipeline/sink"
)

// TestReplayToMinIO writes the same objects to a real S3 server (MinIO) as
// to memory: same keys under the --out prefix, same bytes.
func TestReplayToMinIO(t *testing.T) {
	srv := minio.Start(t)
	srv.CreateBucket(t, "lake")
	client := srv.Client(t)
	spec := DefaultSpec()
	c := mustCompile(t, spec)
	arrival, _ := ParseArrival("event")

	want := newMemSink()
	opt := testOptions(9)
	opt.Arrival = arrival
	replayInto(t, c, []Input{FileInput(samplesPath)}, want, opt)

	opt = testOptions(9)
	opt.Arrival = arrival
	out := sink.NewS3(client, "lake", "ses/")
	sum, err := Replay(context.Background(), c, []Input{FileInput(samplesPath)}, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Output != "s3://lake/ses/" || sum.Objects != 10 {
		t.Errorf("summary output %q, %d objects", sum.Output, sum.Objects)
	}
	ctx := context.Background()
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list.Contents {
		got = append(got, *o.Key)
	}
	var wantKeys []string
	for _, k := range want.keys() {
		wantKeys = append(wantKeys, "ses/"+k)
	}
	slices.Sort(got)
	if !slices.Equal(got, wantKeys) {
		t.Fatalf("keys in the bucket:\n%q\nwant\n%q", got, wantKeys)
	}
	for _, k := range want.keys() {
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lake"), Key: aws.String("ses/" + k)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want.objects[k]) {
			t.Errorf("%s: S3 bytes differ from the local run", k)
		}
	}
}
