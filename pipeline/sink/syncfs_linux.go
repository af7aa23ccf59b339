package sink

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// syncFS makes the files' bytes durable with one syncfs(2) per file
// system they are on: a single wait for the device instead of one per
// file. It reports false if it could not tell the file systems apart, and
// the caller then syncs file by file.
func syncFS(objs []pendingObject) (bool, error) {
	one, ok := onePerDevice(objs, func(p pendingObject) (os.FileInfo, error) { return p.f.Stat() })
	if !ok {
		return false, nil
	}
	for _, p := range one {
		if err := unix.Syncfs(int(p.f.Fd())); err != nil {
			return true, fmt.Errorf("syncfs: %w", err)
		}
	}
	return true, nil
}

// syncDirsFS makes the directories' entries durable with one syncfs(2)
// per file system they are on, which writes out a file system's dirty
// metadata as well as its data (sync(2)): one wait for the device where
// an fsync per directory waited once each (615 of them, 15-60 ms at the
// end of a replay of 100k events on this project's VM disk). It reports
// false if it could not tell the file systems apart; the caller then
// syncs each directory.
func syncDirsFS(dirs []string) (bool, error) {
	one, ok := onePerDevice(dirs, os.Stat)
	if !ok {
		return false, nil
	}
	for _, d := range one {
		if err := syncfsAt(d); err != nil {
			return true, err
		}
	}
	return true, nil
}

// onePerDevice returns the first item on each file system, or false when
// an item's file system cannot be told.
func onePerDevice[T any](items []T, stat func(T) (os.FileInfo, error)) (map[uint64]T, bool) {
	one := map[uint64]T{}
	for _, it := range items {
		st, err := stat(it)
		if err != nil {
			return nil, false
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !ok {
			return nil, false
		}
		if _, seen := one[uint64(sys.Dev)]; !seen {
			one[uint64(sys.Dev)] = it
		}
	}
	return one, true
}

// syncfsAt runs syncfs(2) on the file system holding dir.
func syncfsAt(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return fmt.Errorf("sync %s: syncfs: %w", dir, err)
	}
	return nil
}
