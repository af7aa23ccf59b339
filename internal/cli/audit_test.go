package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAudit(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	rec := func(name string, at time.Time, readOnly bool, params string) map[string]any {
		raw := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},` +
			`"eventTime":"` + at.Format(time.RFC3339) + `","eventSource":"ses.amazonaws.com","eventName":"` + name + `",` +
			`"sourceIPAddress":"198.51.100.7","requestParameters":` + params + `,"readOnly":` + map[bool]string{true: "true", false: "false"}[readOnly] + `}`
		return map[string]any{"EventId": name, "EventName": name, "EventTime": float64(at.Unix()), "Username": "alice", "CloudTrailEvent": raw}
	}
	page, err := json.Marshal(map[string]any{"Events": []any{
		rec("PutConfigurationSetReputationOptions", now.Add(-time.Hour), false, `{"configurationSetName":"marketing","reputationMetricsEnabled":true}`),
		rec("GetEmailIdentity", now.Add(-2*time.Hour), true, `{"emailIdentity":"news.example"}`),
		rec("DeleteEmailIdentity", now.Add(-3*time.Hour), false, `{"emailIdentity":"old.example"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	st := &monStub{resps: []func() *http.Response{monResponse(200, "application/x-amz-json-1.1", page)}}
	out, errOut, code := monRun(t, now, st, "audit", "--since", "7d", "--output", "csv")
	want := "time,event,user,source_ip,resource,error\r\n" +
		"2024-03-08T11:00:00Z,PutConfigurationSetReputationOptions,arn:aws:iam::111122223333:user/alice,198.51.100.7,configuration-set=marketing,\r\n" +
		"2024-03-08T09:00:00Z,DeleteEmailIdentity,arn:aws:iam::111122223333:user/alice,198.51.100.7,identity=old.example,\r\n"
	if code != 0 || out != want {
		t.Errorf("exit %d\n got %q\nwant %q\n%s", code, out, want, errOut)
	}
	if got := st.reqs[0].Header.Get("X-Amz-Target"); got != "CloudTrail_20131101.LookupEvents" {
		t.Errorf("X-Amz-Target %q", got)
	}
	var body map[string]any
	if err := json.Unmarshal(st.body[0], &body); err != nil {
		t.Fatal(err)
	}
	if body["StartTime"] != float64(now.Add(-7*24*time.Hour).Unix()) || body["EndTime"] != float64(now.Unix()) {
		t.Errorf("window in request: %v", body)
	}

	// More than 90 days back is cut to the event history's 90 days.
	st = &monStub{resps: []func() *http.Response{monResponse(200, "application/x-amz-json-1.1", []byte(`{"Events":[]}`))}}
	out, errOut, code = monRun(t, now, st, "audit", "--since", "200d")
	if code != 0 || !strings.Contains(errOut, "keeps 90 days") || !strings.Contains(errOut, "0 SES calls") || !strings.HasPrefix(out, "time") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
	_ = json.Unmarshal(st.body[0], &body)
	if body["StartTime"] != float64(now.Add(-90*24*time.Hour).Unix()) {
		t.Errorf("StartTime %v, want 90 days ago", body["StartTime"])
	}
}

func TestAuditErrors(t *testing.T) {
	now := time.Date(2024, 3, 8, 12, 0, 0, 0, time.UTC)
	_, errOut, code := monRun(t, now, nil, "audit", "--output", "yaml")
	if code != ExitUsage || !strings.Contains(errOut, "--output") {
		t.Errorf("bad output: exit %d %q", code, errOut)
	}
	_, errOut, code = monRun(t, now, nil, "audit", "--day", "today", "--since", "1d")
	if code != ExitUsage || !strings.Contains(errOut, "only one of") {
		t.Errorf("two windows: exit %d %q", code, errOut)
	}
	st := &monStub{resps: []func() *http.Response{monResponse(400, "application/x-amz-json-1.1",
		[]byte(`{"__type":"AccessDeniedException","Message":"not authorized to perform: cloudtrail:LookupEvents"}`))}}
	_, errOut, code = monRun(t, now, st, "audit")
	if code != ExitInternal || !strings.Contains(errOut, "cloudtrail:LookupEvents") {
		t.Errorf("denied: exit %d %q", code, errOut)
	}
}
