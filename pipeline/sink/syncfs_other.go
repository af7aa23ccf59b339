//go:build !linux

package sink

// syncFS is Linux's batch sync; elsewhere files are synced one by one.
func syncFS([]pendingObject) (bool, error) { return false, nil }

// syncDirsFS is Linux's batch sync of directories; elsewhere each is
// synced on its own.
func syncDirsFS([]string) (bool, error) { return false, nil }
