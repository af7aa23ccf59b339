package pipeline

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPartitionerNoIntervalDeliversBySizeAndEnd(t *testing.T) {
	lim := Limits{Bytes: 10, Interval: time.Minute, MaxActive: 10, NoInterval: true}
	h := newHarness(t, fakeLayout{}, lim, nil)
	h.add("a1", t0, "a")
	h.add("b1", t0.Add(time.Hour), "b") // an hour of arrival time: no interval delivery
	h.add("a2", t0.Add(2*time.Hour), "a")
	h.add("a3", t0.Add(3*time.Hour), "a") // a reaches 9 bytes: still under 10
	h.add("a4", t0.Add(4*time.Hour), "a") // 12 bytes: size
	h.close()
	equalLines(t, h.summary(), []string{
		"size a/2024-02-16/ a1\na2\na3\na4\n",
		"end b/2024-02-16/ b1\n",
	})
}

func TestPartitionerDeliverAtLimitEvictsLeastRecentlyWritten(t *testing.T) {
	lim := Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: 2, NoInterval: true, DeliverAtLimit: true}
	h := newHarness(t, fakeLayout{}, lim, nil)
	h.add("a1", t0, "a")
	h.add("b1", t0, "b")
	h.add("a2", t0, "a") // a is now the more recently written
	h.add("c1", t0, "c") // quota full: b goes, not a (opened first)
	h.add("b2", t0, "b") // b opens again: a goes
	h.close()
	equalLines(t, h.summary(), []string{
		"partition-limit b/2024-02-16/ b1\n",
		"partition-limit a/2024-02-16/ a1\na2\n",
		"end c/2024-02-16/ c1\n",
		"end b/2024-02-16/ b2\n",
	})
	if h.p.counts.failed != 0 {
		t.Errorf("%d records failed, want none", h.p.counts.failed)
	}
	if n := h.p.counts.byReason["partition-limit"]; n != 2 {
		t.Errorf("partition-limit deliveries = %d, want 2", n)
	}
}

func TestBufferingApply(t *testing.T) {
	base := Limits{Bytes: 1, Interval: time.Second, MaxActive: 3}
	tests := []struct {
		b          Buffering
		action     LimitAction
		noInterval bool
		deliver    bool
	}{
		{"", "", true, true},
		{BufferingBackfill, "", true, true},
		{BufferingBackfill, LimitError, true, false},
		{BufferingLive, "", false, false},
		{BufferingLive, LimitDeliver, false, true},
	}
	for _, tt := range tests {
		got := tt.b.apply(base, tt.action)
		if got.NoInterval != tt.noInterval || got.DeliverAtLimit != tt.deliver || got.Bytes != 1 || got.MaxActive != 3 {
			t.Errorf("%q/%q: %+v", tt.b, tt.action, got)
		}
	}
	for _, bad := range []string{"", "Live", "batch"} {
		if _, err := ParseBuffering(bad); err == nil {
			t.Errorf("ParseBuffering(%q) accepted", bad)
		}
	}
	if _, err := ParseLimitAction("drop"); err == nil {
		t.Error("ParseLimitAction(drop) accepted")
	}
}

// placement maps each prefix to its sorted records.
func placement(t *testing.T, out *memSink) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	for _, key := range out.keys() {
		if strings.HasPrefix(key, "errors/") {
			continue
		}
		prefix := key[:strings.LastIndex(key, "/")+1]
		content := strings.TrimSuffix(string(out.content(t, key)), "\n")
		m[prefix] = append(m[prefix], strings.Split(content, "\n")...)
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
}

// TestBackfillPlacesRecordsAsLive: the two bufferings cut objects
// differently, but every record lands under the same prefix.
func TestBackfillPlacesRecordsAsLive(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	input := genInput(11, 1500, false)
	var got [3]map[string][]string
	var objects [3]int64
	for i, mode := range []struct {
		b   Buffering
		max int
	}{{BufferingLive, 500}, {BufferingBackfill, 500}, {BufferingBackfill, 3}} {
		opt := testOptions(3)
		opt.Buffering = mode.b
		opt.Limits = Limits{Bytes: 1 << 20, Interval: time.Minute, MaxActive: mode.max}
		out := newMemSink()
		sum := replayInto(t, c, []Input{ReaderInput("in", strings.NewReader(input))}, out, opt)
		if n := sum.FailedByType[ErrorTypeActivePartitions]; n != 0 {
			t.Fatalf("%s/%d: %d records failed for the quota", mode.b, mode.max, n)
		}
		got[i], objects[i] = placement(t, out), sum.Objects
	}
	for i := 1; i < 3; i++ {
		if !maps.EqualFunc(got[0], got[i], slices.Equal[[]string]) {
			t.Errorf("variant %d places records differently from live buffering", i)
		}
	}
	if objects[1] >= objects[0] || objects[1] > objects[2] {
		t.Errorf("objects: live %d, backfill %d, backfill with quota 3 %d", objects[0], objects[1], objects[2])
	}
	t.Logf("objects: live %d, backfill %d, backfill with quota 3 %d", objects[0], objects[1], objects[2])
}
