package jq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// fastQueries exercise the fast path: plain paths, index steps, the
// default query's string pipeline, repeated keys and paths.
var fastQueries = []string{
	defaultQuery,
	`{sender_identity: .mail.tags."ses:from-domain"[0], event_type: .eventType}`,
	`{a: .mail.source, b: .mail}`,
	`{a: .mail.destination[-1], b: .["eventType"]}`,
	`{a: .eventType, a: .mail.source}`,
	`{a: .mail.source, b: .mail.source, c: .mail.source.x}`,
	`{a: (.mail.source | ascii_upcase | ltrimstr("A")), b: (.eventType | tostring)}`,
	`{a: (.mail.destination | .[0] | split("@") | .[1])}`,
	`{x: .one, y: .big, z: .huge, w: .neg}`,
	// past fewKids members at one level: looked up by hash, not compared
	`{x: .one, y: .big, z: .huge, w: .neg, v: .eventType}`,
	`{x: .one, y: .big, z: .huge, w: .neg, v: .eventType, u: .mail.source, t: .mail.destination[0], s: .mail.tags."ses:from-domain"[0], r: .mail.x, q: .mail.y}`,
	`{a: .mail.tags."ses:from-domain"[0], b: .mail.tags."ses:source-ip"[0]}`,
	`{a: ."event\u0054ype", "b c": .mail."source"}`,
	`{a: (.mail.source | split("@") | .[1] | split(".") | .[-2])}`,
}

