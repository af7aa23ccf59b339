package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sesctl/sesctl/pipeline/framing"
	"github.com/sesctl/sesctl/pipeline/sink"
	"github.com/sesctl/sesctl/schema"
)

// batchSize is how many records travel together between stages.
const batchSize = 256

// Options tune a replay. The zero value replays with event-time arrival,
// crypto/rand names and one worker per CPU.
type Options struct {
	Arrival Arrival
	// EventTime defaults to schema.EventTime.
	EventTime func(record []byte) (time.Time, error)
	// Now defaults to time.Now.
	Now func() time.Time
	// Rand is the source of object-name UUIDs and random strings; it
	// defaults to crypto/rand. Seed it for reproducible names.
	Rand io.Reader
	// Workers extract keys; Writers compress and write objects. Both
	// default to GOMAXPROCS. Committers commit written objects (a local
	// folder syncs each to disk, S3 uploads it): they mostly wait, so
	// there are more of them, 16 by default. Output does not depend on
	// any of the three.
	Workers    int
	Writers    int
	Committers int
	// Progress, when set, is called every ProgressEvery (default 500 ms)
	// and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Warn receives the first few warnings (records without an event time).
	Warn func(msg string)
	// Buffering says what closes buffers: backfill (the zero value) or
	// live; see BufferingBackfill and BufferingLive.
	Buffering Buffering
	// OnPartitionLimit overrides the buffering's default action for a
	// record beyond the active-partition quota.
	OnPartitionLimit LimitAction
	// Limits, when non-zero, replace the spec's buffering hints (tests).
	// Buffering and OnPartitionLimit still apply.
	Limits Limits
	// BufferMemory bounds the in-memory bytes of open buffers: past it the
	// largest move to temporary files in SpillDir (default os.TempDir()).
	// Zero means DefaultBufferMemory, negative keeps everything in memory.
	// Objects are the same either way.
	BufferMemory int64
	SpillDir     string
}

// maxWarnings bounds how many warnings Replay passes to Options.Warn.
const maxWarnings = 5

// Progress is a snapshot of a running replay.
type Progress struct {
	Records        int64
	Bytes          int64
	OpenPartitions int
	Elapsed        time.Duration
	Done           bool
}

// Summary is what a replay did.
type Summary struct {
	Output       string           `json:"output"`
	Inputs       []string         `json:"inputs"`
	ArrivalTime  string           `json:"arrival_time"`
	Buffering    string           `json:"buffering"`
	RecordsIn    int64            `json:"records_in"`
	Partitioned  int64            `json:"partitioned"`
	Failed       int64            `json:"failed"`
	FailedByType map[string]int64 `json:"failed_by_type"`
	Objects      int64            `json:"objects"`
	// DeliveredBy counts delivered buffers (data and error objects) by
	// reason: size, interval, partition-limit, end.
	DeliveredBy       map[string]int64 `json:"delivered_by"`
	ErrorObjects      int64            `json:"error_objects"`
	BytesIn           int64            `json:"bytes_in"`
	BytesWritten      int64            `json:"bytes_written"`
	Partitions        int              `json:"partitions"`
	MaxOpenPartitions int              `json:"max_open_partitions"`
	ArrivalFallbacks  int64            `json:"arrival_time_fallbacks"` // partitioned records without an event time
	Duration          float64          `json:"duration"`               // seconds
	Interrupted       bool             `json:"interrupted,omitempty"`
	Prefixes          []PrefixCount    `json:"prefixes"`
	ErrorPrefixes     []PrefixCount    `json:"error_prefixes"`
	spills            int64            // buffers moved to disk (tests)
	batches           int64            // batches made, as opposed to recycled (tests)
}

// batch is a run of records moving through the stages. Workers fill
// routed and close done; the partitioner consumes batches in read order,
// then hands each back to the reader (recycle): the records' bytes live
// in the batch's arena, so a replay reads any input in the memory of the
// few batches in flight.
type batch struct {
	recs     []Record
	arrivals []time.Time // ArrivalNow: stamped by the reader
	routed   []Routed
	fallback []error
	done     chan struct{}
	arena    framing.Arena // the bytes of recs
}

