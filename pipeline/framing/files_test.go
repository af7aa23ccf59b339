package framing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{
		"b/2.json", "b/10.json", "a.json.gz", "c/d/e.jsonl",
		".hidden.json", "b/.lake.tmp-123", ".git/config", "c/.cache/x.json",
	} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "a.json.gz"), filepath.Join(dir, "c", "link.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "b"), filepath.Join(dir, "c", "linkdir")); err != nil {
		t.Fatal(err)
	}
	explicit := filepath.Join(dir, ".hidden.json")
	got, err := Files([]string{dir, "-", explicit})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, g := range got {
		if r, err := filepath.Rel(dir, g); err == nil && g != "-" {
			g = r
		}
		rel = append(rel, filepath.ToSlash(g))
	}
	want := "a.json.gz b/10.json b/2.json c/d/e.jsonl c/link.json - .hidden.json"
	if strings.Join(rel, " ") != want {
		t.Errorf("Files = %q\nwant %q", strings.Join(rel, " "), want)
	}
}

func TestFilesErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	if _, err := Files([]string{missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing path: err = %v, want it to name %s", err, missing)
	}
	broken := filepath.Join(dir, "sub", "broken.json")
	if err := os.MkdirAll(filepath.Dir(broken), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone"), broken); err != nil {
		t.Fatal(err)
	}
	if _, err := Files([]string{dir}); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("broken link: err = %v, want it to name %s", err, broken)
	}
}

func TestFilesEmptyDirectory(t *testing.T) {
	got, err := Files([]string{t.TempDir()})
	if err != nil || len(got) != 0 {
		t.Errorf("Files(empty dir) = %q, %v; want nothing, no error", got, err)
	}
}