// fastRecords are edge cases for a scanner that skips what it does not
// need: duplicates at every level, escaped and invalid UTF-8 member names,
// malformed JSON away from the wanted members, depth limits.
var fastRecords = []string{
	`{"eventType":"Send","mail":{"source":"A@B.C","destination":["x@y.z","w@v.u"],"tags":{"ses:from-domain":["b.c"],"ses:source-ip":["1.2.3.4"]}}}`,
	`{"mail":{"source":"a@b.c"},"mail":{"x":1},"eventType":"Send"}`,
	`{"mail":{"x":1},"mail":{"source":"a@b.c"},"eventType":"Send"}`,
	`{"mail":{"source":"a@b.c","source":"D@E.F"},"eventType":"Send","eventType":"Open"}`,
	`{"mail":{"source":"a@b.c"},"mail":"flat","eventType":"Send"}`,
	`{"event\u0054ype":"Send","mail":{"sour\u0063e":"x@y.z"}}`,
	`{"eventType":"Se\u006ed\n","mail":{"source":"\"A\" <A@B.C>"}}`,
	"{\"eventType\":\"S\xffnd\",\"mail\":{\"source\":\"a@b\xc3\"}}",
	"{\"event\xffType\":\"Send\",\"eventType\":\"Open\",\"mail\":{\"source\":\"a@b.c\"}}",
	`{"eventType":true,"mail":{"source":1.5e3}}`,
	`{"eventType":false,"mail":{"source":-0}}`,
	`{"eventType":"","mail":{"source":"a@b.c"}}`,
	`{"eventType":null,"mail":{"source":"a@b.c"}}`,
	`{"eventType":"Send","mail":{"source":"a@b.c","tags":{"ses:from-domain":[]}}}`,
	`{"eventType":"Send","mail":{"source":"a@b.c","tags":{"ses:from-domain":[null]}}}`,
	`{"eventType":"Send","mail":{"source":"a@b.c","tags":{"ses:from-domain":[7,"x"]}}}`,
	`{"eventType":"Send","mail":[{"source":"a@b.c"}]}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"}} x`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":"\q"}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":"\ud800"}`,
	`{"eventType":"\ud800","mail":{"source":"a@b.c"}}`,
	"{\"eventType\":\"Send\",\"mail\":{\"source\":\"a@b.c\"},\"x\":\"a\tb\"}",
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":01}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":1.}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":[1,2,]}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x" 1}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"x":tru}`,
	`{"eventType":"Send","one":-12.5e-3,"big":12345678901234567890,"huge":1e400,"neg":-0,"mail":{"source":"a@b.c"}}`,
	`{"eventType":12345678901234567890,"mail":{"source":"a@b.c","destination":["@"]}}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat("[", 255) + strings.Repeat("]", 255) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat("[", 256) + strings.Repeat("]", 256) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`{"a":`, 126) + `1` + strings.Repeat("}", 126) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`{"a":`, 127) + `1` + strings.Repeat("}", 127) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`{"a":`, 127) + `{}` + strings.Repeat("}", 127) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`[`, 254) + `{"a":1}` + strings.Repeat("]", 254) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`[`, 253) + `{"a":[]}` + strings.Repeat("]", 253) + `}`,
	`{"eventType":"Send","mail":{"source":"a@b.c"},"deep":` + strings.Repeat(`[`, 252) + `{"a":[]}` + strings.Repeat("]", 252) + `}`,
	`   {"eventType" : "Send" , "mail" : { "source" : "<X@Y.Z>" } }   `,
	`{"eventType":"Send","mail":{"source":"x@y.z>"},"mail.source":"no"}`,
	`{"eventType":"Send","mail":{"source":"no-at-sign"}}`,
	`{"eventType":"Send","mail":{"source":""}}`,
	`{"eventType":"Send","mail":{"source":"a@"}}`,
	`[{"eventType":"Send"}]`,
	`"eventType"`,
	``,
}

func allFastRecords(t testing.TB) []testRecord {
	recs := loadRecords(t)
	for i, r := range fastRecords {
		recs = append(recs, testRecord{name: fmt.Sprintf("fast-%d", i), data: []byte(r)})
	}
	return recs
}

// outcome is a comparable rendering of an extraction's result.
func outcome(vals []string, err error) string {
	if err != nil {
		return fmt.Sprintf("error %T %q", err, err.Error())
	}
	return fmt.Sprintf("%q", vals)
}

// TestFastPathEqualsGeneral runs every corpus query on every record both
// ways: the fast path must never change a result or an error message.
func TestFastPathEqualsGeneral(t *testing.T) {
	recs := allFastRecords(t)
	fast, answered := 0, 0
	for _, src := range append(loadQueries(t), fastQueries...) {
		q, err := Compile(src)
		if err != nil || q.path == nil {
			continue
		}
		fast++
		x := q.NewExtractor() // one for all records: its kept strings must never leak into another's keys
		for _, r := range recs {
			got := outcome(q.Extract(r.data))
			want := outcome(q.extractGeneral(context.Background(), r.data))
			if got != want {
				t.Errorf("%s on %s (%q):\n fast    %s\n general %s", src, r.name, r.data, got, want)
			}
			keys, _, err := x.Extract(r.data, nil)
			if reused := outcome(keys, err); reused != want {
				t.Errorf("%s on %s (%q):\n extractor %s\n general   %s", src, r.name, r.data, reused, want)
			}
			if _, ok := q.path.extract(r.data, q.slots, len(q.keys), nil, nil); ok {
				answered++
			}
		}
	}
	if fast < 20 || answered < 200 {
		t.Errorf("the fast path served only %d queries and answered %d extractions", fast, answered)
	}
	t.Logf("fast path: %d queries, %d of their extractions answered without the general path", fast, answered)
}

// TestFastPathJQ16 compares the fast queries with Debian's jq 1.6 on the
// edge records (the corpus queries are compared in TestDifferentialJQ16).
func TestFastPathJQ16(t *testing.T) {
	jqPath := jq16(t)
	recs := allFastRecords(t)
	var valid [][]byte
	line := map[int]int{}
	for i, r := range recs {
		if _, err := decodeRecord(r.data, nil); err == nil {
			valid = append(valid, r.data)
			line[i] = len(valid)
		} else if !isLenient(r.data) && jqParses(t, jqPath, r.data) {
			t.Errorf("%s (%q): sesctl rejects the record (%v), jq 1.6 parses it", r.name, r.data, err)
		}
	}
	for _, src := range fastQueries {
		q := mustCompile(t, src)
		if q.path == nil {
			t.Errorf("%s: no fast path", src)
			continue
		}
		res, err := jqRun(jqPath, src, valid)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range recs {
			want, wantErr := []string(nil), "not JSON to jq 1.6"
			if l, ok := line[i]; ok {
				want, wantErr = oracle(res[l], q.Keys())
			}
			got, err := q.Extract(r.data)
			if (err != nil) != (wantErr != "") || strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("%s on %s (%q): sesctl %q %v; jq 1.6 %q %q", src, r.name, r.data, got, err, want, wantErr)
			}
		}
	}
}

// isLenient reports records jq 1.6 parses but strict JSON rejects
// (NaN, leading zeros, a trailing dot, two concatenated values), which
// sesctl rejects by rule like the records of knownRuntimeDifferences.
func isLenient(data []byte) bool {
	for _, lenient := range []string{"NaN", ":01", ":1.}", "}{"} {
		if bytes.Contains(data, []byte(lenient)) {
			return true
		}
	}
	return false
}

// jqParses reports whether jq 1.6 reads the record without a parse error.
func jqParses(t *testing.T, jqPath string, data []byte) bool {
	cmd := exec.Command(jqPath, "-c", ".")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return len(bytes.TrimSpace(out)) > 0 && !bytes.Contains(out, []byte("parse error"))
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !bytes.Contains(out, []byte("parse error")) {
		t.Fatalf("jq on %q: %v %s", data, err, out)
	}
	return false
}

func TestCompileFast(t *testing.T) {
	tests := []struct {
		src  string
		fast bool
	}{
		{`{a: .eventType}`, true},
		{`{a: .mail.tags."ses:from-domain"[0]}`, true},
		{`{a: .["mail"]["source"]}`, true},
		{`{a: (.mail.source | split("@") | .[-1] | rtrimstr(">") | ascii_downcase)}`, true},
		{`{a: (.mail | .source)}`, true},
		{`{a: .eventType, b: .eventType}`, true},
		{`{a: .}`, false},
		{`{a: .[0]}`, false},
		{`{a: .eventType?}`, false},
		{`{a: .mail.destination[]}`, false},
		{`{a: .mail.timestamp[0:10]}`, false},
		{`{a: .mail.destination[1.5]}`, false},
		{`{a: (.eventType | gsub("a"; "b"))}`, false},
		{`{a: (.eventType | split(.x))}`, false},
		{`{a: (.eventType // "x")}`, false},
		{`{a: (.eventType, .mail.source)}`, false},
		{`def f: .eventType; {a: f}`, false},
		{`def split($x): .; {a: (.eventType | split("@"))}`, false},
		{`{a: .eventType | ascii_downcase}`, true},
		{`{a: "\(.eventType)"}`, false},
		{`{a: $__prog_args}`, false},
	}
	for _, tt := range tests {
		q, err := Compile(tt.src)
		if err != nil {
			if tt.fast {
				t.Errorf("%s: %v", tt.src, err)
			}
			continue
		}
		if got := q.path != nil; got != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.src, got, tt.fast)
		}
	}
}

func TestFastPathShape(t *testing.T) {
	q := mustCompile(t, `{a: .mail.source, b: .mail.source, c: .mail.tags.x[0], d: .mail}`)
	p := q.path
	if p == nil || p.nleaf != 3 {
		t.Fatalf("plan %+v: want 3 leaves (a and b share one)", p)
	}
	mail := p.root.kids["mail"]
	if mail.leaf < 0 || len(mail.under) != 3 || len(p.root.under) != 3 || p.root.kids["mail"].kids["source"].leaf != p.pairs[1].leaf {
		t.Errorf("trie %+v", mail)
	}
}

// FuzzFastPath compares the fast path with the general path on arbitrary
// records, for each fast query.
func FuzzFastPath(f *testing.F) {
	for _, r := range fastRecords {
		f.Add([]byte(r), uint8(0))
	}
	f.Add([]byte(`{"eventType":"Send","mail":{"source":"a@b.c","destination":["x"],"tags":{"ses:from-domain":["d"]}},"one":1,"big":2,"huge":3,"neg":4}`), uint8(3))
	queries := make([]*Query, len(fastQueries))
	for i, src := range fastQueries {
		queries[i] = mustCompile(f, src)
	}
	f.Fuzz(func(t *testing.T, data []byte, qi uint8) {
		q := queries[int(qi)%len(queries)]
		got := outcome(q.Extract(data))
		want := outcome(q.extractGeneral(context.Background(), data))
		if got != want {
			t.Fatalf("%s on %q:\n fast    %s\n general %s", q.src, data, got, want)
		}
	})
}

// BenchmarkFastPath compares the fast path with the general path on the
// official Bounce sample.
func BenchmarkFastPath(b *testing.B) {
	rec := benchFastRecord(b)
	for _, src := range fastQueries[:2] {
		q := mustCompile(b, src)
		name := "plain"
		if src == defaultQuery {
			name = "default"
		}
		b.Run(name+"/fast", func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.Extract(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/general", func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := q.extractGeneral(context.Background(), rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchFastRecord(b *testing.B) []byte {
	for _, rec := range officialSamples(b) {
		if bytes.HasPrefix(rec, []byte(`{"eventType":"Bounce"`)) {
			return rec
		}
	}
	return officialSamples(b)[0]
}
