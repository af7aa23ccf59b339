package jq

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// byteStepQuery builds `{k: (.v | step | step ...)}` from prog, one step
// per byte: split(sep) | .[n], ltrimstr, rtrimstr, ascii_downcase,
// ascii_upcase, tostring.
func byteStepQuery(prog []byte, sep, affix string, n int8) string {
	lit := func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSpace(b.String())
	}
	steps := []string{".v"}
	for _, c := range prog[:min(len(prog), 6)] {
		switch c % 6 {
		case 0:
			steps = append(steps, fmt.Sprintf("split(%s) | .[%d]", lit(sep), n))
		case 1:
			steps = append(steps, fmt.Sprintf("ltrimstr(%s)", lit(affix)))
		case 2:
			steps = append(steps, fmt.Sprintf("rtrimstr(%s)", lit(affix)))
		case 3:
			steps = append(steps, "ascii_downcase")
		case 4:
			steps = append(steps, "ascii_upcase")
		case 5:
			steps = append(steps, "tostring")
		}
	}
	return "{k: (" + strings.Join(steps, " | ") + ")}"
}

// byteStepRecords puts s in a record JSON-encoded and, when it needs no
// escape, raw (so invalid UTF-8 reaches the scanner as it is).
func byteStepRecords(s string) [][]byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string{"v": s})
	recs := [][]byte{bytes.TrimSpace(b.Bytes())}
	if !strings.ContainsAny(s, "\"\\") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
		recs = append(recs, []byte(`{"v":"`+s+`"}`))
	}
	return recs
}

// FuzzByteSteps: a key computed by byte steps equals the general path's
// (gojq on the decoded record) for any string and chain of steps, through
// Query.Extract and through an Extractor reused across records.
func FuzzByteSteps(f *testing.F) {
	f.Add([]byte{0, 2, 3}, "Name <A@Example.COM>", "@", ">", int8(-1))
	f.Add([]byte{0, 0}, "a.b@c.d.e", ".", "a", int8(1))
	f.Add([]byte{4, 1, 5}, "x@y", "@", "X", int8(-3))
	f.Add([]byte{0}, "", "@", "", int8(0))
	f.Add([]byte{3, 0}, "\xff@\xfe", "@", "", int8(-1))
	f.Add([]byte{1, 2}, "ÄÖ@straße.DE", "ß", "ÄÖ", int8(2))
	f.Fuzz(func(t *testing.T, prog []byte, s, sep, affix string, n int8) {
		q, err := Compile(byteStepQuery(prog, sep, affix, n))
		if err != nil || q.path == nil {
			return
		}
		x := q.NewExtractor()
		for _, rec := range append(byteStepRecords(s), byteStepRecords(strings.ToUpper(s))...) {
			want := outcome(q.extractGeneral(context.Background(), rec))
			if got := outcome(q.Extract(rec)); got != want {
				t.Fatalf("%s on %q:\n fast    %s\n general %s", q.src, rec, got, want)
			}
			keys, _, err := x.Extract(rec, nil)
			if got := outcome(keys, err); got != want {
				t.Fatalf("%s on %q:\n extractor %s\n general   %s", q.src, rec, got, want)
			}
		}
	})
}

// TestByteStepsAnswer: the default query's steps and the plain member
// paths compile to byte steps, and they answer the common record without
// the value steps; queries they do not cover are left to those.
func TestByteStepsAnswer(t *testing.T) {
	for _, tc := range []struct {
		src   string
		bytes bool
	}{
		{defaultQuery, true},
		{`{a: .eventType}`, true},
		{`{a: (.mail.source | split("@") | .[1] | split(".") | .[-2])}`, true},
		{`{a: (.mail.source | split("@"))}`, false},       // an array
		{`{a: (.mail.source | split("") | .[0])}`, false}, // characters
		{`{a: (.mail.source | .[0])}`, false},             // an index into a string
	} {
		q := mustCompile(t, tc.src)
		if q.path == nil {
			t.Fatalf("%s: no fast path", tc.src)
		}
		if got := q.path.pairs[0].byteOK; got != tc.bytes {
			t.Errorf("%s: byte steps %v, want %v", tc.src, got, tc.bytes)
		}
	}
	steps, _ := byteSteps(mustCompile(t, defaultQuery).path.pairs[0].steps)
	var buf []byte
	got, ok := runBytes(steps, []byte(`"Jane" <Jane@News.Example.COM>`), &buf)
	if !ok || string(got) != "news.example.com" {
		t.Errorf("default steps on a display-name source = %q, %v", got, ok)
	}
}

// TestExtractorKeepsStrings: an Extractor returns the same string for a
// repeated key value (no allocation per record), and what it returns is
// never changed by later records.
func TestExtractorKeepsStrings(t *testing.T) {
	x := mustCompile(t, defaultQuery).NewExtractor()
	rec := func(src, typ string) []byte {
		return []byte(`{"eventType":"` + typ + `","mail":{"source":"` + src + `"}}`)
	}
	first, _, err := x.Extract(rec("a@Example.COM", "Send"), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, _, _ := x.Extract(rec("b@example.com", "Send"), nil)
	other, _, _ := x.Extract(rec("c@other.example", "Bounce"), nil)
	if first[0] != "example.com" || first[1] != "Send" || other[0] != "other.example" || other[1] != "Bounce" {
		t.Fatalf("keys %q, %q", first, other)
	}
	if unsafeData(first[0]) != unsafeData(second[0]) || unsafeData(first[1]) != unsafeData(second[1]) {
		t.Error("a repeated key value was not returned as the same string")
	}
	allocs := testing.AllocsPerRun(100, func() { _, _, _ = x.Extract(rec("d@example.com", "Send"), nil) })
	if allocs > 2 { // the record literal and the slice of keys
		t.Errorf("%.0f allocations per record with repeated keys", allocs)
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
