package sink

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// listTree returns every file under root (relative, slash-separated).
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func write(t *testing.T, s Sink, key, content string) Object {
	t.Helper()
	obj, err := s.Create(context.Background(), key)
	if err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
	if _, err := obj.Write([]byte(content)); err != nil {
		t.Fatalf("Write(%q): %v", key, err)
	}
	return obj
}

func TestLocalCommit(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lake")
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{
		"events/Rendering Failure/2026/11/22/a": "one\n",
		"../../escape":                          "two\n",
		"a//b":                                  "three\n",
		"/abs":                                  "four\n",
	}
	for k, v := range keys {
		if err := write(t, l, k, v).Commit(); err != nil {
			t.Fatalf("Commit(%q): %v", k, err)
		}
	}
	got := strings.Join(listTree(t, root), " ")
	want := "%/abs %2E./%2E./escape a/%/b events/Rendering Failure/2026/11/22/a"
	if got != want {
		t.Errorf("files = %q, want %q", got, want)
	}
	for k, v := range keys {
		p, _ := LocalPath(root, k)
		b, err := os.ReadFile(p)
		if err != nil || string(b) != v {
			t.Errorf("%s = %q, %v; want %q", p, b, err, v)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s mode = %v, want 0644", p, st.Mode().Perm())
		}
	}
	st, _ := os.Stat(filepath.Join(root, "events"))
	if st.Mode().Perm()&0o700 != 0o700 {
		t.Errorf("directory mode = %v", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(root)); len(entries) != 1 {
		t.Errorf("something was written outside the root: %v", entries)
	}
}

func TestLocalNoPartialObjects(t *testing.T) {
	root := t.TempDir()
	l, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	// Aborted: nothing remains.
	obj := write(t, l, "p/aborted", "partial")
	if err := obj.Abort(); err != nil {
		t.Fatal(err)
	}
	// Interrupted (never committed): only a hidden temporary file.
	write(t, l, "p/interrupted", "partial")
	files := listTree(t, root)
	if len(files) != 1 || !strings.HasPrefix(files[0], "p/.interrupted.tmp-") {
		t.Errorf("files = %q, want only the hidden temporary file of p/interrupted", files)
	}
	for _, k := range []string{"p/aborted", "p/interrupted"} {
		p, _ := LocalPath(root, k)
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists under its final name (err %v)", k, err)
		}
	}
	// The temporary file is not an object name.
	if _, err := KeyFromLocalPath(files[0]); err == nil {
		t.Errorf("KeyFromLocalPath accepted the temporary file %s", files[0])
	}
}

func TestLocalObjectLifecycle(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	obj := write(t, l, "k", "v")
	if err := obj.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := obj.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	if _, err := obj.Write([]byte("x")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if err := obj.Abort(); err != nil {
		t.Errorf("Abort after Commit = %v, want nil (no-op)", err)
	}
	// A committed object is replaced atomically by a later one.
	if err := write(t, l, "k", "new").Commit(); err != nil {
		t.Fatal(err)
	}
	p, _ := LocalPath(l.root, "k")
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("k = %q, want new", b)
	}
}

func TestLocalErrors(t *testing.T) {
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(t, l, "a", "file").Commit(); err != nil {
		t.Fatal(err)
	}
	// "a" is a file, so "a/b" cannot be created locally (S3 allows both).
	if _, err := l.Create(context.Background(), "a/b"); err == nil || !strings.Contains(err.Error(), "a/b") {
		t.Errorf("Create(a/b) under file a: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Create(ctx, "x"); err == nil {
		t.Error("Create with a cancelled context succeeded")
	}
	if _, err := l.Create(context.Background(), ""); err == nil {
		t.Error("Create with an empty key succeeded")
	}
	if _, err := NewLocal(filepath.Join(dir, "a")); err == nil {
		t.Error("NewLocal on a file succeeded")
	}
}

func TestLocalDescribe(t *testing.T) {
	dir := t.TempDir()
	for _, root := range []string{filepath.Join(dir, "lake"), filepath.Join(dir, "lake") + "/"} {
		l, err := NewLocal(root)
		if err != nil {
			t.Fatal(err)
		}
		if want := "local folder " + filepath.ToSlash(filepath.Join(dir, "lake")) + "/"; l.Describe() != want {
			t.Errorf("Describe = %q, want %q", l.Describe(), want)
		}
	}
}

func TestTempPatternLongName(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := "d/" + strings.Repeat("n", 250) // a name near the 255 byte limit
	if err := write(t, l, key, "x").Commit(); err != nil {
		t.Fatalf("long name: %v", err)
	}
}

// TestLocalFlushSyncsChangedDirectories: commits and new directories are
// remembered, up to the root, and a Flush syncs them once and forgets them.
func TestLocalFlushSyncsChangedDirectories(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lake")
	l, err := NewLocal(root + "/")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"events/a/2024/01/01/x", "events/a/2024/01/01/y", "events/b/z"} {
		if err := write(t, l, k, "data").Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for d := range l.dirty {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(rel))
	}
	sort.Strings(got)
	want := []string{".", "events", "events/a", "events/a/2024", "events/a/2024/01", "events/a/2024/01/01", "events/b"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("dirty directories %q, want %q", got, want)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(l.dirty) != 0 {
		t.Fatalf("%d directories still dirty after Flush", len(l.dirty))
	}
	if err := write(t, l, "events/b/w", "data").Commit(); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.dirty[filepath.Join(root, "events", "b")]; !ok || len(l.dirty) != 1 {
		t.Fatalf("after one more commit, dirty = %v", l.dirty)
	}
}

// TestSyncDirs: directories are synced (one syncfs per file system on
// Linux), and one that cannot be synced is named in the error, whichever
// way the platform syncs.
func TestSyncDirs(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "a", "b")
	if err := os.MkdirAll(b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syncDirs([]string{root, a, b}); err != nil {
		t.Fatalf("syncDirs: %v", err)
	}
	if err := syncDirs(nil); err != nil {
		t.Fatalf("syncDirs(nil): %v", err)
	}
	gone := filepath.Join(root, "gone")
	err := syncDirs([]string{a, gone})
	if err == nil || !strings.Contains(err.Error(), gone) {
		t.Fatalf("syncDirs with a missing directory: err = %v, want one naming %s", err, gone)
	}
}
