package schema

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidateOfficialSamples(t *testing.T) {
	for i, rec := range officialSamples(t) {
		if ps := Validate(rec); len(ps) != 0 {
			t.Errorf("sample %d: unexpected problems %v", i+1, ps)
		}
	}
}

// sample returns the official sample of eventType decoded, for mutation.
func sample(t *testing.T, eventType string) map[string]any {
	t.Helper()
	for _, rec := range officialSamples(t) {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			t.Fatal(err)
		}
		if m["eventType"] == eventType {
			return m
		}
	}
	t.Fatalf("no sample for %q", eventType)
	return nil
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name   string
		typ    string                 // sample to start from ("" = raw)
		raw    string                 // used when typ == ""
		mutate func(m map[string]any) // applied to the sample
		field  string
		msg    string // substring of the message
	}{
		{name: "not JSON", raw: `{"eventType":`, msg: "not valid JSON"},
		{name: "pretty-printed", raw: `{`, msg: "pretty-printed JSON?"},
		{name: "empty line", raw: ``, msg: "empty record"},
		{name: "array", raw: `[{"eventType":"Send"}]`, msg: "not a JSON object but an array"},
		{name: "trailing data", raw: `{"a":1} {"b":2}`, msg: "trailing data"},
		{name: "SNS notification", raw: `{"notificationType":"Bounce","mail":{},"bounce":{}}`, field: "notificationType",
			msg: "SNS notification (notificationType=Bounce), not an event-publishing record"},
		{name: "missing eventType", typ: "Send", mutate: func(m map[string]any) { delete(m, "eventType") }, field: "eventType", msg: "missing"},
		{name: "eventType not string", typ: "Send", mutate: func(m map[string]any) { m["eventType"] = 3.0 }, field: "eventType", msg: "is a number, want a string"},
		{name: "eventType typo", typ: "Bounce", mutate: func(m map[string]any) { m["eventType"] = "Bounced" }, field: "eventType", msg: `unknown event type "Bounced" (did you mean "Bounce"?)`},
		{name: "eventType CloudFormation spelling", typ: "Rendering Failure", mutate: func(m map[string]any) { m["eventType"] = "renderingFailure" },
			field: "eventType", msg: `(did you mean "Rendering Failure"?)`},
		{name: "eventType v2 spelling", typ: "DeliveryDelay", mutate: func(m map[string]any) { m["eventType"] = "DELIVERY_DELAY" },
			field: "eventType", msg: `(did you mean "DeliveryDelay"?)`},
		{name: "eventType far off", typ: "Send", mutate: func(m map[string]any) { m["eventType"] = "Unsubscribe" }, field: "eventType", msg: `unknown event type "Unsubscribe"; want one of`},
		{name: "missing mail", typ: "Send", mutate: func(m map[string]any) { delete(m, "mail") }, field: "mail", msg: "missing"},
		{name: "mail not object", typ: "Send", mutate: func(m map[string]any) { m["mail"] = []any{} }, field: "mail", msg: "is an array, want an object"},
		{name: "mail.timestamp missing", typ: "Send", mutate: func(m map[string]any) { delete(obj(m, "mail"), "timestamp") }, field: "mail.timestamp", msg: "missing"},
		{name: "mail.timestamp bad", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["timestamp"] = "2016-10-14 05:02:16" }, field: "mail.timestamp", msg: "not an ISO-8601 timestamp"},
		{name: "messageId empty", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["messageId"] = "" }, field: "mail.messageId", msg: "empty"},
		{name: "source not string", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["source"] = []any{"a"} }, field: "mail.source", msg: "is an array, want a string"},
		{name: "account id", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["sendingAccountId"] = "12345" }, field: "mail.sendingAccountId", msg: "12-digit"},
		{name: "destination string", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["destination"] = "a@example.com" }, field: "mail.destination", msg: "is a string, want an array"},
		{name: "destination empty", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["destination"] = []any{} }, field: "mail.destination", msg: "empty array"},
		{name: "destination element", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["destination"] = []any{"a@example.com", 1.0} }, field: "mail.destination[1]", msg: "is a number, want a string"},
		{name: "headersTruncated", typ: "Send", mutate: func(m map[string]any) { obj(m, "mail")["headersTruncated"] = "no" }, field: "mail.headersTruncated", msg: `"no", want true or false`},
		{name: "header without value", typ: "Send", mutate: func(m map[string]any) {
			obj(m, "mail")["headers"] = []any{map[string]any{"name": "From"}}
		}, field: "mail.headers[0].value", msg: "missing"},
		{name: "commonHeaders.from", typ: "Send", mutate: func(m map[string]any) { obj(obj(m, "mail"), "commonHeaders")["from"] = "a@example.com" },
			field: "mail.commonHeaders.from", msg: "want an array"},
		{name: "tag value not array", typ: "Send", mutate: func(m map[string]any) { obj(obj(m, "mail"), "tags")["ses:configuration-set"] = "ConfigSet" },
			field: "mail.tags.ses:configuration-set", msg: "is a string, want an array"},
		{name: "tag element not string", typ: "Send", mutate: func(m map[string]any) { obj(obj(m, "mail"), "tags")["n"] = []any{true} },
			field: "mail.tags.n[0]", msg: "is a boolean, want a string"},
		{name: "type object missing", typ: "Delivery", mutate: func(m map[string]any) { delete(m, "delivery") }, field: "delivery", msg: `missing (required when eventType is "Delivery")`},
		{name: "type object not object", typ: "Send", mutate: func(m map[string]any) { m["send"] = nil }, field: "send", msg: "is null, want an object"},
		{name: "object of another type", typ: "Send", mutate: func(m map[string]any) { m["bounce"] = map[string]any{} }, field: "bounce", msg: `unexpected for eventType "Send"`},
		{name: "failure key for Rendering Failure", typ: "Rendering Failure", mutate: func(m map[string]any) { m["renderingFailure"] = m["failure"]; delete(m, "failure") },
			field: "failure", msg: "missing"},
		{name: "bounceType", typ: "Bounce", mutate: func(m map[string]any) { obj(m, "bounce")["bounceType"] = "permanent" }, field: "bounce.bounceType", msg: `(did you mean "Permanent"?)`},
		{name: "bounce subtype of wrong type", typ: "Bounce", mutate: func(m map[string]any) { obj(m, "bounce")["bounceSubType"] = "MailboxFull" },
			field: "bounce.bounceSubType", msg: `"MailboxFull" is not a subtype of bounceType "Permanent"`},
		{name: "bouncedRecipients empty", typ: "Bounce", mutate: func(m map[string]any) { obj(m, "bounce")["bouncedRecipients"] = []any{} }, field: "bounce.bouncedRecipients", msg: "empty"},
		{name: "bounced recipient address", typ: "Bounce", mutate: func(m map[string]any) {
			obj(m, "bounce")["bouncedRecipients"] = []any{map[string]any{"status": "5.1.1"}}
		}, field: "bounce.bouncedRecipients[0].emailAddress", msg: "missing"},
		{name: "bounce feedbackId", typ: "Bounce", mutate: func(m map[string]any) { delete(obj(m, "bounce"), "feedbackId") }, field: "bounce.feedbackId", msg: "missing"},
		{name: "bounce timestamp", typ: "Bounce", mutate: func(m map[string]any) { obj(m, "bounce")["timestamp"] = "soon" }, field: "bounce.timestamp", msg: "not an ISO-8601"},
		{name: "complaint feedback type", typ: "Complaint", mutate: func(m map[string]any) { obj(m, "complaint")["complaintFeedbackType"] = "spam" },
			field: "complaint.complaintFeedbackType", msg: `unknown value "spam"`},
		{name: "complaint arrivalDate", typ: "Complaint", mutate: func(m map[string]any) { obj(m, "complaint")["arrivalDate"] = "x" }, field: "complaint.arrivalDate", msg: "not an ISO-8601"},
		{name: "complainedRecipients missing", typ: "Complaint", mutate: func(m map[string]any) { delete(obj(m, "complaint"), "complainedRecipients") },
			field: "complaint.complainedRecipients", msg: "missing"},
		{name: "processingTimeMillis string", typ: "Delivery", mutate: func(m map[string]any) { obj(m, "delivery")["processingTimeMillis"] = "11893" },
			field: "delivery.processingTimeMillis", msg: "is a string, want a number"},
		{name: "processingTimeMillis negative", typ: "Delivery", mutate: func(m map[string]any) { obj(m, "delivery")["processingTimeMillis"] = -1.0 },
			field: "delivery.processingTimeMillis", msg: "non-negative whole number"},
		{name: "delivery recipients empty", typ: "Delivery", mutate: func(m map[string]any) { obj(m, "delivery")["recipients"] = []any{} }, field: "delivery.recipients", msg: "empty array"},
		{name: "delivery smtpResponse", typ: "Delivery", mutate: func(m map[string]any) { delete(obj(m, "delivery"), "smtpResponse") }, field: "delivery.smtpResponse", msg: "missing"},
		{name: "reject reason", typ: "Reject", mutate: func(m map[string]any) { obj(m, "reject")["reason"] = "Spam" }, field: "reject.reason", msg: `only "Bad content"`},
		{name: "open ipAddress", typ: "Open", mutate: func(m map[string]any) { delete(obj(m, "open"), "ipAddress") }, field: "open.ipAddress", msg: "missing"},
		{name: "click link", typ: "Click", mutate: func(m map[string]any) { delete(obj(m, "click"), "link") }, field: "click.link", msg: "missing"},
		{name: "click linkTags", typ: "Click", mutate: func(m map[string]any) { obj(obj(m, "click"), "linkTags")["samplekey0"] = "v" },
			field: "click.linkTags.samplekey0", msg: "want an array"},
		{name: "failure templateName", typ: "Rendering Failure", mutate: func(m map[string]any) { delete(obj(m, "failure"), "templateName") }, field: "failure.templateName", msg: "missing"},
		{name: "delayType", typ: "DeliveryDelay", mutate: func(m map[string]any) { obj(m, "deliveryDelay")["delayType"] = "Mailboxfull" },
			field: "deliveryDelay.delayType", msg: `(did you mean "MailboxFull"?)`},
		{name: "expirationTime", typ: "DeliveryDelay", mutate: func(m map[string]any) { delete(obj(m, "deliveryDelay"), "expirationTime") },
			field: "deliveryDelay.expirationTime", msg: "missing"},
		{name: "delayedRecipients element", typ: "DeliveryDelay", mutate: func(m map[string]any) { obj(m, "deliveryDelay")["delayedRecipients"] = []any{"a@example.com"} },
			field: "deliveryDelay.delayedRecipients[0]", msg: "is a string, want an object"},
		{name: "subscription status", typ: "Subscription", mutate: func(m map[string]any) {
			p := obj(obj(m, "subscription"), "newTopicPreferences")
			p["topicSubscriptionStatus"] = []any{map[string]any{"topicName": "T", "subscriptionStatus": "Out"}}
		}, field: "subscription.newTopicPreferences.topicSubscriptionStatus[0].subscriptionStatus", msg: `unknown value "Out"`},
		{name: "subscription unsubscribeAll", typ: "Subscription", mutate: func(m map[string]any) {
			obj(obj(m, "subscription"), "oldTopicPreferences")["unsubscribeAll"] = "false"
		}, field: "subscription.oldTopicPreferences.unsubscribeAll", msg: "is a string, want a boolean"},
		{name: "subscription contactList", typ: "Subscription", mutate: func(m map[string]any) { delete(obj(m, "subscription"), "contactList") },
			field: "subscription.contactList", msg: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := []byte(tt.raw)
			if tt.typ != "" {
				m := sample(t, tt.typ)
				tt.mutate(m)
				var err error
				if rec, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			}
			ps := Validate(rec)
			if len(ps) != 1 {
				t.Fatalf("want exactly one problem, got %d: %v", len(ps), ps)
			}
			if ps[0].Field != tt.field || !strings.Contains(ps[0].Message, tt.msg) {
				t.Fatalf("got %q, want field %q with message containing %q", ps[0], tt.field, tt.msg)
			}
		})
	}
}

