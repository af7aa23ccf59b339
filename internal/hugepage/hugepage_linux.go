package hugepage

import (
	"fmt"
	"os"
	"runtime"
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

func advise(size int) (bool, error) {
	region := make([]byte, size) // fresh heap pages: neither zeroed nor touched
	if err := unix.Madvise(region, unix.MADV_HUGEPAGE); err != nil {
		return false, fmt.Errorf("madvise %d bytes for huge pages: %w", size, err)
	}
	// region is dead from here on: the collection frees it, and the range
	// goes back to the heap's free pages with its mark.
	runtime.GC()
	return true, nil
}
