package templates

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

var update = flag.Bool("update", false, "rewrite the golden rendered templates")

// structure parses a template into plain values, without the volatile
// generator version.
func structure(t *testing.T, src []byte) map[string]any {
	t.Helper()
	n, _, err := cfnyaml.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if md, ok := v["Metadata"].(map[string]any); ok {
		if s, ok := md["sesctl"].(map[string]any); ok {
			delete(s, "Generator")
		}
	}
	// The SQL and description of named queries belong to package athena,
	// which keeps its own golden SQL; here they only need to be there.
	res, _ := v["Resources"].(map[string]any)
	for _, r := range res {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::Athena::NamedQuery" {
			continue
		}
		p, _ := r["Properties"].(map[string]any)
		for _, k := range []string{"QueryString", "Description"} {
			if s, _ := p[k].(string); s == "" {
				t.Errorf("named query without %s: %v", k, p)
			}
			p[k] = "(from package athena)"
		}
	}
	return v
}

// firstDiff names the first path where two structures differ.
func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return path
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if d := firstDiff(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path
		}
		for i := range x {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v != %v", path, a, b)
	}
	return ""
}

func TestGoldenRenderedTemplates(t *testing.T) {
	cases := map[string][]string{
		"default.yaml":          nil,
		"kms-named-bucket.yaml": {"encryption=kms", "bucket=acme-ses-events", "retention=400", "error-retention=14"},
		"parquet.yaml":          {"format=parquet", "time-zone=Europe/Paris"},
		"metrics.yaml":          metricsSets,
		"metrics.json":          metricsSets,
	}
	for name, sets := range cases {
		t.Run(name, func(t *testing.T) {
			o := DefaultOptions()
			for _, s := range sets {
				if err := o.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			render := Render
			if strings.HasSuffix(name, ".json") {
				render = RenderJSON
			}
			got, err := render(o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("..", "testdata", "golden", "templates", name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./templates/ -update)", err)
			}
			g, w := structure(t, got), structure(t, want)
			if d := firstDiff("", g, w); d != "" {
				t.Errorf("rendered template differs from %s at %s (check, then run with -update)", path, d)
			}
		})
	}
}

func TestRenderJSONMatchesYAML(t *testing.T) {
	y, err := Render(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	j, err := RenderJSON(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(j) {
		t.Fatal("invalid JSON")
	}
	if d := firstDiff("", structure(t, y), structure(t, j)); d != "" {
		t.Errorf("JSON and YAML renderings differ at %s", d)
	}
	r := validate(t, "p.json", string(j))
	if len(r.Findings) != 0 {
		t.Errorf("JSON rendering has findings: %v", r.Findings)
	}
}

func TestRenderedShape(t *testing.T) {
	o := DefaultOptions()
	if err := o.Set("bucket=acme-ses-events"); err != nil {
		t.Fatal(err)
	}
	body, err := Render(o)
	if err != nil {
		t.Fatal(err)
	}
	v := structure(t, body)
	get := func(path ...string) any {
		var cur any = v
		for _, p := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a map at %s", path, p)
			}
			cur = m[p]
		}
		return cur
	}
	checks := []struct {
		path []string
		want any
	}{
		{[]string{"Resources", "EventsTable", "Properties", "TableInput", "Parameters", "storage.location.template"}, "s3://acme-ses-events/events/${sender_identity}/${event_type}/${day}/"},
		{[]string{"Resources", "EventsTable", "Properties", "TableInput", "Parameters", "projection.event_type.values"}, "Bounce,Complaint,Delivery,Send,Reject,Open,Click,Rendering Failure,DeliveryDelay,Subscription"},
		{[]string{"Resources", "EventsTable", "Properties", "TableInput", "Parameters", "projection.day.format"}, "yyyy/MM/dd"},
		{[]string{"Resources", "EventsTable", "Properties", "TableInput", "Parameters", "projection.day.range"}, "NOW-90DAYS,NOW"},
		{[]string{"Resources", "DeliveryStream", "Properties", "ExtendedS3DestinationConfiguration", "BufferingHints", "SizeInMBs"}, float64(128)},
		{[]string{"Resources", "EventDestination", "Properties", "EventDestination", "Enabled"}, true},
		{[]string{"Resources", "WorkGroup", "Properties", "WorkGroupConfiguration", "ResultConfiguration", "OutputLocation"}, "s3://acme-ses-events/athena-results/"},
	}
	for _, c := range checks {
		if got := get(c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", strings.Join(c.path, "."), got, c.want)
		}
	}
	types, _ := get("Resources", "EventDestination", "Properties", "EventDestination", "MatchingEventTypes").([]any)
	if len(types) != 10 {
		t.Errorf("MatchingEventTypes = %v, want all ten", types)
	}
	for _, out := range []string{"BucketName", "DeliveryStreamArn", "ConfigurationSetName", "DatabaseName", "TableName", "WorkGroupName"} {
		if get("Outputs", out) == nil {
			t.Errorf("output %s missing", out)
		}
	}
	queries := 0
	for _, r := range get("Resources").(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::Athena::NamedQuery" {
			queries++
			sql := r.(map[string]any)["Properties"].(map[string]any)["QueryString"].(string)
			if strings.Contains(sql, paramSentinel) || strings.Contains(sql, dateSentinel) {
				t.Errorf("sentinel left in query: %s", sql)
			}
		}
	}
	if queries < 10 {
		t.Errorf("%d named queries, want the canned ones", queries)
	}
}

