package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSesctl(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, Err: &errb}
	code = Run(context.Background(), args, io)
	return code, out.String(), errb.String()
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEventsValidateUnreadable(t *testing.T) {
	dir := t.TempDir()
	good := `{"eventType":"Send","mail":{"timestamp":"2024-03-01T00:00:00.000Z","source":"a@example.com","sendingAccountId":"123456789012","messageId":"m","destination":["b@example.com"]},"send":{}}` + "\n"
	full := gzipped(t, strings.Repeat(good, 50))
	files := map[string][]byte{
		"corrupt.gz":   append([]byte{0x1f, 0x8b}, "not really gzip"...),
		"truncated.gz": full[:len(full)-12],
		"badcrc.gz":    append(append([]byte(nil), full[:len(full)-8]...), 0, 0, 0, 0, 0, 0, 0, 0),
	}
	tests := []struct{ file, msg string }{
		{"corrupt.gz", "corrupt.gz: gzip: "},
		{"truncated.gz", "truncated.gz: gzip: unexpected end of data (truncated file?)"},
		{"badcrc.gz", "badcrc.gz: gzip: "},
		{"missing.jsonl", "missing.jsonl: no such file or directory"},
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		code, _, stderr := runSesctl(t, "", "events", "validate", filepath.Join(dir, tt.file))
		if code != ExitUsage {
			t.Errorf("%s: exit %d, want %d", tt.file, code, ExitUsage)
		}
		if !strings.Contains(stderr, tt.msg) || !strings.Contains(stderr, "1 file could not be read") {
			t.Errorf("%s: stderr %q, want %q", tt.file, stderr, tt.msg)
		}
	}
}

// Results come back in input order although batches are validated in
// parallel.
func TestEventsValidateOrder(t *testing.T) {
	const n = 5000
	var in, want strings.Builder
	for i := 1; i <= n; i++ {
		if i%7 == 0 {
			fmt.Fprintf(&in, "[%d]\n", i)
			fmt.Fprintf(&want, "<stdin>:%d: not a JSON object but an array\n", i)
		} else {
			fmt.Fprintf(&in, "{\"notificationType\":\"Delivery\",\"n\":%d}\n", i)
			fmt.Fprintf(&want, "<stdin>:%d: notificationType: SNS notification (notificationType=Delivery), not an event-publishing record\n", i)
		}
	}
	code, stdout, stderr := runSesctl(t, in.String(), "events", "validate")
	if code != ExitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != want.String() {
		t.Fatalf("output out of order or wrong (first 300 bytes):\n%.300s", stdout)
	}
	if wantSum := fmt.Sprintf("%d records in 1 file: %d problems in %d records\n", n, n, n); stderr != wantSum {
		t.Fatalf("stderr %q, want %q", stderr, wantSum)
	}
}

func TestEventsValidateLines(t *testing.T) {
	tests := []struct {
		name, in, stdout, stderr string
		code                     int
	}{
		{"empty input", "", "", "0 records in 1 file: all valid\n", ExitOK},
		{"no final newline", "[1]\n[2]", "<stdin>:1: not a JSON object but an array\n<stdin>:2: not a JSON object but an array\n", "2 records in 1 file: 2 problems in 2 records\n", ExitFailure},
		{"CRLF", "[1]\r\n", "<stdin>:1: not a JSON object but an array\n", "1 record in 1 file: 1 problem in 1 record\n", ExitFailure},
		{"blank line", "\n", "<stdin>:1: empty record (Athena's OpenX JSON SerDe reads an empty line as an all-NULL row)\n", "1 record in 1 file: 1 problem in 1 record\n", ExitFailure},
	}
	for _, tt := range tests {
		code, stdout, stderr := runSesctl(t, tt.in, "events", "validate", "-")
		if code != tt.code || stdout != tt.stdout || stderr != tt.stderr {
			t.Errorf("%s: got %d %q %q\nwant %d %q %q", tt.name, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}

func TestGenerateDeterministicInProcess(t *testing.T) {
	_, a, _ := runSesctl(t, "", "generate", "-n", "500", "--seed", "5")
	_, b, _ := runSesctl(t, "", "generate", "-n", "500", "--seed", "5")
	if a != b || strings.Count(a, "\n") != 500 {
		t.Fatalf("outputs differ or wrong line count (%d)", strings.Count(a, "\n"))
	}
	code, _, stderr := runSesctl(t, a, "events", "validate")
	if code != ExitOK || stderr != "500 records in 1 file: all valid\n" {
		t.Fatalf("validate: %d %q", code, stderr)
	}
}

func TestGenerateProgressOnlyOnTerminal(t *testing.T) {
	const n = 65536 + 10
	for _, term := range []bool{false, true} {
		var out, errb bytes.Buffer
		streams := &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errb, ErrIsTerminal: term}
		if code := Run(context.Background(), []string{"generate", "-n", fmt.Sprint(n)}, streams); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		want := ""
		if term {
			want = fmt.Sprintf("\rgenerated 65536 of %d events (99%%)\rgenerated %d of %d events (100%%)\n", n, n, n)
		}
		if errb.String() != want {
			t.Errorf("terminal=%v: stderr %q, want %q", term, errb.String(), want)
		}
	}
}
