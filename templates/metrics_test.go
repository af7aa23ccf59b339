package templates

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// metricsSets switch every metrics option on (the golden metrics.yaml).
var metricsSets = []string{
	"metrics-function=true", "metrics-code-bucket=acme-artifacts", "metrics-code-key=sesctl/v1.0.0/sesctl-lambda-arm64.zip",
	"metrics-architecture=arm64", "metrics-schedule=rate(30 minutes)", "metrics-since=48h", "metrics-namespace=Mail/SES",
	"alarm-identities=news.example, shop.example", "alarm-bounce-rate=4", "alarm-complaint-rate=0.08",
	"alarm-topic=arn:aws:sns:eu-west-1:111122223333:ses-alarms",
}

func renderSets(t *testing.T, sets ...string) string {
	t.Helper()
	o := DefaultOptions()
	for _, s := range sets {
		if err := o.Set(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	b, err := Render(o)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMetricsSettings(t *testing.T) {
	tests := []struct {
		set, err string
		check    func(m MetricsOptions) bool
	}{
		{"metrics-function=true", "", func(m MetricsOptions) bool { return m.Function }},
		{"metrics-function=FALSE", "", func(m MetricsOptions) bool { return !m.Function }},
		{"metrics-function=yes", `metrics-function="yes": want true or false`, nil},
		{"metrics-code-bucket=acme-artifacts", "", func(m MetricsOptions) bool { return m.CodeBucket == "acme-artifacts" }},
		{"metrics-code-bucket=Acme_Artifacts", `metrics-code-bucket="Acme_Artifacts": must match`, nil},
		{"metrics-code-key=a/b.zip", "", func(m MetricsOptions) bool { return m.CodeKey == "a/b.zip" }},
		{"metrics-code-key=", `metrics-code-key="": want an S3 key`, nil},
		{"metrics-code-key=" + strings.Repeat("k", 1025), "want an S3 key of 1 to 1024", nil},
		{"metrics-code-key=a\tb", "printable", nil},
		{"metrics-architecture=ARM64", "", func(m MetricsOptions) bool { return m.Architecture == "arm64" }},
		{"metrics-architecture=aarch64", `metrics-architecture="aarch64": want one of x86_64, arm64`, nil},
		{"metrics-schedule=rate(5 minutes)", "", func(m MetricsOptions) bool { return m.Schedule == "rate(5 minutes)" }},
		{"metrics-schedule=cron(5 * * * ? *)", "", func(m MetricsOptions) bool { return m.Schedule == "cron(5 * * * ? *)" }},
		{"metrics-schedule=rate(1 hours)", "singular unit for 1: rate(1 hour)", nil},
		{"metrics-schedule=rate(2 hour)", "plural unit above 1: rate(2 hours)", nil},
		{"metrics-schedule=rate(0 minutes)", "positive whole number", nil},
		{"metrics-schedule=rate(1 week)", "want rate(N minutes|hours|days)", nil},
		{"metrics-schedule=cron(5 * * * *)", "cron takes 6 fields", nil},
		{"metrics-schedule=cron(5 * * * * *)", "? in exactly one of day-of-month and day-of-week", nil},
		{"metrics-schedule=@hourly", "want rate(", nil},
		{"metrics-since=7d", "", func(m MetricsOptions) bool { return m.Since == "7d" }},
		{"metrics-since=since:1d", "", func(m MetricsOptions) bool { return m.Since == "since:1d" }},
		{"metrics-since=yesterday", `metrics-since="yesterday": window "yesterday"`, nil},
		{"metrics-since=0h", "must be positive", nil},
		{"metrics-namespace=Mail/SES", "", func(m MetricsOptions) bool { return m.Namespace == "Mail/SES" }},
		{"metrics-namespace=AWS/SES", "not starting with AWS/", nil},
		{"metrics-namespace=", "want 1 to 255", nil},
		{"metrics-namespace=a${b}", "want 1 to 255", nil},
		{"metrics-namespace=" + strings.Repeat("n", 256), "want 1 to 255", nil},
		{"alarm-identities=a.example, b.example", "", func(m MetricsOptions) bool {
			return reflect.DeepEqual(m.AlarmIdentities, []string{"a.example", "b.example"})
		}},
		{"alarm-identities=news@a.example", "", func(m MetricsOptions) bool { return m.AlarmIdentities[0] == "news@a.example" }},
		{"alarm-identities=a.example,,b.example", "empty identity in the list", nil},
		{"alarm-identities=localhost", `"localhost" is not a domain or an email address`, nil},
		{"alarm-identities=a b.example", "is not a domain", nil},
		{"alarm-identities=a.example,a.example", `"a.example" is listed twice`, nil},
		{"alarm-bounce-rate=2.5", "", func(m MetricsOptions) bool { return m.AlarmBounceRate == 2.5 }},
		{"alarm-bounce-rate=0", "alarm-bounce-rate=\"0\": want a percentage above 0 and at most 100", nil},
		{"alarm-bounce-rate=5%", "want a percentage", nil},
		{"alarm-complaint-rate=0.05", "", func(m MetricsOptions) bool { return m.AlarmComplaintRate == 0.05 }},
		{"alarm-complaint-rate=101", "at most 100", nil},
		{"alarm-complaint-rate=NaN", "want a percentage", nil},
		{"alarm-topic=arn:aws:sns:eu-west-1:111122223333:ops", "", func(m MetricsOptions) bool { return m.AlarmTopic != "" }},
		{"alarm-topic=arn:aws:sqs:eu-west-1:111122223333:ops", "want arn:aws:sns:REGION:ACCOUNT:NAME", nil},
		{"alarm-topic=ops", "want arn:aws:sns", nil},
		{"metrics-functon=true", "did you mean metrics-function?", nil},
	}
	cases := make([]settingCase, len(tests))
	for i, tt := range tests {
		cases[i] = settingCase{set: tt.set, err: tt.err}
		if check := tt.check; check != nil {
			cases[i].check = func(o Options) bool { return check(o.Metrics) }
		}
	}
	checkSettings(t, cases)
}

func TestMetricsRenderRefuses(t *testing.T) {
	code := []string{"metrics-code-bucket=acme-artifacts", "metrics-code-key=k.zip"}
	tests := []struct {
		sets []string
		err  string
	}{
		{[]string{"metrics-function=true"}, "metrics-function=true needs metrics-code-bucket and metrics-code-key"},
		{[]string{"metrics-function=true", "metrics-code-bucket=acme-artifacts"}, "needs metrics-code-bucket and metrics-code-key"},
		{code, "metrics-code-bucket applies only with metrics-function=true"},
		{[]string{"metrics-schedule=rate(5 minutes)"}, "metrics-schedule applies only with metrics-function=true"},
		{[]string{"metrics-since=7d"}, "metrics-since applies only with metrics-function=true"},
		{[]string{"metrics-architecture=arm64"}, "metrics-architecture applies only with metrics-function=true"},
		{[]string{"alarm-topic=arn:aws:sns:eu-west-1:111122223333:ops"}, "alarm-topic needs alarm-identities"},
		{[]string{"alarm-identities=a-b.example,a.b.example"}, `"a-b.example" and "a.b.example" give the same logical id suffix ABExample`},
		{[]string{"alarm-identities=News.example"}, "the default query partitions by the lowercased domain of mail.source (e.g. news.example)"},
		{[]string{"alarm-identities=news@a.example"}, `"news@a.example" never appears as a SenderIdentity`},
		{[]string{"alarm-identities=" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)}, "longer than CloudFormation allows"},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		for _, s := range tt.sets {
			if err := o.Set(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if _, err := Render(o); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%v: err = %v, want %q", tt.sets, err, tt.err)
		}
	}
}

// TestMetricsOffByDefault: without the keys there is no trace of the
// function or alarms; alarms alone need nothing else.
func TestMetricsOffByDefault(t *testing.T) {
	def, _ := base(t)
	for _, s := range []string{"AWS::Lambda", "AWS::Events", "AWS::CloudWatch::Alarm", "SESCTL_ARGS", "MetricsFunction", "MetricsRole"} {
		if strings.Contains(def, s) {
			t.Errorf("default template mentions %s", s)
		}
	}
	alarms := renderSets(t, "alarm-identities=a.example")
	if strings.Contains(alarms, "AWS::Lambda") || strings.Count(alarms, "Type: AWS::CloudWatch::Alarm") != 2 {
		t.Errorf("alarms alone: want two alarms and no function:\n%s", alarms)
	}
	if !strings.HasPrefix(alarms, def[:strings.Index(def, "\nOutputs:")]) {
		t.Error("alarms are not appended after the pipeline's resources")
	}
}

// TestMetricsArgsContract evaluates SESCTL_ARGS the way validate does and
// checks the command line the function's binary will run.
func TestMetricsArgsContract(t *testing.T) {
	std := []string{"metrics-function=true", "metrics-code-bucket=acme-artifacts", "metrics-code-key=k.zip"}
	tests := []struct {
		name string
		sets []string
		want []string
	}{
		{"defaults", std, []string{"metrics", "publish", "--athena", "--database", "{ref:Database}", "--table", "{ref:EventsTable}",
			"--workgroup", "{ref:WorkGroup}", "--location", "s3://{ref:EventsBucket}/", "--since", "24h", "--namespace", "SESCTL"}},
		{"named bucket, other names and window", append([]string{"bucket=acme-ses-events", "database=acme", "table=events", "metrics-since=since:2d", "metrics-namespace=Mail SES"}, std...),
			[]string{"metrics", "publish", "--athena", "--database", "{ref:Database}", "--table", "{ref:EventsTable}",
				"--workgroup", "{ref:WorkGroup}", "--location", "s3://acme-ses-events/", "--since", "since:2d", "--namespace", "Mail SES"}},
		{"spec differs from the default", append([]string{"time-zone=Europe/Paris", "prefix=lake/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/"}, std...),
			[]string{"metrics", "publish", "--athena", "--database", "{ref:Database}", "--table", "{ref:EventsTable}",
				"--workgroup", "{ref:WorkGroup}", "--location", "s3://{ref:EventsBucket}/", "--since", "24h", "--namespace", "SESCTL",
				"--prefix", "lake/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/", "--time-zone", "Europe/Paris"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, _, err := parseTemplate("m.yaml", []byte(renderSets(t, tt.sets...)))
			if err != nil {
				t.Fatal(err)
			}
			fn := tpl.Resource("MetricsFunction")
			text, ok := tpl.eval(fn.Prop("Environment", "Variables", "SESCTL_ARGS"))
			if !ok {
				t.Fatal("SESCTL_ARGS does not evaluate")
			}
			var got []string
			if err := json.Unmarshal([]byte(text), &got); err != nil {
				t.Fatalf("SESCTL_ARGS %s: %v", text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SESCTL_ARGS =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestMetricsRenderedTemplatesAreClean(t *testing.T) {
	std := []string{"metrics-function=true", "metrics-code-bucket=acme-artifacts", "metrics-code-key=k.zip", "alarm-identities=a.example,b.example"}
	variants := map[string][]string{
		"all options":    metricsSets,
		"minimal":        std,
		"alarms only":    {"alarm-identities=a.example"},
		"long namespace": append([]string{"metrics-namespace=" + strings.Repeat("n", 255), "metrics-schedule=cron(0/15 * * * ? *)"}, std...),
		"kms":            append([]string{"encryption=kms"}, std...),
		"existing key":   append([]string{"kms-key=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, std...),
		"parquet":        append([]string{"format=parquet", "bucket=acme-ses-events"}, std...),
		"no event types": append([]string{"prefix=lake/!{partitionKeyFromQuery:sender_identity}/!{timestamp:yyyy/MM/dd}/", "query={sender_identity: (.mail.source | split(\"@\") | .[-1] | rtrimstr(\">\") | ascii_downcase)}"}, std...),
		"address identities": {"query={sender_identity: (.mail.source | ascii_downcase), event_type: .eventType}",
			"metrics-function=true", "metrics-code-bucket=acme-artifacts", "metrics-code-key=k.zip", "alarm-identities=news@a.example"},
	}
	for name, sets := range variants {
		t.Run(name, func(t *testing.T) {
			body := renderSets(t, sets...)
			for _, r := range []*Report{validate(t, name+".yaml", body), validate(t, name+".json", string(mustJSON(t, body)))} {
				for _, f := range r.Findings {
					t.Errorf("finding in the rendered template: %s", f)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, yaml string) []byte {
	t.Helper()
	j, err := ToJSON([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestMetricsRules: each broken variant of the all-options template gives
// exactly the expected finding, and nothing else.
func TestMetricsRules(t *testing.T) {
	full := renderSets(t, metricsSets...)
	if r := validate(t, "good.yaml", full); len(r.Findings) != 0 {
		t.Fatalf("all-options template has findings: %v", r.Findings)
	}
	tests := []struct {
		name, old, new          string
		rule, resource, message string
		sev                     Severity
	}{
		{"database not the stack's", `\"--database\",\"${Database}\"`, `\"--database\",\"sesctl_old\"`,
			"metrics.unknown-resource", "MetricsFunction", `SESCTL_ARGS --database sesctl_old is not the name of any AWS::Glue::Database`, SeverityError},
		{"table not the stack's", `\"--table\",\"${EventsTable}\"`, `\"--table\",\"${ErrorsTable}x\"`,
			"metrics.unknown-resource", "MetricsFunction", `SESCTL_ARGS --table !Ref ErrorsTablex is not the name of any AWS::Glue::Table`, SeverityError},
		{"workgroup missing", `\"--workgroup\",\"${WorkGroup}\",`, ``,
			"metrics.unknown-resource", "MetricsFunction", "SESCTL_ARGS has no --workgroup, so metrics publish uses primary", SeverityError},
		{"location elsewhere", `\"s3://${EventsBucket}/\"`, `\"s3://other-bucket/\"`,
			"metrics.unknown-resource", "MetricsFunction", "SESCTL_ARGS --location s3://other-bucket/ is not the bucket any Glue table in the template reads (!Ref EventsBucket)", SeverityError},
		{"no athena", `\"--athena\",`, ``,
			"metrics.args", "MetricsFunction", "SESCTL_ARGS lacks --athena", SeverityError},
		{"bad window", `\"--since\",\"48h\"`, `\"--since\",\"2 days\"`,
			"metrics.args", "MetricsFunction", `SESCTL_ARGS --since: window "2 days"`, SeverityError},
		{"not JSON", `SESCTL_ARGS: !Sub "[`, `SESCTL_ARGS: !Sub "`,
			"metrics.args", "MetricsFunction", "SESCTL_ARGS must be a JSON array of strings", SeverityError},
		{"namespace condition differs", `cloudwatch:namespace: "Mail/SES"`, `cloudwatch:namespace: "SESCTL"`,
			"metrics.namespace", "MetricsRole", `the role allows cloudwatch:PutMetricData only in namespace "SESCTL", but MetricsFunction publishes to "Mail/SES"`, SeverityError},
		{"namespace condition missing", "                Condition:\n                  StringEquals:\n                    cloudwatch:namespace: \"Mail/SES\"\n", "",
			"metrics.namespace", "MetricsRole", `cloudwatch:PutMetricData is allowed in every namespace; add Condition StringEquals cloudwatch:namespace "Mail/SES"`, SeverityWarning},
		{"no PutMetricData", "              - Sid: PublishMetrics\n                Effect: Allow\n                Action: cloudwatch:PutMetricData\n                Resource: \"*\"\n" +
			"                Condition:\n                  StringEquals:\n                    cloudwatch:namespace: \"Mail/SES\"\n", "",
			"metrics.namespace", "MetricsFunction", "role MetricsRole does not allow cloudwatch:PutMetricData", SeverityError},
		{"alarm in another namespace", "      Namespace: \"Mail/SES\"\n      MetricName: BounceRate", "      Namespace: \"SESCTL\"\n      MetricName: BounceRate",
			"alarm.namespace", "BounceRateAlarmNewsExample", "the alarm watches BounceRate in namespace SESCTL, but the template's metrics function publishes to Mail/SES", SeverityWarning},
		{"alarm on an unknown metric", "MetricName: ComplaintRate", "MetricName: ComplaintRates",
			"alarm.metric", "ComplaintRateAlarmNewsExample", "writes no metric ComplaintRates to namespace Mail/SES (did you mean ComplaintRate?)", SeverityError},
		{"no invoke permission", "      Principal: events.amazonaws.com", "      Principal: sns.amazonaws.com",
			"events.invoke-permission", "MetricsSchedule", "no AWS::Lambda::Permission lets events.amazonaws.com invoke MetricsFunction", SeverityError},
		{"permission without source", "      SourceArn: !GetAtt MetricsSchedule.Arn\n", "",
			"lambda.permission-source", "MetricsSchedulePermission", "events.amazonaws.com may invoke the function on behalf of any account and resource", SeverityWarning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validate(t, "bad.yaml", mutate(t, full, tt.old, tt.new))
			if len(r.Findings) != 1 {
				t.Fatalf("%d findings, want exactly one %s: %v", len(r.Findings), tt.rule, r.Findings)
			}
			f := r.Findings[0]
			if f.Rule != tt.rule || f.Resource != tt.resource || f.Severity != tt.sev || !strings.Contains(f.Message, tt.message) || f.Line == 0 {
				t.Errorf("got %s\nwant %s %s on %s with %q", f, tt.sev, tt.rule, tt.resource, tt.message)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"SESCTL", "SESCTL", true},
		{"SESCTL", "SESCTL2", false},
		{"Mail/*", "Mail/SES", true},
		{"cloudwatch:put*", "cloudwatch:putmetricdata", true},
		{"*", "anything", true},
		{"a?c", "abc", true},
		{`a\*c`, "abc", false},
		{`a\*c`, "a*c", true},
		{"a.c", "abc", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func TestParseFlags(t *testing.T) {
	got := parseFlags([]string{"--athena", "--since", "24h", "--namespace=Mail/SES", "stray", "--dry-run", "--table"})
	want := map[string]string{"athena": "true", "since": "24h", "namespace": "Mail/SES", "dry-run": "true", "table": "true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseFlags = %v, want %v", got, want)
	}
}

// FuzzMetricsSettings: a metrics value --set accepts either renders a
// template that validates clean or is refused with an error; never a
// panic, never a template with findings.
func FuzzMetricsSettings(f *testing.F) {
	keys := []string{}
	for _, s := range metricsSettings() {
		keys = append(keys, s.Key)
	}
	for i, v := range []string{"true", "acme-artifacts", "a/b.zip", "arm64", "cron(0 * * * ? *)", "since:3d", "Mail/SES #1", "a.example, b-c.example", "2.5", "0.01", "arn:aws:sns:eu-west-1:111122223333:t.fifo"} {
		f.Add(uint8(i), v)
	}
	f.Fuzz(func(t *testing.T, k uint8, v string) {
		key := keys[int(k)%len(keys)]
		o := DefaultOptions()
		for _, s := range []string{"metrics-function=true", "metrics-code-bucket=acme-artifacts", "metrics-code-key=k.zip", "alarm-identities=a.example"} {
			if err := o.Set(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.Set(key + "=" + v); err != nil {
			return
		}
		body, err := Render(o)
		if err != nil {
			return
		}
		r, err := Validate("f.yaml", body)
		if err != nil {
			t.Fatalf("%s=%q renders a template that does not parse: %v", key, v, err)
		}
		for _, fd := range r.Findings {
			t.Errorf("%s=%q: %s", key, v, fd)
		}
	})
}
