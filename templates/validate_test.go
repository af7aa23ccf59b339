package templates

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	renderedOnce sync.Once
	rendered     string
	renderedPq   string
)

// base returns the default rendered template (and the Parquet variant).
func base(t *testing.T) (json, parquet string) {
	t.Helper()
	renderedOnce.Do(func() {
		b, err := Render(DefaultOptions())
		if err != nil {
			panic(err)
		}
		rendered = string(b)
		o := DefaultOptions()
		if err := o.Set("format=parquet"); err != nil {
			panic(err)
		}
		b, err = Render(o)
		if err != nil {
			panic(err)
		}
		renderedPq = string(b)
	})
	return rendered, renderedPq
}

func validate(t *testing.T, name, src string) *Report {
	t.Helper()
	r, err := Validate(name, []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func rules(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule)
	}
	return out
}

func TestRenderedTemplatesAreClean(t *testing.T) {
	variants := map[string][]string{
		"default":        nil,
		"kms key":        {"encryption=kms"},
		"existing key":   {"kms-key=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		"named bucket":   {"bucket=acme-ses-events", "retention=400", "error-retention=14"},
		"parquet":        {"format=parquet"},
		"uncompressed":   {"compression=UNCOMPRESSED", "buffer-size=64", "buffer-interval=60"},
		"time zone":      {"time-zone=Asia/Tokyo"},
		"other names":    {"stream=acme.events", "configuration-set=acme", "database=acme", "table=events", "workgroup=acme"},
		"hourly prefix":  {"prefix=lake/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH}/"},
		"no event types": {"prefix=lake/!{partitionKeyFromQuery:sender_identity}/!{timestamp:yyyy/MM/dd}/", "query={sender_identity: (.mail.source | split(\"@\") | .[-1] | rtrimstr(\">\") | ascii_downcase)}"},
	}
	for name, sets := range variants {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			for _, s := range sets {
				if err := o.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			body, err := Render(o)
			if err != nil {
				t.Fatal(err)
			}
			r := validate(t, name, string(body))
			for _, f := range r.Findings {
				t.Errorf("finding in the rendered template: %s", f)
			}
		})
	}
}

// TestReferenceDefects: every defect of the reference blog setup is its own
// finding, with the rule and resource expected.
func TestReferenceDefects(t *testing.T) {
	b, err := os.ReadFile("testdata/reference-defects.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := validate(t, "reference-defects.yaml", string(b))
	defects := []struct {
		id, rule, resource, inMessage string
	}{
		{"D1 double slash", "lint.double-slash", "DeliveryStream", `"//"`},
		{"D2 null partition key", "jq.null-key", "DeliveryStream", `key "SenderIdentity" is null or empty for 10 of 10`},
		{"D3 backticked enum value", "glue.projection-enum", "SesMasterTable", "\"`Rendering Failure`\""},
		{"D4 mapping typo", "glue.serde-mapping", "SesMasterTable", `"ses:opeation"`},
		{"D5 tags as string", "glue.column-type", "SesMasterTable", "mail.tags"},
		{"D6 typo'd table", "athena.unknown-table", "BounceQuery", "sesmaster_partitione"},
	}
	for _, d := range defects {
		var hits []Finding
		for _, f := range r.Findings {
			if f.Rule == d.rule && f.Resource == d.resource {
				hits = append(hits, f)
			}
		}
		if len(hits) != 1 {
			t.Errorf("%s: %d findings with rule %s on %s, want exactly 1: %v", d.id, len(hits), d.rule, d.resource, hits)
			continue
		}
		if !strings.Contains(hits[0].Message, d.inMessage) {
			t.Errorf("%s: message %q lacks %q", d.id, hits[0].Message, d.inMessage)
		}
		if hits[0].Line == 0 || hits[0].File != "reference-defects.yaml" {
			t.Errorf("%s: no location: %+v", d.id, hits[0])
		}
	}
}

func mutate(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("mutation target %q not in template", old)
	}
	return strings.Replace(src, old, new, 1)
}

