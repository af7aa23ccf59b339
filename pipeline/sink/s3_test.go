package sink

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

type putCall struct {
	bucket, key, contentType string
	length                   int64
	body                     []byte
}

// fakeS3 records PutObject calls.
type fakeS3 struct {
	calls []putCall
	err   error
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.calls = append(f.calls, putCall{
		bucket: aws.ToString(in.Bucket), key: aws.ToString(in.Key), contentType: aws.ToString(in.ContentType),
		length: aws.ToInt64(in.ContentLength), body: body,
	})
	return &s3.PutObjectOutput{}, nil
}

func newTestS3(t *testing.T, api S3API, prefix string) (*S3, string) {
	s := NewS3(api, "my-bucket", prefix)
	s.TempDir = t.TempDir()
	return s, s.TempDir
}

func dirEmpty(t *testing.T, dir string) {
	t.Helper()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestS3Commit(t *testing.T) {
	api := &fakeS3{}
	s, tmp := newTestS3(t, api, "lake/")
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, several buffer flushes
	obj, err := s.Create(context.Background(), "events/Rendering Failure/../x")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(big); i += 1000 {
		if _, err := obj.Write(big[i:min(i+1000, len(big))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := obj.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(api.calls) != 1 {
		t.Fatalf("%d PutObject calls, want 1", len(api.calls))
	}
	c := api.calls[0]
	if c.bucket != "my-bucket" || c.key != "lake/events/Rendering Failure/../x" || c.contentType != "application/octet-stream" {
		t.Errorf("PutObject bucket %q key %q type %q", c.bucket, c.key, c.contentType)
	}
	if c.length != int64(len(big)) || !bytes.Equal(c.body, big) {
		t.Errorf("ContentLength %d, body %d bytes; want %d", c.length, len(c.body), len(big))
	}
	dirEmpty(t, tmp)
	if err := obj.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v", err)
	}
}

func TestS3AbortSendsNothing(t *testing.T) {
	api := &fakeS3{}
	s, tmp := newTestS3(t, api, "")
	obj := write(t, s, "k", "partial")
	if err := obj.Abort(); err != nil {
		t.Fatal(err)
	}
	if len(api.calls) != 0 {
		t.Errorf("Abort sent %d PutObject calls", len(api.calls))
	}
	dirEmpty(t, tmp)
}

func TestS3CommitError(t *testing.T) {
	api := &fakeS3{err: errors.New("AccessDenied")}
	s, tmp := newTestS3(t, api, "p/")
	err := write(t, s, "k", "data").Commit()
	if err == nil || !strings.Contains(err.Error(), "s3://my-bucket/p/k") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err = %v, want it to name s3://my-bucket/p/k and the cause", err)
	}
	dirEmpty(t, tmp)
}

func TestS3EmptyObject(t *testing.T) {
	api := &fakeS3{}
	s, _ := newTestS3(t, api, "")
	if err := write(t, s, "empty", "").Commit(); err != nil {
		t.Fatal(err)
	}
	if len(api.calls) != 1 || api.calls[0].length != 0 {
		t.Errorf("calls = %+v, want one with ContentLength 0", api.calls)
	}
}

func TestS3Describe(t *testing.T) {
	if got := NewS3(&fakeS3{}, "b", "lake/").Describe(); got != "s3://b/lake/" {
		t.Errorf("Describe = %q", got)
	}
	if got := NewS3(&fakeS3{}, "b", "").Describe(); got != "s3://b/" {
		t.Errorf("Describe = %q", got)
	}
}

func TestParseS3URL(t *testing.T) {
	tests := []struct {
		in, bucket, prefix string
		err                string
	}{
		{"s3://my-bucket", "my-bucket", "", ""},
		{"s3://my-bucket/", "my-bucket", "", ""},
		{"s3://my-bucket/lake", "my-bucket", "lake/", ""},
		{"s3://my-bucket/lake/", "my-bucket", "lake/", ""},
		{"S3://my.bucket/a b/c%20d?x#y", "my.bucket", "a b/c%20d?x#y/", ""},
		{"s3://my-bucket//x", "my-bucket", "/x/", ""},
		{"s3:///x", "", "", "no bucket"},
		{"s3://", "", "", "no bucket"},
		{"https://b/x", "", "", "not an s3:// URL"},
		{"my-bucket/x", "", "", "not an s3:// URL"},
		{"s3://My-Bucket/x", "", "", "lowercase"},
		{"s3://ab/x", "", "", "3 to 63"},
		{"s3://-ab/x", "", "", "start and end"},
		{"s3://a..b/x", "", "", "adjacent dots"},
		{"s3://a_b/x", "", "", "lowercase"},
	}
	for _, tt := range tests {
		b, p, err := ParseS3URL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseS3URL(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || b != tt.bucket || p != tt.prefix {
			t.Errorf("ParseS3URL(%q) = %q, %q, %v; want %q, %q", tt.in, b, p, err, tt.bucket, tt.prefix)
		}
	}
}

func TestDefaultPathStyle(t *testing.T) {
	if DefaultPathStyle(aws.Config{}) {
		t.Error("path-style without an endpoint URL")
	}
	if !DefaultPathStyle(aws.Config{BaseEndpoint: aws.String("http://127.0.0.1:9000")}) {
		t.Error("virtual-hosted style with an endpoint URL")
	}
}
