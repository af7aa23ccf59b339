package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Expected values read off the official samples by hand.
func TestEventTimeOfficialSamples(t *testing.T) {
	want := []struct{ eventType, field, ts string }{
		{"Bounce", "bounce.timestamp", "2017-08-05T00:41:02.669Z"},
		{"Complaint", "complaint.timestamp", "2017-08-05T00:41:02.669Z"},
		{"Delivery", "delivery.timestamp", "2016-10-19T23:21:04.133Z"},
		{"Send", "mail.timestamp", "2016-10-14T05:02:16.645Z"},
		{"Reject", "mail.timestamp", "2016-10-14T17:38:15.211Z"},
		{"Open", "open.timestamp", "2017-08-09T22:00:19.652Z"},
		{"Click", "click.timestamp", "2017-08-09T23:51:25.570Z"},
		{"Rendering Failure", "mail.timestamp", "2018-01-22T18:43:06.197Z"},
		{"DeliveryDelay", "deliveryDelay.timestamp", "2020-06-16T00:25:40.095Z"},
		{"Subscription", "subscription.timestamp", "2022-01-12T01:00:17.910Z"},
	}
	for i, rec := range officialSamples(t) {
		w := want[i]
		if !strings.Contains(string(rec), `"eventType":"`+w.eventType+`"`) {
			t.Fatalf("sample %d is not %s", i+1, w.eventType)
		}
		got, err := EventTime(rec)
		if err != nil {
			t.Errorf("%s: %v", w.eventType, err)
			continue
		}
		if !got.Equal(mustTime(t, w.ts)) {
			t.Errorf("%s: EventTime = %s, want %s", w.eventType, got.Format(time.RFC3339Nano), w.ts)
		}
		if f := EventTimeField(w.eventType); f != w.field {
			t.Errorf("%s: EventTimeField = %s, want %s", w.eventType, f, w.field)
		}
	}
}

func TestEventTimeRules(t *testing.T) {
	tests := []struct {
		name, rec, want, errField, errSub string
	}{
		{"type time preferred over mail", `{"eventType":"Bounce","mail":{"timestamp":"2020-01-01T00:00:00Z"},"bounce":{"timestamp":"2020-01-02T00:00:00.5Z"}}`, "2020-01-02T00:00:00.5Z", "", ""},
		{"object before eventType", `{"open":{"timestamp":"2021-05-05T05:05:05.005Z"},"mail":{"timestamp":"2020-01-01T00:00:00Z"},"eventType":"Open"}`, "2021-05-05T05:05:05.005Z", "", ""},
		{"type object without timestamp falls back", `{"eventType":"Delivery","mail":{"timestamp":"2020-01-01T00:00:00.123Z"},"delivery":{}}`, "2020-01-01T00:00:00.123Z", "", ""},
		{"missing type object falls back", `{"eventType":"Click","mail":{"timestamp":"2020-01-01T00:00:00Z"}}`, "2020-01-01T00:00:00Z", "", ""},
		{"send uses mail even with a send timestamp", `{"eventType":"Send","mail":{"timestamp":"2020-01-01T00:00:00Z"},"send":{"timestamp":"2030-01-01T00:00:00Z"}}`, "2020-01-01T00:00:00Z", "", ""},
		{"unknown type uses mail", `{"eventType":"Bogus","mail":{"timestamp":"2020-01-01T00:00:00Z"},"bounce":{"timestamp":"2030-01-01T00:00:00Z"}}`, "2020-01-01T00:00:00Z", "", ""},
		{"SNS notification", `{"notificationType":"Bounce","bounce":{"timestamp":"2018-10-08T14:05:46.000Z"},"mail":{"timestamp":"2018-10-08T14:05:45 +0000"}}`, "2018-10-08T14:05:46Z", "", ""},
		{"SNS mail timestamp form", `{"notificationType":"Send","mail":{"timestamp":"2018-10-08T14:05:45 +0000"}}`, "2018-10-08T14:05:45Z", "", ""},
		{"offset", `{"eventType":"Send","mail":{"timestamp":"2020-01-01T02:00:00+02:00"}}`, "2020-01-01T00:00:00Z", "", ""},
		{"duplicate key: last wins", `{"eventType":"Send","eventType":"Open","mail":{"timestamp":"2020-01-01T00:00:00Z"},"open":{"timestamp":"2020-01-01T00:00:09Z"}}`, "2020-01-01T00:00:09Z", "", ""},
		{"escaped key and value", `{"event\u0054ype":"Open","mail":{"timestamp":"2020-01-01T00:00:00Z"},"open":{"time\u0073tamp":"2020-01-01T00:00:0\u0037Z"}}`, "2020-01-01T00:00:07Z", "", ""},
		{"nested timestamp ignored", `{"eventType":"Open","mail":{"timestamp":"2020-01-01T00:00:00Z"},"open":{"x":{"timestamp":"bad"},"timestamp":"2020-01-01T00:00:01Z"}}`, "2020-01-01T00:00:01Z", "", ""},
		{"whitespace", " {\n \"eventType\" : \"Send\" ,\n \"mail\" : { \"timestamp\" : \"2020-01-01T00:00:00Z\" } }\n", "2020-01-01T00:00:00Z", "", ""},
		{"bad type timestamp", `{"eventType":"Bounce","mail":{"timestamp":"2020-01-01T00:00:00Z"},"bounce":{"timestamp":"yesterday"}}`, "", "bounce.timestamp", `"yesterday" is not an ISO-8601 timestamp`},
		{"timestamp not a string", `{"eventType":"Open","mail":{"timestamp":"2020-01-01T00:00:00Z"},"open":{"timestamp":1577836800}}`, "", "open.timestamp", "is 1577836800, not a string"},
		{"no mail timestamp", `{"eventType":"Send","mail":{}}`, "", "mail.timestamp", "missing"},
		{"no timestamps at all", `{"eventType":"Bounce","mail":{},"bounce":{}}`, "", "bounce.timestamp and mail.timestamp", "missing"},
		{"no mail", `{"eventType":"Reject"}`, "", "mail", "missing or not an object"},
		{"mail not object", `{"eventType":"Reject","mail":"x"}`, "", "mail", "missing or not an object"},
		{"bad mail timestamp", `{"eventType":"Send","mail":{"timestamp":"2020-02-30T00:00:00Z"}}`, "", "mail.timestamp", "not an ISO-8601"},
		{"not an object", `["eventType"]`, "", "", "not a JSON object"},
		{"empty", ``, "", "", "not a JSON object"},
		{"truncated", `{"eventType":"Send","mail":{"timestamp":"2020-01-01T00:00:00Z"`, "", "", "invalid JSON"},
		{"unterminated string", `{"eventType":"Send`, "", "", "unexpected end of record"},
		{"mismatched brackets", `{"eventType":"Send","mail":{"a":[}]}`, "", "", "mismatched bracket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventTime([]byte(tt.rec))
			if tt.want != "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !got.Equal(mustTime(t, tt.want)) {
					t.Fatalf("EventTime = %s, want %s", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error, got %s", got)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is %T, want *FieldError", err, err)
			}
			if fe.Field != tt.errField || !strings.Contains(fe.Msg, tt.errSub) {
				t.Fatalf("error = {%q %q}, want field %q containing %q", fe.Field, fe.Msg, tt.errField, tt.errSub)
			}
		})
	}
}

