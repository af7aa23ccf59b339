package health

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// trailEvent builds one LookupEvents result entry with its CloudTrailEvent
// record, shaped as CloudTrail writes them.
func trailEvent(t *testing.T, id, name string, at time.Time, readOnly any, identity map[string]any, ip string, params map[string]any, errorCode string) map[string]any {
	t.Helper()
	rec := map[string]any{
		"eventVersion": "1.08", "userIdentity": identity, "eventTime": at.Format(time.RFC3339),
		"eventSource": "ses.amazonaws.com", "eventName": name, "awsRegion": "eu-west-1",
		"sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0", "requestParameters": params,
		"eventID": id, "managementEvent": true, "eventCategory": "Management",
	}
	if readOnly != nil {
		rec["readOnly"] = readOnly
	}
	if errorCode != "" {
		rec["errorCode"] = errorCode
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	ev := map[string]any{
		"EventId": id, "EventName": name, "EventTime": float64(at.Unix()), "EventSource": "ses.amazonaws.com",
		"CloudTrailEvent": string(raw),
	}
	if un, ok := identity["userName"]; ok {
		ev["Username"] = un
	}
	return ev
}

func jsonResponse(t *testing.T, v any) stubResponse {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return stubResponse{status: 200, header: map[string]string{"Content-Type": "application/x-amz-json-1.1"}, body: b}
}

// TestAuditWire runs the real CloudTrail client (JSON 1.1) against a stub
// with two pages of SES events.
func TestAuditWire(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	alice := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "userName": "alice"}
	role := map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/deploy/ci-42"}
	console := map[string]any{"type": "Root", "arn": "arn:aws:iam::111122223333:root"}
	page1 := map[string]any{"Events": []any{
		trailEvent(t, "e1", "DeleteConfigurationSetEventDestination", now.Add(-1*time.Hour), false, role, "203.0.113.9",
			map[string]any{"configurationSetName": "marketing", "eventDestinationName": "firehose"}, ""),
		trailEvent(t, "e2", "GetAccount", now.Add(-2*time.Hour), true, alice, "198.51.100.7", nil, ""),
		trailEvent(t, "e3", "CreateEmailIdentity", now.Add(-3*time.Hour), false, alice, "198.51.100.7",
			map[string]any{"emailIdentity": "news.example", "tags": []any{}}, ""),
	}, "NextToken": "tok-2"}
	page2 := map[string]any{"Events": []any{
		trailEvent(t, "e4", "CreateConfigurationSetEventDestination", now.Add(-26*time.Hour), nil, console, "ses.amazonaws.com",
			map[string]any{"configurationSetName": "marketing", "eventDestination": map[string]any{"name": "firehose", "enabled": true}}, ""),
		trailEvent(t, "e5", "VerifyDomainIdentity", now.Add(-30*time.Hour), false, alice, "198.51.100.7",
			map[string]any{"domain": "shop.example"}, "AccessDenied"),
		trailEvent(t, "e6", "ListEmailIdentities", now.Add(-31*time.Hour), nil, alice, "198.51.100.7", nil, ""),
	}}
	st := &stubTransport{resps: []stubResponse{jsonResponse(t, page1), jsonResponse(t, page2)}}
	api := cloudtrail.NewFromConfig(testConfig(st))
	events, err := Audit(context.Background(), api, AuditOptions{From: now.Add(-7 * 24 * time.Hour), To: now})
	if err != nil {
		t.Fatal(err)
	}
	st.checkAllUsed(t)
	r := st.reqs[0]
	golden(t, filepath.Join("testdata", "lookupevents.headers"), headerLines(r, "Content-Type", "X-Amz-Target")+"\n")
	golden(t, filepath.Join("testdata", "lookupevents.request.json"), indentJSON(t, r.Body))
	if !strings.Contains(string(st.reqs[1].Body), `"NextToken":"tok-2"`) {
		t.Errorf("second request has no NextToken: %s", st.reqs[1].Body)
	}

	var got []string
	for _, e := range events {
		got = append(got, strings.Join([]string{e.Time.Format(time.RFC3339), e.EventName, e.User, e.SourceIP, e.Resource, e.Error}, " | "))
	}
	want := []string{
		"2024-03-08T11:00:00Z | DeleteConfigurationSetEventDestination | arn:aws:sts::111122223333:assumed-role/deploy/ci-42 | 203.0.113.9 | configuration-set=marketing event-destination=firehose | ",
		"2024-03-08T09:00:00Z | CreateEmailIdentity | arn:aws:iam::111122223333:user/alice | 198.51.100.7 | identity=news.example | ",
		"2024-03-07T10:00:00Z | CreateConfigurationSetEventDestination | arn:aws:iam::111122223333:root | ses.amazonaws.com | configuration-set=marketing event-destination=firehose | ",
		"2024-03-07T06:00:00Z | VerifyDomainIdentity | arn:aws:iam::111122223333:user/alice | 198.51.100.7 | identity=shop.example | AccessDenied",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	st = &stubTransport{resps: []stubResponse{jsonResponse(t, page2)}}
	all, err := Audit(context.Background(), cloudtrail.NewFromConfig(testConfig(st)), AuditOptions{From: now.Add(-time.Hour), To: now, IncludeReads: true})
	if err != nil || len(all) != 3 || all[2].EventName != "ListEmailIdentities" || !all[2].ReadOnly {
		t.Errorf("with reads: %+v, %v", all, err)
	}
}

func TestAuditError(t *testing.T) {
	st := &stubTransport{resps: []stubResponse{{status: 400, header: map[string]string{"Content-Type": "application/x-amz-json-1.1"},
		body: []byte(`{"__type":"InvalidTimeRangeException","Message":"Start time must be within the last 90 days"}`)}}}
	_, err := Audit(context.Background(), cloudtrail.NewFromConfig(testConfig(st)), AuditOptions{From: time.Now().Add(-time.Hour), To: time.Now()})
	if err == nil || !strings.Contains(err.Error(), "InvalidTimeRange") || !strings.Contains(err.Error(), "CloudTrail LookupEvents") {
		t.Errorf("error %v", err)
	}
}

func TestResourceOf(t *testing.T) {
	tests := []struct {
		params map[string]any
		want   string
	}{
		{nil, ""},
		{map[string]any{"identity": "a@example.com", "notificationType": "Bounce"}, "identity=a@example.com"},
		{map[string]any{"emailAddress": "a@example.com"}, "email=a@example.com"},
		{map[string]any{"configurationSet": map[string]any{"name": "cs"}}, "configuration-set=cs"},
		{map[string]any{"template": map[string]any{"templateName": "welcome"}}, "template=welcome"},
		{map[string]any{"ruleSetName": "rs", "rule": map[string]any{"name": "r1"}}, "receipt-rule-set=rs receipt-rule=r1"},
		{map[string]any{"configurationSetName": "cs", "configurationSet": map[string]any{"name": "cs"}}, "configuration-set=cs"},
		{map[string]any{"emailIdentity": 42}, ""},
	}
	for _, tt := range tests {
		if got := resourceOf(tt.params); got != tt.want {
			t.Errorf("resourceOf(%v) = %q, want %q", tt.params, got, tt.want)
		}
	}
}

func indentJSON(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("request body is not JSON: %v", err)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}
