package athena

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/pipeline"
)

func TestDeriveTableProjection(t *testing.T) {
	type pk struct {
		name string
		proj map[string]string
	}
	injected := map[string]string{"type": "injected"}
	enum := map[string]string{"type": "enum", "values": "Bounce,Complaint,Delivery,Send,Reject,Open,Click,Rendering Failure,DeliveryDelay,Subscription"}
	date := func(format, unit string) map[string]string {
		return map[string]string{"type": "date", "format": format, "range": "NOW-90DAYS,NOW", "interval": "1", "interval.unit": unit}
	}
	tests := []struct {
		name, prefix, query string
		keys                []pk
		template, location  string
	}{
		{
			name:   "default",
			prefix: pipeline.DefaultPrefix, query: pipeline.DefaultQuery,
			keys:     []pk{{"sender_identity", injected}, {"event_type", enum}, {"day", date("yyyy/MM/dd", "DAYS")}},
			template: "s3://lake-bucket/events/${sender_identity}/${event_type}/${day}/",
			location: "s3://lake-bucket/events/",
		},
		{
			name:     "hive style",
			prefix:   "ses/identity=!{partitionKeyFromQuery:identity}/type=!{partitionKeyFromQuery:type}/dt=!{timestamp:yyyy-MM-dd}/",
			query:    `{identity: (.mail.source | ascii_downcase), type: .eventType}`,
			keys:     []pk{{"identity", injected}, {"type", enum}, {"day", date("yyyy-MM-dd", "DAYS")}},
			template: "s3://lake-bucket/ses/identity=${identity}/type=${type}/dt=${day}/",
			location: "s3://lake-bucket/ses/",
		},
		{
			name:     "hourly, pattern ends in a slash",
			prefix:   "raw/!{partitionKeyFromQuery:event_type}/!{partitionKeyFromQuery:sender_identity}/!{timestamp:yyyy/MM/dd/HH/}",
			query:    pipeline.DefaultQuery,
			keys:     []pk{{"event_type", enum}, {"sender_identity", injected}, {"hour", date("yyyy/MM/dd/HH", "HOURS")}},
			template: "s3://lake-bucket/raw/${event_type}/${sender_identity}/${hour}/",
			location: "s3://lake-bucket/raw/",
		},
		{
			name:     "event type found by its expression, other keys injected",
			prefix:   "!{partitionKeyFromQuery:Kind}/!{partitionKeyFromQuery:Config-Set}/!{timestamp:yyyy-MM}/",
			query:    `{"Kind": .eventType, "Config-Set": .mail.tags."ses:configuration-set"[0]}`,
			keys:     []pk{{"kind", enum}, {"config_set", injected}, {"month", date("yyyy-MM", "MONTHS")}},
			template: "s3://lake-bucket/${kind}/${config_set}/${month}/",
			location: "s3://lake-bucket/",
		},
		{
			name:     "literal date folders with quoted letters",
			prefix:   "e/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:'y='yyyy/'m='MM/'d='dd}/",
			query:    pipeline.DefaultQuery,
			keys:     []pk{{"sender_identity", injected}, {"event_type", enum}, {"day", date("'y='yyyy/'m='MM/'d='dd", "DAYS")}},
			template: "s3://lake-bucket/e/${sender_identity}/${event_type}/${day}/",
			location: "s3://lake-bucket/e/",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := pipeline.DefaultSpec()
			spec.Prefix, spec.Query = tc.prefix, tc.query
			td, err := DeriveTable(spec, TableOptions{Location: "s3://lake-bucket"})
			if err != nil {
				t.Fatal(err)
			}
			var got []pk
			for _, k := range td.PartitionKeys {
				if k.Type != "string" {
					t.Errorf("partition %s has type %s, want string", k.Name, k.Type)
				}
				got = append(got, pk{k.Name, k.Projection})
			}
			if !reflect.DeepEqual(got, tc.keys) {
				t.Errorf("partition keys\n got %v\nwant %v", got, tc.keys)
			}
			if tpl := td.TableParameters["storage.location.template"]; tpl != tc.template {
				t.Errorf("template %q, want %q", tpl, tc.template)
			}
			if td.Location != tc.location {
				t.Errorf("LOCATION %q, want %q", td.Location, tc.location)
			}
			for _, k := range tc.keys {
				for prop, v := range k.proj {
					if got := td.TableParameters["projection."+k.name+"."+prop]; got != v {
						t.Errorf("projection.%s.%s = %q, want %q", k.name, prop, got, v)
					}
				}
			}
		})
	}
}