// TestRules runs every rule on a passing template (the rendered one,
// which is clean) and a failing one (a mutation of it).
func TestRules(t *testing.T) {
	js, pq := base(t)
	tests := []struct {
		rule, base, old, new string
	}{
		{"ref.unknown-target", js, "Bucket: !Ref EventsBucket", "Bucket: !Ref EventBucket"},
		{"getatt.unknown-resource", js, "BucketARN: !GetAtt EventsBucket.Arn", "BucketARN: !GetAtt Bucket.Arn"},
		{"getatt.unknown-attribute", js, "RoleARN: !GetAtt DeliveryRole.Arn", "RoleARN: !GetAtt DeliveryRole.ARN"},
		{"sub.unknown-variable", js, `- !Sub "${EventsBucket.Arn}/*"`, `- !Sub "${EventsBuckets.Arn}/*"`},
		{"ref.unknown-dependency", js, "  EventDestination:\n    Type: AWS::SES::ConfigurationSetEventDestination\n",
			"  EventDestination:\n    Type: AWS::SES::ConfigurationSetEventDestination\n    DependsOn: PublishingRole\n"},
		{"template.resource-attribute", js, "  Database:\n    Type: AWS::Glue::Database\n    Properties:", "  Database:\n    Type: AWS::Glue::Database\n    Propertes:"},
		{"template.duplicate-key", js, "        CompressionFormat: GZIP\n", "        CompressionFormat: GZIP\n        CompressionFormat: GZIP\n"},
		{"template.unknown-function", js, `Bucket: !Ref EventsBucket`, `Bucket: {"Fn::Reff": EventsBucket}`},
		{"schema.additional-property", js, "CompressionFormat: GZIP", "CompresionFormat: GZIP"},
		{"schema.required", js, "      ConfigurationSetName: !Ref ConfigurationSet\n", ""},
		{"schema.enum", js, "CompressionFormat: GZIP", "CompressionFormat: SNAPPY"},
		{"schema.type", js, "RetentionInDays: 30", "RetentionInDays: thirty"},
		{"schema.unknown-type", js, "\nOutputs:", "  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n\nOutputs:"},
		{"schema.read-only-property", js, "    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n", "    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n      Arn: x\n"},
		{"s3.public-access-block", js, "RestrictPublicBuckets: true", "RestrictPublicBuckets: false"},
		{"s3.tls-only", js, `aws:SecureTransport: "false"`, `aws:SecureTransport: "true"`},
		{"s3.encryption", js, "      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault:\n              SSEAlgorithm: AES256\n", ""},
		{"iam.wildcard-action", js, "- firehose:PutRecordBatch", `- "firehose:*"`},
		{"iam.wildcard-resource", js, `Resource: !Sub "arn:${AWS::Partition}:firehose:${AWS::Region}:${AWS::AccountId}:deliverystream/${DeliveryStream}"`, `Resource: "*"`},
		{"iam.broad-resource", js, `- !Sub "${EventsBucket.Arn}/*"` + "\n              - Sid: WriteDeliveryLogs", `- !Sub "${EventsBucket.Arn}*"` + "\n              - Sid: WriteDeliveryLogs"},
		{"iam.trust-condition", js, "aws:SourceAccount: !Ref AWS::AccountId\n                aws:SourceArn: !Sub \"arn:${AWS::Partition}:ses",
			"aws:PrincipalAccount: !Ref AWS::AccountId\n                aws:PrincipalArn: !Sub \"arn:${AWS::Partition}:ses"},
		{"iam.unneeded-grant", js, "                  - firehose:PutRecordBatch\n", "                  - firehose:PutRecordBatch\n                  - s3:GetObject\n"},
		{"prefix.undefined-query-key", js, `Prefix: "events/!{partitionKeyFromQuery:sender_identity}`, `Prefix: "events/!{partitionKeyFromQuery:sender}`},
		{"error-prefix.missing-error-type", js, `ErrorOutputPrefix: "errors/!{firehose:error-output-type}/`, `ErrorOutputPrefix: "errors/`},
		{"lint.double-slash", js, `!{timestamp:yyyy/MM/dd}/"`, `!{timestamp:yyyy/MM/dd/}/"`},
		{"jq.dialect", js, `ParameterValue: "{sender_identity: (`, `ParameterValue: "{sender_identity: ((`},
		// gojq accepts this; jq 1.6 (and so Firehose) rejects an unparenthesised if as an object value
		{"jq.dialect", js, `event_type: .eventType}"`, `event_type: if .eventType then .eventType else \"x\" end}"`},
		// pick/1 is jq 1.7
		{"jq.dialect", js, `event_type: .eventType}"`, `event_type: (pick(.eventType) | .eventType)}"`},
		{"jq.null-key", js, `event_type: .eventType}`, `event_type: .eventtype}`},
		{"firehose.buffering-min", js, "SizeInMBs: 128", "SizeInMBs: 32"},
		{"firehose.buffering-range", js, "IntervalInSeconds: 300", "IntervalInSeconds: 1000"},
		{"firehose.jq-engine", js, "ParameterValue: JQ-1.6", "ParameterValue: JQ-1.5"},
		{"firehose.processing-disabled", js, "        ProcessingConfiguration:\n          Enabled: true", "        ProcessingConfiguration:\n          Enabled: false"},
		{"firehose.conversion-compression", pq, "CompressionFormat: UNCOMPRESSED", "CompressionFormat: GZIP"},
		{"firehose.logging", js, "        CloudWatchLoggingOptions:\n          Enabled: true", "        CloudWatchLoggingOptions:\n          Enabled: false"},
		{"firehose.encryption", js, "      DeliveryStreamEncryptionConfigurationInput:\n        KeyType: AWS_OWNED_CMK\n", ""},
		{"glue.projection-incomplete", js, "          \"projection.day.range\": \"NOW-90DAYS,NOW\"\n", ""},
		{"glue.location-template", js, `"/events/${sender_identity}/${event_type}/${day}/"`, `"/event/${sender_identity}/${event_type}/${day}/"`},
		{"glue.location-template", js, `"/events/${sender_identity}/${event_type}/${day}/"`, `"/events/${event_type}/${sender_identity}/${day}/"`},
		{"glue.date-format", js, `"projection.day.format": "yyyy/MM/dd"`, `"projection.day.format": "yyyy-MM-dd"`},
		{"glue.projection-enum", js, `Rendering Failure,DeliveryDelay`, "`Rendering Failure`,DeliveryDelay"},
		{"glue.projection-type", js, `"projection.day.type": "date"`, `"projection.day.type": "integer"`},
		{"glue.projection-range", js, `NOW-90DAYS,NOW`, `NOW-120DAYS,NOW`},
		{"glue.serde-mapping", js, `SerializationLibrary: "org.openx.data.jsonserde.JsonSerDe"`,
			"SerializationLibrary: \"org.openx.data.jsonserde.JsonSerDe\"\n            Parameters:\n              \"mapping.ses_operation\": \"ses:opeation\""},
		{"glue.column-type", js, "destination:array<string>", "destination:string"},
		{"ses.destination-disabled", js, "        Name: firehose\n        Enabled: true", "        Name: firehose\n        Enabled: false"},
		{"ses.event-type", js, "- renderingFailure", "- renderingfailure"},
		{"ses.event-types-missing", js, "          - deliveryDelay\n", ""},
		{"ses.reputation-metrics", js, "ReputationMetricsEnabled: true", "ReputationMetricsEnabled: false"},
		{"athena.unknown-table", js, `\"sesctl\".\"ses_events\" e`, `\"sesctl\".\"ses_event\" e`},
		{"athena.results-encryption", js, "          EncryptionConfiguration:\n            EncryptionOption: SSE_S3\n", ""},
		{"athena.results-in-table", js, `"/athena-results/"]]`, `"/events/athena-results/"]]`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := rules(validate(t, "good.yaml", tt.base)); slices.Contains(got, tt.rule) {
				t.Fatalf("passing template reports %s", tt.rule)
			}
			bad := mutate(t, tt.base, tt.old, tt.new)
			r := validate(t, "bad.yaml", bad)
			if !slices.Contains(rules(r), tt.rule) {
				t.Errorf("failing template does not report %s; got %v", tt.rule, r.Findings)
			}
		})
	}
}

