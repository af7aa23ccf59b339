package pipeline

import (
	"container/heap"
	"fmt"
	"io"
	"sort"
	"time"
)

// Record is one input record: its bytes (without the trailing newline) and
// where it came from.
type Record struct {
	Data []byte
	File string
	Line int
}

// Routed is a record after key extraction: either the partition it joins or
// the reason it goes to the error output.
type Routed struct {
	Record  Record
	Arrival time.Time // approximate arrival timestamp (from --arrival-time)
	// Keys are the partition key values, aligned with the query's keys.
	Keys []string
	// Partition is the evaluated prefix identifying the active partition;
	// an occurrence of !{firehose:random-string} is left as RandomPlaceholder.
	Partition    string
	ErrorType    string // "" when the record joins Partition
	ErrorMessage string
}

// Failed reports whether the record goes to the error output.
func (r Routed) Failed() bool { return r.ErrorType != "" }

// RandomPlaceholder stands for !{firehose:random-string} in a partition's
// identity: Firehose draws the random string when it writes an object, so
// it cannot decide which partition a record joins.
const RandomPlaceholder = "!{firehose:random-string}"

// layout evaluates the prefix and error prefix. *Compiled implements it;
// tests use fakes. A nil random leaves RandomPlaceholder in the result.
type layout interface {
	PrefixFor(keys []string, at time.Time, random func() string) (string, error)
	ErrorPrefixFor(errorType string, at time.Time, random func() string) (string, error)
	DataHasRandom() bool
	ErrorHasRandom() bool
}

// Limits are the buffering hints and the active-partition quota.
type Limits struct {
	Bytes     int64         // size threshold, uncompressed, including newlines
	Interval  time.Duration // buffering interval
	MaxActive int           // open data partitions allowed at once
	// NoInterval delivers buffers by size and at the end only (backfill
	// buffering); the zero value applies the interval (live).
	NoInterval bool
	// DeliverAtLimit delivers the partition written least recently when a
	// record needs a partition beyond MaxActive; the zero value sends the
	// record to the error output, as Firehose does.
	DeliverAtLimit bool
}

// Delivery is one object ready to be written.
type Delivery struct {
	Key       string    // full object key
	Prefix    string    // evaluated prefix the object lives under
	Partition string    // partition identity (see Routed.Partition)
	ErrorType string    // "" for a data object
	Records   int       // records (lines) in the object
	Oldest    time.Time // arrival of the oldest record: the time in the name
	Reason    string    // "size", "interval", "partition-limit" or "end"
	data      payload
}

// Size is the object's uncompressed size (with --format parquet, the size
// of the Parquet file).
func (d *Delivery) Size() int64 { return d.data.Len() }

// Payload writes the object's uncompressed bytes (JSON lines, or a Parquet
// file for a converted data object).
func (d *Delivery) Payload() io.WriterTo { return d.data }

// PrefixCount is the number of records and objects under one prefix.
type PrefixCount struct {
	Prefix  string `json:"prefix"`
	Records int64  `json:"records"`
	Objects int64  `json:"objects"`
}

// partitioner buffers routed records per active partition as Firehose
// does and hands full or expired buffers to emit. It is not safe for
// concurrent use: one goroutine feeds it, which keeps object names and the
// random sequence deterministic.
type partitioner struct {
	limits Limits
	layout layout
	names  *namer
	emit   func(*Delivery) error

	clock   time.Time // max arrival seen: the simulated "now"
	started bool
	open    map[string]*partBuf // data partitions by identity
	errOpen map[string]*partBuf // error prefixes by identity
	heap    deadlineHeap
	lru     lruList // open data buffers by last write
	seq     uint64
	line    []byte // scratch for error records
	// arrivals holds each data buffer's record arrivals when record
	// format conversion is on (nil otherwise); see convert.go.
	arrivals map[*partBuf][]time.Time
	spill    spillPolicy // memory bound of the open buffers (spill.go)
	gz       *gzPool     // compresses data buffers while they fill (nil: at delivery)

	counts partCounts
}

