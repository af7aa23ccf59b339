package schema

import (
	"bytes"
	"time"
)

// EventTimePaths are the member paths EventTimeFromValues reads, in its
// order: eventType, mail.timestamp, then the timestamp of each event
// type's object in EventTypes order.
func EventTimePaths() [][]string {
	paths := [][]string{{"eventType"}, {"mail", "timestamp"}}
	for _, e := range eventTable {
		paths = append(paths, []string{e.Key, "timestamp"})
	}
	return paths
}

// EventTimeFromValues is EventTime for a record already scanned by a
// validating JSON scanner that kept the raw values of EventTimePaths (the
// last occurrence of each, nil when absent), so the record need not be
// scanned again. ok is false whenever those values do not settle the time
// the way EventTime would on their own (no eventType, escapes, a missing
// or unusual timestamp): call EventTime then.
func EventTimeFromValues(raw [][]byte) (t time.Time, ok bool) {
	if len(raw) != 2+len(eventTable) {
		return time.Time{}, false
	}
	et, ok := plainString(raw[0])
	if !ok {
		return time.Time{}, false
	}
	ts := raw[1]
	if i := typeIndex(string(et)); i >= 0 && eventTable[i].TimeField != "mail.timestamp" {
		ts = raw[2+i]
	}
	content, ok := plainString(ts)
	if !ok {
		return time.Time{}, false
	}
	return parseFast(content)
}

// plainString is the content of a JSON string without escapes.
func plainString(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	content := raw[1 : len(raw)-1]
	return content, bytes.IndexByte(content, '\\') < 0
}
