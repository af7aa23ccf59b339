package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// Every official sample decodes into Event with no unknown field and
// re-encodes to the same JSON value, so the Go types cover the format.
func TestEventTypesRoundTripSamples(t *testing.T) {
	for i, rec := range officialSamples(t) {
		dec := json.NewDecoder(bytes.NewReader(rec))
		dec.DisallowUnknownFields()
		var ev Event
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("sample %d: %v", i+1, err)
		}
		out, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var want, got any
		if err := json.Unmarshal(rec, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("sample %d (%s) does not round-trip:\nwant %s\ngot  %s", i+1, ev.EventType, rec, out)
		}
	}
}

func TestEventTypeMappings(t *testing.T) {
	tests := []struct {
		eventType, key, matching, timeField string
	}{
		{"Bounce", "bounce", "bounce", "bounce.timestamp"},
		{"Complaint", "complaint", "complaint", "complaint.timestamp"},
		{"Delivery", "delivery", "delivery", "delivery.timestamp"},
		{"Send", "send", "send", "mail.timestamp"},
		{"Reject", "reject", "reject", "mail.timestamp"},
		{"Open", "open", "open", "open.timestamp"},
		{"Click", "click", "click", "click.timestamp"},
		{"Rendering Failure", "failure", "renderingFailure", "mail.timestamp"},
		{"DeliveryDelay", "deliveryDelay", "deliveryDelay", "deliveryDelay.timestamp"},
		{"Subscription", "subscription", "subscription", "subscription.timestamp"},
	}
	if len(tests) != len(EventTypes) {
		t.Fatalf("EventTypes has %d entries, want %d", len(EventTypes), len(tests))
	}
	for i, tt := range tests {
		if EventTypes[i] != tt.eventType {
			t.Errorf("EventTypes[%d] = %q, want %q", i, EventTypes[i], tt.eventType)
		}
		if k, ok := ObjectKey(tt.eventType); !ok || k != tt.key {
			t.Errorf("ObjectKey(%q) = %q, %v; want %q", tt.eventType, k, ok, tt.key)
		}
		if et, ok := EventTypeForKey(tt.key); !ok || et != tt.eventType {
			t.Errorf("EventTypeForKey(%q) = %q, %v", tt.key, et, ok)
		}
		if m, ok := MatchingEventType(tt.eventType); !ok || m != tt.matching {
			t.Errorf("MatchingEventType(%q) = %q, %v; want %q", tt.eventType, m, ok, tt.matching)
		}
		if f := EventTimeField(tt.eventType); f != tt.timeField {
			t.Errorf("EventTimeField(%q) = %q, want %q", tt.eventType, f, tt.timeField)
		}
		if !IsEventType(tt.eventType) {
			t.Errorf("IsEventType(%q) = false", tt.eventType)
		}
	}
	for _, bad := range []string{"", "RenderingFailure", "bounce", "renderingFailure"} {
		if IsEventType(bad) {
			t.Errorf("IsEventType(%q) = true", bad)
		}
		if _, ok := ObjectKey(bad); ok {
			t.Errorf("ObjectKey(%q) ok", bad)
		}
		if _, ok := MatchingEventType(bad); ok {
			t.Errorf("MatchingEventType(%q) ok", bad)
		}
	}
	for i, e := range eventTable {
		if typeIndex(e.Type) != i || keyIndex(e.Key) != i {
			t.Errorf("typeIndex/keyIndex disagree with eventTable for %q", e.Type)
		}
	}
	if f := EventTimeField("Nope"); f != "mail.timestamp" {
		t.Errorf("EventTimeField(unknown) = %q", f)
	}
	if got := MatchingEventTypes(); got[7] != "renderingFailure" || len(got) != 10 {
		t.Errorf("MatchingEventTypes() = %v", got)
	}
	if got := ObjectKeys(); got[7] != "failure" || got[8] != "deliveryDelay" {
		t.Errorf("ObjectKeys() = %v", got)
	}
}
