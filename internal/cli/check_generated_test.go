package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline/sink"
	"github.com/sesctl/sesctl/schema"
)

// genEvent is the part of an SES record the expected counts need.
type genEvent struct {
	EventType string `json:"eventType"`
	Mail      struct {
		Source      string   `json:"source"`
		MessageID   string   `json:"messageId"`
		Destination []string `json:"destination"`
	} `json:"mail"`
	Bounce struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		FeedbackID        string `json:"feedbackId"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplaintSubType     string `json:"complaintSubType"`
		FeedbackID           string `json:"feedbackId"`
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// genCounts are the expected per-identity counts, computed straight from
// the records: sends per recipient, hard bounces (Permanent, not
// OnAccountSuppressionList) and complaints (not OnAccountSuppressionList)
// per recipient, each distinct event counted once.
type genCounts struct{ sends, hard, complaints int }

// identityOf is the default partition key: the domain of mail.source.
func identityOf(source string) string {
	at := strings.LastIndex(source, "@")
	return strings.ToLower(strings.TrimSuffix(source[at+1:], ">"))
}

// writeGeneratedLake writes n generated records into dir, partitioned as
// the default spec does (identity, event type, event day), and returns the
// expected counts per identity.
func writeGeneratedLake(t *testing.T, dir string, n int) map[string]*genCounts {
	t.Helper()
	g, err := schema.NewGenerator(schema.GeneratorConfig{Seed: 42, Events: n, Identities: 4, Start: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Days: 2})
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string]*bytes.Buffer{}
	want := map[string]*genCounts{}
	seen := map[string]bool{}
	once := func(k string) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	var buf []byte
	for range n {
		buf = g.Next(buf[:0])
		var ev genEvent
		if err := json.Unmarshal(buf, &ev); err != nil {
			t.Fatal(err)
		}
		at, err := schema.EventTime(buf)
		if err != nil {
			t.Fatal(err)
		}
		id := identityOf(ev.Mail.Source)
		key := "events/" + id + "/" + ev.EventType + "/" + at.UTC().Format("2006/01/02") + "/sesctl-events-1-generated"
		if objects[key] == nil {
			objects[key] = &bytes.Buffer{}
		}
		objects[key].Write(append(buf, '\n'))
		c := want[id]
		if c == nil {
			c = &genCounts{}
			want[id] = c
		}
		switch ev.EventType {
		case "Send":
			for _, r := range ev.Mail.Destination {
				if once("send|" + ev.Mail.MessageID + "|" + r) {
					c.sends++
				}
			}
		case "Bounce":
			if ev.Bounce.BounceType != "Permanent" || ev.Bounce.BounceSubType == "OnAccountSuppressionList" {
				continue
			}
			for _, r := range ev.Bounce.BouncedRecipients {
				if once("bounce|" + ev.Mail.MessageID + "|" + ev.Bounce.FeedbackID + "|" + r.EmailAddress) {
					c.hard++
				}
			}
		case "Complaint":
			if ev.Complaint.ComplaintSubType == "OnAccountSuppressionList" {
				continue
			}
			for _, r := range ev.Complaint.ComplainedRecipients {
				if once("complaint|" + ev.Mail.MessageID + "|" + ev.Complaint.FeedbackID + "|" + r.EmailAddress) {
					c.complaints++
				}
			}
		}
	}
	for key, b := range objects {
		p, err := sink.LocalPath(dir, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

var perfItem = regexp.MustCompile(`^([^#=\s]+)#(sends|bounce_rate|complaint_rate)=([0-9.]+|U)(c|%)`)

// TestCheckGeneratedLake runs a per-identity check over a lake of
// generated events and compares every identity's sends, rates and state
// with counts taken straight from the records.
func TestCheckGeneratedLake(t *testing.T) {
	lake := t.TempDir()
	want := writeGeneratedLake(t, lake, 20000)
	out, errOut, code := monRun(t, time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), nil,
		"check", "--lake", lake, "--from", "2024-03-01", "--to", "2024-03-05", "--per-identity")
	if errOut != "" {
		t.Fatalf("stderr: %s", errOut)
	}
	got := map[string]map[string]float64{}
	for _, line := range strings.Split(strings.ReplaceAll(out, " | ", "\n"), "\n") {
		m := perfItem.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got[m[1]] == nil {
			got[m[1]] = map[string]float64{}
		}
		got[m[1]][m[2]] = v
	}
	worst := 0
	for id, c := range want {
		if c.sends == 0 {
			continue
		}
		bounce := 100 * float64(c.hard) / float64(c.sends)
		complaint := 100 * float64(c.complaints) / float64(c.sends)
		g := got[id]
		if g == nil {
			t.Errorf("%s: no perfdata\n%s", id, out)
			continue
		}
		if g["sends"] != float64(c.sends) || !near(g["bounce_rate"], bounce) || !near(g["complaint_rate"], complaint) {
			t.Errorf("%s: sends %v bounce %v%% complaint %v%%, want %d, %v%%, %v%%", id, g["sends"], g["bounce_rate"], g["complaint_rate"], c.sends, bounce, complaint)
		}
		state := 0
		switch {
		case bounce > 10 || complaint > 0.5:
			state = 2
		case bounce > 5 || complaint > 0.1:
			state = 1
		}
		worst = max(worst, state)
		label := map[int]string{0: "[OK] ", 1: "[WARNING] ", 2: "[CRITICAL] "}[state]
		if !strings.Contains(out, "\n"+label+id+": ") {
			t.Errorf("%s: want a %sline\n%s", id, label, out)
		}
	}
	if worst == 0 {
		t.Error("the generated stream has no unhealthy identity: the test proves little")
	}
	if code != worst {
		t.Errorf("exit %d, want the worst identity's %d\n%s", code, worst, out)
	}
}

// near compares a perfdata value (six significant digits) with the exact one.
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-5*math.Max(1, math.Abs(want))
}