// run holds one replay's shared state.
type run struct {
	c     *Compiled
	opt   Options
	out   sink.Sink
	clock Clock

	readRecords atomic.Int64
	readBytes   atomic.Int64
	open        atomic.Int64
	objects     atomic.Int64
	errObjects  atomic.Int64
	written     atomic.Int64

	// eventTimeDefault: Options.EventTime was schema.EventTime's default,
	// so the event time may come from the key scan (timedRouter).
	eventTimeDefault bool

	inputErr  error // first unreadable input; the reader stops there
	fallbacks int64
	warned    int
	part      *partitioner
	free      chan *batch // batches the partitioner is done with
	batches   int64       // batches made (the reader's count)
}

// Replay partitions the records of inputs with the compiled spec, exactly
// as Firehose would deliver them, and writes the objects to out.
//
// Stages: one reader frames records; Workers goroutines extract keys and
// arrival times; one partitioner buffers them in input order; Writers
// goroutines compress and write delivered objects. The objects and their
// names depend only on the input, the spec and Options.Rand.
//
// If an input cannot be read part-way, the records read so far are still
// delivered and Replay returns the summary with an *InputError. If ctx is
// canceled, objects being written are aborted (nothing partial remains),
// buffered records are dropped and the error wraps context.Canceled; the
// summary then counts only committed objects.
func Replay(ctx context.Context, c *Compiled, inputs []Input, out sink.Sink, opt Options) (*Summary, error) {
	eventTimeDefault := opt.EventTime == nil
	opt = withDefaults(opt)
	start := opt.Now()
	r := &run{c: c, opt: opt, out: out, clock: Clock{Arrival: opt.Arrival, EventTime: opt.EventTime, Now: opt.Now, Start: start}, eventTimeDefault: eventTimeDefault}
	r.free = make(chan *batch, 4*opt.Workers+4) // more than can be in flight: see read
	limits := c.Limits()
	if opt.Limits != (Limits{}) {
		limits = opt.Limits
	}
	limits = opt.Buffering.apply(limits, opt.OnPartitionLimit)
	names := newNamer(opt.Rand, c.Spec.StreamName, c.Spec.StreamVersion, c.Spec.FileExtension(), c.Location)
	names.errExt = c.Spec.ErrorFileExtension()
	deliveries := make(chan *Delivery, opt.Writers)
	g, gctx := errgroup.WithContext(ctx)
	r.part = newPartitioner(c, limits, names, func(d *Delivery) error {
		select {
		case deliveries <- d:
			return nil
		case <-gctx.Done():
			d.data.Release()
			return gctx.Err()
		}
	})
	if c.Spec.Format == FormatParquet {
		r.part.enableConversion()
	}
	r.part.spill = newSpillPolicy(opt.SpillDir, opt.BufferMemory)
	var gz *gzPool
	if c.Spec.Format == FormatJSON && c.Spec.Compression == CompressionGZIP {
		gz = newGzPool(opt.Writers)
		r.part.gz = gz
	}
	if b, ok := out.(sink.Batcher); ok {
		b.BeginBatch() // published in batches; the Flush below publishes the rest
	}
	stopProgress := r.startProgress()
	work := make(chan *batch, opt.Workers)
	ordered := make(chan *batch, 2*opt.Workers)
	g.Go(func() error { return r.read(gctx, inputs, work, ordered) })
	for range opt.Workers {
		g.Go(func() error { r.extract(work); return nil })
	}
	g.Go(func() error {
		defer close(deliveries)
		if gz != nil {
			defer gz.close() // after the last chunk is submitted
		}
		return r.partition(gctx, ordered)
	})
	commits := make(chan written, opt.Committers)
	var writers sync.WaitGroup
	for range opt.Writers {
		writers.Add(1)
		g.Go(func() error { defer writers.Done(); return r.write(gctx, deliveries, commits) })
	}
	go func() { writers.Wait(); close(commits) }()
	for range opt.Committers {
		g.Go(func() error { return r.commit(gctx, commits) })
	}
	err := g.Wait()
	if f, ok := out.(sink.Flusher); ok {
		if ferr := f.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("sync the output: %w", ferr)
		}
	}
	for d := range deliveries { // left by writers that stopped on an error
		d.data.Release()
	}
	for w := range commits { // left by committers that stopped on an error
		if w.obj != nil {
			_ = w.obj.Abort() // the run already failed; nothing partial remains
		}
	}
	r.part.discard()
	stopProgress()
	sum := r.summary(inputs, start)
	if err != nil {
		if ctx.Err() != nil {
			sum.Interrupted = true
			return sum, fmt.Errorf("replay interrupted: %w", ctx.Err())
		}
		return sum, err
	}
	if r.inputErr != nil {
		return sum, r.inputErr
	}
	return sum, nil
}

