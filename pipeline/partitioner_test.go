package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// fakeLayout evaluates "<keys joined by />/<yyyy-MM-dd>/" for data and
// "err/<type>/<yyyy-MM-dd>/" for errors; withRandom appends a random string.
type fakeLayout struct {
	loc        *time.Location
	withRandom bool
}

func (f fakeLayout) day(t time.Time) string {
	loc := f.loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02")
}

func (f fakeLayout) rnd(random func() string) string {
	if !f.withRandom {
		return ""
	}
	if random == nil {
		return RandomPlaceholder + "/"
	}
	return random() + "/"
}

func (f fakeLayout) PrefixFor(keys []string, at time.Time, random func() string) (string, error) {
	return strings.Join(keys, "/") + "/" + f.day(at) + "/" + f.rnd(random), nil
}

func (f fakeLayout) ErrorPrefixFor(t string, at time.Time, random func() string) (string, error) {
	return "err/" + t + "/" + f.day(at) + "/" + f.rnd(random), nil
}

func (f fakeLayout) DataHasRandom() bool  { return f.withRandom }
func (f fakeLayout) ErrorHasRandom() bool { return f.withRandom }

// seeded returns a deterministic random source.
func seeded(seed uint64) io.Reader { return rand.NewChaCha8([32]byte{byte(seed)}) }

var t0 = time.Date(2024, 2, 16, 5, 0, 0, 0, time.UTC)

// harness feeds records into a partitioner and collects deliveries.
type harness struct {
	t   *testing.T
	l   fakeLayout
	p   *partitioner
	out []*Delivery
}

func newHarness(t *testing.T, l fakeLayout, lim Limits, loc *time.Location) *harness {
	h := &harness{t: t, l: l}
	names := newNamer(seeded(1), "s", 1, "", loc)
	h.p = newPartitioner(l, lim, names, func(d *Delivery) error {
		h.out = append(h.out, d)
		return nil
	})
	return h
}

// add routes a record with the given keys arriving at t.
func (h *harness) add(data string, at time.Time, keys ...string) {
	h.t.Helper()
	part, _ := h.l.PrefixFor(keys, at, nil)
	if err := h.p.Add(Routed{Record: Record{Data: []byte(data)}, Arrival: at, Keys: keys, Partition: part}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) addFailed(data string, at time.Time, errType, msg string) {
	h.t.Helper()
	r := Routed{Record: Record{Data: []byte(data)}, Arrival: at, ErrorType: errType, ErrorMessage: msg}
	if err := h.p.Add(r); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) close() {
	h.t.Helper()
	if err := h.p.Close(); err != nil {
		h.t.Fatal(err)
	}
}

func payloadString(t *testing.T, d *Delivery) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := d.Payload().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// summary renders deliveries as "reason prefix records payload" lines.
func (h *harness) summary() []string {
	var out []string
	for _, d := range h.out {
		out = append(out, d.Reason+" "+d.Prefix+" "+payloadString(h.t, d))
	}
	return out
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("deliveries:\n got %q\nwant %q", got, want)
	}
}

func TestPartitionerSizeThreshold(t *testing.T) {
	// Each record is 4 bytes plus a newline; the threshold 10 is reached by
	// the second record of a partition, which is then delivered at once.
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 10, Interval: time.Hour, MaxActive: 10}, nil)
	for i, r := range []string{"aaaa", "bbbb", "cccc", "dddd", "eeee"} {
		h.add(r, t0.Add(time.Duration(i)*time.Second), "k")
	}
	h.close()
	equalLines(t, h.summary(), []string{
		"size k/2024-02-16/ aaaa\nbbbb\n",
		"size k/2024-02-16/ cccc\ndddd\n",
		"end k/2024-02-16/ eeee\n",
	})
}

func TestPartitionerIntervalFlush(t *testing.T) {
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 10}, nil)
	h.add("1", t0, "a")
	h.add("2", t0.Add(30*time.Second), "a")
	h.add("3", t0.Add(59*time.Second), "b")
	if len(h.out) != 0 {
		t.Fatalf("delivered before the interval ran out: %v", h.summary())
	}
	// The clock reaches t0+60s: partition a (opened at t0) is delivered
	// before record 4 joins a new buffer of partition a.
	h.add("4", t0.Add(60*time.Second), "a")
	equalLines(t, h.summary(), []string{"interval a/2024-02-16/ 1\n2\n"})
	h.close()
	equalLines(t, h.summary()[1:], []string{"end b/2024-02-16/ 3\n", "end a/2024-02-16/ 4\n"})
	if !h.out[2].Oldest.Equal(t0.Add(60 * time.Second)) {
		t.Errorf("oldest of the second a object = %v", h.out[2].Oldest)
	}
}

