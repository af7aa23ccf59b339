package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/templates"
	"github.com/sesctl/sesctl/templates/deploy"
)

func init() {
	register("provision", newProvisionCmd)
	register("destroy", newDestroyCmd)
}

// pollInterval is how often stack status is polled (tests shorten it).
var pollInterval = 5 * time.Second

// deployClient builds the CloudFormation, SESv2 and S3 clients.
func deployClient(ctx context.Context, f *Factory) (*deploy.Client, error) {
	cfg, err := f.AWS.Load(ctx)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	pathStyle := f.AWS.EndpointURL != ""
	return &deploy.Client{
		CFN:  cloudformation.NewFromConfig(cfg),
		SES:  sesv2.NewFromConfig(cfg),
		S3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
		Poll: pollInterval,
		Now:  f.Now,
	}, nil
}

type provisionOptions struct {
	stack      string
	sets       []string
	identities []string
	dryRun     bool
	yes        bool
}

func newProvisionCmd(f *Factory) *cobra.Command {
	o := &provisionOptions{}
	cmd := &cobra.Command{
		Use:   "provision",
		Short: "Deploy the pipeline stack through a CloudFormation change set",
		Long: `provision renders the pipeline template (as sesctl template render does,
with the same --set keys), validates it and refuses to deploy a template
with errors, then creates a CloudFormation change set (a create for a new
stack, an update for an existing one) and prints the plan: resources to be
added, modified and removed, with replacements flagged.

Unless --yes is given it asks for confirmation on the terminal; without a
terminal on standard input it refuses, so scripts must say --yes. It then
executes the change set and streams stack events with progress until the
stack settles. If a resource fails, CloudFormation's reason for the first
failure is quoted and the rollback reported. On success the stack outputs
are printed. A re-run with nothing to change says so and exits 0.

--identity makes the configuration set the default of an SES identity
(domain or address) once the stack is up, so mail sent from it publishes
events without naming the set (SESv2 PutEmailIdentityConfigurationSetAttributes).
The identity must already exist in SES.

With --set metrics-function=true the function's zip (metrics-code-bucket,
metrics-code-key) must be in S3 before the stack is created or updated:
provision checks that it exists and refuses (exit 2) when it does not,
rather than let CloudFormation fail and roll the stack back.

The plan and the outputs go to standard output; progress and questions to
standard error.

EXIT STATUS
  0  deployed, or nothing to change, or --dry-run
  1  the template has errors, the deployment failed and was rolled back, or
     it was not confirmed
  2  bad flags or --set values
  3  an AWS call failed (credentials, permissions, network)`,
		Example: `  sesctl provision --stack ses-events --set bucket=acme-ses-events --identity example.com
  sesctl provision --stack ses-events --dry-run
  sesctl provision --stack ses-events --set retention=400 --yes
  sesctl provision --stack ses-events --set metrics-function=true --set metrics-code-bucket=acme-artifacts \
    --set metrics-code-key=sesctl/v1.0.0/sesctl-lambda-x86_64.zip --set alarm-identities=example.com --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runProvision(cmd.Context(), f, o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.stack, "stack", "sesctl", "CloudFormation stack name")
	fl.StringArrayVar(&o.sets, "set", nil, "set a template value, key=value (repeatable; see sesctl template render --help)")
	fl.StringArrayVar(&o.identities, "identity", nil, "make the configuration set this SES identity's default (repeatable)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "create the change set, print the plan, then delete it without deploying")
	fl.BoolVarP(&o.yes, "yes", "y", false, "deploy without asking")
	return cmd
}

func runProvision(ctx context.Context, f *Factory, o *provisionOptions) error {
	opts := templates.DefaultOptions()
	opts.Version = Version
	if err := applySets(&opts, o.sets); err != nil {
		return err
	}
	body, err := renderChecked(f, opts)
	if err != nil {
		return err
	}
	c, err := deployClient(ctx, f)
	if err != nil {
		return err
	}
	if api, ok := c.S3.(headObjectAPI); ok && opts.Metrics.Function {
		if err := checkCodeZip(ctx, f, api, opts.Metrics.CodeBucket, opts.Metrics.CodeKey); err != nil {
			return err
		}
	}
	fmt.Fprintf(f.IO.Err, "Creating a change set for stack %s...\n", o.stack)
	plan, err := c.Plan(ctx, deploy.Input{Stack: o.stack, TemplateBody: string(body),
		Tags: map[string]string{"sesctl:stream": opts.Spec.StreamName}})
	if err != nil {
		return awsError(err)
	}
	plan.Write(f.IO.Out)
	if plan.NoChanges {
		return setIdentities(ctx, f, c, o.identities, opts.ConfigurationSet)
	}
	if o.dryRun {
		fmt.Fprintln(f.IO.Err, "Dry run: deleting the change set; nothing was deployed.")
		return awsError(c.Discard(ctx, plan))
	}
	if err := confirm(f, o.yes, fmt.Sprintf("Deploy these changes to stack %s?", o.stack)); err != nil {
		if derr := c.Discard(ctx, plan); derr != nil {
			fmt.Fprintf(f.IO.Err, "sesctl: %v\n", derr)
		}
		return err
	}
	res, err := c.Execute(ctx, plan, f.IO.Err)
	if err != nil {
		return awsError(err)
	}
	if !res.OK {
		res.WriteFailure(f.IO.Err, o.stack)
		return silentExit(ExitFailure)
	}
	fmt.Fprintf(f.IO.Err, "Stack %s is %s.\n", o.stack, res.Status)
	writeOutputs(f, res.Outputs)
	return setIdentities(ctx, f, c, o.identities, opts.ConfigurationSet)
}

// renderChecked renders and validates the template; errors stop the
// deployment, warnings are shown.
func renderChecked(f *Factory, opts templates.Options) ([]byte, error) {
	body, err := templates.Render(opts)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	rep, err := templates.Validate("(rendered)", body)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	for _, fd := range rep.Findings {
		if fd.Severity.AtLeast(templates.SeverityWarning) {
			fmt.Fprintln(f.IO.Err, fd.String())
		}
	}
	if n := rep.Count(templates.SeverityError); n > 0 {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("refusing to deploy: the template has %d error(s) (see above)", n)}
	}
	return body, nil
}

type headObjectAPI interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// checkCodeZip makes sure the metrics function's zip is where the template
// says before deploying: CloudFormation would otherwise fail the create
// and roll the whole stack back. An answer other than "not found" (no
// permission to read the artifacts bucket, for one) is only a warning.
func checkCodeZip(ctx context.Context, f *Factory, api headObjectAPI, bucket, key string) error {
	_, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf *s3types.NotFound
	var nb *s3types.NoSuchBucket
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf), errors.As(err, &nb):
		return usageErrorf("metrics-code-key: s3://%s/%s does not exist; upload the zip scripts/lambda/package.sh builds first (aws s3 cp sesctl-lambda.zip s3://%s/%s)",
			bucket, key, bucket, key)
	}
	fmt.Fprintf(f.IO.Err, "sesctl: warning: could not check s3://%s/%s (%v); deploying anyway\n", bucket, key, err)
	return nil
}

func writeOutputs(f *Factory, outs []deploy.Output) {
	if len(outs) == 0 {
		return
	}
	w := 0
	for _, o := range outs {
		w = max(w, len(o.Key))
	}
	fmt.Fprintln(f.IO.Out, "Outputs:")
	for _, o := range outs {
		fmt.Fprintf(f.IO.Out, "  %-*s  %s\n", w, o.Key, o.Value)
	}
}

func setIdentities(ctx context.Context, f *Factory, c *deploy.Client, ids []string, configSet string) error {
	for _, id := range ids {
		if err := c.SetDefaultConfigurationSet(ctx, id, configSet); err != nil {
			return awsError(err)
		}
		fmt.Fprintf(f.IO.Err, "%s now publishes events through configuration set %s by default.\n", id, configSet)
	}
	return nil
}

// confirm asks on the terminal; without one it refuses unless yes.
func confirm(f *Factory, yes bool, question string) error {
	if yes {
		return nil
	}
	if !f.IO.InIsTerminal {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("not confirmed: standard input is not a terminal; pass --yes to go ahead without asking")}
	}
	fmt.Fprintf(f.IO.Err, "%s [y/N] ", question)
	line, _ := bufio.NewReader(f.IO.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return &ExitError{Code: ExitFailure, Err: fmt.Errorf("not confirmed; nothing was changed")}
}

// awsError marks a failed AWS call (exit 3), keeping other exit errors.
func awsError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*ExitError); ok {
		return err
	}
	return &ExitError{Code: ExitInternal, Err: err}
}

type destroyOptions struct {
	stack       string
	emptyBucket bool
	yes         bool
}

func newDestroyCmd(f *Factory) *cobra.Command {
	o := &destroyOptions{}
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Delete the pipeline stack (and, with --empty-bucket, its events)",
		Long: `destroy deletes a stack created by sesctl provision and streams its events
until it is gone. CloudFormation cannot delete a bucket that still holds
objects, so a stack whose bucket has events is refused unless
--empty-bucket is given: then every object (and object version) in the
stack's buckets is deleted first. That deletes the event lake; there is no
undo.

Unless --yes is given it asks for confirmation on the terminal; without a
terminal on standard input it refuses.

EXIT STATUS
  0  the stack is deleted (or did not exist)
  1  not confirmed, the bucket is not empty, or the delete failed
  2  bad flags
  3  an AWS call failed`,
		Example: `  sesctl destroy --stack ses-events
  sesctl destroy --stack ses-events --empty-bucket --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDestroy(cmd.Context(), f, o) },
	}
	cmd.Flags().StringVar(&o.stack, "stack", "", "CloudFormation stack name (required)")
	cmd.Flags().BoolVar(&o.emptyBucket, "empty-bucket", false, "delete every object in the stack's buckets first")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "delete without asking")
	return cmd
}

