package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/templates"
)

func init() { register("template", newTemplateCmd) }

func newTemplateCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Render the pipeline as CloudFormation, or validate any SES pipeline template",
		Long: `template renders the whole SES event pipeline (bucket, Firehose stream with
dynamic partitioning, IAM roles, SES configuration set and event
destination, Glue database and tables, Athena workgroup and named queries)
as one CloudFormation template, and validates templates: the rendered one or
any other SES -> Firehose -> S3 -> Athena template, for example as a CI step.`,
		Example: `  sesctl template render > pipeline.yaml
  sesctl template validate pipeline.yaml`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTemplateRenderCmd(f), newTemplateValidateCmd(f))
	return cmd
}

// setFlags collects --set key=value into template options.
func applySets(o *templates.Options, sets []string) error {
	for _, s := range sets {
		if err := o.Set(s); err != nil {
			return usageErrorf("%v", err)
		}
	}
	return nil
}

func newTemplateRenderCmd(f *Factory) *cobra.Command {
	var sets []string
	var format, out string
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the pipeline's CloudFormation template",
		Long: `render prints the CloudFormation template of the pipeline described by the
default spec and the --set values. The Glue tables and the named queries
come from the same code as sesctl athena ddl and sesctl query, so the table
always lies exactly over what Firehose writes.

SCHEDULED METRICS AND ALARMS (optional, off by default)
  metrics-function=true adds a Lambda function (runtime provided.al2023,
  handler bootstrap) that runs sesctl metrics publish --athena over the
  stack's own database, table, workgroup and bucket on an EventBridge
  schedule, with its own least-privilege role and log group. Its code is the
  zip at metrics-code-bucket/metrics-code-key, whose root holds the sesctl
  binary named bootstrap; the command line is the JSON array in its
  SESCTL_ARGS environment variable. alarm-identities adds, per identity, a
  CloudWatch alarm on BounceRate and on ComplaintRate (dimension
  SenderIdentity, hourly Maximum, missing data not breaching) in
  metrics-namespace, notifying alarm-topic when given.

KEYS FOR --set
` + templates.SettingsHelp() + `
EXIT STATUS
  0  the template was printed
  2  a bad --set key or value`,
		Example: `  sesctl template render > pipeline.yaml
  sesctl template render --set bucket=acme-ses-events --set retention=400 --set encryption=kms
  sesctl template render --set format=parquet --format json -o pipeline.json
  sesctl template render --set metrics-function=true --set metrics-code-bucket=acme-artifacts \
    --set metrics-code-key=sesctl/sesctl-lambda-arm64.zip --set metrics-architecture=arm64 \
    --set alarm-identities=news.example,shop.example --set alarm-topic=arn:aws:sns:eu-west-1:111122223333:ops`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o := templates.DefaultOptions()
			o.Version = Version
			if err := applySets(&o, sets); err != nil {
				return err
			}
			var body []byte
			var err error
			switch format {
			case "yaml":
				body, err = templates.Render(o)
			case "json":
				body, err = templates.RenderJSON(o)
			default:
				return usageErrorf("--format %q: want yaml or json", format)
			}
			if err != nil {
				return usageErrorf("%v", err)
			}
			return writeOut(f, out, body)
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set a template value, key=value (repeatable; keys below)")
	cmd.Flags().StringVar(&format, "format", "yaml", "output format: yaml or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func writeOut(f *Factory, path string, body []byte) error {
	if path == "" || path == "-" {
		_, err := f.IO.Out.Write(body)
		return err
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return &ExitError{Code: ExitInternal, Err: fmt.Errorf("write %s: %w", path, err)}
	}
	return nil
}

type validateOptions struct {
	sets   []string
	format string
	failOn string
}

func newTemplateValidateCmd(f *Factory) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [FILE]...",
		Short: "Check CloudFormation templates of SES event pipelines (a CI step)",
		Long: `validate checks CloudFormation templates (YAML with the short-form
intrinsics, or JSON) offline. With no FILE it checks the template render
would print (with the same --set values); "-" reads standard input.

What it checks:
  schema    every resource's properties against the official CloudFormation
            registry schemas (intrinsic functions understood); Ref, GetAtt
            and Sub targets; conditions; DependsOn
  pipeline  Firehose's prefix rules (the code sesctl replay uses), no "//" in
            an evaluated prefix, the jq query through the jq 1.6 gate and
            against the official SES samples (keys that come out null send
            records to the error output), buffering minimums under dynamic
            partitioning, the event destination enabled and covering the
            event types the table projects, the Glue projection (enum values,
            date format, range against the lifecycle expiry,
            storage.location.template against the prefix), SerDe mappings and
            column types against the SES event model, named queries reading
            defined tables
  metrics   a scheduled sesctl metrics publish function (SESCTL_ARGS)
            querying the template's own database, table, workgroup and
            bucket, its role allowing PutMetricData in its namespace, alarms
            on sesctl's metrics watching that namespace, EventBridge rules
            allowed to invoke the Lambda functions they target
  security  buckets without PublicAccessBlock, TLS-only policy or encryption;
            IAM wildcard actions, resources broader than the bucket, service
            roles trusted without aws:SourceAccount/aws:SourceArn, grants a
            role does not need, Lambda permissions for a service without
            SourceArn

Findings are printed one per line: FILE:LINE: SEVERITY [RULE] RESOURCE.PATH:
MESSAGE. With --format json the output is {"findings": [...], "summary":
{...}} and each finding has file, line, resource, path, rule, severity and
message. Info findings (such as resource types sesctl has no schema for)
never fail the run unless --fail-on info.

EXIT STATUS
  0  no findings at or above --fail-on
  1  findings
  2  a file could not be read or is not a CloudFormation template; bad flags`,
		Example: `  sesctl template validate pipeline.yaml
  sesctl template validate --format json infra/*.yaml > findings.json
  sesctl template render --set retention=30 | sesctl template validate -`,
		RunE: func(cmd *cobra.Command, args []string) error { return runValidate(f, o, args) },
	}
	cmd.Flags().StringArrayVar(&o.sets, "set", nil, "with no FILE: set a value of the rendered template, key=value")
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "warning", "lowest severity that fails the run: error, warning or info")
	return cmd
}

