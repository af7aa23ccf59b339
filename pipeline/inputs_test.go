package pipeline

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveInputsWalksInNameOrder(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b.jsonl", "a/2.jsonl", "a/10.jsonl", ".hidden", ".git/x", "c.json.gz"} {
		writeFile(t, filepath.Join(dir, p), "{}\n")
	}
	single := filepath.Join(dir, "b.jsonl")
	ins, err := ResolveInputs([]string{dir, "-", single}, strings.NewReader("stdin"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range ins {
		got = append(got, in.Name)
	}
	want := []string{filepath.Join(dir, "a/10.jsonl"), filepath.Join(dir, "a/2.jsonl"), single, filepath.Join(dir, "c.json.gz"), "-", single}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("inputs = %q, want %q", got, want)
	}
	rc, err := ins[4].Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if string(b) != "stdin" {
		t.Errorf("stdin input read %q", b)
	}
}

func TestResolveInputsErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.jsonl")
	_, err := ResolveInputs([]string{missing}, nil)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Name != missing {
		t.Fatalf("err = %v", err)
	}
	if want := "input " + missing + ": no such file or directory"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if _, err := ResolveInputs([]string{"-", "-"}, strings.NewReader("")); !errors.As(err, &ie) {
		t.Errorf("stdin twice: err = %v", err)
	}
	if os.Geteuid() != 0 { // root reads everything
		locked := filepath.Join(dir, "locked.jsonl")
		writeFile(t, locked, "{}")
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := ResolveInputs([]string{dir}, nil); !errors.As(err, &ie) || ie.Name != locked {
			t.Errorf("unreadable file: err = %v", err)
		}
	}
}
