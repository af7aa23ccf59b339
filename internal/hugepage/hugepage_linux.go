package hugepage

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/unix"
)

// thpEnabled is where Linux shows the THP setting, the chosen value in
// brackets: "always [madvise] never".
const thpEnabled = "/sys/kernel/mm/transparent_hugepage/enabled"

func mode() string {
	b, err := os.ReadFile(thpEnabled)
	if err != nil {
		return ""
	}
	return chosen(string(b))
}

// chosen returns the bracketed word of a sysfs choice list.
func chosen(s string) string {
	_, rest, ok := strings.Cut(s, "[")
	if !ok {
		return ""
	}
	word, _, ok := strings.Cut(rest, "]")
	if !ok {
		return ""
	}
	return word
}

// piece is the size of the slices advise allocates. The runtime zeroes a
// large allocation that starts on pages the heap has used before (it
// zeroes a span whole), which would touch every page of it with 4 KiB
// faults before the mark: in pieces, at most the first is zeroed, and
// only when it begins on used pages.
const piece = 1 << 20

func advise(size int) (bool, error) {
	// No collection while the pieces are allocated: each would mark the
	// whole heap to free nothing (a 4 MiB heap goal, 128 MiB allocated).
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	pieces := make([][]byte, 0, (size+piece-1)/piece)
	for n := 0; n < size; n += piece {
		pieces = append(pieces, make([]byte, piece)) // fresh heap pages: not touched
	}
	for _, p := range pieces {
		if err := unix.Madvise(p, unix.MADV_HUGEPAGE); err != nil {
			return false, fmt.Errorf("madvise %d bytes for huge pages: %w", size, err)
		}
	}
	// The pieces are dead from here on (no later use): the collection
	// frees them, and their range goes back to the heap's free pages with
	// its mark.
	runtime.GC()
	return true, nil
}