func TestPartitionerHeapOrder(t *testing.T) {
	// Partitions open at different times; one record far in the future
	// expires them all, in deadline order (then creation order on ties).
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 10}, nil)
	h.add("c", t0.Add(20*time.Second), "c")
	h.add("a", t0.Add(20*time.Second), "a") // same deadline as c, opened later
	h.add("b", t0.Add(40*time.Second), "b")
	h.add("c2", t0.Add(50*time.Second), "c") // joins c, does not move its deadline
	h.add("z", t0.Add(time.Hour), "z")
	equalLines(t, h.summary(), []string{
		"interval c/2024-02-16/ c\nc2\n",
		"interval a/2024-02-16/ a\n",
		"interval b/2024-02-16/ b\n",
	})
}

func TestPartitionerClockIsMonotonic(t *testing.T) {
	// Event-time input is not in order: an older record does not move the
	// clock back and joins the open buffer, whose object is then named
	// after the oldest record in it.
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: 5 * time.Minute, MaxActive: 10}, nil)
	h.add("late", t0.Add(4*time.Minute), "k")
	h.add("early", t0.Add(1*time.Minute), "k")
	h.close()
	if len(h.out) != 1 {
		t.Fatalf("got %d objects, want 1", len(h.out))
	}
	d := h.out[0]
	if !d.Oldest.Equal(t0.Add(time.Minute)) {
		t.Errorf("oldest = %v, want %v", d.Oldest, t0.Add(time.Minute))
	}
	if want := "k/2024-02-16/s-1-2024-02-16-05-01-00-"; !strings.HasPrefix(d.Key, want) {
		t.Errorf("key %q does not start with %q", d.Key, want)
	}
}

func TestPartitionerTimeZoneNaming(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	// 2024-02-16T20:30:05Z is 2024-02-17 05:30:05 in Tokyo: the prefix and
	// the name both use the stream's time zone.
	at := time.Date(2024, 2, 16, 20, 30, 5, 0, time.UTC)
	h := newHarness(t, fakeLayout{loc: tokyo}, Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 10}, tokyo)
	h.add("x", at, "k")
	h.close()
	if want := "k/2024-02-17/s-1-2024-02-17-05-30-05-"; !strings.HasPrefix(h.out[0].Key, want) {
		t.Errorf("key %q does not start with %q", h.out[0].Key, want)
	}
}

func TestPartitionerDaysSplitPartitions(t *testing.T) {
	// The record's own arrival time decides its partition: two days, two
	// objects, even with the same keys and an open buffer.
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: time.Hour, MaxActive: 10}, nil)
	h.add("d1", time.Date(2024, 2, 16, 23, 59, 0, 0, time.UTC), "k")
	h.add("d2", time.Date(2024, 2, 17, 0, 1, 0, 0, time.UTC), "k")
	h.close()
	equalLines(t, h.summary(), []string{"end k/2024-02-16/ d1\n", "end k/2024-02-17/ d2\n"})
}

func TestPartitionerActivePartitionLimit(t *testing.T) {
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 2}, nil)
	h.add("a", t0, "a")
	h.add("b", t0, "b")
	h.add("c", t0.Add(time.Second), "c")  // third open partition: error output
	h.add("a2", t0.Add(time.Second), "a") // joins the open partition a
	h.add("d", t0.Add(2*time.Minute), "d")
	h.close()
	got := h.summary()
	// a and b expire when d arrives, which leaves room for d.
	if len(got) != 4 {
		t.Fatalf("deliveries %q", got)
	}
	wantData := []string{"interval a/2024-02-16/ a\na2\n", "interval b/2024-02-16/ b\n", "end d/2024-02-16/ d\n"}
	var data []string
	var errObj *Delivery
	for _, d := range h.out {
		if d.ErrorType == "" {
			data = append(data, d.Reason+" "+d.Prefix+" "+payloadString(t, d))
		} else {
			errObj = d
		}
	}
	equalLines(t, data, wantData)
	if errObj == nil || errObj.ErrorType != ErrorTypeActivePartitions || errObj.Prefix != "err/activePartitionExceeded/2024-02-16/" {
		t.Fatalf("error object = %+v", errObj)
	}
	recs := decodeErrorLines(t, payloadString(t, errObj))
	if len(recs) != 1 || recs[0].ErrorCode != ErrorCodeActivePartitions {
		t.Fatalf("error records %+v", recs)
	}
	if raw, _ := recs[0].Decode(); string(raw) != "c" {
		t.Errorf("rawData decodes to %q, want %q", raw, "c")
	}
	if h.p.counts.failedByType[ErrorTypeActivePartitions] != 1 || h.p.counts.maxOpen != 2 {
		t.Errorf("counts %+v", h.p.counts)
	}
}

