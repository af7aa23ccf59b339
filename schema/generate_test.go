package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func newGen(t testing.TB, cfg GeneratorConfig) *Generator {
	t.Helper()
	g, err := NewGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func genBytes(t testing.TB, cfg GeneratorConfig, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := newGen(t, cfg).WriteN(&buf, n, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func lines(b []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func TestGeneratorDeterministic(t *testing.T) {
	cfg := GeneratorConfig{Seed: 42, Events: 3000}
	a := genBytes(t, cfg, 3000)
	b := genBytes(t, cfg, 3000)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	cfg.Seed = 43
	if c := genBytes(t, cfg, 3000); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same bytes")
	}
	// A prefix of a longer run is the shorter run: N only decides where to stop.
	if long := genBytes(t, GeneratorConfig{Seed: 42, Events: 3000}, 3500); !bytes.HasPrefix(long, a) {
		t.Fatal("a longer run does not start with the shorter run")
	}
}

func TestGeneratorConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  GeneratorConfig
		want string
	}{
		{GeneratorConfig{Events: 0}, "events must be at least 1"},
		{GeneratorConfig{Events: 1, Identities: -1}, "identities must be between 1 and"},
		{GeneratorConfig{Events: 1, Identities: MaxGenIdentities + 1}, "identities must be between 1 and"},
		{GeneratorConfig{Events: 1, Days: -2}, "days must be between 1 and"},
		{GeneratorConfig{Events: 1, Start: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)}, "start must be between"},
	}
	for _, tt := range tests {
		_, err := NewGenerator(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewGenerator(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

type idStats struct{ sends, deliveries, bounces, counted, complaints int }

// TestGeneratorValidAndConsistent checks every record of a stream: it
// validates, its event time is in order, and all events of a message agree.
func TestGeneratorValidAndConsistent(t *testing.T) {
	const n = 12000
	cfg := GeneratorConfig{Seed: 7, Events: n, Identities: 12, Days: 1,
		Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	type msgInfo struct {
		mail    Event
		tagsKey string
	}
	msgs := map[string]msgInfo{}
	var prev time.Time
	end := cfg.Start.Add(time.Duration(cfg.Days)*24*time.Hour + maxFollowUp)
	for i, rec := range lines(genBytes(t, cfg, n)) {
		if ps := Validate(rec); len(ps) > 0 {
			t.Fatalf("record %d: %v\n%s", i+1, ps, rec)
		}
		et, err := EventTime(rec)
		if err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		if et.Before(prev) {
			t.Fatalf("record %d: event time %s before previous %s", i+1, et, prev)
		}
		prev = et
		if et.Before(cfg.Start) || et.After(end) {
			t.Fatalf("record %d: event time %s outside the window", i+1, et)
		}
		var ev Event
		dec := json.NewDecoder(bytes.NewReader(rec))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		mailTime, _ := ParseTimestamp(ev.Mail.Timestamp)
		if et.Before(mailTime) {
			t.Fatalf("record %d: event time before mail.timestamp", i+1)
		}
		tags := maps2key(ev.Mail.Tags)
		info, seen := msgs[ev.Mail.MessageID]
		if !seen {
			msgs[ev.Mail.MessageID] = msgInfo{ev, tags}
			continue
		}
		m := info.mail.Mail
		if m.Source != ev.Mail.Source || m.Timestamp != ev.Mail.Timestamp || info.tagsKey != tags ||
			!slices.Equal(m.Destination, ev.Mail.Destination) || m.SendingAccountID != ev.Mail.SendingAccountID {
			t.Fatalf("record %d: message %s differs from its first event:\n%+v\n%+v", i+1, ev.Mail.MessageID, m, ev.Mail)
		}
	}
	if len(msgs) < n/4 {
		t.Errorf("only %d messages for %d events", len(msgs), n)
	}
}

// maps2key renders tags without ses:outgoing-ip (only deliveries carry it).
func maps2key(tags map[string][]string) string {
	keys := sortedKeys(tags)
	var b strings.Builder
	for _, k := range keys {
		if k != "ses:outgoing-ip" {
			fmt.Fprintf(&b, "%s=%v;", k, tags[k])
		}
	}
	return b.String()
}

// keyOrder records, per object path, the order of the keys of a JSON
// record (array elements share their array's path).
func keyOrder(t testing.TB, rec []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(rec))
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				keys = append(keys, k.(string))
				if err := walk(path + "." + k.(string)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if len(out[path]) == 0 {
				out[path] = keys
			}
		case json.Delim('['):
			for dec.More() {
				if err := walk(path + "[]"); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		t.Fatal(err)
	}
	return out
}

// Generated records have the official samples' shape: the same top-level
// keys in the same order, and every object's keys in the sample's order.
func TestGeneratorMatchesSampleShape(t *testing.T) {
	samples := map[string]map[string][]string{}
	for _, rec := range officialSamples(t) {
		var head struct{ EventType string }
		_ = json.Unmarshal(rec, &head)
		samples[head.EventType] = keyOrder(t, rec)
	}
	seen := map[string]bool{}
	for _, rec := range lines(genBytes(t, GeneratorConfig{Seed: 3, Events: 200000}, 200000)) {
		var head struct{ EventType string }
		head.EventType = sniffType(rec)
		if seen[head.EventType] {
			continue
		}
		seen[head.EventType] = true
		want, got := samples[head.EventType], keyOrder(t, rec)
		if !slices.Equal(got[""], want[""]) {
			t.Errorf("%s: top-level keys %v, sample %v", head.EventType, got[""], want[""])
		}
		for path, wk := range want {
			if strings.HasSuffix(path, ".tags") || strings.HasSuffix(path, ".linkTags") {
				continue // maps: keys are data
			}
			gk := got[path]
			if path == ".mail" || path == "."+eventObjectKey(head.EventType) {
				if !slices.Equal(onlyIn(wk, gk), wk) && !optionalAbsent(head.EventType, path, wk, gk) {
					t.Errorf("%s %s: keys %v, sample %v", head.EventType, path, gk, wk)
				}
			}
			if !slices.Equal(onlyIn(gk, wk), onlyIn(wk, gk)) {
				t.Errorf("%s %s: key order %v, sample %v", head.EventType, path, gk, wk)
			}
		}
	}
	if len(seen) != 10 {
		t.Errorf("event types generated: %v", seen)
	}
}

func eventObjectKey(eventType string) string { k, _ := ObjectKey(eventType); return k }

// onlyIn returns the elements of a that are in b, in a's order.
func onlyIn(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// optionalAbsent accepts documented-optional fields missing from a
// generated object (a bounce without DSN has no reportingMTA).
func optionalAbsent(eventType, path string, want, got []string) bool {
	optional := map[string]bool{"reportingMTA": true}
	for _, k := range want {
		if !slices.Contains(got, k) && !optional[k] {
			return false
		}
	}
	return true
}

// sniffType reads the eventType of a generated record (always first).
func sniffType(rec []byte) string {
	const prefix = `{"eventType":"`
	rest := rec[len(prefix):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// tagValue reads the first value of a tag from a generated record.
func tagValue(rec []byte, tag string) string {
	key := []byte(`"` + tag + `":["`)
	i := bytes.Index(rec, key)
	if i < 0 {
		return ""
	}
	rest := rec[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// The mix, per-identity health and record sizes are realistic.
func TestGeneratorMix(t *testing.T) {
	const n = 200000
	g := newGen(t, GeneratorConfig{Seed: 11, Events: n})
	byType := map[string]int{}
	perIdentity := map[string]*idStats{}
	maxQueue, size := 0, 0
	var buf []byte
	for i := 0; i < n; i++ {
		buf = g.Next(buf[:0])
		size += len(buf)
		maxQueue = max(maxQueue, g.queue.len())
		typ := sniffType(buf)
		byType[typ]++
		dom := tagValue(buf, "ses:from-domain")
		is := perIdentity[dom]
		if is == nil {
			is = &idStats{}
			perIdentity[dom] = is
		}
		switch typ {
		case "Send":
			is.sends++
		case "Delivery":
			is.deliveries++
		case "Bounce":
			is.bounces++
			if !bytes.Contains(buf, []byte(`"bounceSubType":"OnAccountSuppressionList"`)) {
				is.counted++
			}
		case "Complaint":
			is.complaints++
		}
	}
	share := func(typ string) float64 { return 100 * float64(byType[typ]) / n }
	ranges := []struct {
		typ    string
		lo, hi float64 // percent of events
	}{
		{"Send", 42, 48}, {"Delivery", 39, 45}, {"Open", 4, 10}, {"Click", 1, 4},
		{"Bounce", 2, 3.5}, {"Complaint", 0.05, 0.2}, {"DeliveryDelay", 0.5, 2.5},
		{"Reject", 0.001, 0.05}, {"Rendering Failure", 0.005, 0.1}, {"Subscription", 0.01, 0.3},
	}
	for _, r := range ranges {
		if s := share(r.typ); s < r.lo || s > r.hi {
			t.Errorf("%s: %.3f%% of events, want %.3g..%.3g%%", r.typ, s, r.lo, r.hi)
		}
	}
	if avg := size / n; avg < 1000 || avg > 2000 {
		t.Errorf("average record size %d bytes, want 1-2 KB", avg)
	}
	ids := g.Identities()
	for _, id := range ids {
		is := perIdentity[id.Domain]
		bounceRate := float64(is.counted) / float64(is.sends)
		complaintRate := float64(is.complaints) / float64(is.deliveries)
		switch id.Profile {
		case ProfileHighBounce:
			if bounceRate < 0.10 {
				t.Errorf("%s: bounce rate %.3f, want >= 10%%", id.Domain, bounceRate)
			}
		case ProfileHighComplaint:
			if complaintRate < 0.003 {
				t.Errorf("%s: complaint rate %.4f, want well above 0.1%%", id.Domain, complaintRate)
			}
		default:
			// A few thousand deliveries per identity: allow sampling noise
			// around the configured 0.06%.
			if bounceRate >= 0.05 || complaintRate >= 0.0015 {
				t.Errorf("healthy %s: bounce %.3f complaint %.4f", id.Domain, bounceRate, complaintRate)
			}
		}
	}
	for _, id := range g.ids {
		healthy := id.profile == ProfileHealthy
		if healthy && (id.pHard+id.pSoft*0.3 >= 0.05 || id.pComplaint >= 0.001) {
			t.Errorf("%s is configured above SES's review thresholds", id.domain)
		}
		if !healthy && id.pHard < 0.1 && id.pComplaint < 0.001 {
			t.Errorf("%s (%s) is configured healthy", id.domain, id.profile)
		}
	}
	if ids[1].Profile != ProfileHighBounce || ids[2].Profile != ProfileHighComplaint {
		t.Errorf("identities = %+v", ids)
	}
	// Memory: only events of recent messages wait in the queue.
	if maxQueue > 5000 {
		t.Errorf("queue grew to %d pending events", maxQueue)
	}
	t.Logf("mix: %v, avg %d B, max queue %d", byType, size/n, maxQueue)
}

func TestGeneratorData(t *testing.T) {
	if len(transactionalCategories) != len(transactionalSubjects) {
		t.Fatal("every transactional subject needs a category")
	}
	ids := newGen(t, GeneratorConfig{Events: 1, Identities: 20}).Identities()
	domains := map[string]bool{}
	total := 0.0
	for _, id := range ids {
		if domains[id.Domain] {
			t.Errorf("duplicate identity %s", id.Domain)
		}
		domains[id.Domain] = true
		total += id.Share
	}
	if total < 0.999 || total > 1.001 {
		t.Errorf("shares add up to %f", total)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"plain", `quote " and \ backslash`, "tab\tnl\ncr\r\x01", "ünïcode ✓", ""} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("appendJSONString(%q) = %s (%v)", s, got, err)
		}
	}
}

func TestAppendUUID(t *testing.T) {
	got := string(appendUUID(nil, []byte{0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00}))
	if want := "ffeeddcc-bbaa-4988-b766-554433221100"; got != want {
		t.Errorf("appendUUID = %s, want %s", got, want)
	}
}

func TestGeneratorWriteError(t *testing.T) {
	err := newGen(t, GeneratorConfig{Events: 10}).WriteN(failWriter{}, 10, nil)
	if err == nil || !strings.Contains(err.Error(), "writing events") {
		t.Fatalf("err = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func BenchmarkGenerate(b *testing.B) {
	g := newGen(b, GeneratorConfig{Seed: 1, Events: 1_000_000})
	var buf []byte
	total := 0
	b.ReportAllocs()
	for b.Loop() {
		buf = g.Next(buf[:0])
		total += len(buf)
	}
	b.SetBytes(int64(total / max(1, b.N)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// Any valid configuration yields records that validate, in event-time order.
func FuzzGenerator(f *testing.F) {
	f.Add(uint64(1), uint16(8), uint16(7), uint32(1000))
	f.Add(uint64(99), uint16(1), uint16(1), uint32(1))
	f.Add(uint64(0), uint16(1000), uint16(3660), uint32(50_000_000))
	f.Fuzz(func(t *testing.T, seed uint64, ids, days uint16, events uint32) {
		cfg := GeneratorConfig{Seed: seed, Identities: int(ids), Days: int(days), Events: int(events)}
		g, err := NewGenerator(cfg)
		if err != nil {
			return
		}
		var prev time.Time
		for i := 0; i < 60; i++ {
			rec := g.Next(nil)
			if ps := Validate(rec); len(ps) > 0 {
				t.Fatalf("%+v record %d: %v\n%s", cfg, i, ps, rec)
			}
			et, err := EventTime(rec)
			if err != nil || et.Before(prev) {
				t.Fatalf("%+v record %d: event time %s (prev %s): %v", cfg, i, et, prev, err)
			}
			prev = et
		}
	})
}
