package sink

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// recordingHTTP is an aws.HTTPClient that records the serialized requests
// and answers each with a canned 200.
type recordingHTTP struct {
	reqs   []*http.Request
	bodies [][]byte
}

func (r *recordingHTTP) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	r.reqs = append(r.reqs, req)
	r.bodies = append(r.bodies, body)
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Etag": {`"0123456789abcdef0123456789abcdef"`}, "Content-Length": {"0"}},
		Body:    io.NopCloser(bytes.NewReader(nil)),
		Request: req,
	}, nil
}

func TestWirePutObject(t *testing.T) {
	body := "{\"eventType\":\"Rendering Failure\"}\n{\"eventType\":\"Bounce\"}\n"
	sum := sha256.Sum256([]byte(body))
	tests := []struct {
		name, endpoint, url, sha string
	}{
		{
			name:     "endpoint URL: path-style, signed payload over http",
			endpoint: "http://s3.test:9000",
			url:      "http://s3.test:9000/lake-bucket/p/events/Rendering%20Failure/a//b/../x.gz?x-id=PutObject",
			sha:      hex.EncodeToString(sum[:]),
		},
		{
			name: "AWS: virtual-hosted style over https",
			url:  "https://lake-bucket.s3.us-east-1.amazonaws.com/p/events/Rendering%20Failure/a//b/../x.gz?x-id=PutObject",
			sha:  "UNSIGNED-PAYLOAD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingHTTP{}
			cfg := aws.Config{
				Region:      "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
				HTTPClient:  rec,
			}
			if tt.endpoint != "" {
				cfg.BaseEndpoint = aws.String(tt.endpoint)
			}
			s := NewS3(NewS3Client(cfg, DefaultPathStyle(cfg)), "lake-bucket", "p/")
			s.TempDir = t.TempDir()
			// The key is sent verbatim: the space is percent-encoded, and
			// "//" and ".." are not cleaned away.
			if err := write(t, s, "events/Rendering Failure/a//b/../x.gz", body).Commit(); err != nil {
				t.Fatal(err)
			}
			if len(rec.reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(rec.reqs))
			}
			req := rec.reqs[0]
			checks := []struct{ what, got, want string }{
				{"method", req.Method, "PUT"},
				{"url", req.URL.String(), tt.url},
				{"Content-Type", req.Header.Get("Content-Type"), "application/octet-stream"},
				{"X-Amz-Content-Sha256", req.Header.Get("X-Amz-Content-Sha256"), tt.sha},
				{"body", string(rec.bodies[0]), body},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if req.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length = %d, want %d", req.ContentLength, len(body))
			}
			auth := req.Header.Get("Authorization")
			for _, part := range []string{
				"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", "/us-east-1/s3/aws4_request",
				"content-length;content-type;host;x-amz-content-sha256;x-amz-date",
			} {
				if !strings.Contains(auth, part) {
					t.Errorf("Authorization %q lacks %q", auth, part)
				}
			}
			dirEmpty(t, s.TempDir)
		})
	}
}