func decodeErrorLines(t *testing.T, s string) []ErrorRecord {
	t.Helper()
	var out []ErrorRecord
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		var e ErrorRecord
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("error line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func TestPartitionerErrorRouting(t *testing.T) {
	h := newHarness(t, fakeLayout{}, Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 10}, nil)
	h.addFailed("not json", t0, ErrorTypeMetadataExtraction, MsgNonJSON)
	h.addFailed(`{"big":1}`, t0.Add(time.Second), ErrorTypeRecordTooLarge, "too large")
	h.addFailed(`{}`, t0.Add(2*time.Second), ErrorTypeMetadataExtraction, MsgEmptyKeyValues)
	h.close()
	byPrefix := map[string][]ErrorRecord{}
	for _, d := range h.out {
		byPrefix[d.Prefix] = decodeErrorLines(t, payloadString(t, d))
	}
	mef := byPrefix["err/metadata-extraction-failed/2024-02-16/"]
	if len(mef) != 2 || mef[0].ErrorMessage != MsgNonJSON || mef[1].ErrorMessage != MsgEmptyKeyValues {
		t.Fatalf("metadata-extraction-failed records %+v", mef)
	}
	if mef[0].ArrivalTimestamp != t0.UnixMilli() || mef[0].AttemptsMade != 1 {
		t.Errorf("first record %+v", mef[0])
	}
	rtl := byPrefix["err/record-too-large/2024-02-16/"]
	if len(rtl) != 1 || rtl[0].ErrorCode != ErrorCodeRecordTooLarge || rtl[0].ErrorType() != ErrorTypeRecordTooLarge {
		t.Fatalf("record-too-large records %+v", rtl)
	}
}

func TestPartitionerRandomStringPerObject(t *testing.T) {
	// The random string is drawn per object, not per record: both records
	// share one buffer, and the next object of the partition gets a new one.
	h := newHarness(t, fakeLayout{withRandom: true}, Limits{Bytes: 4, Interval: time.Minute, MaxActive: 10}, nil)
	h.add("a", t0, "k")
	h.add("b", t0, "k") // "a\nb\n" reaches 4 bytes
	h.add("c", t0, "k")
	h.close()
	if len(h.out) != 2 || h.out[0].Records != 2 {
		t.Fatalf("deliveries %q", h.summary())
	}
	p0, p1 := h.out[0].Prefix, h.out[1].Prefix
	if p0 == p1 || strings.Contains(p0, RandomPlaceholder) || len(p0) != len("k/2024-02-16/")+12 {
		t.Errorf("prefixes %q %q", p0, p1)
	}
	if h.out[0].Partition != "k/2024-02-16/"+RandomPlaceholder+"/" {
		t.Errorf("partition identity %q", h.out[0].Partition)
	}
}

func TestNamerCollision(t *testing.T) {
	n := newNamer(bytes.NewReader(make([]byte, 1<<10)), "s", 1, ".gz", nil)
	first, err := n.objectKey("p/", t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "p/s-1-2024-02-16-05-00-00-00000000-0000-4000-8000-000000000000.gz"; first != want {
		t.Errorf("key = %q, want %q", first, want)
	}
	if _, err := n.objectKey("p/", t0); !errors.Is(err, ErrNameCollision) {
		t.Errorf("second all-zero name: err = %v, want ErrNameCollision", err)
	}
}

func TestNamerShortRandomSource(t *testing.T) {
	n := newNamer(bytes.NewReader([]byte{1, 2, 3}), "s", 1, "", nil)
	if _, err := n.objectKey("p/", t0); err == nil {
		t.Error("no error from an exhausted random source")
	}
	_ = n.randomString()
	if n.firstErr() == nil {
		t.Error("randomString did not record the read error")
	}
}
