package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/moto"
)

type tplRun struct {
	code          int
	stdout, stder string
}

func runTpl(t *testing.T, stdin string, args ...string) tplRun {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code := Run(context.Background(), args, io)
	return tplRun{code: code, stdout: out.String(), stder: errb.String()}
}

func (r tplRun) want(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stder)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stder, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stder)
		}
	}
}

func TestTemplateValidateExitCodes(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	ref := filepath.Join(filepath.Dir(file), "..", "..", "templates", "testdata", "reference-defects.yaml")
	dir := t.TempDir()
	info := filepath.Join(dir, "info.yaml")
	if err := os.WriteFile(info, []byte("Resources:\n  V:\n    Type: AWS::EC2::VPC\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"rendered template is clean", []string{"template", "validate"}, 0},
		{"rendered with sets is clean", []string{"template", "validate", "--set", "retention=30", "--set", "format=parquet"}, 0},
		{"info only", []string{"template", "validate", info}, 0},
		{"info fails with --fail-on info", []string{"template", "validate", "--fail-on", "info", info}, 1},
		{"reference defects", []string{"template", "validate", ref}, 1},
		{"errors only still fail with --fail-on error", []string{"template", "validate", "--fail-on", "error", ref}, 1},
		{"missing file", []string{"template", "validate", filepath.Join(dir, "nope.yaml")}, 2},
		{"missing file wins over findings", []string{"template", "validate", ref, filepath.Join(dir, "nope.yaml")}, 2},
		{"bad format", []string{"template", "validate", "--format", "xml", ref}, 2},
		{"bad fail-on", []string{"template", "validate", "--fail-on", "fatal", ref}, 2},
		{"--set with files", []string{"template", "validate", "--set", "retention=3", ref}, 2},
		{"bad --set", []string{"template", "validate", "--set", "retention=-1"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runTpl(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stder)
			}
		})
	}
	r := runTpl(t, "a: [", "template", "validate", "-")
	r.want(t, 2, nil, []string{"(stdin): line 1"})
}

// startProvisionMoto starts moto_server for a provision test, with its
// environment and a 20 ms poll of the stack's status.
func startProvisionMoto(t *testing.T) *moto.Server {
	t.Helper()
	srv := moto.Start(t)
	srv.Env(t)
	old := pollInterval
	pollInterval = 20 * time.Millisecond
	t.Cleanup(func() { pollInterval = old })
	return srv
}

