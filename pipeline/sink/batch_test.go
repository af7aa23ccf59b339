package sink

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hiddenFiles lists the temporary files (".name.tmp-…") under root.
func hiddenFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	for _, f := range listTree(t, root) {
		if strings.HasPrefix(filepath.Base(f), ".") {
			out = append(out, f)
		}
	}
	return out
}

// newBatchLocal is a Local sink on root in batch mode.
func newBatchLocal(t *testing.T, root string) *Local {
	t.Helper()
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	l.BeginBatch()
	return l
}

// TestBatchPublishesAtFlush: in batch mode a committed object stays a
// hidden temporary file until Flush, which renames every one into place.
func TestBatchPublishesAtFlush(t *testing.T) {
	root := t.TempDir()
	l := newBatchLocal(t, root)
	keys := []string{"events/a/2024/01/01/x.gz", "events/a/2024/01/01/y.gz", "events/b/z.gz"}
	for _, k := range keys {
		if err := write(t, l, k, "data of "+k).Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if got := hiddenFiles(t, root); len(got) != len(keys) || len(listTree(t, root)) != len(keys) {
		t.Fatalf("before Flush: %q; want only the %d temporary files", listTree(t, root), len(keys))
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(listTree(t, root), " "); got != strings.Join([]string{keys[0], keys[1], keys[2]}, " ") {
		t.Fatalf("after Flush: %q, want %q", got, keys)
	}
	for _, k := range keys {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(k)))
		if err != nil || string(b) != "data of "+k {
			t.Errorf("%s: %q, %v", k, b, err)
		}
	}
	if len(l.dirty) != 0 || len(l.batch.pending) != 0 {
		t.Errorf("after Flush: %d dirty directories, %d pending objects", len(l.dirty), len(l.batch.pending))
	}
}

// TestBatchPublishesWhenFull: the batchObjects-th commit publishes the
// batch without waiting for Flush.
func TestBatchPublishesWhenFull(t *testing.T) {
	root := t.TempDir()
	l := newBatchLocal(t, root)
	for i := range batchObjects + 1 {
		if err := write(t, l, fmt.Sprintf("p/%03d.gz", i), "x").Commit(); err != nil {
			t.Fatal(err)
		}
	}
	all := listTree(t, root)
	if hidden := hiddenFiles(t, root); len(all)-len(hidden) != batchObjects || len(hidden) != 1 {
		t.Fatalf("%d files, %d of them temporary; want %d published and 1 waiting", len(all), len(hidden), batchObjects)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if hidden := hiddenFiles(t, root); len(hidden) != 0 || len(listTree(t, root)) != batchObjects+1 {
		t.Fatalf("after Flush: %q", listTree(t, root))
	}
}

// TestBatchPublishFailureLeavesNothing: an object whose rename fails is
// reported by Flush, with its key, and its temporary file is removed; the
// others are published.
func TestBatchPublishFailureLeavesNothing(t *testing.T) {
	root := t.TempDir()
	l := newBatchLocal(t, root)
	if err := write(t, l, "ok/a.gz", "a").Commit(); err != nil {
		t.Fatal(err)
	}
	if err := write(t, l, "bad/b.gz", "b").Commit(); err != nil {
		t.Fatal(err)
	}
	// A directory where the object should go: the rename cannot replace it.
	if err := os.MkdirAll(filepath.Join(root, "bad", "b.gz", "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := l.Flush()
	if err == nil || !strings.Contains(err.Error(), "commit bad/b.gz") {
		t.Fatalf("Flush = %v, want the failed commit of bad/b.gz", err)
	}
	if hidden := hiddenFiles(t, root); len(hidden) != 0 {
		t.Errorf("temporary files left: %q", hidden)
	}
	if b, err := os.ReadFile(filepath.Join(root, "ok", "a.gz")); err != nil || string(b) != "a" {
		t.Errorf("ok/a.gz: %q, %v", b, err)
	}
}

// TestSyncEach: the per-file fallback syncs every file and reports each
// file's own error.
func TestSyncEach(t *testing.T) {
	dir := t.TempDir()
	var objs []pendingObject
	for i := range 20 {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, pendingObject{f: f})
	}
	if err := objs[7].f.Close(); err != nil { // syncing it now fails
		t.Fatal(err)
	}
	errs := make([]error, len(objs))
	syncEach(objs, errs)
	for i, err := range errs {
		if (i == 7) != (err != nil) {
			t.Errorf("file %d: error %v", i, err)
		}
		if i != 7 {
			_ = objs[i].f.Close()
		}
	}
	if !errors.Is(errs[7], os.ErrClosed) {
		t.Errorf("closed file: %v, want os.ErrClosed", errs[7])
	}
}

// TestBatchPublishesWhenOld: a commit finding the oldest waiting object
// batchAge old publishes the batch.
func TestBatchPublishesWhenOld(t *testing.T) {
	root := t.TempDir()
	l := newBatchLocal(t, root)
	if err := write(t, l, "p/first.gz", "1").Commit(); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.batch.oldest = l.batch.oldest.Add(-batchAge)
	l.mu.Unlock()
	if err := write(t, l, "p/second.gz", "2").Commit(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(listTree(t, root), " "); got != "p/first.gz p/second.gz" {
		t.Fatalf("files %q, want both objects published", got)
	}
}