func TestDeriveTableRejects(t *testing.T) {
	tests := []struct {
		name, prefix, want string
	}{
		{"reference blog prefix: double slash", "partitioned/!{partitionKeyFromQuery:SenderIdentity}/!{partitionKeyFromQuery:EventType}/!{timestamp:yyyy/MM/dd/HH/}/", "double slash"},
		{"random string", "events/!{partitionKeyFromQuery:event_type}/!{firehose:random-string}/", "random-string"},
		{"two timestamps with a literal between", "events/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy}/x/!{timestamp:MM}/", "2 timestamp expressions"},
		{"two timestamps side by side", "events/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy}!{timestamp:MM}/", "2 timestamp expressions"},
		{"no trailing slash", "events/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}", "must end with /"},
		{"double slash in a literal", "events//!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/", "double slash"},
		{"leading slash", "/events/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/", "starts with a slash"},
		{"keys clash after cleaning", "e/!{partitionKeyFromQuery:a-b}/!{partitionKeyFromQuery:a_b}/!{timestamp:yyyy/MM/dd}/", "both become column"},
		{"key clashes with a data column", "e/!{partitionKeyFromQuery:mail}/!{timestamp:yyyy/MM/dd}/", "clashes with the data column"},
		{"timestamp without a projection unit", "e/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH/mm/ss/SSS}/", "no Athena date projection interval unit"},
		{"syntax error", "e/!{partitionKeyFromQuery:event_type/", "parse prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := pipeline.DefaultSpec()
			spec.Prefix = tc.prefix
			spec.Query = `{event_type: .eventType, "a-b": .x, a_b: .y, mail: .z, SenderIdentity: .s, EventType: .eventType}`
			_, err := DeriveTable(spec, TableOptions{Location: "s3://b/"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			var le *LayoutError
			if tc.name != "syntax error" && !errors.As(err, &le) {
				t.Errorf("err is %T, want *LayoutError", err)
			}
		})
	}
}

func TestDeriveErrorTable(t *testing.T) {
	spec := pipeline.DefaultSpec()
	spec.RetentionDays = 40
	td, err := DeriveErrorTable(spec, TableOptions{Location: "s3://b/root/"})
	if err != nil {
		t.Fatal(err)
	}
	if td.Name != DefaultErrorTable || td.SerdeLibrary != SerdeOpenXJSON {
		t.Errorf("name %s serde %s", td.Name, td.SerdeLibrary)
	}
	want := map[string]string{
		"storage.location.template":           "s3://b/root/errors/${error_output_type}/${day}/",
		"projection.error_output_type.type":   "enum",
		"projection.error_output_type.values": "metadata-extraction-failed,activePartitionExceeded,record-too-large,partitioning-failed,processing-failed,format-conversion-failed",
		"projection.day.range":                "NOW-40DAYS,NOW",
		"projection.day.format":               "yyyy/MM/dd",
	}
	for k, v := range want {
		if td.TableParameters[k] != v {
			t.Errorf("%s = %q, want %q", k, td.TableParameters[k], v)
		}
	}
	var cols []string
	for _, c := range td.Columns {
		cols = append(cols, c.Name+" "+c.Type.Hive())
	}
	if got := strings.Join(cols, ", "); got != "attemptsmade bigint, arrivaltimestamp bigint, errorcode string, errormessage string, rawdata string" {
		t.Errorf("columns %s", got)
	}
	// Partition keys are not allowed in an error prefix.
	spec.ErrorPrefix = "errors/!{partitionKeyFromQuery:event_type}/!{firehose:error-output-type}/"
	if _, err := DeriveErrorTable(spec, TableOptions{Location: "s3://b/"}); err == nil {
		t.Error("an error prefix with a partition key was accepted")
	}
}

func TestTableOptions(t *testing.T) {
	spec := pipeline.DefaultSpec()
	for _, loc := range []string{"", "bucket", "s3://", "s3:///x", "s3://b//x/", "https://b/"} {
		if _, err := DeriveTable(spec, TableOptions{Location: loc}); err == nil {
			t.Errorf("location %q accepted", loc)
		}
	}
	if _, err := DeriveTable(spec, TableOptions{Location: "s3://b/", Format: "orc"}); err == nil {
		t.Error("format orc accepted")
	}
	spec.RetentionDays = 0
	if _, err := DeriveTable(spec, TableOptions{Location: "s3://b/"}); err == nil {
		t.Error("retention 0 accepted")
	}
	spec = pipeline.DefaultSpec()
	td, err := DeriveTable(spec, TableOptions{Database: "Mail", Table: "SES", Location: "s3://b/x", Format: pipeline.FormatParquet})
	if err != nil {
		t.Fatal(err)
	}
	if td.Database != "mail" || td.Name != "ses" {
		t.Errorf("names not lower-cased: %s.%s", td.Database, td.Name)
	}
	if td.SerdeLibrary != SerdeParquet || td.InputFormat != InputFormatParquet || td.TableParameters["classification"] != "parquet" {
		t.Errorf("parquet variant: %s %s %v", td.SerdeLibrary, td.InputFormat, td.TableParameters)
	}
	if td.TableParameters["storage.location.template"] != "s3://b/x/events/${sender_identity}/${event_type}/${day}/" {
		t.Errorf("template %s", td.TableParameters["storage.location.template"])
	}
}

func TestColumnName(t *testing.T) {
	for in, want := range map[string]string{
		"sender_identity": "sender_identity", "SenderIdentity": "sender_identity", "Config-Set": "config_set",
		"a..b": "a_b", "Über": "ber", "ÜBER": "ber", "-": "key", "x1": "x1", "eventType": "event_type",
		"ID2Name": "id2_name", "_x_": "x",
	} {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseLayout(f *testing.F) {
	f.Add(pipeline.DefaultPrefix, pipeline.DefaultQuery)
	f.Add("a/!{timestamp:yyyy/MM/dd/HH/}/", "{}")
	f.Add("x=!{partitionKeyFromQuery:x}/!{firehose:error-output-type}/", `{x: .eventType}`)
	f.Fuzz(func(t *testing.T, raw, query string) {
		l, err := ParseLayout(raw, query, false)
		if err != nil {
			return
		}
		tpl := l.Template()
		if strings.Contains(tpl, "//") || !strings.HasSuffix(tpl, "/") {
			t.Fatalf("accepted layout with template %q", tpl)
		}
		for _, c := range l.Columns() {
			if !strings.Contains(tpl, "${"+c.Name+"}") {
				t.Fatalf("template %q lacks column %s", tpl, c.Name)
			}
		}
	})
}
