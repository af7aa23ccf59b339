package framing

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// stripSpace returns b without any JSON whitespace.
func stripSpace(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if !isSpace(c) {
			out = append(out, c)
		}
	}
	return out
}

// checkAccounted asserts that every non-blank input byte is in the records,
// in order, and that records are non-empty and trimmed with sane lines.
func checkAccounted(t testing.TB, input []byte, recs []Record) {
	t.Helper()
	input = bytes.TrimPrefix(input, utf8BOM)
	var all []byte
	lines := bytes.Count(input, []byte{'\n'}) + 1
	prev := 0
	for i, r := range recs {
		if len(r.Data) == 0 || isSpace(r.Data[0]) || isSpace(r.Data[len(r.Data)-1]) {
			t.Fatalf("record %d %q is empty or not trimmed", i, r.Data)
		}
		if r.Line < prev || r.Line < 1 || r.Line > lines {
			t.Fatalf("record %d line %d (previous %d, %d lines)", i, r.Line, prev, lines)
		}
		prev = r.Line
		all = append(all, r.Data...)
	}
	if got, want := stripSpace(all), stripSpace(input); !bytes.Equal(got, want) {
		t.Fatalf("non-blank bytes differ:\n got  %q\n want %q", got, want)
	}
}

// decodeStream returns the compacted values of input when it is a valid
// stream of JSON values, as encoding/json's Decoder reads it.
func decodeStream(input []byte) ([][]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(input))
	var out [][]byte
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, true
		}
		if err != nil {
			return nil, false
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return nil, false
		}
		out = append(out, b.Bytes())
	}
}

func FuzzReader(f *testing.F) {
	seeds := []string{
		"{\"a\":1}\n{\"b\":2}\n",
		"{\"a\":1}{\"b\": 2} {\"c\" : [ 3 ]}",
		"{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}\n",
		"{\"a\":\n{\"b\":1}\n{\"c\":2}\n",
		"hello\n{\"a\":1} junk\n",
		"1 2 3\n\"a\"\"b\"truefalse null\n-0.5e-3",
		"\xEF\xBB\xBF{\"a\":\"\\u00e9\"}\r\n\r\n",
		"[\n[\n[\n1]",
		"{\"a\":\"b\n\"}",
		"{}}{[]]",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		recs, err := readAll(t, input)
		if err != nil {
			if bytes.HasPrefix(input, []byte{0x1f, 0x8b}) {
				return // not valid gzip
			}
			t.Fatalf("read: %v", err)
		}
		if bytes.HasPrefix(input, []byte{0x1f, 0x8b}) {
			return // decompressed content: not comparable with input
		}
		checkAccounted(t, input, recs)
		lent, err := readInto(t, input)
		if err != nil {
			t.Fatalf("read with an arena: %v", err)
		}
		sameRecords(t, lent, recs)
		values, ok := decodeStream(input)
		if !ok {
			return
		}
		if len(recs) != len(values) {
			t.Fatalf("valid input: %d records, %d values", len(recs), len(values))
		}
		for i, r := range recs {
			var b bytes.Buffer
			if err := json.Compact(&b, r.Data); err != nil || !bytes.Equal(b.Bytes(), values[i]) {
				t.Fatalf("record %d = %q, want %q (%v)", i, r.Data, values[i], err)
			}
		}
	})
}

// scanAll runs valueScanner over a whole text the way json.Valid does: one
// value with optional surrounding whitespace.
func scanAll(b []byte) bool {
	var s valueScanner
	s.reset()
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	for ; i < len(b); i++ {
		switch s.step(b[i]) {
		case scanError:
			return false
		case scanDone:
			return len(trimSpace(b[i+1:])) == 0
		case scanDoneBefore:
			return len(trimSpace(b[i:])) == 0
		}
	}
	return s.atEOF()
}

// scanAllRun is scanAll through valueScanner.run, in pieces of at most
// chunk bytes.
func scanAllRun(b []byte, chunk int) bool {
	var s valueScanner
	s.reset()
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	for i < len(b) {
		n, res := s.run(b[i:min(i+chunk, len(b))])
		i += n
		switch res {
		case scanError:
			return false
		case scanDone, scanDoneBefore:
			return len(trimSpace(b[i:])) == 0
		}
	}
	return s.atEOF()
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"\u00e9\n"]}`, `0`, `-`, `01`, `1.`, `1e`, `[1,]`,
		`{"a" 1}`, `{,}`, `"\x"`, "\"\x01\"", ` [ ] `, `nul`, `{"a":1}}`, `[1 2]`, `1 2`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := scanAll(b), json.Valid(b); got != want {
			t.Fatalf("scanner says %v, json.Valid says %v for %q", got, want, b)
		}
		if json.Valid(b) {
			var want bytes.Buffer
			_ = json.Compact(&want, b)
			if got := appendCompact(nil, b); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("appendCompact = %q, json.Compact = %q", got, want.Bytes())
			}
		}
		for _, chunk := range []int{1, 3, len(b) + 1} {
			if got, want := scanAllRun(b, chunk), json.Valid(b); got != want {
				t.Fatalf("run in chunks of %d says %v, json.Valid says %v for %q", chunk, got, want, b)
			}
		}
	})
}