func withDefaults(o Options) Options {
	if o.EventTime == nil {
		o.EventTime = schema.EventTime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Writers <= 0 {
		o.Writers = runtime.GOMAXPROCS(0)
	}
	if o.Committers <= 0 {
		o.Committers = defaultCommitters
	}
	if o.BufferMemory == 0 {
		o.BufferMemory = DefaultBufferMemory
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 500 * time.Millisecond
	}
	return o
}

// read frames the inputs into batches, sending each to the workers and, in
// order, to the partitioner.
func (r *run) read(ctx context.Context, inputs []Input, work, ordered chan<- *batch) error {
	defer close(work)
	defer close(ordered)
	b := r.newBatch()
	send := func() error {
		if len(b.recs) == 0 {
			return nil
		}
		select {
		case work <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case ordered <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = r.newBatch()
		return nil
	}
	arena := func() *framing.Arena { return &b.arena }
	err := readRecords(ctx, inputs, arena, func(rec Record) error {
		b.recs = append(b.recs, rec)
		if r.opt.Arrival.Mode == ArrivalNow {
			b.arrivals = append(b.arrivals, r.opt.Now())
		}
		r.readRecords.Add(1)
		r.readBytes.Add(int64(len(rec.Data)) + 1)
		if len(b.recs) == batchSize {
			return send()
		}
		return nil
	})
	var ie *InputError
	if errors.As(err, &ie) {
		r.inputErr = err // deliver what was read, then report
	} else if err != nil {
		return err
	}
	return send()
}

// newBatch returns an empty batch, a recycled one when there is one.
// Every batch goes through ordered (after work), so at most 2*Workers are
// queued there, one is with the partitioner, one is being filled and one
// is on its way: the free list (4*Workers+4) never drops one.
func (r *run) newBatch() *batch {
	select {
	case b := <-r.free:
		return b
	default:
	}
	r.batches++
	return &batch{
		recs: make([]Record, 0, batchSize), routed: make([]Routed, 0, batchSize),
		fallback: make([]error, 0, batchSize), done: make(chan struct{}),
	}
}

// recycle empties a batch the partitioner has added, for the reader to
// fill again. Nothing may refer to its records' bytes any more: the
// partitioner copies what it keeps.
func (r *run) recycle(b *batch) {
	b.arena.Reset()
	clear(b.recs)
	clear(b.routed)
	clear(b.fallback)
	b.recs, b.routed, b.fallback, b.arrivals = b.recs[:0], b.routed[:0], b.fallback[:0], b.arrivals[:0]
	b.done = make(chan struct{})
	select {
	case r.free <- b:
	default: // not expected (see newBatch); the collector takes it
	}
}

// ReadRecords frames the inputs in order and calls fn with each record.
// Input problems are *InputError naming the input; errors from fn and the
// context's error pass through.
func ReadRecords(ctx context.Context, inputs []Input, fn func(Record) error) error {
	return readRecords(ctx, inputs, nil, fn)
}

// readRecords is ReadRecords. When arena is not nil, it gives the arena
// (framing.Reader.NextInto) each record is copied into.
func readRecords(ctx context.Context, inputs []Input, arena func() *framing.Arena, fn func(Record) error) error {
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readInput(ctx, in, arena, fn); err != nil {
			return err
		}
	}
	return nil
}

// readInput frames one input and calls emit for each record.
func readInput(ctx context.Context, in Input, arena func() *framing.Arena, emit func(Record) error) error {
	rc, err := in.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	fr, err := framing.NewReader(in.Name, rc)
	if err != nil {
		return &InputError{Name: in.Name, Err: err}
	}
	for n := 1; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var a *framing.Arena
		if arena != nil {
			a = arena()
		}
		rec, err := fr.NextInto(a)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &InputError{Name: in.Name, Err: err}
		}
		if err := emit(Record(rec)); err != nil {
			return err
		}
	}
}

