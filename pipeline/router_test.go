package pipeline

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRouterMatchesRoute: the cached router routes every record exactly
// as Compiled.Route does, whatever the prefix's time resolution.
func TestRouterMatchesRoute(t *testing.T) {
	prefixes := []string{
		DefaultSpec().Prefix,
		"e/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH}/",
		"e/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy-MM-dd HH:mm:ss.SSS}/!{partitionKeyFromQuery:sender_identity}/",
		"e/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/",
		"e/!{partitionKeyFromQuery:sender_identity}/!{firehose:random-string}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy}/",
	}
	records := strings.Split(strings.TrimSpace(genInput(5, 600, false)), "\n")
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, p := range prefixes {
		spec := DefaultSpec()
		spec.Prefix, spec.TimeZone = p, "America/New_York"
		c := mustCompile(t, spec)
		rt := c.newRouter()
		for i, line := range records {
			rec := Record{Data: []byte(line), File: "in", Line: i + 1}
			at := t0.Add(time.Duration(rnd.IntN(3*86400)) * time.Second)
			if got, want := rt.route(rec, at), c.Route(rec, at); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, line %d:\n got %+v\nwant %+v", p, i+1, got, want)
			}
		}
	}
}
