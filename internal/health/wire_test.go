package health

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/encoding/cbor"
)

var update = flag.Bool("update", false, "rewrite golden files")

// recorded is one HTTP request the SDK really serialized.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

type stubResponse struct {
	status int
	header map[string]string
	body   []byte
}

// stubTransport records every request and answers from a queue.
type stubTransport struct {
	mu    sync.Mutex
	reqs  []recorded
	resps []stubResponse
}

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	s.reqs = append(s.reqs, recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
	if len(s.resps) == 0 {
		return nil, fmt.Errorf("stub: unexpected request %d to %s", len(s.reqs), req.URL)
	}
	r := s.resps[0]
	s.resps = s.resps[1:]
	h := http.Header{}
	for k, v := range r.header {
		h.Set(k, v)
	}
	return &http.Response{
		StatusCode: r.status, Header: h, Request: req,
		Body: io.NopCloser(bytes.NewReader(r.body)), ContentLength: int64(len(r.body)),
	}, nil
}

func (s *stubTransport) checkAllUsed(t *testing.T) {
	t.Helper()
	if len(s.resps) != 0 {
		t.Errorf("%d stubbed responses were never requested", len(s.resps))
	}
}

// testConfig is an aws.Config whose requests go to the stub.
func testConfig(st *stubTransport) aws.Config {
	return aws.Config{
		Region:           "eu-west-1",
		HTTPClient:       &http.Client{Transport: st},
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", Source: "test"}, nil
		}),
	}
}

func cborResponse(v cbor.Value) stubResponse {
	return stubResponse{status: 200, header: map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, body: cbor.Encode(v)}
}

func cborTime(t time.Time) cbor.Value {
	return cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
}

// cborJSON renders a CBOR document as indented JSON for golden files:
// epoch-seconds tags (tag 1) become RFC 3339 strings prefixed "tag1:".
func cborJSON(t *testing.T, p []byte) string {
	t.Helper()
	v, err := cbor.Decode(p)
	if err != nil {
		t.Fatalf("request body is not CBOR: %v", err)
	}
	out, err := json.MarshalIndent(cborPlain(v), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

func cborPlain(v cbor.Value) any {
	switch x := v.(type) {
	case cbor.Map:
		m := map[string]any{}
		for k, e := range x {
			m[k] = cborPlain(e)
		}
		return m
	case cbor.List:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = cborPlain(e)
		}
		return l
	case cbor.String:
		return string(x)
	case cbor.Uint:
		return uint64(x)
	case cbor.NegInt:
		return -int64(x)
	case cbor.Float64:
		return float64(x)
	case cbor.Float32:
		return float64(x)
	case cbor.Bool:
		return bool(x)
	case *cbor.Tag:
		return cborTag(x.ID, x.Value)
	case cbor.Tag:
		return cborTag(x.ID, x.Value)
	case *cbor.Nil:
		return nil
	}
	return fmt.Sprintf("%T", v)
}

func cborTag(id uint64, v cbor.Value) any {
	if id == 1 {
		var secs float64
		switch n := v.(type) {
		case cbor.Float64:
			secs = float64(n)
		case cbor.Uint:
			secs = float64(n)
		}
		whole, frac := math.Modf(secs)
		return "tag1:" + time.Unix(int64(whole), int64(frac*1e9)).UTC().Format(time.RFC3339Nano)
	}
	return map[string]any{"tag": id, "value": cborPlain(v)}
}

// headerLines renders the protocol headers worth pinning.
func headerLines(r recorded, names ...string) string {
	var lines []string
	for _, n := range names {
		lines = append(lines, n+": "+r.Header.Get(n))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
