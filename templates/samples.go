package templates

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// officialSamples are the ten SES event-publishing examples from the SES
// developer guide, one per event type (a copy of testdata/samples/official.jsonl).
//
//go:embed official-samples.jsonl
var officialSamples []byte

type sample struct {
	eventType string
	record    []byte
}

func samples() []sample {
	var out []sample
	for _, line := range bytes.Split(officialSamples, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var head struct{ EventType string }
		_ = json.Unmarshal(line, &head)
		out = append(out, sample{eventType: head.EventType, record: line})
	}
	return out
}

// nullKeysOnSamples runs the query on the official samples and describes
// every partition key that comes out null or empty (or fails), with the
// event types affected: Firehose sends those records to the error output.
func nullKeysOnSamples(q jqQuery) []string {
	keys := q.Keys()
	bad := make([][]string, len(keys))
	var failed []string
	ss := samples()
	for _, s := range ss {
		_, ok, err := q.values(s.record)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s (%v)", s.eventType, err))
			continue
		}
		for i := range keys {
			if !ok[i] {
				bad[i] = append(bad[i], s.eventType)
			}
		}
	}
	var out []string
	if len(failed) > 0 {
		out = append(out, fmt.Sprintf("the query fails on %d of %d official SES samples: %s; Firehose sends those records to the error output (metadata-extraction-failed)",
			len(failed), len(ss), strings.Join(failed, "; ")))
	}
	for i, k := range keys {
		if len(bad[i]) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("key %q is null or empty for %d of %d official SES samples (%s); Firehose sends those records to the error output (metadata-extraction-failed). Give it a fallback, e.g. (... // \"unknown\")",
			k, len(bad[i]), len(ss), strings.Join(bad[i], ", ")))
	}
	return out
}

// yieldedValues returns, per event type, the value the query gives key on
// that event type's sample ("" when null).
func yieldedValues(q jqQuery, key string) map[string]string {
	idx := -1
	for i, k := range q.Keys() {
		if k == key {
			idx = i
		}
	}
	out := map[string]string{}
	if idx < 0 {
		return out
	}
	for _, s := range samples() {
		vals, ok, err := q.values(s.record)
		if err == nil && ok[idx] {
			out[s.eventType] = vals[idx]
		}
	}
	return out
}
