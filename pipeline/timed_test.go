package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/schema"
)

// timedRecords: generated records, the official samples, and edge cases
// for the event-time rule (missing, escaped, duplicated, unusual values).
func timedRecords(t testing.TB) []string {
	recs := strings.Split(strings.TrimSpace(genInput(21, 400, false)), "\n")
	if b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "official.jsonl")); err == nil {
		recs = append(recs, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	} else {
		t.Fatal(err)
	}
	for _, et := range schema.EventTypes {
		key := strings.ToLower(et[:1]) + et[1:]
		recs = append(recs,
			fmt.Sprintf(`{"eventType":%q,"mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@b.c"},%q:{"timestamp":"2024-02-17T06:00:00.000Z"}}`, et, key),
			fmt.Sprintf(`{"eventType":%q,"mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@b.c"},%q:{"timestamp":"bad"}}`, et, key),
			fmt.Sprintf(`{"eventType":%q,"mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@b.c"},%q:{"timestamp":"2024-02-17T06:00:00.000Z"},%q:7}`, et, key, key),
			fmt.Sprintf(`{%q:{"timestamp":"2024-02-17T06:00:00Z"},"mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000+01:00"},"eventType":%q}`, key, et),
		)
	}
	return append(recs,
		`{"eventType":"Bounce","bounce":{"timestamp":"2024-02-17T06:00:00.000Z","time\u0073tamp":"2024-02-18T06:00:00.000Z"},"mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"}}`,
		`{"eventType":"Bou\u006ece","bounce":{"timestamp":"2024-02-17T06:00:00.000Z"},"mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"}}`,
		`{"notificationType":"Bounce","bounce":{"timestamp":"2024-02-17T06:00:00.000Z"},"mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"}}`,
		`{"eventType":"Send","eventType":"Open","open":{"timestamp":"2024-02-17T06:00:00.000Z"},"mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"}}`,
		`{"eventType":"Send","mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"},"mail":{"source":"a@b.c"}}`,
		`{"eventType":"Send","mail":{"source":"a@b.c","timestamp":1708059600}}`,
		`{"eventType":"Send","mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000Z"}} trailing`,
		`{"eventType":"Send","mail":{"source":"a@b.c","timestamp":"2024-02-16T05:00:00.000\u005a"}}`,
	)
}

func checkTimed(t *testing.T, c *Compiled, tr *timedRouter, clock Clock, line string) {
	t.Helper()
	rec := Record{Data: []byte(line), File: "in", Line: 1}
	got, gotFallback := tr.route(rec, clock)
	at, wantFallback := clock.ArrivalOf(rec.Data)
	want := c.Route(rec, at)
	if !reflect.DeepEqual(got, want) || fmt.Sprint(gotFallback) != fmt.Sprint(wantFallback) {
		t.Fatalf("%s:\n got %+v (%v)\nwant %+v (%v)", line, got, gotFallback, want, wantFallback)
	}
}

// TestTimedRouterMatchesArrivalThenRoute: finding the event time in the
// key scan changes nothing: same arrival, same routing, same fallback.
func TestTimedRouterMatchesArrivalThenRoute(t *testing.T) {
	clock := Clock{EventTime: schema.EventTime, Start: fixedNow}
	for _, q := range []string{DefaultSpec().Query, `{sender_identity: .mail.tags."ses:from-domain"[0], event_type: .eventType}`} {
		spec := DefaultSpec()
		spec.Query = q
		c := mustCompile(t, spec)
		tr := c.newTimedRouter()
		if tr == nil {
			t.Fatalf("%s: no timed router", q)
		}
		for _, line := range timedRecords(t) {
			checkTimed(t, c, tr, clock, line)
		}
	}
}

func FuzzTimedRouter(f *testing.F) {
	for _, line := range timedRecords(f) {
		f.Add(line)
	}
	c, err := DefaultSpec().Compile()
	if err != nil {
		f.Fatal(err)
	}
	tr := c.newTimedRouter()
	clock := Clock{EventTime: schema.EventTime, Start: fixedNow}
	f.Fuzz(func(t *testing.T, line string) { checkTimed(t, c, tr, clock, line) })
}