func TestSmallTemplateRules(t *testing.T) {
	const head = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
	tests := []struct {
		rule, good, bad string
	}{
		{"condition.unknown", "Conditions:\n  Prod: !Equals [a, a]\n" + head + "    Condition: Prod\n", head + "    Condition: Prod\n"},
		{"template.yaml-alias", head + "    Properties:\n      TopicName: x\n", head + "    Properties: &p\n      TopicName: x\n  Other:\n    Type: AWS::SNS::Topic\n    Properties: *p\n"},
		{"template.resource", head, head + "  Broken: 3\n"},
		{"ref.unknown-target", head + "Outputs:\n  T:\n    Value: !Ref Topic\n", head + "Outputs:\n  T:\n    Value: !Ref Topics\n"},
		{"getatt.unknown-attribute", head + "Outputs:\n  T:\n    Value: !GetAtt Topic.TopicArn\n", head + "Outputs:\n  T:\n    Value: !GetAtt Topic.Arn\n"},
		{"getatt.unknown-attribute", head + "Outputs:\n  T:\n    Value: !GetAtt Topic.TopicName\n", head + "Outputs:\n  T:\n    Value: !GetAtt Topic.Name\n"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := rules(validate(t, "good.yaml", tt.good)); slices.Contains(got, tt.rule) {
				t.Fatalf("passing template reports %s: %v", tt.rule, got)
			}
			if got := rules(validate(t, "bad.yaml", tt.bad)); !slices.Contains(got, tt.rule) {
				t.Errorf("failing template does not report %s; got %v", tt.rule, got)
			}
		})
	}
}

