package deploy_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/sesctl/sesctl/internal/testutil/moto"
	"github.com/sesctl/sesctl/templates"
	"github.com/sesctl/sesctl/templates/deploy"
)

func motoClient(t *testing.T) (*deploy.Client, *moto.Server) {
	srv := moto.Start(t)
	cfg := srv.Config(t)
	return &deploy.Client{
		CFN:  cloudformation.NewFromConfig(cfg),
		SES:  sesv2.NewFromConfig(cfg),
		S3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		Poll: 20 * time.Millisecond,
	}, srv
}

func render(t *testing.T, sets ...string) string {
	o := templates.DefaultOptions()
	for _, s := range sets {
		if err := o.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	body, err := templates.Render(o)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func hasChange(p *deploy.Plan, action, id string) bool {
	for _, ch := range p.Changes {
		if ch.Action == action && ch.LogicalID == id {
			return true
		}
	}
	return false
}

// provisionCycle deploys the rendered template through a change
// set, re-plans it (no changes), updates it (retention 90 -> 30 days), and
// destroys it after emptying the bucket, against moto_server.
func TestMoto(t *testing.T) {
	c, srv := motoClient(t)
	t.Run("provision cycle", func(t *testing.T) { provisionCycle(t, c) })
	t.Run("variants", func(t *testing.T) { variants(t, c) })
	t.Run("metrics function and alarms", func(t *testing.T) { metricsStack(t, c, srv) })
}

func provisionCycle(t *testing.T, c *deploy.Client) {
	ctx := context.Background()
	body := render(t)

	p, err := c.Plan(ctx, deploy.Input{Stack: "sesctl", TemplateBody: body})
	if err != nil {
		t.Fatal(err)
	}
	add, mod, rem, _ := p.Counts()
	if p.Type != "CREATE" || add != 23 || mod != 0 || rem != 0 {
		t.Fatalf("create plan: type %s, %d/%d/%d", p.Type, add, mod, rem)
	}
	var progress bytes.Buffer
	res, err := c.Execute(ctx, p, &progress)
	if err != nil || !res.OK || res.Status != "CREATE_COMPLETE" {
		t.Fatalf("execute: %+v %v\n%s", res, err, progress.String())
	}

	bucket := physicalID(ctx, t, c, "sesctl", func(r deploy.Resource) bool { return r.Type == "AWS::S3::Bucket" })
	if _, err := c.S3.(*s3.Client).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("events/example.com/Bounce/2026/11/22/x.gz"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}

	again, err := c.Plan(ctx, deploy.Input{Stack: "sesctl", TemplateBody: body})
	if err != nil {
		t.Fatal(err)
	}
	if !again.NoChanges || again.Type != "UPDATE" {
		t.Fatalf("re-run plan = %+v, want no changes", again)
	}

	upd, err := c.Plan(ctx, deploy.Input{Stack: "sesctl", TemplateBody: render(t, "retention=30")})
	if err != nil {
		t.Fatal(err)
	}
	if _, mod, _, _ := upd.Counts(); upd.Type != "UPDATE" || mod == 0 || !hasChange(upd, "Modify", "EventsBucket") {
		t.Fatalf("update plan = %+v", upd)
	}
	if res, err := c.Execute(ctx, upd, &progress); err != nil || !res.OK || res.Status != "UPDATE_COMPLETE" {
		t.Fatalf("update: %+v %v", res, err)
	}

	n, err := c.EmptyBucket(ctx, bucket)
	if err != nil || n != 1 {
		t.Fatalf("empty bucket: %d, %v", n, err)
	}
	st, err := c.DescribeStack(ctx, "sesctl")
	if err != nil || st == nil {
		t.Fatalf("describe: %v %v", st, err)
	}
	res, err = c.Destroy(ctx, aws.ToString(st.StackId), &progress)
	if err != nil || !res.OK || res.Status != "DELETE_COMPLETE" {
		t.Fatalf("destroy: %+v %v\n%s", res, err, progress.String())
	}
}

// variants deploys the KMS and Parquet renderings.
func variants(t *testing.T, c *deploy.Client) {
	ctx := context.Background()
	for stack, sets := range map[string][]string{
		"kms":     {"encryption=kms", "bucket=acme-kms-events"},
		"parquet": {"format=parquet", "stream=parquet-events", "configuration-set=parquet", "database=pq", "workgroup=pq"},
	} {
		p, err := c.Plan(ctx, deploy.Input{Stack: stack, TemplateBody: render(t, sets...)})
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		var progress bytes.Buffer
		if res, err := c.Execute(ctx, p, &progress); err != nil || !res.OK {
			t.Fatalf("%s: %+v %v\n%s", stack, res, err, progress.String())
		}
	}
}

// physicalID is the physical id of the stack's resource that match picks
// (the last one, if several do); the test fails when none does.
func physicalID(ctx context.Context, t *testing.T, c *deploy.Client, stack string, match func(deploy.Resource) bool) string {
	t.Helper()
	rs, err := c.Resources(ctx, stack)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, r := range rs {
		if match(r) {
			id = r.PhysicalID
		}
	}
	if id == "" {
		t.Fatalf("no such resource in stack %s among %+v", stack, rs)
	}
	return id
}
