package pipeline

import (
	"strings"
	"time"
)

// router is Compiled.Route for one goroutine, with a cache of evaluated
// prefixes: records with the same keys in the same unit of the prefix's
// time resolution (a day for yyyy/MM/dd) share one evaluation.
type router struct {
	c     *Compiled
	cache map[routeKey]string
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
	return &router{c: c, cache: map[routeKey]string{}}
}

// route is Compiled.Route, reusing cached prefixes.
func (rt *router) route(rec Record, at time.Time) Routed {
	c := rt.c
	if c.dataRandom || len(rec.Data)+1 > MaxRecordBytes {
		return c.Route(rec, at)
	}
	keys, err := c.Query.Extract(rec.Data)
	if err != nil {
		return Routed{Record: rec, Arrival: at, ErrorType: ErrorTypeMetadataExtraction, ErrorMessage: extractMessage(err)}
	}
	return c.place(Routed{Record: rec, Arrival: at}, keys, rt.prefixFor)
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