type validateSummary struct {
	Files    int `json:"files"`
	Unusable int `json:"unusable"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
}

func runValidate(f *Factory, o *validateOptions, args []string) error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format %q: want text or json", o.format)
	}
	failOn, err := templates.ParseSeverity(o.failOn)
	if err != nil {
		return usageErrorf("--fail-on: %v", err)
	}
	inputs, err := validateInputs(f, o, args)
	if err != nil {
		return err
	}
	var all []templates.Finding
	sum := validateSummary{Files: len(inputs)}
	for _, in := range inputs {
		if in.err != nil {
			sum.Unusable++
			fmt.Fprintf(f.IO.Err, "sesctl: %v\n", in.err)
			continue
		}
		rep, err := templates.Validate(in.name, in.data)
		if err != nil {
			sum.Unusable++
			fmt.Fprintf(f.IO.Err, "sesctl: %v\n", err)
			continue
		}
		all = append(all, rep.Findings...)
	}
	failing := 0
	for _, fd := range all {
		switch fd.Severity {
		case templates.SeverityError:
			sum.Errors++
		case templates.SeverityWarning:
			sum.Warnings++
		default:
			sum.Info++
		}
		if fd.Severity.AtLeast(failOn) {
			failing++
		}
	}
	if err := printFindings(f, o.format, all, sum); err != nil {
		return err
	}
	switch {
	case sum.Unusable > 0:
		return silentExit(ExitUsage)
	case failing > 0:
		return silentExit(ExitFailure)
	}
	return nil
}

type validateInput struct {
	name string
	data []byte
	err  error
}

func validateInputs(f *Factory, o *validateOptions, args []string) ([]validateInput, error) {
	if len(args) == 0 {
		opts := templates.DefaultOptions()
		opts.Version = Version
		if err := applySets(&opts, o.sets); err != nil {
			return nil, err
		}
		body, err := templates.Render(opts)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return []validateInput{{name: "(rendered)", data: body}}, nil
	}
	if len(o.sets) > 0 {
		return nil, usageErrorf("--set applies to the rendered template; it cannot be combined with FILE arguments")
	}
	var out []validateInput
	for _, a := range args {
		if a == "-" {
			b, err := io.ReadAll(f.IO.In)
			out = append(out, validateInput{name: "(stdin)", data: b, err: wrapRead("standard input", err)})
			continue
		}
		b, err := os.ReadFile(a)
		out = append(out, validateInput{name: a, data: b, err: wrapRead(a, err)})
	}
	return out, nil
}

func wrapRead(name string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: no such file", name)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

func printFindings(f *Factory, format string, all []templates.Finding, sum validateSummary) error {
	if format == "json" {
		if all == nil {
			all = []templates.Finding{}
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Findings []templates.Finding `json:"findings"`
			Summary  validateSummary     `json:"summary"`
		}{all, sum})
	}
	for _, fd := range all {
		fmt.Fprintln(f.IO.Out, fd.String())
	}
	fmt.Fprintf(f.IO.Err, "%d file(s): %d error(s), %d warning(s), %d info", sum.Files, sum.Errors, sum.Warnings, sum.Info)
	if sum.Unusable > 0 {
		fmt.Fprintf(f.IO.Err, ", %d unreadable", sum.Unusable)
	}
	fmt.Fprintln(f.IO.Err)
	return nil
}
