package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline/sink"
	"github.com/sesctl/sesctl/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/replay")

const samplesPath = "../testdata/samples/official.jsonl"

func mustCompile(t testing.TB, s Spec) *Compiled {
	t.Helper()
	c, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixedNow is the run's start under test.
var fixedNow = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func testOptions(seed uint64) Options {
	return Options{Now: func() time.Time { return fixedNow }, Rand: seeded(seed)}
}

func replayInto(t testing.TB, c *Compiled, ins []Input, out *memSink, opt Options) *Summary {
	t.Helper()
	sum, err := Replay(context.Background(), c, ins, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// goldenText renders every object: its key, then its decompressed lines.
func goldenText(t testing.TB, m *memSink) string {
	var b strings.Builder
	for _, k := range m.keys() {
		fmt.Fprintf(&b, "== %s\n", k)
		b.Write(m.content(t, k))
	}
	return b.String()
}

func TestReplayGolden(t *testing.T) {
	cases := []struct {
		name    string
		arrival string
		spec    func(*Spec)
	}{
		// The README's layout: every record pinned to one arrival time.
		{"official-fixed-arrival", "2024-02-16T05:06:07Z", func(*Spec) {}},
		// Event time: each sample lands on the day it happened.
		{"official-event-arrival", "event", func(*Spec) {}},
		// Stream time zone, uncompressed, hourly prefix, a key that fails.
		{"official-tokyo-errors", "event", func(s *Spec) {
			s.TimeZone = "Asia/Tokyo"
			s.Compression = CompressionNone
			// Rendering Failure and DeliveryDelay have no commonHeaders: null key.
			s.Query = `{type: .eventType, to: .mail.commonHeaders.to[0]}`
			s.Prefix = "type=!{partitionKeyFromQuery:type}/to=!{partitionKeyFromQuery:to}/!{timestamp:yyyy/MM/dd/HH}/"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := DefaultSpec()
			tc.spec(&spec)
			c := mustCompile(t, spec)
			arrival, err := ParseArrival(tc.arrival)
			if err != nil {
				t.Fatal(err)
			}
			opt := testOptions(42)
			opt.Arrival = arrival
			out := newMemSink()
			replayInto(t, c, []Input{FileInput(samplesPath)}, out, opt)
			got := goldenText(t, out)
			path := filepath.Join("..", "testdata", "golden", "replay", tc.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./pipeline -run TestReplayGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("objects differ from %s (rerun with -update and review the diff):\n%s", path, got)
			}
		})
	}
}

func TestDefaultSpecPlacesOfficialSamples(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	recs := readAll(t, []Input{FileInput(samplesPath)})
	if len(recs) != 10 {
		t.Fatalf("read %d samples, want 10", len(recs))
	}
	types := map[string]bool{}
	for _, rec := range recs {
		at, err := schema.EventTime(rec.Data)
		if err != nil {
			t.Fatalf("%s:%d: %v", rec.File, rec.Line, err)
		}
		r := c.Route(rec, at)
		if r.Failed() {
			t.Fatalf("%s:%d: %s: %s", rec.File, rec.Line, r.ErrorType, r.ErrorMessage)
		}
		identity, eventType := r.Keys[0], r.Keys[1]
		if identity == "" || !schema.IsEventType(eventType) || types[eventType] {
			t.Errorf("line %d: keys %q", rec.Line, r.Keys)
		}
		types[eventType] = true
		want := "events/" + identity + "/" + eventType + "/" + at.UTC().Format("2006/01/02") + "/"
		if r.Partition != want {
			t.Errorf("line %d: partition %q, want %q", rec.Line, r.Partition, want)
		}
	}
	if len(types) != 10 {
		t.Errorf("event types %v", types)
	}
}

func readAll(t testing.TB, ins []Input) []Record {
	t.Helper()
	var out []Record
	err := ReadRecords(context.Background(), ins, func(r Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// genInput builds a varied input: SES-like events of several identities,
// types and days, records with empty or missing keys, text that is not
// JSON, a pretty-printed event, blank lines and (when big) one record over
// the size limit.
func genInput(seed uint64, n int, big bool) string {
	rnd := rand.New(rand.NewPCG(seed, 99))
	var b strings.Builder
	base := time.Date(2024, 2, 16, 23, 50, 0, 0, time.UTC)
	for i := range n {
		at := base.Add(time.Duration(rnd.IntN(1800)) * time.Second).Format("2006-01-02T15:04:05.000Z")
		dom := fmt.Sprintf("d%d.example", rnd.IntN(6))
		switch k := rnd.IntN(20); {
		case k < 12:
			fmt.Fprintf(&b, `{"eventType":"Send","mail":{"timestamp":%q,"source":"s@%s","messageId":"m%d"},"send":{}}`+"\n", at, dom, i)
		case k < 14:
			fmt.Fprintf(&b, `{"eventType":"Bounce","bounce":{"timestamp":%q},"mail":{"timestamp":%q,"source":"Name <s@%s>","messageId":"m%d"}}`+"\n", at, at, dom, i)
		case k == 14:
			fmt.Fprintf(&b, `{"eventType":"Send","mail":{"timestamp":%q,"source":"","messageId":"m%d"}}`+"\n", at, i)
		case k == 15:
			fmt.Fprintf(&b, "not json %d\n", i)
		case k == 16:
			fmt.Fprintf(&b, "\n  \n")
		case k == 17:
			v := map[string]any{"eventType": "Open", "mail": map[string]any{"timestamp": at, "source": "x@" + dom}, "open": map[string]any{"timestamp": at}}
			pretty, _ := json.MarshalIndent(v, "", "  ")
			b.Write(pretty)
			b.WriteString("\n")
		case k == 18:
			fmt.Fprintf(&b, `{"eventType":"Send","mail":{"source":"s@%s"},"n":%d}`+"\n", dom, i) // no event time
		default:
			fmt.Fprintf(&b, `{"mail":null,"n":%d}`+"\n", i)
		}
	}
	if big {
		fmt.Fprintf(&b, `{"eventType":"Send","mail":{"timestamp":"2024-02-16T23:59:00.000Z","source":"s@big.example"},"pad":%q}`+"\n", strings.Repeat("x", MaxRecordBytes))
	}
	return b.String()
}

// decodedOutput splits every object back into records: data lines as they
// are, error records by their rawData. It checks that every object is
// well formed on the way.
type decodedOutput struct {
	data      []string
	failed    []string
	byType    map[string]int
	dataObjs  int
	errorObjs int
}

func decodeAll(t testing.TB, m *memSink, c *Compiled) decodedOutput {
	t.Helper()
	d := decodedOutput{byType: map[string]int{}}
	for _, k := range m.keys() {
		content := m.content(t, k)
		if len(content) == 0 || content[len(content)-1] != '\n' {
			t.Fatalf("%s: empty or no final newline", k)
		}
		lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
		if !strings.HasPrefix(k, "errors/") {
			d.dataObjs++
			d.data = append(d.data, lines...)
			checkObjectKey(t, c, k, lines)
			continue
		}
		d.errorObjs++
		for _, l := range lines {
			var e ErrorRecord
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			raw, err := e.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(k, "errors/"+e.ErrorType()+"/") {
				t.Errorf("%s holds a %s record", k, e.ErrorType())
			}
			d.byType[e.ErrorType()]++
			d.failed = append(d.failed, string(raw))
		}
	}
	return d
}

// sameRecords reports whether the output holds exactly the input's
// records (data lines and error records' rawData, in any order), and how
// many each side has.
func sameRecords(got decodedOutput, want []Record) (out, in int, equal bool) {
	all := append(slices.Clone(got.data), got.failed...)
	wantData := make([]string, 0, len(want))
	for _, r := range want {
		wantData = append(wantData, string(r.Data))
	}
	slices.Sort(all)
	slices.Sort(wantData)
	return len(all), len(wantData), slices.Equal(all, wantData)
}

// checkObjectKey verifies that every record of a data object evaluates to
// the object's prefix and that the name carries the oldest arrival.
func checkObjectKey(t testing.TB, c *Compiled, key string, lines []string) {
	t.Helper()
	clock := Clock{EventTime: schema.EventTime, Start: fixedNow}
	var oldest time.Time
	for i, l := range lines {
		at, _ := clock.ArrivalOf([]byte(l))
		r := c.Route(Record{Data: []byte(l)}, at)
		if r.Failed() || !strings.HasPrefix(key, r.Partition) || strings.Contains(key[len(r.Partition):], "/") {
			t.Fatalf("%s holds a record of partition %q (%s)", key, r.Partition, r.ErrorMessage)
		}
		if i == 0 || at.Before(oldest) {
			oldest = at
		}
	}
	stamp := "-" + oldest.In(c.Location).Format(suffixTimeLayout) + "-"
	if !strings.Contains(key, c.Spec.StreamName+"-1"+stamp) {
		t.Errorf("%s is not named after its oldest record %s", key, stamp)
	}
}

func TestReplayNothingLost(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ins := []Input{
				ReaderInput("a.jsonl", strings.NewReader(genInput(seed, 300, seed%4 == 0))),
				ReaderInput("b.jsonl", strings.NewReader(genInput(seed+100, 100, false))),
			}
			want := readAll(t, []Input{
				ReaderInput("a.jsonl", strings.NewReader(genInput(seed, 300, seed%4 == 0))),
				ReaderInput("b.jsonl", strings.NewReader(genInput(seed+100, 100, false))),
			})
			opt := testOptions(seed)
			opt.Limits = Limits{Bytes: 2048, Interval: time.Minute, MaxActive: 4}
			live := seed%2 == 0
			if live {
				opt.Buffering = BufferingLive
			}
			if seed%3 == 1 { // buffers keep moving to disk
				opt.BufferMemory, opt.SpillDir = 512, t.TempDir()
			}
			out := newMemSink()
			sum := replayInto(t, c, ins, out, opt)
			got := decodeAll(t, out, c)
			if n, m, ok := sameRecords(got, want); !ok {
				t.Fatalf("records out (%d) differ from records in (%d)", n, m)
			}
			if sum.RecordsIn != int64(len(want)) || sum.Partitioned != int64(len(got.data)) || sum.Failed != int64(len(got.failed)) {
				t.Errorf("summary %+v vs %d in, %d data, %d failed", sum, len(want), len(got.data), len(got.failed))
			}
			if sum.Objects != int64(got.dataObjs) || sum.ErrorObjects != int64(got.errorObjs) {
				t.Errorf("summary objects %d/%d, sink has %d/%d", sum.Objects, sum.ErrorObjects, got.dataObjs, got.errorObjs)
			}
			for typ, n := range got.byType {
				if sum.FailedByType[typ] != int64(n) {
					t.Errorf("failed_by_type[%s] = %d, objects hold %d", typ, sum.FailedByType[typ], n)
				}
			}
			if got.byType[ErrorTypeMetadataExtraction] == 0 || live && got.byType[ErrorTypeActivePartitions] == 0 {
				t.Errorf("generator did not exercise the error types: %v", got.byType)
			}
			if !live && (got.byType[ErrorTypeActivePartitions] != 0 || sum.DeliveredBy["partition-limit"] == 0) {
				t.Errorf("backfill: %d records failed for the quota, %d buffers delivered for it; want 0 and some",
					got.byType[ErrorTypeActivePartitions], sum.DeliveredBy["partition-limit"])
			}
			var delivered int64
			for _, n := range sum.DeliveredBy {
				delivered += n
			}
			if delivered != sum.Objects+sum.ErrorObjects {
				t.Errorf("delivered_by %v sums to %d, want %d objects", sum.DeliveredBy, delivered, sum.Objects+sum.ErrorObjects)
			}
			if seed%4 == 0 && got.byType[ErrorTypeRecordTooLarge] != 1 {
				t.Errorf("record-too-large count %d, want 1", got.byType[ErrorTypeRecordTooLarge])
			}
		})
	}
}

// TestReplayRecyclesBatches: a long input goes through the few batches in
// flight, their record memory reused (framing.Arena), and not a byte of a
// record is lost or mixed up on the way: every record of the input is in
// the output, values that share a line or span lines included.
func TestReplayRecyclesBatches(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	var b strings.Builder
	for i := range 40 {
		b.WriteString(genInput(uint64(i), 200, false))
		fmt.Fprintf(&b, `{"eventType":"Send","mail":{"timestamp":"2024-02-16T23:5%d:00.000Z","source":"s@x.example","n":%d}}{"eventType":"Open","mail":{"timestamp":"2024-02-16T23:50:00.000Z","source":"s@y.example"}}`+"\n", i%10, i)
	}
	input := b.String()
	want := readAll(t, []Input{ReaderInput("in", strings.NewReader(input))})
	if len(want) < 20*batchSize {
		t.Fatalf("only %d records: not enough batches to recycle", len(want))
	}
	opt := testOptions(3)
	opt.Workers, opt.Writers = 2, 2
	out := newMemSink()
	sum := replayInto(t, c, []Input{ReaderInput("in", strings.NewReader(input))}, out, opt)
	read := int64((len(want) + batchSize - 1) / batchSize)
	if sum.batches >= read/2 || sum.batches > int64(4*opt.Workers+4) {
		t.Errorf("%d batches made for %d read: want them recycled, at most the free list's %d", sum.batches, read, 4*opt.Workers+4)
	}
	if n, m, ok := sameRecords(decodeAll(t, out, c), want); !ok {
		t.Fatalf("records out (%d) differ from records in (%d)", n, m)
	}
}

func TestReplayDeterministicAcrossWorkers(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	input := genInput(7, 2000, true)
	var first map[string][]byte
	for _, w := range []int{1, 2, 3, 8} {
		opt := testOptions(5)
		opt.Workers, opt.Writers = w, w
		opt.Limits = Limits{Bytes: 4096, Interval: time.Minute, MaxActive: 6}
		out := newMemSink()
		replayInto(t, c, []Input{ReaderInput("in", strings.NewReader(input))}, out, opt)
		if first == nil {
			first = out.objects
			continue
		}
		if len(out.objects) != len(first) {
			t.Fatalf("workers=%d: %d objects, want %d", w, len(out.objects), len(first))
		}
		for k, v := range first {
			if !bytes.Equal(out.objects[k], v) {
				t.Fatalf("workers=%d: object %s differs", w, k)
			}
		}
	}
}

func TestReplayCanceledAbortsOpenObjects(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newMemSink()
	out.onCreate = func(n int) error {
		if n == 3 {
			cancel() // Ctrl-C while the third object is being written
		}
		return nil
	}
	opt := testOptions(1)
	opt.Writers = 1
	opt.Limits = Limits{Bytes: 1024, Interval: time.Minute, MaxActive: 50}
	sum, err := Replay(ctx, c, []Input{ReaderInput("in", strings.NewReader(genInput(3, 3000, false)))}, out, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(out.aborted) == 0 {
		t.Error("no object was aborted")
	}
	if len(out.objects) > 2 || sum.Objects+sum.ErrorObjects != int64(len(out.objects)) {
		t.Errorf("%d objects committed, summary says %d+%d", len(out.objects), sum.Objects, sum.ErrorObjects)
	}
	decodeAll(t, out, c) // what was committed is whole
}

func TestReplayWriteFailure(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	out := newMemSink()
	boom := errors.New("disk full")
	out.onCreate = func(int) error { return boom }
	_, err := Replay(context.Background(), c, []Input{FileInput(samplesPath)}, out, testOptions(1))
	var ie *InputError
	if !errors.Is(err, boom) || errors.As(err, &ie) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the write error", err)
	}
}

func TestReplayUnreadableInputDeliversWhatWasRead(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	missing := filepath.Join(t.TempDir(), "gone.jsonl")
	out := newMemSink()
	sum, err := Replay(context.Background(), c, []Input{FileInput(samplesPath), FileInput(missing)}, out, testOptions(1))
	var ie *InputError
	if !errors.As(err, &ie) || ie.Name != missing || !strings.Contains(err.Error(), missing) {
		t.Fatalf("err = %v, want an InputError naming %s", err, missing)
	}
	if sum.RecordsIn != 10 || sum.Objects != 10 || len(out.objects) != 10 {
		t.Errorf("summary %+v, %d objects", sum, len(out.objects))
	}
}

func TestReplayArrivalFallbackWarns(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	in := `{"eventType":"Send","mail":{"source":"a@b.example"}}` + "\n"
	var warnings []string
	opt := testOptions(1)
	opt.Warn = func(m string) { warnings = append(warnings, m) }
	out := newMemSink()
	sum := replayInto(t, c, []Input{ReaderInput("in.jsonl", strings.NewReader(in))}, out, opt)
	if sum.ArrivalFallbacks != 1 || len(warnings) != 1 || !strings.HasPrefix(warnings[0], "in.jsonl:1: ") {
		t.Fatalf("fallbacks %d, warnings %q", sum.ArrivalFallbacks, warnings)
	}
	// The record is placed on the run's start day.
	if keys := out.keys(); len(keys) != 1 || !strings.HasPrefix(keys[0], "events/b.example/Send/2024/03/01/sesctl-events-1-2024-03-01-12-00-00-") {
		t.Errorf("keys %q", keys)
	}
}

func TestReplayKeysCannotEscapeTheFolder(t *testing.T) {
	spec := DefaultSpec()
	spec.Query = `{k: .k}`
	spec.Prefix = "p/!{partitionKeyFromQuery:k}/"
	spec.Compression = CompressionNone
	c := mustCompile(t, spec)
	values := []string{"..", "../../x", "/abs", "a/b", ".", `..\..\win`, "%2e%2e", "x/../../.."}
	var in strings.Builder
	for _, v := range values {
		b, _ := json.Marshal(map[string]string{"k": v})
		in.Write(b)
		in.WriteByte('\n')
	}
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	out, err := sink.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	opt := testOptions(1)
	opt.Arrival = Arrival{Mode: ArrivalFixed, At: t0}
	sum, err := Replay(context.Background(), c, []Input{ReaderInput("in", strings.NewReader(in.String()))}, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Objects != int64(len(values)) || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "out" {
		t.Fatalf("files outside the output folder: %v", entries)
	}
	found := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		key, err := sink.KeyFromLocalPath(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var rec map[string]string
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !strings.HasPrefix(key, "p/"+rec["k"]+"/") {
			t.Errorf("record %q stored under key %q", rec["k"], key)
		}
		found[rec["k"]] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != len(values) {
		t.Errorf("found %d of %d records", len(found), len(values))
	}
}

func TestReplayLocalCancelLeavesNoTemporaryFiles(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	opt := testOptions(2)
	opt.Limits = Limits{Bytes: 512, Interval: time.Minute, MaxActive: 50}
	input := genInput(4, 3000, false)
	run := func(ctx context.Context, s sink.Sink) error {
		_, err := Replay(ctx, c, []Input{ReaderInput("in", strings.NewReader(input))}, s, opt)
		return err
	}
	full := t.TempDir()
	fullSink, err := sink.NewLocal(full)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), fullSink); err != nil {
		t.Fatal(err)
	}
	total := countObjects(t, full)

	root := t.TempDir()
	local, err := sink.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const after = 5
	if err := run(ctx, &cancelAfterCommit{Sink: local, after: after, cancel: cancel}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	files := countObjects(t, root)
	if files < after || files >= total {
		t.Errorf("%d complete objects after the cancel; want at least the %d committed before it and fewer than the %d of a full run", files, after, total)
	}
}

// countObjects walks root, fails on temporary files left behind, checks that
// every object is a complete gzip stream and returns how many there are.
func countObjects(t *testing.T, root string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			t.Errorf("temporary file left behind: %s", path)
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		decodeObject(t, path, b) // a complete gzip stream
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// cancelAfterCommit cancels the run once the after-th object has been
// committed, so the objects committed before the cancel are known to exist
// whatever the committers' timing.
type cancelAfterCommit struct {
	sink.Sink
	mu     sync.Mutex
	n      int
	after  int
	cancel func()
}

func (c *cancelAfterCommit) Create(ctx context.Context, key string) (sink.Object, error) {
	o, err := c.Sink.Create(ctx, key)
	if err != nil {
		return nil, err
	}
	return &cancellingObject{Object: o, c: c}, nil
}

type cancellingObject struct {
	sink.Object
	c *cancelAfterCommit
}

func (o *cancellingObject) Commit() error {
	if err := o.Object.Commit(); err != nil {
		return err
	}
	o.c.mu.Lock()
	defer o.c.mu.Unlock()
	o.c.n++
	if o.c.n == o.c.after {
		o.c.cancel()
	}
	return nil
}
