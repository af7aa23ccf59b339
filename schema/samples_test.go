package schema

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// officialSamples returns the ten official SES sample records, one per line,
// keyed by their eventType in file order.
func officialSamples(t testing.TB) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "official.jsonl"))
	if err != nil {
		t.Fatalf("reading samples: %v", err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, append([]byte(nil), line...))
		}
	}
	if len(out) != 10 {
		t.Fatalf("want 10 official samples, got %d", len(out))
	}
	return out
}