// settingCase is one Options.Set call: the error it must give (a part of
// it), or, when err is empty, what must hold after it.
type settingCase struct {
	set, err string
	check    func(o Options) bool
}

// checkSettings applies each case's setting to the default options.
func checkSettings(t *testing.T, tests []settingCase) {
	t.Helper()
	for _, tt := range tests {
		o := DefaultOptions()
		err := o.Set(tt.set)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.set, err)
		case tt.err == "" && !tt.check(o):
			t.Errorf("%s: not applied: %+v", tt.set, o)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: err = %v, want %q", tt.set, err, tt.err)
		}
	}
}

func TestSettings(t *testing.T) {
	tests := []settingCase{
		{"retention=30", "", func(o Options) bool { return o.Spec.RetentionDays == 30 }},
		{"RETENTION = 31", "", func(o Options) bool { return o.Spec.RetentionDays == 31 }},
		{"error_retention=7", "", func(o Options) bool { return o.ErrorRetentionDays == 7 }},
		{"format=PARQUET", "", func(o Options) bool { return o.Spec.Format == "parquet" }},
		{"kms-key=arn:aws:kms:eu-west-1:123456789012:key/abc", "", func(o Options) bool { return o.Encryption == EncryptionKMS }},
		{"retention=0", "want a whole number from 1", nil},
		{"buffer-size=129", "from 1 to 128", nil},
		{"bucket=Bad_Bucket", "must match", nil},
		{"format=orc", "want one of json, parquet", nil},
		{"kms-key=alias", "want arn:aws:kms", nil},
		{"retension=3", "did you mean retention?", nil},
		{"nonsense", "want key=value", nil},
	}
	checkSettings(t, tests)
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		sets []string
		err  string
	}{
		{[]string{"prefix=!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/", "error-retention=3"}, "error-retention needs a Prefix"},
		{[]string{"error-prefix=events/errors/!{firehose:error-output-type}/", "error-retention=3"}, "ErrorOutputPrefix in its own folder"},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		for _, s := range tt.sets {
			if err := o.Set(s); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Render(o); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%v: err = %v, want %q", tt.sets, err, tt.err)
		}
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{"rendering-failures": "RenderingFailures", "bounces": "Bounces", "a_b c": "ABC"} {
		if got := camel(in); got != want {
			t.Errorf("camel(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"events/!{x:y}/": "events/", "a/b/c!{x:y}": "a/b/", "!{x:y}/": "", "plain/": "plain/", "plain": ""} {
		if got := literalLead(in); got != want {
			t.Errorf("literalLead(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"plain", `quo"te`, "new\nline", "<html>&", "${x}", "yes", "123", ""} {
		n, _, err := cfnyaml.Parse([]byte("k: " + yamlQuote(s) + "\n"))
		if err != nil || n.Get("k").Value != s || n.Get("k").Kind != cfnyaml.String {
			t.Errorf("yamlQuote(%q) does not round-trip: %v %+v", s, err, n)
		}
	}
}

func TestEmbeddedSamplesMatchTestdata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "official.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(officialSamples) {
		t.Error("templates/official-samples.jsonl differs from testdata/samples/official.jsonl")
	}
	if n := len(samples()); n != 10 {
		t.Errorf("%d samples", n)
	}
}

func BenchmarkRender(b *testing.B) {
	o := DefaultOptions()
	for b.Loop() {
		if _, err := Render(o); err != nil {
			b.Fatal(err)
		}
	}
}
