package deploy

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

var update = flag.Bool("update", false, "rewrite golden request files")

// reply is one canned HTTP response.
type reply struct {
	status int
	body   string
}

// stubHTTP records every request the SDK sends and answers from per-operation
// queues (the last reply of a queue repeats).
type stubHTTP struct {
	mu      sync.Mutex
	replies map[string][]reply
	log     []string
}

func newStub() *stubHTTP { return &stubHTTP{replies: map[string][]reply{}} }

func (s *stubHTTP) on(op string, rs ...reply) { s.replies[op] = append(s.replies[op], rs...) }

func (s *stubHTTP) Do(req *http.Request) (*http.Response, error) {
	body := []byte{}
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	op, rec := describeRequest(req, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, rec)
	q := s.replies[op]
	if len(q) == 0 {
		return nil, fmt.Errorf("stub: no reply for %s", op)
	}
	r := q[0]
	if len(q) > 1 {
		s.replies[op] = q[1:]
	}
	h := http.Header{"Content-Type": []string{"text/xml"}, "X-Amzn-Requestid": []string{"req-1"}}
	if strings.HasPrefix(r.body, "{") {
		h.Set("Content-Type", "application/json")
	}
	return &http.Response{StatusCode: r.status, Header: h, Body: io.NopCloser(strings.NewReader(r.body)), Request: req}, nil
}

// describeRequest names the operation (CloudFormation Action, or method and
// path for REST services) and renders the request for golden files, with
// form parameters one per line and sorted.
func describeRequest(req *http.Request, body []byte) (op, rec string) {
	host := strings.Split(req.URL.Host, ".")[0]
	if strings.Contains(req.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		vals, _ := url.ParseQuery(string(body))
		op = vals.Get("Action")
		var lines []string
		for k, vs := range vals {
			for _, v := range vs {
				lines = append(lines, "  "+k+"="+v)
			}
		}
		sort.Strings(lines)
		return op, fmt.Sprintf("%s %s %s\n%s\n", req.Method, host, op, strings.Join(lines, "\n"))
	}
	path := req.URL.EscapedPath()
	op = req.Method + " " + path
	if req.URL.RawQuery != "" {
		op += "?" + req.URL.RawQuery
	}
	rec = fmt.Sprintf("%s %s %s\n", req.Method, host, op[len(req.Method)+1:])
	if len(bytes.TrimSpace(body)) > 0 {
		rec += "  " + string(body) + "\n"
	}
	return op, rec
}

func (s *stubHTTP) transcript() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.log, "")
}

func (s *stubHTTP) client() *Client {
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	return &Client{
		CFN: cloudformation.New(cloudformation.Options{Region: "eu-west-1", HTTPClient: s, Credentials: creds}),
		SES: sesv2.New(sesv2.Options{Region: "eu-west-1", HTTPClient: s, Credentials: creds}),
		S3: s3.New(s3.Options{Region: "eu-west-1", HTTPClient: s, Credentials: creds}, func(o *s3.Options) {
			o.RetryMaxAttempts = 1
		}),
		Sleep: func(context.Context, time.Duration) error { return nil },
		Now:   func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) },
	}
}

// golden compares got with testdata/golden/templates/wire/name, or rewrites
// it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", "templates", "wire", name)
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
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Errorf("requests differ from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

const ns = `xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"`

func cfnOK(action, result string) reply {
	return reply{200, fmt.Sprintf(`<%sResponse %s><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>`,
		action, ns, action, result, action, action)}
}

func cfnErr(code, msg string) reply {
	return reply{400, fmt.Sprintf(`<ErrorResponse %s><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, ns, code, msg)}
}

func stack(status string, outputs ...[2]string) reply {
	var o strings.Builder
	for _, kv := range outputs {
		fmt.Fprintf(&o, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", kv[0], kv[1])
	}
	return cfnOK("DescribeStacks", fmt.Sprintf(`<Stacks><member><StackName>sesctl</StackName><StackId>%s</StackId><StackStatus>%s</StackStatus><CreationTime>2026-11-22T10:00:00Z</CreationTime><Outputs>%s</Outputs></member></Stacks>`, stackID, status, o.String()))
}

const stackID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/sesctl/abc"

type ev struct{ id, logical, typ, status, reason string }

func events(es ...ev) reply {
	var b strings.Builder
	for i, e := range es {
		fmt.Fprintf(&b, `<member><EventId>%s</EventId><StackId>%s</StackId><StackName>sesctl</StackName><LogicalResourceId>%s</LogicalResourceId><ResourceType>%s</ResourceType><ResourceStatus>%s</ResourceStatus><ResourceStatusReason>%s</ResourceStatusReason><Timestamp>2026-11-22T10:0%d:00Z</Timestamp></member>`,
			e.id, stackID, e.logical, e.typ, e.status, e.reason, 9-i)
	}
	return cfnOK("DescribeStackEvents", "<StackEvents>"+b.String()+"</StackEvents>")
}
