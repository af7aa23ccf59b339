package jq

import (
	"reflect"
	"testing"
)

var capturePaths = [][]string{{"eventType"}, {"mail", "timestamp"}, {"mail", "source"}, {"bounce", "timestamp"}, {"mail"}}

// capturedByDecoding is what jq reads at path: the decoded record's value
// (last occurrences), or nil when the path is absent or crosses a
// non-object.
func capturedByDecoding(t *testing.T, record []byte, path []string) (any, bool) {
	t.Helper()
	v, err := decodeRecord(record, nil)
	if err != nil {
		t.Fatalf("the fast path answered a record the decoder refuses: %v", err)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestCaptureMatchesDecodedRecord: whenever the fast path answers, each
// captured raw value decodes to the value jq reads at that path, and the
// keys are Extract's.
func TestCaptureMatchesDecodedRecord(t *testing.T) {
	for _, src := range fastQueries {
		q, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		c := q.Capture(capturePaths)
		if c == nil {
			t.Fatalf("%s: no capture on a fast query", src)
		}
		for _, r := range allFastRecords(t) {
			checkCapture(t, q, c, r.data)
		}
	}
}

func checkCapture(t *testing.T, q, c *Query, record []byte) {
	t.Helper()
	raw := make([][]byte, len(capturePaths))
	keys, captured, err := c.ExtractCaptured(record, raw)
	if got, want := outcome(keys, err), outcome(q.Extract(record)); got != want {
		t.Fatalf("%q: ExtractCaptured %s, Extract %s", record, got, want)
	}
	if !captured {
		return
	}
	for i, path := range capturePaths {
		want, present := capturedByDecoding(t, record, path)
		if present != (raw[i] != nil) {
			t.Fatalf("%q %v: captured %q, present %v", record, path, raw[i], present)
		}
		if !present {
			continue
		}
		got, err := decodeRecord(raw[i], nil)
		if err != nil {
			t.Fatalf("%q %v: captured %q does not decode: %v", record, path, raw[i], err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q %v: captured %v, jq reads %v", record, path, got, want)
		}
	}
}

func TestCaptureWithoutFastPath(t *testing.T) {
	q, err := Compile(`{a: (.mail.source | length | tostring)}`)
	if err != nil {
		t.Fatal(err)
	}
	if q.Capture(capturePaths) != nil {
		t.Fatal("a query without a fast path captured")
	}
}

func FuzzCapture(f *testing.F) {
	for _, r := range fastRecords {
		f.Add([]byte(r))
	}
	q, err := Compile(defaultQuery)
	if err != nil {
		f.Fatal(err)
	}
	c := q.Capture(capturePaths)
	f.Fuzz(func(t *testing.T, record []byte) { checkCapture(t, q, c, record) })
}
