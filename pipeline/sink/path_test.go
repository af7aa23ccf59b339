package sink

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalPathMapping(t *testing.T) {
	tests := []struct{ key, rel string }{
		{"events/Bounce/2026/11/22/s-1-2026-11-22-10-00-00-abc.gz", "events/Bounce/2026/11/22/s-1-2026-11-22-10-00-00-abc.gz"},
		{"events/Rendering Failure/x", "events/Rendering Failure/x"},
		{"a=b/c:d/é", "a=b/c:d/é"},
		{"..", "%2E."},
		{".", "%2E"},
		{"../../x", "%2E./%2E./x"},
		{"/abs", "%/abs"},
		{"a//b", "a/%/b"},
		{"a/", "a/%"},
		{"a/../../b", "a/%2E./%2E./b"},
		{".hidden/x.tmp", "%2Ehidden/x.tmp"},
		{"a.b/c..", "a.b/c.."},
		{"100%/x%2E", "100%25/x%252E"},
		{`a\..\b`, `a%5C..%5Cb`},
		{"nul\x00byte", "nul%00byte"},
		{"%", "%25"},
	}
	root := filepath.Join("lake", "root")
	for _, tt := range tests {
		got, err := LocalPath(root, tt.key)
		if err != nil {
			t.Errorf("LocalPath(%q): %v", tt.key, err)
			continue
		}
		want := filepath.Join(root, filepath.FromSlash(tt.rel))
		if got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", tt.key, got, want)
		}
		back, err := KeyFromLocalPath(filepath.FromSlash(tt.rel))
		if err != nil || back != tt.key {
			t.Errorf("KeyFromLocalPath(%q) = %q, %v; want %q", tt.rel, back, err, tt.key)
		}
	}
}

func TestLocalPathRejects(t *testing.T) {
	if _, err := LocalPath("lake", ""); err == nil {
		t.Error("LocalPath accepted an empty key")
	}
	for _, rel := range []string{
		"", "/abs", ".tmp", "a/.x.tmp-123", "a/./b", "a/../b", "..", "a//b",
		"a%2E", "%2e", "%41", "%2", "a%", "%%", `a\b`, "a\x00b", "%2E%2E",
	} {
		if k, err := KeyFromLocalPath(rel); err == nil {
			t.Errorf("KeyFromLocalPath(%q) = %q, want an error", rel, k)
		}
	}
}

// checkMapping asserts that key maps inside root and back to itself.
func checkMapping(t *testing.T, root, key string) {
	t.Helper()
	p, err := LocalPath(root, key)
	if err != nil {
		t.Fatalf("LocalPath(%q): %v", key, err)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		t.Fatalf("LocalPath(%q) = %q is not inside %q", key, p, root)
	}
	if len(strings.Split(filepath.ToSlash(rel), "/")) != strings.Count(key, "/")+1 {
		t.Fatalf("LocalPath(%q) = %q: one path element per key segment", key, p)
	}
	back, err := KeyFromLocalPath(rel)
	if err != nil || back != key {
		t.Fatalf("KeyFromLocalPath(%q) = %q, %v; want %q", rel, back, err, key)
	}
}

func TestLocalPathRoundTripProperty(t *testing.T) {
	alphabet := []string{"a", "b", ".", "..", "/", "%", "%2E", "\\", "\x00", " ", "é", "=", "%25"}
	rng := rand.New(rand.NewPCG(1, 2))
	root := t.TempDir()
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		checkMapping(t, root, b.String())
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"a/b", "..", "../../x", "/abs", "a//b", "a/../../b", ".", "%2E", "a\\b", "x/%/y", "%2E."} {
		f.Add(s)
	}
	root := filepath.Join("tmp", "lake")
	f.Fuzz(func(t *testing.T, s string) {
		if s != "" {
			checkMapping(t, root, s)
		}
		// Any name KeyFromLocalPath accepts is exactly what LocalPath
		// writes for that key: the mapping is a bijection.
		if key, err := KeyFromLocalPath(s); err == nil {
			p, err := LocalPath(root, key)
			if err != nil || p != filepath.Join(root, s) {
				t.Fatalf("KeyFromLocalPath(%q) = %q, LocalPath = %q, %v", s, key, p, err)
			}
		}
	})
}