// extract routes the records of each batch: arrival time, keys, partition.
func (r *run) extract(work <-chan *batch) {
	var timed *timedRouter
	if r.eventTimeDefault && r.opt.Arrival.Mode == ArrivalEvent {
		timed = r.c.newTimedRouter()
	}
	var plain *router
	if timed == nil {
		plain = r.c.newRouter()
	}
	for b := range work {
		b.routed = slices.Grow(b.routed[:0], len(b.recs))[:len(b.recs)]
		b.fallback = slices.Grow(b.fallback[:0], len(b.recs))[:len(b.recs)]
		for i, rec := range b.recs {
			if timed != nil {
				b.routed[i], b.fallback[i] = timed.route(rec, r.clock)
				continue
			}
			var at time.Time
			if b.arrivals != nil {
				at = b.arrivals[i]
			} else {
				at, b.fallback[i] = r.clock.ArrivalOf(rec.Data)
			}
			b.routed[i] = plain.route(rec, at)
		}
		close(b.done)
	}
}

// partition feeds routed records to the partitioner in input order and
// delivers every open buffer at the end of the input.
func (r *run) partition(ctx context.Context, ordered <-chan *batch) error {
	for b := range ordered {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		for i, rt := range b.routed {
			if !rt.Failed() { // where a failed record's error object lands matters less
				r.noteFallback(rt.Record, b.fallback[i])
			}
			if err := r.part.Add(rt); err != nil {
				return err
			}
		}
		r.recycle(b)
		r.open.Store(int64(r.part.OpenPartitions()))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.part.Close()
}

func (r *run) noteFallback(rec Record, err error) {
	if err == nil {
		return
	}
	r.fallbacks++
	if r.opt.Warn != nil && r.warned < maxWarnings {
		r.warned++
		r.opt.Warn(fmt.Sprintf("%s:%d: %v", rec.File, rec.Line, err))
	}
}

// defaultCommitters is Options.Committers' default.
const defaultCommitters = 16

// written is an object whose bytes are all written, waiting for Commit.
type written struct {
	obj       sink.Object   // written to the sink, to be committed
	data      *bytes.Buffer // or: the whole encoded object, to be written then committed
	key       string
	n         int64
	errorType string
}

// memCommitMax is the largest object (uncompressed) a writer encodes into
// memory, leaving the sink's file work (directories, temporary file,
// sync, rename) to the committers, which run many at a time; larger
// objects are streamed into the sink by the writer.
const memCommitMax = 16 << 20

// write compresses delivered objects and hands them to the committers.
func (r *run) write(ctx context.Context, deliveries <-chan *Delivery, commits chan<- written) error {
	for d := range deliveries {
		w, err := r.encode(ctx, d)
		d.data.Release()
		if err != nil {
			return err
		}
		select {
		case commits <- w:
		case <-ctx.Done():
			if w.obj != nil {
				_ = w.obj.Abort() // canceled: the object is dropped like any buffered one
			}
			return ctx.Err()
		}
	}
	return nil
}

// encode encodes d into memory, or, when it is large, into a sink object.
func (r *run) encode(ctx context.Context, d *Delivery) (written, error) {
	w := written{key: d.Key, errorType: d.ErrorType}
	if d.Size() > memCommitMax {
		obj, n, err := r.writeObject(ctx, d)
		w.obj, w.n = obj, n
		return w, err
	}
	w.data = objectBuffers.Get().(*bytes.Buffer)
	w.data.Reset()
	if err := encodePayload(w.data, d.data, r.c.Spec.Compression); err != nil {
		return w, fmt.Errorf("write %s: %w", d.Key, err)
	}
	w.n = int64(w.data.Len())
	return w, nil
}

// objectBuffers recycles the memory objects are encoded into, between
// the writer that encodes one and the committer that writes it out.
var objectBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// objectBufferMax is the largest buffer kept for reuse: objects that
// large are rare, and a pool of them would hold much memory.
const objectBufferMax = 4 << 20

func giveObjectBuffer(b *bytes.Buffer) {
	if b.Cap() <= objectBufferMax {
		objectBuffers.Put(b)
	}
}

// commit writes (when needed) and commits objects, and counts them.
func (r *run) commit(ctx context.Context, commits <-chan written) error {
	for w := range commits {
		if w.obj == nil {
			obj, err := r.out.Create(ctx, w.key)
			if err != nil {
				return fmt.Errorf("create %s: %w", w.key, err)
			}
			_, err = obj.Write(w.data.Bytes())
			giveObjectBuffer(w.data)
			if err == nil {
				err = ctx.Err() // canceled meanwhile: nothing partial remains
			}
			if err != nil {
				_ = obj.Abort()
				return fmt.Errorf("write %s: %w", w.key, err)
			}
			w.obj = obj
		}
		if err := w.obj.Commit(); err != nil {
			return fmt.Errorf("commit %s: %w", w.key, err)
		}
		r.written.Add(w.n)
		if w.errorType == "" {
			r.objects.Add(1)
		} else {
			r.errObjects.Add(1)
		}
	}
	return nil
}

// writeObject writes one object's bytes; the caller commits it. If the run
// is canceled meanwhile, the object is aborted (nothing partial remains).
func (r *run) writeObject(ctx context.Context, d *Delivery) (sink.Object, int64, error) {
	obj, err := r.out.Create(ctx, d.Key)
	if err != nil {
		return nil, 0, fmt.Errorf("create %s: %w", d.Key, err)
	}
	cw := &countingWriter{w: obj}
	err = encodePayload(cw, d.data, r.c.Spec.Compression)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if aerr := obj.Abort(); aerr != nil {
			err = errors.Join(err, fmt.Errorf("abort %s: %w", d.Key, aerr))
		}
		return nil, 0, fmt.Errorf("write %s: %w", d.Key, err)
	}
	return obj, cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (r *run) startProgress() (stop func()) {
	if r.opt.Progress == nil {
		return func() {}
	}
	start := time.Now() // wall clock even when Options.Now is fake
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.opt.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.opt.Progress(r.progress(start, false))
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		r.opt.Progress(r.progress(start, true))
	}
}

