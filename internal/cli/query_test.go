package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/moto"
)

func runQueryCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestParseDay(t *testing.T) {
	now := time.Date(2024, 3, 8, 23, 30, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"2024-03-08": "2024-03-08", "2024/03/08": "2024-03-08", "today": "2024-03-08", "Yesterday": "2024-03-07",
		" 2024-02-29 ": "2024-02-29",
	} {
		got, err := parseDay(in, now)
		if err != nil || got.Format(time.DateOnly) != want {
			t.Errorf("parseDay(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2024-3-8", "08/03/2024", "2023-02-29", "tomorrow", "2024-03-08T00:00:00Z"} {
		if _, err := parseDay(bad, now); err == nil {
			t.Errorf("parseDay(%q) accepted", bad)
		}
	}
}

// The Athena path end to end through the CLI, against moto_server: the
// identities are listed from the bucket, the query runs through the Athena
// API, and the rows moto was seeded with come out as CSV.
func TestQueryAthenaAgainstMoto(t *testing.T) {
	srv := moto.Start(t)
	srv.Env(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(srv.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acme-ses-events")}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"events/example.com/Bounce/2024/03/08/a.gz", "events/mail.example.org/Send/2024/03/08/b.gz"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acme-ses-events"), Key: aws.String(key), Body: strings.NewReader("{}\n")}); err != nil {
			t.Fatal(err)
		}
	}
	seed, _ := json.Marshal(map[string]any{"results": []any{map[string]any{
		"rows": []any{
			map[string]any{"Data": []any{map[string]any{"VarCharValue": "sender_identity"}, map[string]any{"VarCharValue": "recipient"}}},
			map[string]any{"Data": []any{map[string]any{"VarCharValue": "example.com"}, map[string]any{"VarCharValue": "recipient@example.com"}}},
		},
		"column_info": []any{map[string]any{"Name": "sender_identity", "Type": "varchar"}, map[string]any{"Name": "recipient", "Type": "varchar"}},
	}}})
	resp, err := http.Post(srv.Endpoint+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	code, out, errOut := runQueryCLI("query", "bounces", "--athena", "--day", "2024-03-08", "--location", "s3://acme-ses-events/",
		"--workgroup", "primary", "--output-location", "s3://acme-ses-events-results/", "--endpoint-url", srv.Endpoint, "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if out != "sender_identity,recipient\r\nexample.com,recipient@example.com\r\n" {
		t.Errorf("stdout %q", out)
	}
	for _, want := range []string{"listed sender_identity in s3://acme-ses-events/ (1 ListObjectsV2 calls)", "0 B scanned, estimated cost $0.000050"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// With --identity nothing is listed; moto's queue is empty now, so the
	// query returns no rows.
	code, out, errOut = runQueryCLI("query", "summary", "--athena", "--day", "2024-03-08", "--identity", "example.com", "--endpoint-url", srv.Endpoint)
	if code != 0 || strings.Contains(errOut, "listed") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, "sender_identity  day  sends  deliveries") || strings.Count(out, "\n") != 2 {
		t.Errorf("stdout %q, want the summary header and no rows", out)
	}
}

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2024-03-08", "2024/03/08", "today", "yesterday", "2024-13-01", "", "0000-01-01"} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDay(s, now)
		if err != nil {
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("parseDay(%q) = %v, not a UTC midnight", s, d)
		}
		again, err := parseDay(d.Format(time.DateOnly), now)
		if err != nil || !again.Equal(d) {
			t.Fatalf("parseDay(%q) = %v does not round-trip: %v %v", s, d, again, err)
		}
	})
}