// partCounts are the partitioner's running totals.
type partCounts struct {
	recordsIn    int64
	bytesIn      int64
	partitioned  int64
	failed       int64
	failedByType map[string]int64
	objects      int64
	errorObjects int64
	maxOpen      int
	byReason     map[string]int64 // delivered buffers by reason
	prefixes     map[string]*PrefixCount
	errPrefixes  map[string]*PrefixCount
}

func newPartitioner(l layout, limits Limits, names *namer, emit func(*Delivery) error) *partitioner {
	return &partitioner{
		limits: limits, layout: l, names: names, emit: emit,
		open: map[string]*partBuf{}, errOpen: map[string]*partBuf{},
		counts: partCounts{
			failedByType: map[string]int64{},
			byReason:     map[string]int64{},
			prefixes:     map[string]*PrefixCount{},
			errPrefixes:  map[string]*PrefixCount{},
		},
	}
}

// Add buffers one record. It first advances the clock to the record's
// arrival and delivers every buffer whose interval has run out.
func (p *partitioner) Add(r Routed) error {
	if !p.started || r.Arrival.After(p.clock) {
		p.clock, p.started = r.Arrival, true
	}
	if err := p.expire(); err != nil {
		return err
	}
	p.counts.recordsIn++
	p.counts.bytesIn += int64(len(r.Record.Data)) + 1
	if r.Failed() {
		return p.addError(r, r.ErrorType, r.ErrorMessage)
	}
	b := p.open[r.Partition]
	if b == nil {
		if len(p.open) >= p.limits.MaxActive {
			if !p.limits.DeliverAtLimit {
				msg := fmt.Sprintf("more than %d active partitions: the record's partition %q could not be opened", p.limits.MaxActive, r.Partition)
				return p.addError(r, ErrorTypeActivePartitions, msg)
			}
			if err := p.deliver(p.lru.head, "partition-limit"); err != nil {
				return err
			}
		}
		b = p.openBuf(p.open, r.Partition, "", r)
		p.counts.maxOpen = max(p.counts.maxOpen, len(p.open))
	}
	p.lru.touch(b)
	p.appendRecord(b, r.Record.Data, r.Arrival)
	p.noteArrival(b, r.Arrival)
	p.appendData(b, newline)
	p.counts.partitioned++
	b.count.Records++
	if b.data.Len() >= p.limits.Bytes {
		return p.deliver(b, "size")
	}
	return p.enforceBudget()
}

var newline = []byte{'\n'}

// addError appends an error record under the evaluated error prefix.
func (p *partitioner) addError(r Routed, errorType, msg string) error {
	return p.addErrorCode(r, errorType, ErrorCode(errorType), msg)
}

// addErrorCode is addError with an explicit errorCode.
func (p *partitioner) addErrorCode(r Routed, errorType, code, msg string) error {
	id, err := p.layout.ErrorPrefixFor(errorType, r.Arrival, nil)
	if err != nil {
		return fmt.Errorf("evaluate error prefix for %s: %w", errorType, err)
	}
	b := p.errOpen[id]
	if b == nil {
		b = p.openBuf(p.errOpen, id, errorType, r)
	}
	p.line = newErrorRecordCode(code, msg, r.Arrival, r.Record.Data).AppendLine(p.line[:0])
	p.appendRecord(b, p.line, r.Arrival)
	p.counts.failed++
	p.counts.failedByType[errorType]++
	b.count.Records++
	if b.data.Len() >= p.limits.Bytes {
		return p.deliver(b, "size")
	}
	return p.enforceBudget()
}

func (p *partitioner) openBuf(m map[string]*partBuf, id, errorType string, r Routed) *partBuf {
	p.seq++
	b := &partBuf{
		identity: id, errorType: errorType, keys: r.Keys, at: r.Arrival,
		oldest: r.Arrival, deadline: p.clock.Add(p.limits.Interval),
		data: p.newPayload(errorType), seq: p.seq,
	}
	counts := p.counts.prefixes
	if errorType != "" {
		counts = p.counts.errPrefixes
	}
	b.count = p.prefixCount(counts, id)
	m[id] = b
	heap.Push(&p.heap, b)
	return b
}

