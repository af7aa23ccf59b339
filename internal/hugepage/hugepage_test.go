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

func TestAdviseNothing(t *testing.T) {
	for _, n := range []int{0, -1} {
		if ok, err := Advise(n); ok || err != nil {
			t.Errorf("Advise(%d) = %v, %v; want false, nil", n, ok, err)
		}
	}
}

// TestAdviseMarksHeap checks the mark lands where the heap allocates
// next: after Advise, a large allocation lies in a mapping whose VmFlags
// (/proc/self/smaps) include "hg", MADV_HUGEPAGE's flag.
func TestAdviseMarksHeap(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge pages on request are Linux's")
	}
	if m := Mode(); m != "madvise" {
		t.Skipf("THP mode is %q: Advise only acts in madvise mode", m)
	}
	const size = 32 << 20
	ok, err := Advise(size)
	if err != nil || !ok {
		t.Fatalf("Advise = %v, %v", ok, err)
	}
	if again, err := Advise(size); again || err != nil {
		t.Fatalf("second Advise = %v, %v; want false, nil (once per process)", again, err)
	}
	b := make([]byte, 4<<20)
	addr := uint64(uintptrOf(b))
	flags, found := vmFlags(t, addr)
	if !found {
		t.Fatalf("no mapping holds %#x", addr)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("the next allocation (%#x) is in a mapping without MADV_HUGEPAGE: VmFlags %q", addr, flags)
	}
	runtime.KeepAlive(b)
}

// vmFlags returns the VmFlags of the mapping holding addr.
func vmFlags(t *testing.T, addr uint64) (string, bool) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			return strings.TrimSpace(rest), true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return "", false
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
