// Package proc holds what the integration-test server harnesses
// (internal/testutil/minio, internal/testutil/moto) share: the skip-or-fail
// rule for a missing server, start retries, free ports, a readiness poll and
// a bounded output buffer.
package proc

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"
)

// StartTries is how often a harness tries to start its server: a free port
// can be taken by another process before the server binds it.
const StartTries = 3

// Require skips the test when a server is unavailable (err != nil), unless
// CI=true: CI must run integration tests, so there it fails instead. The
// message is "<name>: <err>", followed by ciHint in CI and localHint
// otherwise (either may be empty).
func Require(t testing.TB, name string, err error, localHint, ciHint string) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %v%s", name, err, ciHint)
	}
	t.Skipf("%s: %v%s", name, err, localHint)
}

// Retry calls start up to StartTries times and returns the first success;
// it fails the test with the last error otherwise.
func Retry[T any](t testing.TB, name string, start func() (T, error)) T {
	t.Helper()
	var lastErr error
	for range StartTries {
		v, err := start()
		if err == nil {
			return v
		}
		lastErr = err
	}
	t.Fatalf("%s: %v", name, lastErr)
	var zero T
	return zero
}

// FreePorts returns n distinct free TCP ports on 127.0.0.1.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// WaitHTTP polls url every interval until it answers 200, the process
// exits (a value on exited), or timeout passes. out is quoted in errors.
func WaitHTTP(name, url string, exited <-chan error, out *Output, timeout, interval time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", name, err, out.String())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(interval)
	}
	return fmt.Errorf("%s not ready after %v:\n%s", name, timeout, out.String())
}

// maxOutput bounds what an Output keeps: a chatty server's request log must
// not grow without limit during a long test run.
const maxOutput = 1 << 20

// Output collects a process's stdout and stderr; safe for concurrent use.
// Past 1 MiB it starts over, keeping the latest output for error messages.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.b.Len() > maxOutput {
		o.b.Reset()
	}
	return o.b.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}
