package jq

import "context"

// Capture returns a copy of q whose fast path also reports the raw JSON
// values of the given member paths, as the scan that finds the keys goes
// by: each is the value of the path's last occurrence, the one jq reads.
// It returns nil when q has no fast path. A caller that needs more of the
// record than the keys (the event time, say) can so avoid a second scan.
func (q *Query) Capture(paths [][]string) *Query {
	if q.rebuild == nil {
		return nil
	}
	c := *q
	c.path = q.rebuild(paths)
	return &c
}

// ExtractCaptured is Extract. When the fast path answered, raw[i] is set
// to the raw JSON value of the i-th captured path (nil when the record
// does not have it) and captured is true; otherwise raw is left alone and
// captured is false. raw must have room for every captured path.
func (q *Query) ExtractCaptured(record []byte, raw [][]byte) (keys []string, captured bool, err error) {
	return q.extractCaptured(record, raw, nil)
}

// extractCaptured is ExtractCaptured; x, when not nil, keeps key strings.
func (q *Query) extractCaptured(record []byte, raw [][]byte, x *Extractor) (keys []string, captured bool, err error) {
	if q.path != nil {
		if vals, ok := q.path.extract(record, q.slots, len(q.keys), raw, x); ok {
			return vals, true, nil
		}
	}
	keys, err = q.extractGeneral(context.Background(), record)
	return keys, false, err
}
