package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

func TestMetricsPublishDryRun(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(20*time.Hour + 30*time.Second)
	out, errOut, code := monRun(t, now, nil, "metrics", "publish", "--lake", lake, "--day", "2024-03-08", "--dry-run", "--identity", "news.example", "-o", "csv")
	want := "namespace,metric,dimensions,timestamp,value,unit\r\n" +
		"SESCTL,Sends,SenderIdentity=news.example,2024-03-08T20:00:00Z,400,Count\r\n" +
		"SESCTL,Deliveries,SenderIdentity=news.example,2024-03-08T20:00:00Z,0,Count\r\n" +
		"SESCTL,HardBounces,SenderIdentity=news.example,2024-03-08T20:00:00Z,50,Count\r\n" +
		"SESCTL,SoftBounces,SenderIdentity=news.example,2024-03-08T20:00:00Z,0,Count\r\n" +
		"SESCTL,Complaints,SenderIdentity=news.example,2024-03-08T20:00:00Z,2,Count\r\n" +
		"SESCTL,Rejects,SenderIdentity=news.example,2024-03-08T20:00:00Z,0,Count\r\n" +
		"SESCTL,Delays,SenderIdentity=news.example,2024-03-08T20:00:00Z,0,Count\r\n" +
		"SESCTL,RenderingFailures,SenderIdentity=news.example,2024-03-08T20:00:00Z,0,Count\r\n" +
		"SESCTL,BounceRate,SenderIdentity=news.example,2024-03-08T20:00:00Z,12.5,Percent\r\n" +
		"SESCTL,ComplaintRate,SenderIdentity=news.example,2024-03-08T20:00:00Z,0.5,Percent\r\n"
	if code != 0 || out != want || !strings.Contains(errOut, "dry run: 10 datums not published") {
		t.Errorf("exit %d\n got %q\nwant %q\n%s", code, out, want, errOut)
	}
	// --identity implies --no-totals: the sum of some identities is not the account.
	// A finished day is stamped with its end.
	out, _, code = monRun(t, now.AddDate(0, 0, 1), nil, "metrics", "publish", "--lake", lake, "--day", "2024-03-08", "--dry-run", "-o", "csv")
	if code != 0 || !strings.Contains(out, "SESCTL,Sends,,2024-03-09T00:00:00Z,1700,Count") || !strings.Contains(out, "SESCTL,BounceRate,SenderIdentity=warn.example,2024-03-09T00:00:00Z,7,Percent") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestMetricsPublish(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(26 * time.Hour)
	st := &monStub{resps: []func() *http.Response{monResponse(200, "application/cbor", cbor.Encode(cbor.Map{}))}}
	out, errOut, code := monRun(t, now, st, "metrics", "publish", "--lake", lake, "--day", "yesterday", "--namespace", "Mail/SES")
	if code != 0 || out != "" || !strings.Contains(errOut, "published 40 datums for 3 identities to CloudWatch namespace Mail/SES at 2024-03-09T00:00:00Z in 1 request") {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, errOut)
	}
	body := st.body[0]
	if st.reqs[0].Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(zr)
	}
	v, err := cbor.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(cbor.Map)
	if m["Namespace"] != cbor.String("Mail/SES") || len(m["MetricData"].(cbor.List)) != 40 {
		t.Errorf("request namespace %v with %d datums", m["Namespace"], len(m["MetricData"].(cbor.List)))
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--day", "2024-02-01"}, "more than two weeks ago"},
		{[]string{"--namespace", "AWS/SES"}, "AWS/ is reserved"},
		{[]string{"--output", "xml", "--dry-run"}, "--output"},
	} {
		_, errOut, code := monRun(t, now, nil, append([]string{"metrics", "publish", "--lake", lake}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestMetricsParent(t *testing.T) {
	out, _, code := monRun(t, monDay, nil, "metrics")
	if code != 0 || !strings.Contains(out, "publish") {
		t.Errorf("sesctl metrics: exit %d\n%s", code, out)
	}
	_, errOut, code := monRun(t, monDay, nil, "metrics", "bogus")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "bogus"`) {
		t.Errorf("sesctl metrics bogus: exit %d %q", code, errOut)
	}
}
