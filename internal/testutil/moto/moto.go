// Package moto starts a throwaway moto_server (Debian trixie python3-moto,
// in a chroot built by scripts/ci/install-moto.sh) for integration tests.
//
//	srv := moto.Start(t)          // skips the test when the chroot is absent
//	cfg := srv.Config(t)          // region us-east-1, static credentials, BaseEndpoint
//
// The chroot is $SESCTL_MOTO_ROOT, else /opt/sesctl-moto. Starting it needs
// root (chroot). When it is missing the test is skipped, unless CI=true:
// CI must run these tests, so there a missing chroot fails them.
//
// What moto 5.1.1 models, and what it does not (see
// docs/templates.md): S3, IAM, Glue, Athena (no SQL is run) and
// CloudFormation stacks and change sets are modelled; Firehose delivery
// streams and SES configuration sets and event destinations created by a
// stack are accepted as placeholder resources without any behaviour, and
// SESv2 PutEmailIdentityConfigurationSetAttributes is not implemented.
package moto

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sesctl/sesctl/internal/testutil/proc"
)

// Region is the region clients are configured with.
const Region = "us-east-1"

// DefaultRoot is where scripts/ci/install-moto.sh builds the chroot.
const DefaultRoot = "/opt/sesctl-moto"

const startTimeout = 30 * time.Second

// Server is a running moto_server.
type Server struct {
	Endpoint string // http://127.0.0.1:<port>

	cmd *exec.Cmd
	out *proc.Output
}

// Root returns the chroot directory and whether it holds moto_server.
func Root() (string, error) {
	dir := os.Getenv("SESCTL_MOTO_ROOT")
	if dir == "" {
		dir = DefaultRoot
	}
	st, err := os.Stat(filepath.Join(dir, "usr", "bin", "moto_server"))
	if err != nil || st.IsDir() {
		return dir, fmt.Errorf("no moto_server in %s (build it with scripts/ci/install-moto.sh)", dir)
	}
	if os.Geteuid() != 0 {
		return dir, fmt.Errorf("starting moto_server in the chroot %s needs root", dir)
	}
	return dir, nil
}

// Start starts moto_server on a free 127.0.0.1 port and registers its
// shutdown with t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	dir, err := Root()
	proc.Require(t, "moto", err, "", "")
	if err != nil {
		return nil // a fake testing.TB's Skipf/Fatalf may return
	}
	return proc.Retry(t, "moto", func() (*Server, error) { return start(t, dir) })
}

func start(t testing.TB, dir string) (*Server, error) {
	ports, err := proc.FreePorts(1)
	if err != nil {
		return nil, err
	}
	port := ports[0]
	out := &proc.Output{}
	cmd := exec.Command("chroot", dir, "moto_server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	srv := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: out}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := srv.waitReady(exited); err != nil {
		srv.kill(exited)
		return nil, err
	}
	t.Cleanup(func() { srv.kill(exited) })
	return srv, nil
}

func (s *Server) waitReady(exited <-chan error) error {
	return proc.WaitHTTP("moto_server", s.Endpoint+"/moto-api/", exited, s.out, startTimeout, 100*time.Millisecond)
}

// kill stops the process group (chroot and moto_server) and waits for it.
func (s *Server) kill(exited <-chan error) {
	if s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

// Reset clears every resource moto holds.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("moto reset: %v", err)
	}
	resp.Body.Close()
}

// Log returns what moto_server printed (its request log).
func (s *Server) Log() string { return s.out.String() }

// Config returns an SDK configuration pointing at the server.
func (s *Server) Config(t testing.TB) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.Endpoint),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	}
}

// Env sets the environment a sesctl command run in-process needs to reach
// the server with --endpoint-url.
func (s *Server) Env(t testing.TB) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", Region)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
}
