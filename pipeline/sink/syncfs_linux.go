package sink

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// syncFS makes the files' bytes durable with one syncfs(2) per file
// system they are on: a single wait for the device instead of one per
// file. It reports false if it could not tell the file systems apart, and
// the caller then syncs file by file.
func syncFS(objs []pendingObject) (bool, error) {
	fds := map[uint64]int{} // device: a file descriptor on it
	for _, p := range objs {
		st, err := p.f.Stat()
		if err != nil {
			return false, nil
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !ok {
			return false, nil
		}
		if _, seen := fds[uint64(sys.Dev)]; !seen {
			fds[uint64(sys.Dev)] = int(p.f.Fd())
		}
	}
	for _, fd := range fds {
		if err := unix.Syncfs(fd); err != nil {
			return true, fmt.Errorf("syncfs: %w", err)
		}
	}
	return true, nil
}