// TestProvisionDestroyMoto runs provision, a re-run with nothing to change,
// and destroy against moto_server, with the refusals in between.
func TestProvisionDestroyMoto(t *testing.T) {
	srv := startProvisionMoto(t)
	ep := []string{"--endpoint-url", srv.Endpoint, "--region", moto.Region}
	args := func(a ...string) []string { return append(a, ep...) }

	// no terminal and no --yes: the plan is shown, nothing is deployed
	r := runTpl(t, "", args("provision", "--stack", "ses")...)
	r.want(t, 1, []string{"Plan for stack ses (create)", "+ Add     AWS::KinesisFirehose::DeliveryStream", "23 to add"},
		[]string{"not confirmed: standard input is not a terminal; pass --yes"})
	r = runTpl(t, "", args("destroy", "--stack", "ses", "--yes")...)
	r.want(t, 0, nil, []string{"Stack ses does not exist"})

	r = runTpl(t, "", args("provision", "--stack", "ses", "--dry-run")...)
	r.want(t, 0, []string{"23 to add"}, []string{"Dry run: deleting the change set; nothing was deployed."})

	r = runTpl(t, "", args("provision", "--stack", "ses", "--yes", "--set", "bucket=acme-ses-events")...)
	r.want(t, 0, []string{"Plan for stack ses (create)"}, []string{"CREATE_COMPLETE", "Stack ses is CREATE_COMPLETE."})

	r = runTpl(t, "", args("provision", "--stack", "ses", "--yes", "--set", "bucket=acme-ses-events")...)
	r.want(t, 0, []string{"Stack ses: no changes; the deployed stack already matches the template."}, nil)

	r = runTpl(t, "", args("provision", "--stack", "ses", "--yes", "--set", "bucket=acme-ses-events", "--set", "retention=30")...)
	r.want(t, 0, []string{"Plan for stack ses (update)", "~ Modify  AWS::S3::Bucket"}, []string{"UPDATE_COMPLETE"})

	// moto does not implement PutEmailIdentityConfigurationSetAttributes:
	// the failure is reported as an AWS error (exit 3)
	r = runTpl(t, "", args("provision", "--stack", "ses", "--yes", "--set", "bucket=acme-ses-events", "--set", "retention=30", "--identity", "example.com")...)
	r.want(t, 3, []string{"no changes"}, []string{"make sesctl the default configuration set of example.com"})

	cfg := srv.Config(t)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("acme-ses-events"),
		Key: aws.String("events/example.com/Bounce/2026/11/22/a.gz"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	r = runTpl(t, "", args("destroy", "--stack", "ses", "--yes")...)
	r.want(t, 1, nil, []string{"bucket acme-ses-events still holds objects", "--empty-bucket"})
	r = runTpl(t, "", args("destroy", "--stack", "ses", "--empty-bucket")...)
	r.want(t, 1, nil, []string{"not confirmed"})
	r = runTpl(t, "", args("destroy", "--stack", "ses", "--empty-bucket", "--yes")...)
	r.want(t, 0, nil, []string{"Deleted 1 object(s) from acme-ses-events.", "DELETE_COMPLETE", "Stack ses is deleted."})
	r = runTpl(t, "", args("destroy", "--stack", "ses", "--yes")...)
	r.want(t, 0, nil, []string{"does not exist"})
}

func TestProvisionRefusesTemplateErrors(t *testing.T) {
	// a template that breaks Firehose's rules never reaches AWS
	r := runTpl(t, "", "provision", "--yes", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1", "--set", "buffer-size=32")
	r.want(t, 1, nil, []string{"[firehose.buffering-min]", "SizeInMBs must be at least 64", "refusing to deploy: the template has 1 error(s)"})
	// a prefix no Athena table can lie over is refused while rendering
	r = runTpl(t, "", "provision", "--yes", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1",
		"--set", "prefix=events/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/}/")
	r.want(t, 2, nil, []string{"double slash"})
}

// TestProvisionMetricsSets: provision takes the metrics keys through the
// same --set machinery as template render, and refuses what render refuses.
func TestProvisionMetricsSets(t *testing.T) {
	offline := []string{"provision", "--yes", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"}
	tests := []struct {
		sets   []string
		stderr string
	}{
		{[]string{"metrics-function=true"}, "metrics-function=true needs metrics-code-bucket and metrics-code-key"},
		{[]string{"metrics-schedule=rate(2 hour)"}, "plural unit above 1: rate(2 hours)"},
		{[]string{"alarm-identities=News.example"}, "lowercased domain of mail.source (e.g. news.example)"},
		{[]string{"alarm-topic=arn:aws:sns:eu-west-1:111122223333:ops"}, "alarm-topic needs alarm-identities"},
	}
	for _, tt := range tests {
		args := slices.Clone(offline)
		for _, s := range tt.sets {
			args = append(args, "--set", s)
		}
		runTpl(t, "", args...).want(t, 2, nil, []string{tt.stderr})
	}
}

// TestProvisionMetricsMoto: with metrics-function=true provision refuses
// until the zip is in S3, then plans and deploys the function, its
// schedule and the alarms.
func TestProvisionMetricsMoto(t *testing.T) {
	srv := startProvisionMoto(t)
	args := []string{"provision", "--stack", "metrics", "--endpoint-url", srv.Endpoint, "--region", moto.Region,
		"--set", "bucket=acme-metrics-events", "--set", "metrics-function=true", "--set", "metrics-code-bucket=acme-artifacts",
		"--set", "metrics-code-key=sesctl/v1/lambda.zip", "--set", "alarm-identities=news.example"}

	r := runTpl(t, "", append(args, "--dry-run")...)
	r.want(t, 2, nil, []string{"metrics-code-key: s3://acme-artifacts/sesctl/v1/lambda.zip does not exist; upload the zip"})

	ctx := context.Background()
	s3c := s3.NewFromConfig(srv.Config(t), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acme-artifacts")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acme-artifacts"), Key: aws.String("sesctl/v1/lambda.zip"),
		Body: bytes.NewReader(emptyZip(t))}); err != nil {
		t.Fatal(err)
	}
	r = runTpl(t, "", append(args, "--dry-run")...)
	r.want(t, 0, []string{"+ Add     AWS::Lambda::Function", "MetricsFunction", "AWS::Events::Rule", "MetricsSchedule",
		"AWS::Lambda::Permission", "AWS::CloudWatch::Alarm", "BounceRateAlarmNewsExample", "ComplaintRateAlarmNewsExample", "30 to add"}, nil)
	r = runTpl(t, "", append(args, "--yes")...)
	r.want(t, 0, nil, []string{"Stack metrics is CREATE_COMPLETE."})
	r = runTpl(t, "", append(args, "--yes")...)
	r.want(t, 0, []string{"no changes"}, nil)
}

func emptyZip(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if _, err := zw.Create("bootstrap"); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