func TestValidateToleratesExtras(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		mutate func(m map[string]any)
	}{
		{"unknown top-level field", "Send", func(m map[string]any) { m["newField"] = map[string]any{"x": 1} }},
		{"unknown mail field", "Send", func(m map[string]any) { obj(m, "mail")["callerIdentity"] = "x" }},
		{"string headersTruncated", "Send", func(m map[string]any) { obj(m, "mail")["headersTruncated"] = "true" }},
		{"complaintSubType null", "Complaint", func(m map[string]any) { obj(m, "complaint")["complaintSubType"] = nil }},
		{"complaintSubType set", "Complaint", func(m map[string]any) { obj(m, "complaint")["complaintSubType"] = "OnAccountSuppressionList" }},
		{"no sourceArn", "Send", func(m map[string]any) { delete(obj(m, "mail"), "sourceArn") }},
		{"no headers", "Send", func(m map[string]any) { delete(obj(m, "mail"), "headers"); delete(obj(m, "mail"), "commonHeaders") }},
		{"DSN-less bounce", "Bounce", func(m map[string]any) {
			b := obj(m, "bounce")
			delete(b, "reportingMTA")
			b["bouncedRecipients"] = []any{map[string]any{"emailAddress": "a@example.com"}}
			b["bounceSubType"] = "OnAccountSuppressionList"
		}},
		{"offset timestamp", "Open", func(m map[string]any) { obj(m, "open")["timestamp"] = "2017-08-09T22:00:19.652+02:00" }},
	}
	for _, tt := range tests {
		m := sample(t, tt.typ)
		tt.mutate(m)
		rec, _ := json.Marshal(m)
		if ps := Validate(rec); len(ps) != 0 {
			t.Errorf("%s: unexpected problems %v", tt.name, ps)
		}
	}
}