func (r *run) progress(start time.Time, done bool) Progress {
	return Progress{
		Records: r.readRecords.Load(), Bytes: r.readBytes.Load(),
		OpenPartitions: int(r.open.Load()), Elapsed: time.Since(start), Done: done,
	}
}

func (r *run) summary(inputs []Input, start time.Time) *Summary {
	pc := r.part.counts
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
	}
	failed := map[string]int64{}
	for k, v := range pc.failedByType {
		failed[k] = v
	}
	return &Summary{
		Output: r.out.Describe(), Inputs: names, ArrivalTime: r.opt.Arrival.String(),
		Buffering: r.opt.Buffering.String(), DeliveredBy: maps.Clone(pc.byReason),
		RecordsIn: pc.recordsIn, Partitioned: pc.partitioned, Failed: pc.failed, FailedByType: failed,
		Objects: r.objects.Load(), ErrorObjects: r.errObjects.Load(),
		BytesIn: pc.bytesIn, BytesWritten: r.written.Load(),
		Partitions: len(pc.prefixes), MaxOpenPartitions: pc.maxOpen,
		ArrivalFallbacks: r.fallbacks, Duration: r.opt.Now().Sub(start).Seconds(),
		Prefixes: sortedCounts(pc.prefixes), ErrorPrefixes: sortedCounts(pc.errPrefixes),
		spills: r.part.spill.spills, batches: r.batches,
	}
}
