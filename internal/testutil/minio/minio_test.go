package minio

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestServerRoundTrip(t *testing.T) {
	srv := Start(t)
	srv.CreateBucket(t, "harness")
	c := srv.Client(t)
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("harness"), Key: aws.String("a/b.json"), Body: strings.NewReader("{}\n"),
	}); err != nil {
		t.Fatalf("put: %v\n%s", err, srv.Output())
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("harness"), Key: aws.String("a/b.json")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "{}\n" {
		t.Errorf("got %q", b)
	}
}

// fakeTB records how Start gives up. Skipf and Fatalf stop the goroutine as
// the real ones do.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func runStart(tb *fakeTB) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(tb)
	}()
	<-done
}

func TestMissingBinary(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "minio")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SESCTL_MINIO", notExec)

	t.Setenv("CI", "")
	tb := &fakeTB{}
	runStart(tb)
	if !strings.Contains(tb.skipped, "not an executable") || tb.failed != "" {
		t.Errorf("locally: skipped %q, failed %q; want a skip", tb.skipped, tb.failed)
	}

	t.Setenv("CI", "true")
	tb = &fakeTB{}
	runStart(tb)
	if !strings.Contains(tb.failed, "CI must install it") || tb.skipped != "" {
		t.Errorf("in CI: skipped %q, failed %q; want a failure", tb.skipped, tb.failed)
	}
}
