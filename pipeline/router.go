package pipeline

import (
	"strings"
	"time"

	"github.com/sesctl/sesctl/pipeline/jq"
	"github.com/sesctl/sesctl/schema"
)

// router is Compiled.Route for one goroutine, with a cache of evaluated
// prefixes: records with the same keys in the same unit of the prefix's
// time resolution (a day for yyyy/MM/dd) share one evaluation.
type router struct {
	c     *Compiled
	cache map[routeKey]string
	keys  *jq.Extractor // the spec's query, for this goroutine
}

// routeKey identifies an evaluation: the first two keys as they are, any
// further ones joined, and the time bucket.
type routeKey struct {
	k0, k1, rest string
	bucket       int64
}

// maxRouteCache bounds the cache; it starts over when full.
const maxRouteCache = 4096

func (c *Compiled) newRouter() *router {
	return &router{c: c, cache: map[routeKey]string{}, keys: c.Query.NewExtractor()}
}

// route is Compiled.Route, reusing cached prefixes and key strings.
func (rt *router) route(rec Record, at time.Time) Routed {
	if r, ok := tooLarge(rec, at); ok {
		return r
	}
	keys, _, err := rt.keys.Extract(rec.Data, nil)
	return rt.c.place(rec, at, keys, err, rt.prefixFor)
}

// prefixFor is Compiled.PrefixFor through the cache. Errors are not
// cached (they name the record's own values).
func (rt *router) prefixFor(keys []string, at time.Time, random func() string) (string, error) {
	bucket, ok := rt.c.timeRes.Bucket(at.In(rt.c.Location))
	if !ok {
		return rt.c.PrefixFor(keys, at, random)
	}
	k := routeKey{bucket: bucket}
	switch {
	case len(keys) > 2:
		k.rest = strings.Join(keys[2:], "\x00")
		fallthrough
	case len(keys) == 2:
		k.k1 = keys[1]
		fallthrough
	case len(keys) == 1:
		k.k0 = keys[0]
	}
	if p, ok := rt.cache[k]; ok {
		return p, nil
	}
	p, err := rt.c.PrefixFor(keys, at, random)
	if err != nil {
		return "", err
	}
	if len(rt.cache) >= maxRouteCache {
		clear(rt.cache)
	}
	rt.cache[k] = p
	return p, nil
}

// timedRouter finds a record's keys and event time in one scan when the
// query has a fast path: the scan also keeps the raw values the event-time
// rule reads (schema.EventTimeFromValues). Anything the captured values do
// not settle takes the usual way (Clock.ArrivalOf), so the result is the
// same as ArrivalOf followed by route.
type timedRouter struct {
	*router
	capture *jq.Extractor // the spec's query, capturing schema.EventTimePaths
	raw     [][]byte
}

// newTimedRouter returns nil when the query has no fast path.
func (c *Compiled) newTimedRouter() *timedRouter {
	paths := schema.EventTimePaths()
	q := c.Query.Capture(paths)
	if q == nil {
		return nil
	}
	return &timedRouter{router: c.newRouter(), capture: q.NewExtractor(), raw: make([][]byte, len(paths))}
}

// route routes rec arriving at its event time; fallback is ArrivalOf's.
func (tr *timedRouter) route(rec Record, clock Clock) (Routed, error) {
	if len(rec.Data)+1 > MaxRecordBytes { // not scanned: Firehose refuses it whole
		at, fallback := clock.ArrivalOf(rec.Data)
		return tr.router.route(rec, at), fallback
	}
	keys, captured, err := tr.capture.Extract(rec.Data, tr.raw)
	var (
		at       time.Time
		fallback error
		ok       bool
	)
	if captured {
		at, ok = schema.EventTimeFromValues(tr.raw)
	}
	if !ok {
		at, fallback = clock.ArrivalOf(rec.Data)
	}
	return tr.c.place(rec, at, keys, err, tr.prefixFor), fallback
}
