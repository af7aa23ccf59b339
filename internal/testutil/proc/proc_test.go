package proc

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFreePortsDistinct(t *testing.T) {
	ports, err := FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: want 3 distinct positive ports", ports)
		}
		seen[p] = true
	}
}

func TestWaitHTTP(t *testing.T) {
	ready := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ready {
			ready = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	if err := WaitHTTP("srv", srv.URL, make(chan error), &Output{}, 5*time.Second, time.Millisecond); err != nil {
		t.Fatalf("WaitHTTP: %v", err)
	}

	exited := make(chan error, 1)
	exited <- errors.New("exit status 1")
	out := &Output{}
	out.Write([]byte("port in use"))
	err := WaitHTTP("srv", "http://127.0.0.1:1/", exited, out, 5*time.Second, time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "srv exited before it was ready") || !strings.Contains(err.Error(), "port in use") {
		t.Fatalf("WaitHTTP after exit: %v", err)
	}
}

func TestOutputBounded(t *testing.T) {
	var o Output
	chunk := strings.Repeat("x", 64<<10)
	for range 40 {
		o.Write([]byte(chunk))
	}
	o.Write([]byte("tail"))
	s := o.String()
	if len(s) > maxOutput+len(chunk) || !strings.HasSuffix(s, "tail") {
		t.Fatalf("Output kept %d bytes ending %q", len(s), s[len(s)-4:])
	}
}