func TestUnusableInput(t *testing.T) {
	for name, src := range map[string]string{
		"empty":        "",
		"not yaml":     "a: [",
		"a list":       "- 1\n",
		"no resources": "AWSTemplateFormatVersion: 2010-09-09\n",
		"empty map":    "Resources: {}\n",
	} {
		if _, err := Validate(name, []byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestBrokenQueryHidesKeyRules(t *testing.T) {
	js, _ := base(t)
	got := rules(validate(t, "q.yaml", mutate(t, js, `event_type: .eventType}"`, `event_type: if .eventType then .eventType else \"x\" end}"`)))
	if !slices.Contains(got, "jq.dialect") || slices.Contains(got, "prefix.undefined-query-key") {
		t.Errorf("rules = %v; want jq.dialect and no key rules", got)
	}
}

func TestFindingFields(t *testing.T) {
	js, _ := base(t)
	r := validate(t, "p.yaml", mutate(t, js, "SizeInMBs: 128", "SizeInMBs: 32"))
	var f Finding
	for _, x := range r.Findings {
		if x.Rule == "firehose.buffering-min" {
			f = x
		}
	}
	want := Finding{File: "p.yaml", Resource: "DeliveryStream", Path: "Properties.ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs",
		Rule: "firehose.buffering-min", Severity: SeverityError,
		Message: "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled (it is 32)"}
	line := 0
	for i, l := range strings.Split(js, "\n") {
		if strings.Contains(l, "SizeInMBs: 128") {
			line = i + 1
		}
	}
	want.Line = line
	if f != want {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
}

func BenchmarkValidateRendered(b *testing.B) {
	body, err := Render(DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Validate("p.yaml", body); err != nil {
			b.Fatal(err)
		}
	}
}