// referenceEventTime is the event-time rule written the slow, obvious way
// over encoding/json, to check the scanner against.
func referenceEventTime(record []byte) (time.Time, bool) {
	var root map[string]any
	if json.Unmarshal(record, &root) != nil || root == nil {
		return time.Time{}, false
	}
	et, present := root["eventType"]
	if !present {
		et = root["notificationType"]
	}
	typ, _ := et.(string)
	field := EventTimeField(typ)
	if field != "mail.timestamp" {
		key, _ := ObjectKey(typ)
		if obj, ok := root[key].(map[string]any); ok {
			if v, has := obj["timestamp"]; has {
				s, isStr := v.(string)
				if !isStr {
					return time.Time{}, false
				}
				t, err := ParseTimestamp(s)
				return t, err == nil
			}
		}
	}
	mail, ok := root["mail"].(map[string]any)
	if !ok {
		return time.Time{}, false
	}
	s, isStr := mail["timestamp"].(string)
	if !isStr {
		return time.Time{}, false
	}
	t, err := ParseTimestamp(s)
	return t, err == nil
}

func FuzzEventTime(f *testing.F) {
	for _, rec := range officialSamples(f) {
		f.Add(rec)
	}
	f.Add([]byte(`{"notificationType":"Bounce","bounce":{"timestamp":"2018-10-08T14:05:46.000Z"},"mail":{"timestamp":"x"}}`))
	f.Add([]byte(`{"eventType":"Open","open":{"timestamp":"2020-01-01T00:00:00Z","timestamp":"bad"},"mail":{"timestamp":"2020-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"eventType":"Send","mail":{"timestamp":"2020-01-01T00:00:00Z","deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		got, err := EventTime(rec)
		if !json.Valid(rec) {
			return // only "no panic" for invalid input
		}
		want, ok := referenceEventTime(rec)
		if ok != (err == nil) {
			t.Fatalf("EventTime err=%v, reference ok=%v for %q", err, ok, rec)
		}
		if ok && !got.Equal(want) {
			t.Fatalf("EventTime = %s, reference %s for %q", got, want, rec)
		}
	})
}

func BenchmarkEventTime(b *testing.B) {
	samples := officialSamples(b)
	for _, idx := range []int{0, 3, 6} { // Bounce (object before mail), Send (mail), Click
		rec := samples[idx]
		var name struct {
			EventType string `json:"eventType"`
		}
		_ = json.Unmarshal(rec, &name)
		b.Run(strings.ReplaceAll(name.EventType, " ", ""), func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EventTime(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEventTimeDecode is the naive alternative, for comparison.
func BenchmarkEventTimeDecode(b *testing.B) {
	rec := officialSamples(b)[0]
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		var ev Event
		if err := json.Unmarshal(rec, &ev); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTimestamp(ev.Bounce.Timestamp); err != nil {
			b.Fatal(err)
		}
	}
}