func TestProblemFormat(t *testing.T) {
	p := Problem{Field: "bounce.bounceType", Message: "missing"}
	if got := p.Format("events.jsonl", 12); got != "events.jsonl:12: bounce.bounceType: missing" {
		t.Errorf("Format = %q", got)
	}
	p = Problem{Message: "not valid JSON"}
	if got := p.Format("-", 1); got != "-:1: not valid JSON" {
		t.Errorf("Format = %q", got)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bounced", "Bounce"},
		{"bounce", "Bounce"},
		{"RenderingFailure", "Rendering Failure"},
		{"rendering_failure", "Rendering Failure"},
		{"Deliverydelay", "DeliveryDelay"},
		{"Complain", "Complaint"},
		{"Opne", "Open"},
		{"Unsubscribe", ""},
		{"", ""},
		{"X", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.in, EventTypes); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, rec := range officialSamples(f) {
		f.Add(rec)
	}
	f.Add([]byte(`{"notificationType":"Complaint"}`))
	f.Add([]byte(`{"eventType":"Bounce","bounce":{"bouncedRecipients":[{}]},"mail":{"tags":{"a":[1]}}}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		for _, p := range Validate(rec) {
			if p.Message == "" {
				t.Fatalf("empty problem message for %q", rec)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	rec := officialSamples(b)[0]
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if ps := Validate(rec); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
}
