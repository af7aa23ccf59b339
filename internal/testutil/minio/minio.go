// Package minio starts a throwaway MinIO server for integration tests.
//
//	srv := minio.Start(t)              // skips the test when minio is absent
//	srv.CreateBucket(t, "lake")
//	client := srv.Client(t)            // path-style, static credentials, us-east-1
//
// The binary is looked up in $SESCTL_MINIO, then PATH, then $HOME/go/bin and
// /root/go/bin (where scripts/ci/install-minio.sh puts it). When it is
// absent the test is skipped, unless CI=true: CI must run these tests, so
// there a missing binary fails them.
package minio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/proc"
)

// Region is the region clients are configured with.
const Region = "us-east-1"

const startTimeout = 30 * time.Second

// Server is a running MinIO server.
type Server struct {
	Endpoint  string // http://127.0.0.1:<port>
	AccessKey string
	SecretKey string
	DataDir   string

	cmd *exec.Cmd
	out *proc.Output
}

// Start starts a MinIO server on a free 127.0.0.1 port with a temporary data
// directory and registers its shutdown with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	proc.Require(t, "minio", err,
		"; install it with scripts/ci/install-minio.sh or set SESCTL_MINIO",
		" (CI must install it: scripts/ci/install-minio.sh)")
	if err != nil {
		return nil // a fake testing.TB's Skipf/Fatalf may return
	}
	return proc.Retry(t, "minio", func() (*Server, error) { return start(t, bin) })
}

// Binary returns the path of the minio binary.
func Binary() (string, error) {
	if p := os.Getenv("SESCTL_MINIO"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("SESCTL_MINIO=%s is not an executable file", p)
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	var candidates []string
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, "go", "bin", "minio"))
	}
	candidates = append(candidates, "/root/go/bin/minio")
	for _, p := range candidates {
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", errors.New("no minio binary in $SESCTL_MINIO, PATH, $HOME/go/bin or /root/go/bin")
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

func start(t testing.TB, bin string) (*Server, error) {
	ports, err := proc.FreePorts(2)
	if err != nil {
		return nil, err
	}
	srv := &Server{
		Endpoint:  fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		AccessKey: "sesctl-test",
		SecretKey: "sesctl-test-secret",
		DataDir:   t.TempDir(),
		out:       &proc.Output{},
	}
	cmd := exec.Command(bin, "server", srv.DataDir, "--quiet",
		"--address", fmt.Sprintf("127.0.0.1:%d", ports[0]),
		"--console-address", fmt.Sprintf("127.0.0.1:%d", ports[1]))
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+srv.AccessKey,
		"MINIO_ROOT_PASSWORD="+srv.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout, cmd.Stderr = srv.out, srv.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	srv.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := srv.waitLive(exited); err != nil {
		stop()
		return nil, err
	}
	t.Cleanup(stop)
	return srv, nil
}

// waitLive polls /minio/health/live until it answers 200.
func (s *Server) waitLive(exited <-chan error) error {
	return proc.WaitHTTP("minio", s.Endpoint+"/minio/health/live", exited, s.out, startTimeout, 50*time.Millisecond)
}

// Output returns what the server printed so far (for failure messages).
func (s *Server) Output() string { return s.out.String() }

// Config returns an aws.Config for the server: static credentials, region
// us-east-1, BaseEndpoint set. It does not read the environment or profiles.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

// Client returns a path-style S3 client for the server.
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	return s3.NewFromConfig(s.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// CreateBucket creates a bucket or fails the test.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("minio: create bucket %s: %v", name, err)
	}
}
