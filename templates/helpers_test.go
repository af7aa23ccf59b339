package templates

import (
	"slices"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

func TestParseHiveType(t *testing.T) {
	tests := []struct {
		in, want string // want: a compact rendering, or "error"
	}{
		{"string", "string"},
		{"BIGINT", "bigint"},
		{"decimal(10, 2)", "decimal"},
		{"array<string>", "array<string>"},
		{"map<string,array<string>>", "map<string,array<string>>"},
		{"struct<a:string, `from`:array<struct<x:int>>>", "struct<a:string,from:array<struct<x:int>>>"},
		{"struct<`a b`:string>", "struct<`a b`:string>"},
		{"struct<>", "struct<>"},
		{" struct < a : string > ", "struct<a:string>"},
		{"array<string", "error"},
		{"map<string>", "error"},
		{"struct<a string>", "error"},
		{"struct<`a:string>", "error"},
		{"string extra", "error"},
		{"", "error"},
		{"varchar(10", "error"},
	}
	for _, tt := range tests {
		h, err := parseHiveType(tt.in)
		got := "error"
		if err == nil {
			got = hiveString(h)
		}
		if got != tt.want {
			t.Errorf("parseHiveType(%q) = %s (%v), want %s", tt.in, got, err, tt.want)
		}
	}
}

func hiveString(h *hiveType) string {
	switch h.Kind {
	case "array":
		return "array<" + hiveString(h.Elem) + ">"
	case "map":
		return "map<" + hiveString(h.Key) + "," + hiveString(h.Elem) + ">"
	case "struct":
		var parts []string
		for _, f := range h.Fields {
			name := f.Name
			if name == "" || strings.IndexFunc(name, func(r rune) bool { return r > 127 || !isIdentByte(byte(r)) }) >= 0 {
				name = "`" + name + "`"
			}
			parts = append(parts, name+":"+hiveString(f.Type))
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return h.Kind
}

func FuzzParseHiveType(f *testing.F) {
	for _, s := range []string{"string", "struct<a:array<map<string,int>>>", "decimal(1,2)", "struct<`x`:string>", "array<<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHiveType(s)
		if err != nil {
			return
		}
		again, err := parseHiveType(hiveString(h))
		if err != nil {
			t.Fatalf("re-parse of %q (%s): %v", s, hiveString(h), err)
		}
		if hiveString(again) != hiveString(h) {
			t.Fatalf("round trip %q -> %q", hiveString(h), hiveString(again))
		}
	})
}

func TestEval(t *testing.T) {
	src := `
Parameters:
  Env: {Type: String, Default: prod}
  Free: {Type: String}
Mappings:
  M: {prod: {Bucket: prod-bucket}}
Resources:
  Named:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "events-${Env}"}
  Anon:
    Type: AWS::S3::Bucket
  V:
    Type: AWS::SNS::Topic
    Properties:
      A: !Sub "s3://${Named}/x/${!day}/"
      B: !Join ["", ["s3://", !Ref Anon, "/", !Ref AWS::Region]]
      C: !GetAtt Named.Arn
      D: !GetAtt Anon.Arn
      E: !Sub ["${X}-${Free}", {X: !FindInMap [M, !Ref Env, Bucket]}]
      F: !Select [1, [a, b, c]]
      G: !If [Cond, a, b]
      H: !Sub "arn:${AWS::Partition}:s3:::${Anon}/*"
      I: !ImportValue Other
`
	n, _, err := cfnyaml.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tpl, _, err := parseTemplate("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	props := n.Path("Resources", "V", "Properties")
	want := map[string]string{
		"A": "s3://events-prod/x/${day}/",
		"B": "s3://{ref:Anon}/{AWS.Region}",
		"C": "arn:{AWS.Partition}:s3:::events-prod",
		"D": "arn:{AWS.Partition}:s3:::{ref:Anon}",
		"E": "prod-bucket-{param:Free}",
		"F": "b",
		"H": "arn:{AWS.Partition}:s3:::{ref:Anon}/*",
	}
	for k, w := range want {
		got, ok := tpl.eval(props.Get(k))
		if !ok || got != w {
			t.Errorf("%s = %q, %v; want %q", k, got, ok, w)
		}
	}
	for _, k := range []string{"G", "I"} {
		if got, ok := tpl.eval(props.Get(k)); ok {
			t.Errorf("%s resolved to %q; it is only known at deploy time", k, got)
		}
	}
	if b, ok := bucketOfARN("arn:{AWS.Partition}:s3:::events-prod"); !ok || b != "events-prod" {
		t.Errorf("bucketOfARN = %q %v", b, ok)
	}
	if _, ok := bucketOfARN("arn:aws:s3:::b/key"); ok {
		t.Error("an object ARN is not a bucket ARN")
	}
}

func TestLayoutAlignment(t *testing.T) {
	pfx, ok := prefixSegments("events/!{partitionKeyFromQuery:sender_identity}/!{timestamp:yyyy/MM/dd}/")
	if !ok {
		t.Fatal("prefix does not parse")
	}
	tests := []struct {
		tmpl string
		ok   bool
	}{
		{"events/${sender_identity}/${day}/", true},
		{"events/${a}/${b}/", true},
		{"events/${sender_identity}/${day}", false},
		{"events/${sender_identity}/", false},
		{"event/${sender_identity}/${day}/", false},
		{"events/${sender_identity}${day}/", false},
	}
	for _, tt := range tests {
		pairs, ok := align(pfx, templateSegments(tt.tmpl))
		if ok != tt.ok {
			t.Errorf("align(%q) = %v, want %v", tt.tmpl, ok, tt.ok)
		}
		if ok && (len(pairs) != 2 || pairs[1][0].ns != "timestamp" || pairs[1][0].value != "yyyy/MM/dd") {
			t.Errorf("align(%q) pairs = %+v", tt.tmpl, pairs)
		}
	}
	cols := []column{{name: "identity"}, {name: "day"}}
	if got := expectedTemplate("b", pfx, cols); got != "s3://b/events/${identity}/${day}/" {
		t.Errorf("expectedTemplate = %q", got)
	}
}

func TestRangeDays(t *testing.T) {
	tests := map[string]int{"NOW-40DAYS": 40, " NOW - 2 WEEKS ": 14, "NOW-1YEAR": 365, "NOW-36HOURS": 2, "now-1day": 1}
	for in, want := range tests {
		if got, ok := rangeDays(in); !ok || got != want {
			t.Errorf("rangeDays(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"2024/01/01", "NOW", "NOW+1DAYS", ""} {
		if _, ok := rangeDays(in); ok {
			t.Errorf("rangeDays(%q) resolved", in)
		}
	}
}

func TestUnknownTables(t *testing.T) {
	tables := map[string]bool{"ses_events": true}
	tests := []struct {
		sql  string
		want []string
	}{
		{`SELECT * FROM ses_events WHERE x = 1`, nil},
		{`SELECT * FROM "sesctl"."ses_events" e CROSS JOIN UNNEST(e.a) AS t(r)`, nil},
		{`WITH b AS (SELECT 1 FROM ses_events), c AS (SELECT 2 FROM b) SELECT * FROM c JOIN b ON true`, nil},
		{`SELECT * FROM (SELECT 1) x JOIN sesevents y ON true`, []string{"sesevents"}},
		{"select * from `db`.`other` join other on 1=1", []string{"other"}},
	}
	for _, tt := range tests {
		if got := unknownTables(tt.sql, tables); !slices.Equal(got, tt.want) {
			t.Errorf("unknownTables(%q) = %v, want %v", tt.sql, got, tt.want)
		}
	}
}

func FuzzValidate(f *testing.F) {
	b, err := Render(DefaultOptions())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: !If [c, {}, {}]\n"))
	f.Add([]byte("Resources:\n  A:\n    Type: AWS::Glue::Table\n    Properties:\n      TableInput:\n        Parameters: {projection.enabled: 'true', storage.location.template: 's3://b/${x'}\n"))
	f.Add([]byte(`{"Resources": {"S": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {"ExtendedS3DestinationConfiguration": {"Prefix": "!{", "BucketARN": "arn:aws:s3:::b"}}}}}`))
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt R.Arn\n      Environment: {Variables: {SESCTL_ARGS: '[\"metrics\",\"publish\",\"--namespace\"]'}}\n" +
		"  R:\n    Type: AWS::IAM::Role\n  E:\n    Type: AWS::Events::Rule\n    Properties: {Targets: [{Id: x, Arn: !GetAtt F.Arn}]}\n" +
		"  A:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {Namespace: SESCTL, MetricName: X, EvaluationPeriods: 1, ComparisonOperator: LessThanThreshold}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Validate("f.yaml", data)
		if err != nil {
			return
		}
		for _, fd := range r.Findings {
			if fd.Rule == "" || fd.Severity == "" || fd.Message == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}
