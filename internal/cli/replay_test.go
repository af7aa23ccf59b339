package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/minio"
)

func samplesFile(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "samples", "official.jsonl")
}

// runCLI runs sesctl in-process and returns the exit code, stdout, stderr.
func runCLI(ctx context.Context, t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(ctx, args, &IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestReplayExitCodes(t *testing.T) {
	samples := samplesFile(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("not json\n"+`{"eventType":"Send","mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@b.example"}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.jsonl")
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"samples", []string{samples}, 0, "partitioned   10 records into 10 objects across 10 partitions"},
		{"errors are placed", []string{bad}, 0, "failed        1 record into 1 error object (metadata-extraction-failed 1)"},
		{"fail on error", []string{bad, "--fail-on-error"}, 1, "failed        1 record"},
		{"missing input", []string{samples, missing}, 2, missing + ": no such file or directory"},
		{"buffer size", []string{samples, "--buffer-size", "5"}, 2, "[buffer.size-dynamic-partitioning]"},
		{"buffer interval", []string{samples, "--buffer-interval", "901"}, 2, "[buffer.interval]"},
		{"compression", []string{samples, "--compression", "zip"}, 2, `--compression "zip": want gzip or none`},
		{"parquet", []string{samples, "--format", "parquet"}, 0, "partitioned   10 records into 10 objects across 10 partitions"},
		{"parquet uncompressed", []string{samples, "--format", "PARQUET", "--compression", "none"}, 0, "partitioned   10 records"},
		{"parquet gzip", []string{samples, "--format", "parquet", "--compression", "gzip"}, 2, "[format.parquet-compression]"},
		{"format", []string{samples, "--format", "avro"}, 2, `--format "avro": want json or parquet`},
		{"arrival time", []string{samples, "--arrival-time", "yesterday"}, 2, "--arrival-time"},
		{"query", []string{samples, "--query", "{a: .a | pick(.b)}"}, 2, "[query.syntax]"},
		{"prefix", []string{samples, "--prefix", "x/!{partitionKeyFromQuery:event_type}/"}, 2, "[prefix.unused-query-key]"},
		{"time zone", []string{samples, "--time-zone", "Mars/Base"}, 2, "[time-zone.unknown]"},
		{"summary", []string{samples, "--summary", "yaml"}, 2, "--summary"},
		{"out is a file", []string{samples, "--out", notDir}, 2, "not a directory"},
		{"bad bucket", []string{samples, "--out", "s3://"}, 2, "--out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"replay", "--out", filepath.Join(t.TempDir(), "lake")}, c.args...)
			code, _, stderr := runCLI(context.Background(), t, "", args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", code, c.code, stderr, c.stderr)
			}
		})
	}
}

func TestReplaySummaryJSON(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	code, stdout, stderr := runCLI(context.Background(), t, "", "replay", samplesFile(t), "--out", lake, "--summary", "json", "--compression", "none")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var sum struct {
		RecordsIn    int64            `json:"records_in"`
		Partitioned  int64            `json:"partitioned"`
		Failed       int64            `json:"failed"`
		FailedByType map[string]int64 `json:"failed_by_type"`
		Objects      int64            `json:"objects"`
		BytesIn      int64            `json:"bytes_in"`
		BytesWritten int64            `json:"bytes_written"`
		Partitions   int              `json:"partitions"`
		Output       string           `json:"output"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	samples, _ := os.ReadFile(samplesFile(t))
	// Uncompressed JSON Lines in, uncompressed out: the same bytes.
	if sum.RecordsIn != 10 || sum.Partitioned != 10 || sum.Objects != 10 || sum.Partitions != 10 ||
		sum.BytesIn != int64(len(samples)) || sum.BytesWritten != int64(len(samples)) || sum.Output != "local folder "+lake+"/" {
		t.Errorf("summary %+v", sum)
	}
}

func TestReplayStdinAndInterrupt(t *testing.T) {
	samples, _ := os.ReadFile(samplesFile(t))
	lake := filepath.Join(t.TempDir(), "lake")
	code, _, stderr := runCLI(context.Background(), t, string(samples), "replay", "-", "--out", lake)
	if code != 0 || !strings.Contains(stderr, "from standard input") {
		t.Fatalf("stdin: exit %d\n%s", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, stderr = runCLI(ctx, t, string(samples), "replay", "-", "--out", lake)
	if code != ExitCanceled || !strings.Contains(stderr, "interrupted") || !strings.Contains(stderr, "committed") {
		t.Errorf("canceled: exit %d\n%s", code, stderr)
	}
}

func TestReplayS3WriteFailureExits3(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	code, _, stderr := runCLI(context.Background(), t, "", "replay", samplesFile(t),
		"--out", "s3://lake/ses", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1")
	if code != ExitInternal || !strings.Contains(stderr, "sesctl: ") {
		t.Errorf("exit %d, want %d\n%s", code, ExitInternal, stderr)
	}
}

func TestReplayToMinIOFromCLI(t *testing.T) {
	srv := minio.Start(t)
	srv.CreateBucket(t, "lake")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	code, _, stderr := runCLI(context.Background(), t, "", "replay", samplesFile(t),
		"--out", "s3://lake/ses", "--endpoint-url", srv.Endpoint, "--region", minio.Region, "--seed", "3")
	if code != 0 || !strings.Contains(stderr, "into s3://lake/ses/") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	list, err := srv.Client(t).ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("lake")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 10 {
		t.Fatalf("%d objects in the bucket", len(list.Contents))
	}
	for _, o := range list.Contents {
		if !strings.HasPrefix(*o.Key, "ses/events/example.com/") || !strings.HasSuffix(*o.Key, ".gz") {
			t.Errorf("key %q", *o.Key)
		}
	}
}

func TestPartitionCommand(t *testing.T) {
	samples := samplesFile(t)
	code, stdout, stderr := runCLI(context.Background(), t, "", "partition", samples)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[0], "RECORD") || !strings.Contains(lines[8], "events/example.com/Rendering Failure/2018/01/22/") {
		t.Errorf("table:\n%s", stdout)
	}

	in := "hello\n" + `{"eventType":"Send","mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@B.example"}}` + "\n"
	code, stdout, _ = runCLI(context.Background(), t, in, "partition", "-", "--output", "json", "--fail-on-error")
	if code != ExitFailure {
		t.Errorf("--fail-on-error: exit %d", code)
	}
	var rows []map[string]any
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var r map[string]any
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 2 || rows[0]["error_type"] != "metadata-extraction-failed" || rows[0]["line"] != 1.0 ||
		rows[1]["prefix"] != "events/b.example/Send/2024/02/16/" {
		t.Errorf("rows %v", rows)
	}
	if code, _, stderr := runCLI(context.Background(), t, "", "partition", "nope.jsonl"); code != ExitUsage || !strings.Contains(stderr, "nope.jsonl") {
		t.Errorf("missing input: exit %d %s", code, stderr)
	}
}

// TestHugeRegion: replay marks 128 MiB for huge pages, all of it under
// its own 192 MiB limit, less under a smaller GOMEMLIMIT (two thirds of
// it), so the region never crosses the limit.
func TestHugeRegion(t *testing.T) {
	for limit, want := range map[int64]int{
		math.MaxInt64:     replayHugeRegion,
		replayMemoryLimit: replayHugeRegion,
		96 << 20:          64 << 20,
		0:                 0,
	} {
		if got := hugeRegion(limit); got != want {
			t.Errorf("hugeRegion(%d) = %d, want %d", limit, got, want)
		}
	}
}
