package schemas

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

func TestEveryEmbeddedSchemaCompiles(t *testing.T) {
	types := Types()
	if len(types) < 20 {
		t.Fatalf("only %d types embedded: %v", len(types), types)
	}
	for _, typ := range types {
		s, ok := Lookup(typ)
		if !ok {
			t.Errorf("Lookup(%s) failed", typ)
			continue
		}
		if _, err := s.ValidateNode(nil); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
	if !strings.Contains(License(), "Apache License") {
		t.Error("license text missing")
	}
}

func TestLookup(t *testing.T) {
	for _, typ := range []string{"AWS::S3::Bucket", "AWS::KinesisFirehose::DeliveryStream", "AWS::SES::ConfigurationSetEventDestination"} {
		if _, ok := Lookup(typ); !ok {
			t.Errorf("Lookup(%s) = false", typ)
		}
	}
	for _, typ := range []string{"AWS::EC2::Instance", "Custom::Thing", "AWS::S3", "AWS::../../x::y", "AWS::S3::Bucket/../Policy", ""} {
		if _, ok := Lookup(typ); ok {
			t.Errorf("Lookup(%s) = true", typ)
		}
	}
}

func TestAttributes(t *testing.T) {
	tests := map[string][]string{
		"AWS::S3::Bucket":                      {"Arn", "DomainName", "RegionalDomainName"},
		"AWS::IAM::Role":                       {"Arn", "RoleId"},
		"AWS::KinesisFirehose::DeliveryStream": {"Arn"},
		"AWS::Athena::NamedQuery":              {"NamedQueryId"},
	}
	for typ, want := range tests {
		s, _ := Lookup(typ)
		got, err := s.Attributes()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s attributes %v lack %s", typ, got, w)
			}
		}
	}
}

const firehoseOK = `
DeliveryStreamType: DirectPut
ExtendedS3DestinationConfiguration:
  BucketARN: !GetAtt Bucket.Arn
  RoleARN: !GetAtt Role.Arn
  Prefix: 'events/!{partitionKeyFromQuery:t}/'
  ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/'
  BufferingHints: {IntervalInSeconds: 300, SizeInMBs: 128}
  CompressionFormat: GZIP
  DynamicPartitioningConfiguration: {Enabled: true, RetryOptions: {DurationInSeconds: 300}}
  ProcessingConfiguration:
    Enabled: true
    Processors:
      - Type: MetadataExtraction
        Parameters:
          - {ParameterName: MetadataExtractionQuery, ParameterValue: '{t: .eventType}'}
          - {ParameterName: JsonParsingEngine, ParameterValue: JQ-1.6}
`

func TestValidateNode(t *testing.T) {
	tests := []struct {
		name, typ, props string
		want             []string // "rule path line"
	}{
		{"firehose with dynamic partitioning", "AWS::KinesisFirehose::DeliveryStream", firehoseOK, nil},
		{"unknown top-level property", "AWS::S3::Bucket", "BucketName: x\nNotARealProperty: 1\n",
			[]string{"schema.additional-property NotARealProperty 2"}},
		{"nested typo", "AWS::KinesisFirehose::DeliveryStream",
			strings.Replace(firehoseOK, "DynamicPartitioningConfiguration", "DynamicPartitioningConfig", 1),
			[]string{"schema.additional-property ExtendedS3DestinationConfiguration/DynamicPartitioningConfig 10"}},
		{"wrong type", "AWS::KinesisFirehose::DeliveryStream",
			strings.Replace(firehoseOK, "IntervalInSeconds: 300", "IntervalInSeconds: sixty", 1),
			[]string{"schema.type ExtendedS3DestinationConfiguration/BufferingHints/IntervalInSeconds 8"}},
		{"numeric string is coerced", "AWS::KinesisFirehose::DeliveryStream",
			strings.Replace(firehoseOK, "SizeInMBs: 128", "SizeInMBs: '128'", 1), nil},
		{"too long", "AWS::KinesisFirehose::DeliveryStream",
			"DeliveryStreamName: " + strings.Repeat("s", 65) + "\n",
			[]string{"schema.length DeliveryStreamName 1"}},
		{"enum", "AWS::KinesisFirehose::DeliveryStream",
			strings.Replace(firehoseOK, "CompressionFormat: GZIP", "CompressionFormat: SNAPPY", 1),
			[]string{"schema.enum ExtendedS3DestinationConfiguration/CompressionFormat 9"}},
		{"missing required", "AWS::SES::ConfigurationSetEventDestination",
			"ConfigurationSetName: x\nEventDestination:\n  Enabled: true\n",
			[]string{"schema.required EventDestination 2"}},
		{"NoValue drops the key", "AWS::S3::Bucket", "BucketName: !Ref AWS::NoValue\n", nil},
		{"If checks its branch", "AWS::S3::Bucket",
			"VersioningConfiguration: !If [C, {Status: Sometimes}, !Ref AWS::NoValue]\n",
			[]string{"schema.enum VersioningConfiguration/Status 1"}},
		{"intrinsic in a pattern-checked string", "AWS::SES::ConfigurationSetEventDestination",
			"ConfigurationSetName: !Ref Set\nEventDestination:\n  Name: !Sub '${AWS::StackName}-x'\n  MatchingEventTypes: [send]\n", nil},
		{"intrinsic in place of a list", "AWS::S3::Bucket",
			"Tags: !Ref TagList\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := cfnyaml.Parse([]byte(tt.props))
			if err != nil {
				t.Fatal(err)
			}
			s, ok := Lookup(tt.typ)
			if !ok {
				t.Fatal("no schema")
			}
			vs, err := s.ValidateNode(n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.Rule+" "+strings.Join(v.Path, "/")+" "+strconv.Itoa(v.Line))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q\n%+v", got, tt.want, vs)
			}
		})
	}
}

func BenchmarkValidateFirehose(b *testing.B) {
	n, _, err := cfnyaml.Parse([]byte(firehoseOK))
	if err != nil {
		b.Fatal(err)
	}
	s, _ := Lookup("AWS::KinesisFirehose::DeliveryStream")
	for b.Loop() {
		if _, err := s.ValidateNode(n); err != nil {
			b.Fatal(err)
		}
	}
}