// newPayload is a data buffer compressed in chunks when the pool is on,
// otherwise (and for error buffers) a raw buffer that can spill.
func (p *partitioner) newPayload(errorType string) payload {
	if p.gz != nil && errorType == "" {
		return newGzPayload(p.gz)
	}
	return newSpillPayload()
}

func (p *partitioner) appendRecord(b *partBuf, line []byte, at time.Time) {
	p.appendData(b, line)
	b.records++
	if at.Before(b.oldest) {
		b.oldest = at
	}
}

// expire delivers every buffer whose deadline is not after the clock
// (never with NoInterval).
func (p *partitioner) expire() error {
	if p.limits.NoInterval {
		return nil
	}
	for b := p.heap.peek(); b != nil && !b.deadline.After(p.clock); b = p.heap.peek() {
		if err := p.deliver(b, "interval"); err != nil {
			return err
		}
	}
	return nil
}

// Close delivers every open buffer, earliest deadline first.
func (p *partitioner) Close() error {
	for b := p.heap.peek(); b != nil; b = p.heap.peek() {
		if err := p.deliver(b, "end"); err != nil {
			return err
		}
	}
	return nil
}

// deliver closes b, names its object and hands it to emit.
func (p *partitioner) deliver(b *partBuf, reason string) error {
	p.heap.remove(b)
	p.lru.remove(b)
	p.leaveOpen(b)
	if b.errorType == "" {
		delete(p.open, b.identity)
	} else {
		delete(p.errOpen, b.identity)
	}
	if b.errorType == "" && p.arrivals != nil {
		if ok, err := p.convert(b); !ok || err != nil {
			return err // no record converted: no object
		}
	}
	if err := p.spillDelivered(b); err != nil {
		return err
	}
	prefix, err := p.finalPrefix(b)
	if err != nil {
		return err
	}
	key, err := p.objectKey(b, prefix)
	if err != nil {
		return err
	}
	if b.errorType == "" {
		p.counts.objects++
	} else {
		p.counts.errorObjects++
	}
	b.count.Objects++
	p.counts.byReason[reason]++
	return p.emit(&Delivery{
		Key: key, Prefix: prefix, Partition: b.identity, ErrorType: b.errorType,
		Records: b.records, Oldest: b.oldest, Reason: reason, data: b.data,
	})
}

func (p *partitioner) objectKey(b *partBuf, prefix string) (string, error) {
	if b.errorType == "" {
		return p.names.objectKey(prefix, b.oldest)
	}
	return p.names.errorObjectKey(prefix, b.oldest)
}

// finalPrefix draws the random strings of the prefix, if it has any.
func (p *partitioner) finalPrefix(b *partBuf) (string, error) {
	var (
		prefix string
		err    error
	)
	switch {
	case b.errorType == "" && p.layout.DataHasRandom():
		prefix, err = p.layout.PrefixFor(b.keys, b.at, p.names.randomString)
	case b.errorType != "" && p.layout.ErrorHasRandom():
		prefix, err = p.layout.ErrorPrefixFor(b.errorType, b.at, p.names.randomString)
	default:
		return b.identity, nil
	}
	if err == nil {
		err = p.names.firstErr()
	}
	if err != nil {
		return "", fmt.Errorf("evaluate prefix of %q: %w", b.identity, err)
	}
	return prefix, nil
}

func (p *partitioner) prefixCount(m map[string]*PrefixCount, id string) *PrefixCount {
	c := m[id]
	if c == nil {
		c = &PrefixCount{Prefix: id}
		m[id] = c
	}
	return c
}

// OpenPartitions is the number of open data partitions.
func (p *partitioner) OpenPartitions() int { return len(p.open) }

// sortedCounts returns the per-prefix counts in prefix order.
func sortedCounts(m map[string]*PrefixCount) []PrefixCount {
	out := make([]PrefixCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Prefix < out[j].Prefix })
	return out
}
