package hugepage

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestChosen(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n": "madvise",
		"[always] madvise never":   "always",
		"always madvise [never]":   "never",
		"always madvise never":     "",
		"[unterminated":            "",
		"":                         "",
	} {
		if got := chosen(in); got != want {
			t.Errorf("chosen(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAdviseMarksHeap checks the mark lands where the heap allocates
// next: after Advise, a large allocation lies in a mapping whose VmFlags
// (/proc/self/smaps) include "hg", MADV_HUGEPAGE's flag, and Advise has
// not touched the region.
func TestAdviseMarksHeap(t *testing.T) {
	if m := Mode(); m != "madvise" {
		t.Skipf("THP mode is %q: Advise only acts in madvise mode", m)
	}
	const size = 32 << 20
	// Used pages freed at the top of the heap: an allocation beginning on
	// them is zeroed whole by the runtime, and Advise must not let that
	// touch the region.
	used := make([]byte, 2<<20)
	for i := range used {
		used[i] = 1
	}
	runtime.KeepAlive(used)
	used = nil
	runtime.GC()
	before := rss(t)
	ok, err := Advise(size)
	if grew := rss(t) - before; grew > size/4 {
		t.Errorf("Advise(%d MiB) grew RSS by %d MiB: it touched the region", size>>20, grew>>20)
	}
	if err != nil || !ok {
		t.Fatalf("Advise = %v, %v", ok, err)
	}
	if again, err := Advise(size); again || err != nil {
		t.Fatalf("second Advise = %v, %v; want false, nil (once per process)", again, err)
	}
	// The heap takes its lowest free pages first, and a few free, unmarked
	// ones may lie below or between the pieces: most of a large
	// allocation made next lies in the region.
	b := make([]byte, 16<<20)
	lo := uint64(uintptrOf(b))
	marked := markedBytes(t, lo, lo+uint64(len(b)))
	if marked < uint64(len(b))/2 {
		maps, _ := os.ReadFile("/proc/self/maps")
		t.Fatalf("of the next allocation (%d MiB at %#x), %d KiB are in mappings with MADV_HUGEPAGE, want most\n%s",
			len(b)>>20, lo, marked>>10, maps)
	}
	runtime.KeepAlive(b)
}

// rss is the process's resident memory in bytes (/proc/self/statm).
func rss(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no statm: %v", err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return pages * os.Getpagesize()
}

// markedBytes counts the bytes of [lo, hi) in mappings whose VmFlags
// (/proc/self/smaps) include "hg", MADV_HUGEPAGE's flag.
func markedBytes(t *testing.T, lo, hi uint64) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	var n, mlo, mhi uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if a, b, ok := mappingRange(line); ok {
			mlo, mhi = a, b
			continue
		}
		rest, ok := strings.CutPrefix(line, "VmFlags:")
		if ok && strings.Contains(rest+" ", " hg ") && mlo < hi && lo < mhi {
			n += min(hi, mhi) - max(lo, mlo)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// mappingRange parses a mapping's header line: "lo-hi perms ...".
func mappingRange(line string) (lo, hi uint64, ok bool) {
	r, _, _ := strings.Cut(line, " ")
	a, b, found := strings.Cut(r, "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return lo, hi, err1 == nil && err2 == nil
}
