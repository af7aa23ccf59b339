// Package hugepage asks Linux to back the Go heap's next allocations with
// transparent huge pages (THP) when the system gives them only on request.
//
// A long replay first touches most of its memory once: each first touch
// of a 4 KiB page is a page fault, and on a virtual machine a fault can
// cost several microseconds. A 2 MiB huge page takes one fault where 4 KiB
// pages take 512. Linux's usual setting ("madvise" in
// /sys/kernel/mm/transparent_hugepage/enabled) gives huge pages only to
// memory marked with madvise(MADV_HUGEPAGE), and the Go runtime marks
// none since Go 1.21.1.
//
// Advise marks address space the heap is about to use: it allocates it
// as large, untouched slices (fresh heap memory, which the runtime neither
// zeroes nor touches), marks their range, and frees them again with a
// garbage collection. The runtime keeps that range mapped and hands out
// the lowest free addresses first, so the allocations that follow land in
// it, and their first touch faults a huge page. Memory is only backed
// when it is used: the mark reserves nothing.
//
// The effect depends on how the runtime manages its heap (it never
// unmaps heap memory, it reuses the lowest addresses first), which no
// API promises; if that changes, the mark is merely lost, never wrong.
package hugepage

import "sync"

// Mode is the system's THP setting: "always", "madvise", "never", or ""
// when it cannot be read (not Linux, or no THP support).
func Mode() string { return mode() }

// Advise marks the next size bytes of heap address space for huge pages
// when Mode is "madvise" (with "always" every page is a candidate
// already; with "never" none is). It reports whether it marked anything.
// Call it early, before the heap has grown: it runs a garbage collection.
//
// It acts once per process: the range stays marked, and a second region
// would come from memory the heap has used, which the runtime zeroes
// (touches) before handing it out. Later calls report false.
func Advise(size int) (marked bool, err error) {
	if size <= 0 {
		return false, nil
	}
	once.Do(func() {
		if Mode() == "madvise" {
			marked, err = advise(size)
		}
	})
	return marked, err
}

var once sync.Once
