package sink

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/minio"
)

// TestS3AgainstMinIO writes objects through NewS3 to a real MinIO server and
// reads them back byte for byte.
func TestS3AgainstMinIO(t *testing.T) {
	srv := minio.Start(t)
	srv.CreateBucket(t, "lake")
	cfg := srv.Config()
	client := NewS3Client(cfg, DefaultPathStyle(cfg))
	s := NewS3(client, "lake", "events/")
	s.TempDir = t.TempDir()

	rng := rand.New(rand.NewPCG(3, 4))
	big := make([]byte, 9<<20) // larger than the write buffer and the SDK's chunks
	for i := range big {
		big[i] = byte(rng.UintN(256))
	}
	objects := map[string][]byte{
		"Rendering Failure/2026/11/22/s-1-2026-11-22-10-00-00-a": []byte("{\"eventType\":\"Rendering Failure\"}\n"),
		"Bounce/2026/11/22/big.gz":                               big,
		"Bounce/empty":                                           {},
		"odd/a+b=c&d?e#f%20g/é":                                  []byte("odd\n"),
	}
	ctx := context.Background()
	for k, v := range objects {
		obj, err := s.Create(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := obj.Write(v); err != nil {
			t.Fatal(err)
		}
		if err := obj.Commit(); err != nil {
			t.Fatalf("commit %q: %v\n%s", k, err, srv.Output())
		}
	}
	// Aborted and never-committed objects leave nothing behind.
	aborted := write(t, s, "Bounce/aborted", "partial")
	if err := aborted.Abort(); err != nil {
		t.Fatal(err)
	}
	write(t, s, "Bounce/interrupted", "partial")

	var want []string
	for k := range objects {
		want = append(want, "events/"+k)
	}
	sort.Strings(want)
	got := listKeys(t, client, "lake")
	if len(got) != len(want) {
		t.Fatalf("listed %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("key %d = %q, want %q", i, got[i], want[i])
		}
	}
	for k, v := range objects {
		if b := getObject(t, client, "lake", "events/"+k); !bytes.Equal(b, v) {
			t.Errorf("%q: got %d bytes, want %d (content differs)", k, len(b), len(v))
		}
	}
}

// TestS3LiteralKeysAgainstMinIO pins how MinIO treats keys that S3 defines
// as literal strings. The SDK sends them verbatim (TestWirePutObject), but
// MinIO refuses "." and ".." segments and empty segments ("//"), and drops
// a leading "/". The sink must report such refusals naming the object and
// leave nothing behind. docs/io.md describes the difference.
func TestS3LiteralKeysAgainstMinIO(t *testing.T) {
	srv := minio.Start(t)
	srv.CreateBucket(t, "lake")
	cfg := srv.Config()
	client := NewS3Client(cfg, DefaultPathStyle(cfg))
	s := NewS3(client, "lake", "")
	s.TempDir = t.TempDir()
	refused := map[string]string{
		"a/../b": "XMinioInvalidResourceName",
		"../x":   "XMinioInvalidResourceName",
		"a/./b":  "XMinioInvalidResourceName",
		"a//b":   "XMinioInvalidObjectName",
	}
	for k, code := range refused {
		err := write(t, s, k, "v").Commit()
		if err == nil || !strings.Contains(err.Error(), "s3://lake/"+k+":") || !strings.Contains(err.Error(), code) {
			t.Errorf("PutObject %q: err = %v, want %s naming the object", k, err, code)
		}
	}
	for _, k := range []string{"/abs", "trailing/"} {
		if err := write(t, s, k, "v").Commit(); err != nil {
			t.Errorf("PutObject %q: %v", k, err)
		}
	}
	if got := strings.Join(listKeys(t, client, "lake"), " "); got != "abs trailing/" {
		t.Errorf("listed %q, want \"abs trailing/\" (MinIO drops the leading slash)", got)
	}
	dirEmpty(t, s.TempDir)
}

func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
