package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/sink"
)

// sampleOf returns the official sample of one event type as a JSON object.
func sampleOf(t *testing.T, eventType string) map[string]any {
	t.Helper()
	for _, s := range samples(t) {
		var ev map[string]any
		if err := json.Unmarshal(s, &ev); err != nil {
			t.Fatal(err)
		}
		if ev["eventType"] == eventType {
			return ev
		}
	}
	t.Fatalf("no %s sample", eventType)
	return nil
}

// tagged copies the official sample of eventType with another message id,
// sender and ses:configuration-set tag. tags is what mail.tags becomes:
// nil drops the key, otherwise it replaces the sample's tags.
func tagged(t *testing.T, eventType, messageID, source string, tags map[string]any) []byte {
	t.Helper()
	ev := sampleOf(t, eventType)
	mail := ev["mail"].(map[string]any)
	mail["messageId"], mail["source"] = messageID, source
	delete(mail, "tags")
	if tags != nil {
		mail["tags"] = tags
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func configSet(name string) map[string]any {
	return map[string]any{"ses:configuration-set": []string{name}, "ses:source-ip": []string{"192.0.2.0"}}
}

// replayLake writes records to a file and replays it into a new lake with
// sesctl replay's own pipeline, every record arriving at 2024-03-08 12:00Z.
func replayLake(t *testing.T, spec pipeline.Spec, records [][]byte) string {
	t.Helper()
	dir := t.TempDir()
	input := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(input, append(bytes.Join(records, []byte("\n")), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := spec.Compile()
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := pipeline.ResolveInputs([]string{input}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sink.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	arrival, err := pipeline.ParseArrival("2024-03-08T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Replay(context.Background(), c, inputs, out, pipeline.Options{Arrival: arrival})
	if err != nil {
		t.Fatal(err)
	}
	if sum == nil {
		t.Fatal("replay returned no summary")
	}
	return dir
}

// TestSummaryConfigurationSets runs the summary over a lake written by the
// replay pipeline from copies of the official samples in two configuration
// sets, and without one in the three ways an event can lack it: no tags,
// tags without ses:configuration-set, and an empty value list. Each
// (identity, configuration set, day) is one row; events without a set
// share the row whose configuration_set is empty.
func TestSummaryConfigurationSets(t *testing.T) {
	const ex, org = "sender@example.com", "Newsletter <news@Mail.Example.ORG>"
	records := [][]byte{
		// example.com, marketing: 1 send, its hard bounce and complaint,
		// the send delivered twice by Firehose.
		tagged(t, "Send", "m1", ex, configSet("marketing")),
		tagged(t, "Send", "m1", ex, configSet("marketing")),
		tagged(t, "Bounce", "m1", ex, configSet("marketing")),
		tagged(t, "Complaint", "m1", ex, configSet("marketing")),
		// example.com, transactional: 1 send, delivered.
		tagged(t, "Send", "m2", ex, configSet("transactional")),
		tagged(t, "Delivery", "m2", ex, configSet("transactional")),
		// example.com without a configuration set: 3 sends and a reject.
		tagged(t, "Send", "m3", ex, nil),
		tagged(t, "Reject", "m3", ex, nil),
		tagged(t, "Send", "m4", ex, map[string]any{"ses:source-ip": []string{"192.0.2.0"}}),
		tagged(t, "Send", "m5", ex, map[string]any{"ses:configuration-set": []string{}}),
		// mail.example.org, marketing: 1 send, a delay and a rendering failure.
		tagged(t, "Send", "m6", org, configSet("marketing")),
		tagged(t, "DeliveryDelay", "m6", org, configSet("marketing")),
		tagged(t, "Rendering Failure", "m7", org, configSet("marketing")),
	}
	want := [][]string{
		{"example.com", "2024-03-08", "3", "0", "0", "0", "0", "1", "0", "0", "0.000000", "0.000000", "ok", "ok", ""},
		{"example.com", "2024-03-08", "1", "0", "1", "0", "1", "0", "0", "0", "1.000000", "1.000000", "pause", "pause", "marketing"},
		{"example.com", "2024-03-08", "1", "1", "0", "0", "0", "0", "0", "0", "0.000000", "0.000000", "ok", "ok", "transactional"},
		{"mail.example.org", "2024-03-08", "1", "0", "0", "0", "0", "0", "1", "1", "0.000000", "0.000000", "ok", "ok", "marketing"},
	}
	summary, _ := Lookup("summary")
	for _, format := range []string{pipeline.FormatJSON, pipeline.FormatParquet} {
		t.Run(format, func(t *testing.T) {
			spec := pipeline.DefaultSpec()
			if spec.Format = format; format == pipeline.FormatParquet {
				spec.Compression = pipeline.CompressionNone
			}
			dir := replayLake(t, spec, records)
			r := newLocal(t, dir, spec)
			res, err := r.Run(context.Background(), summary, arrivalDay)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, summary, res, want)
			// Without a set the value is '', never NULL (text output
			// cannot tell them apart; SQL can).
			sql, err := r.SQL(context.Background(), summary, arrivalDay)
			if err != nil {
				t.Fatal(err)
			}
			r.SQLScope = &arrivalDay
			res, err = r.RunSQL(context.Background(), "SELECT count(*) FILTER (WHERE configuration_set = '') AS empty, "+
				"count(*) FILTER (WHERE configuration_set IS NULL) AS nulls FROM ("+sql+")")
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Rows[0]; got[0] != "1" || got[1] != "0" {
				t.Errorf("rows without a configuration set: %s empty, %s NULL; want 1 and 0", got[0], got[1])
			}
			// Selecting an identity still prunes to its partitions and
			// keeps its configuration-set rows.
			p := arrivalDay
			p.Identities = []string{"mail.example.org"}
			res, err = r.Run(context.Background(), summary, p)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, summary, res, want[3:])
			if r.Stats.Partitions != 3 {
				t.Errorf("read %d partitions for mail.example.org, want 3 (Send, DeliveryDelay, Rendering Failure)", r.Stats.Partitions)
			}
		})
	}
}