func runDestroy(ctx context.Context, f *Factory, o *destroyOptions) error {
	if o.stack == "" {
		return usageErrorf("--stack is required")
	}
	c, err := deployClient(ctx, f)
	if err != nil {
		return err
	}
	st, err := c.DescribeStack(ctx, o.stack)
	if err != nil {
		return awsError(err)
	}
	if st == nil {
		fmt.Fprintf(f.IO.Err, "Stack %s does not exist; nothing to destroy.\n", o.stack)
		return nil
	}
	buckets, err := stackBuckets(ctx, c, o.stack)
	if err != nil {
		return awsError(err)
	}
	if err := checkBuckets(ctx, f, c, buckets, o.emptyBucket); err != nil {
		return err
	}
	q := fmt.Sprintf("Delete stack %s", o.stack)
	if o.emptyBucket && len(buckets) > 0 {
		q += " and every object in " + strings.Join(buckets, ", ")
	}
	if err := confirm(f, o.yes, q+"?"); err != nil {
		return err
	}
	if o.emptyBucket {
		for _, b := range buckets {
			n, err := c.EmptyBucket(ctx, b)
			if err != nil {
				return awsError(err)
			}
			fmt.Fprintf(f.IO.Err, "Deleted %d object(s) from %s.\n", n, b)
		}
	}
	res, err := c.Destroy(ctx, aws.ToString(st.StackId), f.IO.Err)
	if err != nil {
		return awsError(err)
	}
	if !res.OK {
		res.WriteFailure(f.IO.Err, o.stack)
		return silentExit(ExitFailure)
	}
	fmt.Fprintf(f.IO.Err, "Stack %s is deleted.\n", o.stack)
	return nil
}

func stackBuckets(ctx context.Context, c *deploy.Client, stack string) ([]string, error) {
	rs, err := c.Resources(ctx, stack)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if r.Type == "AWS::S3::Bucket" && r.PhysicalID != "" && !strings.HasPrefix(r.Status, "DELETE_") {
			out = append(out, r.PhysicalID)
		}
	}
	return out, nil
}

// checkBuckets refuses to start a delete that would fail on a bucket with
// objects in it.
func checkBuckets(ctx context.Context, f *Factory, c *deploy.Client, buckets []string, empty bool) error {
	if empty {
		return nil
	}
	for _, b := range buckets {
		out, err := c.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(1)})
		if err != nil {
			fmt.Fprintf(f.IO.Err, "sesctl: cannot tell whether %s is empty: %v\n", b, err)
			continue
		}
		if len(out.Versions)+len(out.DeleteMarkers) > 0 {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("bucket %s still holds objects and CloudFormation cannot delete a bucket that is not empty; pass --empty-bucket to delete them (and the event lake) first", b)}
		}
	}
	return nil
}
