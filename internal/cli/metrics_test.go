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
	if code != 0 || out != want || !strings.Contains(errOut, "dry run: 10 datums not published (1 identity)") {
		t.Errorf("exit %d\n got %q\nwant %q\n%s", code, out, want, errOut)
	}
	// --identity implies --no-totals and no configuration sets: the sum of
	// some identities is neither the account nor the set.
	// A finished day is stamped with its end. Every event of the lake is in
	// configuration set cs1: its rate is that of all 1,700 sends (63 hard
	// bounces), not the mean of the identities' 0.5%, 12.5% and 7%.
	out, errOut, code = monRun(t, now.AddDate(0, 0, 1), nil, "metrics", "publish", "--lake", lake, "--day", "2024-03-08", "--dry-run", "-o", "csv")
	for _, line := range []string{
		"SESCTL,Sends,,2024-03-09T00:00:00Z,1700,Count",
		"SESCTL,BounceRate,SenderIdentity=warn.example,2024-03-09T00:00:00Z,7,Percent",
		"SESCTL,Sends,ConfigurationSet=cs1,2024-03-09T00:00:00Z,1700,Count",
		"SESCTL,BounceRate,ConfigurationSet=cs1,2024-03-09T00:00:00Z,3.7058823529411766,Percent",
	} {
		if code != 0 || !strings.Contains(out, line+"\r\n") {
			t.Errorf("exit %d, no line %s in\n%s", code, line, out)
		}
	}
	if !strings.Contains(errOut, "dry run: 50 datums not published (3 identities, 1 configuration set, totals)") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestMetricsPublishDimensions(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(26 * time.Hour)
	for _, tt := range []struct {
		args     []string
		code     int
		datums   string // the dry-run count line, or the usage error
		has, not string
	}{
		{[]string{"--dimensions", "identity"}, 0, "40 datums not published (3 identities, totals)", "SenderIdentity=news.example", "ConfigurationSet"},
		{[]string{"--dimensions", "Configuration-Set", "--no-totals"}, 0, "10 datums not published (1 configuration set)", "ConfigurationSet=cs1", "SenderIdentity"},
		{[]string{"--dimensions", "identity+configuration-set", "--identity", "warn.example"}, 0, "10 datums not published (1 identity and configuration set pair)",
			`"ConfigurationSet=cs1,SenderIdentity=warn.example"`, "shop.example"},
		{[]string{"--dimensions", "identity,", "--identity", "shop.example", "--configuration-set-dimension", "Set"}, 0, "10 datums not published (1 identity)", "SenderIdentity=shop.example", "Set="},
		{[]string{"--dimensions", ""}, 0, "10 datums not published (totals)", "SESCTL,Sends,,", "="},
		{[]string{"--dimensions", "configuration-set", "--identity", "shop.example"}, ExitUsage, "use identity+configuration-set", "", ""},
		{[]string{"--dimensions", "identities"}, ExitUsage, `--dimensions "identities": want identity, configuration-set or identity+configuration-set`, "", ""},
		{[]string{"--dimensions", "", "--no-totals"}, ExitUsage, "nothing to publish", "", ""},
		{[]string{"--identity-dimension", "Dim", "--configuration-set-dimension", "Dim"}, ExitUsage, `both "Dim"`, "", ""},
	} {
		args := append([]string{"metrics", "publish", "--lake", lake, "--day", "2024-03-08", "--dry-run", "-o", "csv"}, tt.args...)
		out, errOut, code := monRun(t, now, nil, args...)
		if code != tt.code || !strings.Contains(errOut, tt.datums) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.datums)
			continue
		}
		if tt.has != "" && !strings.Contains(out, tt.has) || tt.not != "" && strings.Contains(out, tt.not) {
			t.Errorf("%v: stdout should have %q and not %q:\n%s", tt.args, tt.has, tt.not, out)
		}
	}
}

func TestMetricsPublish(t *testing.T) {
	lake := monLake(t)
	now := monDay.Add(26 * time.Hour)
	st := &monStub{resps: []func() *http.Response{monResponse(200, "application/cbor", cbor.Encode(cbor.Map{}))}}
	out, errOut, code := monRun(t, now, st, "metrics", "publish", "--lake", lake, "--day", "yesterday", "--namespace", "Mail/SES")
	if code != 0 || out != "" || !strings.Contains(errOut, "published 50 datums (3 identities, 1 configuration set, totals) to CloudWatch namespace Mail/SES at 2024-03-09T00:00:00Z in 1 request") {
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
	data := m["MetricData"].(cbor.List)
	if m["Namespace"] != cbor.String("Mail/SES") || len(data) != 50 {
		t.Errorf("request namespace %v with %d datums", m["Namespace"], len(data))
	}
	// The configuration set's datums go out with its dimension alone.
	var setSends []cbor.Value
	for _, d := range data {
		d := d.(cbor.Map)
		dims, _ := d["Dimensions"].(cbor.List)
		if d["MetricName"] == cbor.String("Sends") && len(dims) == 1 && dims[0].(cbor.Map)["Name"] == cbor.String("ConfigurationSet") {
			setSends = append(setSends, dims[0].(cbor.Map)["Value"], d["Value"])
		}
	}
	if len(setSends) != 2 || setSends[0] != cbor.String("cs1") || setSends[1] != cbor.Float64(1700) {
		t.Errorf("ConfigurationSet Sends datums: %v", setSends)
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
