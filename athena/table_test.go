package athena

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/itchyny/gojq"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/athena")

// golden compares got with testdata/golden/athena/name, or rewrites it
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", "athena", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./athena/ -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./athena/ -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestDDLGolden(t *testing.T) {
	hourly := pipeline.DefaultSpec()
	hourly.Prefix = "raw/sender=!{partitionKeyFromQuery:sender_identity}/type=!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH/}"
	hourly.RetentionDays = 40
	tests := []struct {
		file  string
		spec  pipeline.Spec
		opts  TableOptions
		error bool
	}{
		{"ddl-json.sql", pipeline.DefaultSpec(), TableOptions{Location: "s3://sesctl-events-123456789012/"}, false},
		{"ddl-parquet.sql", pipeline.DefaultSpec(), TableOptions{Location: "s3://sesctl-events-123456789012/", Format: pipeline.FormatParquet}, false},
		{"ddl-errors.sql", pipeline.DefaultSpec(), TableOptions{Location: "s3://sesctl-events-123456789012/"}, true},
		{"ddl-hourly-hive.sql", hourly, TableOptions{Database: "mail", Table: "ses_raw", Location: "s3://logs/ses/"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			derive := DeriveTable
			if tc.error {
				derive = DeriveErrorTable
			}
			td, err := derive(tc.spec, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, td.DDL())
		})
	}
}

func defaultTable(t *testing.T) *TableDef {
	t.Helper()
	td, err := DeriveTable(pipeline.DefaultSpec(), TableOptions{Location: "s3://b/"})
	if err != nil {
		t.Fatal(err)
	}
	return td
}

// The reference implementation's DDL (facts §3.4, Classmethod SampleSQL.md)
// has five defects; each test below pins that sesctl's DDL does not.

// Defect 1: the enum lists `Rendering Failure` in backticks, which are part
// of the value, so the partition never matches the S3 key.
func TestDDLDefectEnumValuesAreBare(t *testing.T) {
	td := defaultTable(t)
	values := td.TableParameters["projection.event_type.values"]
	got := strings.Split(values, ",")
	if strings.Join(got, "|") != strings.Join(schema.EventTypes, "|") {
		t.Fatalf("enum values %q, want exactly %q", got, schema.EventTypes)
	}
	for _, v := range got {
		if v != strings.TrimSpace(v) || strings.ContainsAny(v, "`'\"") {
			t.Errorf("enum value %q carries quotes or padding", v)
		}
	}
	if !strings.Contains(td.DDL(), "Click,Rendering Failure,DeliveryDelay") {
		t.Error("DDL does not list Rendering Failure with its plain space")
	}
}

// Defect 2: "mapping.ses_operation"="ses:opeation" (typo) makes a column
// always NULL. Every mapping must name a JSON key the schema knows; with
// tags as a map none is needed at all.
func TestDDLDefectMappingsNameRealKeys(t *testing.T) {
	keys := map[string]bool{}
	schema.Walk(schema.Columns(), func(_ string, f schema.Field) { keys[f.JSONKey] = true })
	td := defaultTable(t)
	for k, v := range td.SerdeParameters {
		if strings.HasPrefix(k, "mapping.") && !keys[v] {
			t.Errorf("%s maps to %q, which no SES event has", k, v)
		}
	}
	if strings.Contains(td.DDL(), "opeation") {
		t.Error("DDL contains the ses:opeation typo")
	}
}

// Defect 3: tags declared string although SES publishes arrays of strings.
func TestDDLDefectTagsAreArrays(t *testing.T) {
	ddl := defaultTable(t).DDL()
	for _, want := range []string{"tags:map<string,array<string>>", "linktags:map<string,array<string>>", "destination:array<string>"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %s", want)
		}
	}
	if regexp.MustCompile(`(?i)tags:string|ses_[a-z]+:string`).MatchString(ddl) {
		t.Error("DDL declares tags as plain strings")
	}
}

// Defect 4: the reference prefix ends in HH/}/ and so writes keys with a
// double slash, which the location template cannot express.
func TestDDLDefectNoDoubleSlash(t *testing.T) {
	td := defaultTable(t)
	tpl := strings.TrimPrefix(td.TableParameters["storage.location.template"], "s3://")
	if strings.Contains(tpl, "//") || !strings.HasSuffix(tpl, "/") {
		t.Errorf("template %q", tpl)
	}
	spec := pipeline.DefaultSpec()
	spec.Prefix = "partitioned/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH/}/"
	if _, err := DeriveTable(spec, TableOptions{Location: "s3://b/"}); err == nil || !strings.Contains(err.Error(), "double slash") {
		t.Errorf("reference prefix: err = %v, want a double-slash error", err)
	}
}

// Defect 5: the sample query reads table sesmaster_partitione, a typo of
// the created table. Every canned query must read exactly the table the
// DDL creates.
func TestDDLDefectQueriesReadTheCreatedTable(t *testing.T) {
	td := defaultTable(t)
	created := regexp.MustCompile("CREATE EXTERNAL TABLE IF NOT EXISTS `([^`]+)`\\.`([^`]+)`").FindStringSubmatch(td.DDL())
	if created == nil {
		t.Fatal("no table name in the DDL")
	}
	want := `"` + created[1] + `"."` + created[2] + `"`
	from := regexp.MustCompile(`(?i)\bFROM\s+("[^"]+"\."[^"]+"|[a-z_][a-z0-9_.]*)`)
	for _, q := range Queries() {
		sql := renderAthena(t, q, goldenParams())
		for _, m := range from.FindAllStringSubmatch(sql, -1) {
			if ref := m[1]; strings.Contains(ref, ".") && ref != want {
				t.Errorf("%s reads %s, want %s", q.Name, ref, want)
			}
		}
		if !strings.Contains(sql, want) {
			t.Errorf("%s never reads %s", q.Name, want)
		}
	}
}

// Defect 6: the reference partitions by the ses:sender-identity tag, which
// the official samples do not carry, so their key is null. The default
// query derives the identity from mail.source, present in every event.
func TestDefaultIdentityKeyIsNeverEmpty(t *testing.T) {
	q, err := gojq.Parse(pipeline.DefaultQuery)
	if err != nil {
		t.Fatal(err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pipeline.DefaultQuery, "ses:sender-identity") {
		t.Error("the default query reads the ses:sender-identity tag")
	}
	for i, s := range samples(t) {
		var v any
		if err := jsonUnmarshal(s, &v); err != nil {
			t.Fatal(err)
		}
		out, _ := code.Run(v).Next()
		keys, ok := out.(map[string]any)
		if !ok || keys["sender_identity"] != "example.com" {
			t.Errorf("sample %d: keys %v, want sender_identity example.com", i, out)
		}
	}
	if c := defaultTable(t).Layout().Identity(); c == nil || c.Name != "sender_identity" {
		t.Errorf("identity column %v", c)
	}
}

func TestGlueColumnTypesHaveNoBackticks(t *testing.T) {
	for _, c := range defaultTable(t).GlueColumns() {
		if strings.Contains(c.Type, "`") {
			t.Errorf("Glue type of %s has backticks: %s", c.Name, c.Type)
		}
	}
	cols := defaultTable(t).GlueColumns()
	if cols[1].Name != "mail" || !strings.HasPrefix(cols[1].Type, "struct<timestamp:string,source:string,") {
		t.Errorf("mail column %+v", cols[1])
	}
}

func goldenParams() Params {
	return Params{
		From:       time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC),
		To:         time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC),
		Identities: []string{"example.com", "mail.example.org"},
	}
}
