package jq

// An Extractor runs a query for one goroutine, reusing memory from record
// to record: a key value it has returned before is returned again as the
// same string, so records whose keys repeat (a few sending identities,
// ten event types) cost no allocation but the slice of values. Results
// are those of the Query. An Extractor is not safe for concurrent use;
// make one per goroutine.
type Extractor struct {
	q    *Query
	seen map[string]string // key values returned, by their bytes
	buf  []byte            // scratch for byte steps
}

// maxSeen bounds the values an Extractor keeps; it starts over when full.
const maxSeen = 4096

// NewExtractor returns an Extractor of q.
func (q *Query) NewExtractor() *Extractor {
	return &Extractor{q: q, seen: map[string]string{}}
}

// Extract is Query.ExtractCaptured.
func (x *Extractor) Extract(record []byte, raw [][]byte) (keys []string, captured bool, err error) {
	return x.q.extractCaptured(record, raw, x)
}

// intern returns b as a string, the one returned before for equal bytes
// when x keeps them; x may be nil.
func (x *Extractor) intern(b []byte) string {
	if x == nil {
		return string(b)
	}
	if s, ok := x.seen[string(b)]; ok { // the conversion does not allocate
		return s
	}
	if len(x.seen) >= maxSeen {
		clear(x.seen)
	}
	s := string(b)
	x.seen[s] = s
	return s
}
