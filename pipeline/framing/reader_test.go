package framing

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// rec is a compact expectation: data and line.
type rec struct {
	data string
	line int
}

func (r rec) String() string { return fmt.Sprintf("%q@%d", r.data, r.line) }

func readAll(t testing.TB, input []byte) ([]Record, error) {
	t.Helper()
	r, err := NewReader("in.json", bytes.NewReader(input))
	if err != nil {
		return nil, err
	}
	var out []Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func checkRecords(t *testing.T, input string, want []rec) {
	t.Helper()
	got, err := readAll(t, []byte(input))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var g []rec
	for _, r := range got {
		if r.File != "in.json" {
			t.Errorf("File = %q, want in.json", r.File)
		}
		g = append(g, rec{string(r.Data), r.Line})
	}
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("input %q\n got  %v\n want %v", input, g, want)
	}
}

func TestReaderFraming(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []rec
	}{
		{"json lines", "{\"a\":1}\n{\"b\":2}\n[3]\n",
			[]rec{{`{"a":1}`, 1}, {`{"b":2}`, 2}, {`[3]`, 3}}},
		{"no final newline", "{\"a\":1}\n{\"b\":2}", []rec{{`{"a":1}`, 1}, {`{"b":2}`, 2}}},
		{"crlf", "{\"a\":1}\r\n{\"b\":2}\r\n", []rec{{`{"a":1}`, 1}, {`{"b":2}`, 2}}},
		{"blank lines are framing", "\n  \n{\"a\":1}\n\t\r\n\n{\"b\":2}\n\n",
			[]rec{{`{"a":1}`, 3}, {`{"b":2}`, 6}}},
		{"kept byte for byte", "  { \"a\" : [1, 2],\t\"é\":\"\\u00e9\" }  \n",
			[]rec{{`{ "a" : [1, 2],` + "\t" + `"é":"\u00e9" }`, 1}}},
		{"concatenated", `{"a":1}{"b": 2} {"c" : [ 3 ]}` + "\n{\"d\":4}\n",
			[]rec{{`{"a":1}`, 1}, {`{"b":2}`, 1}, {`{"c":[3]}`, 1}, {`{"d":4}`, 2}}},
		{"concatenated without any newline", `{"a":1}{"b":2}{"c":3}`,
			[]rec{{`{"a":1}`, 1}, {`{"b":2}`, 1}, {`{"c":3}`, 1}}},
		{"pretty printed", "{\n  \"a\": 1,\n  \"b\": [\n    \"x y\"\n  ]\n}\n{\n  \"c\": {}\n}\n",
			[]rec{{`{"a":1,"b":["x y"]}`, 1}, {`{"c":{}}`, 7}}},
		{"pretty printed then json lines", "{\"x\":1}\n[\n1,\n2\n]\n{\"y\":2}\n",
			[]rec{{`{"x":1}`, 1}, {`[1,2]`, 2}, {`{"y":2}`, 6}}},
		{"value ends mid line", "{\n\"a\":1\n} {\"b\":2}\n{\"c\":3}\n",
			[]rec{{`{"a":1}`, 1}, {`{"b":2}`, 3}, {`{"c":3}`, 4}}},
		{"garbage line", "{\"a\":1}\nhello world \n{\"b\":2}\n",
			[]rec{{`{"a":1}`, 1}, {`hello world`, 2}, {`{"b":2}`, 3}}},
		{"structurally one value but invalid is passed on", "{\"a\":}\n{\"b\":2}\n",
			[]rec{{`{"a":}`, 1}, {`{"b":2}`, 2}}},
		{"truncated line does not swallow the next ones", "{\"a\":\n{\"b\":1}\n{\"c\":2}\n",
			[]rec{{`{"a":`, 1}, {`{"b":1}`, 2}, {`{"c":2}`, 3}}},
		{"after backtracking a lone value is still kept byte for byte", "{\"a\":\n{ \"b\" : 1 }\n",
			[]rec{{`{"a":`, 1}, {`{ "b" : 1 }`, 2}}},
		{"unterminated string", "{\"a\":\"b\n{\"c\":1}\n",
			[]rec{{`{"a":"b`, 1}, {`{"c":1}`, 2}}},
		{"truncated pretty value before a good one", "{\n  \"a\": 1,\n  \"b\": {\n{\n  \"c\": 2\n}\n",
			[]rec{{`{`, 1}, {`"a": 1,`, 2}, {`"b": {`, 3}, {`{"c":2}`, 4}}},
		{"truncated at end of input", "{\"z\":0}\n{\n  \"a\": 1,",
			[]rec{{`{"z":0}`, 1}, {`{`, 2}, {`"a": 1,`, 3}}},
		{"a line that does not parse to its end is one record", "{\"a\":1} trailing junk\n{\"b\":2}\n",
			[]rec{{`{"a":1} trailing junk`, 1}, {`{"b":2}`, 2}}},
		{"extra closing brace", "{\"a\":1}}\n", []rec{{`{"a":1}}`, 1}}},
		{"values before a broken value on a line", "{\"a\":1} {\"b\":2} {\"c\":\n{\"d\":4}\n",
			[]rec{{`{"a":1} {"b":2} {"c":`, 1}, {`{"d":4}`, 2}}},
		{"group then multi-line value", "{\"a\":1} {\n\"b\":2}\n",
			[]rec{{`{"a":1}`, 1}, {`{"b":2}`, 1}}},
		{"multi-line value then a broken rest of line", "{\n\"a\":1\n} {\"b\":2} x\n{\"c\":3}\n",
			[]rec{{`{"a":1}`, 1}, {`{"b":2} x`, 3}, {`{"c":3}`, 4}}},
		{"scalars", "123\n\"s\"\ntrue\nnull\n-1.5e3\n",
			[]rec{{`123`, 1}, {`"s"`, 2}, {`true`, 3}, {`null`, 4}, {`-1.5e3`, 5}}},
		{"concatenated scalars", "1 2\n\"a\"\"b\"\n",
			[]rec{{`1`, 1}, {`2`, 1}, {`"a"`, 2}, {`"b"`, 2}}},
		{"number at end of input", "{\"a\":1}\n42", []rec{{`{"a":1}`, 1}, {`42`, 2}}},
		{"byte order mark", "\xEF\xBB\xBF{\"a\":1}\n", []rec{{`{"a":1}`, 1}}},
		{"byte order mark later is data", "{\"a\":1}\n\xEF\xBB\xBF{\"b\":2}\n",
			[]rec{{`{"a":1}`, 1}, {"\xEF\xBB\xBF{\"b\":2}", 2}}},
		{"empty", "", nil},
		{"only blanks", "\n \r\n\t\n", nil},
		{"invalid utf-8 kept", "{\"a\":\"\xff\"}\n", []rec{{"{\"a\":\"\xff\"}", 1}}},
		{"string with braces", `{"a":"}{"}` + "\n", []rec{{`{"a":"}{"}`, 1}}},
		{"escaped quote", `{"a":"\"}{"}{"b":1}`, []rec{{`{"a":"\"}{"}`, 1}, {`{"b":1}`, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRecords(t, tt.input, tt.want) })
	}
}

func TestReaderLongLines(t *testing.T) {
	// A single record longer than the line buffer and than Firehose's
	// limit is returned whole and byte for byte.
	big := `{"pad":"` + strings.Repeat("x", 3*bufSize) + `"}`
	checkRecords(t, "{\"a\":1}\n"+big+"\n{\"b\":2}\n",
		[]rec{{`{"a":1}`, 1}, {big, 2}, {`{"b":2}`, 3}})

	// A long line of concatenated values is streamed value by value.
	var line strings.Builder
	var want []rec
	for i := 0; line.Len() < 2*bufSize; i++ {
		v := fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("y", 500))
		line.WriteString(v)
		want = append(want, rec{v, 1})
	}
	checkRecords(t, line.String()+"\n{\"z\":1}", append(want, rec{`{"z":1}`, 2}))
}

func TestReaderOversizedMultiLineValue(t *testing.T) {
	// A pretty-printed value larger than MaxValueBytes is given up on: its
	// lines become records one by one and the next value is found.
	var b strings.Builder
	b.WriteString("[\n")
	n := 0
	for b.Len() <= MaxValueBytes {
		fmt.Fprintf(&b, "  \"%s\",\n", strings.Repeat("v", 1000))
		n++
	}
	b.WriteString("  \"last\"\n]\n{\"after\":1}\n") // lines n+2, n+3, n+4
	got, err := readAll(t, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Line != 1 || string(got[0].Data) != "[" {
		t.Errorf("first record = %q line %d, want [ line 1", got[0].Data, got[0].Line)
	}
	last := got[len(got)-1]
	if string(last.Data) != `{"after":1}` || last.Line != n+4 {
		t.Errorf("last record = %q line %d, want {\"after\":1} line %d", last.Data, last.Line, n+4)
	}
	checkAccounted(t, []byte(b.String()), got)
}

func TestReaderPathologicalNesting(t *testing.T) {
	// Every line opens an array that never closes: backtracking is bounded,
	// so this finishes quickly and every line is passed on.
	input := bytes.Repeat([]byte("[\n"), 200000)
	start := time.Now()
	got, err := readAll(t, input)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200000 {
		t.Errorf("got %d records, want 200000", len(got))
	}
	checkAccounted(t, input, got)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v", d) // a guard against quadratic behaviour, not a benchmark
	}
}

func TestReaderTooLongLine(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	input := append([]byte("{\"a\":1}\n"), bytes.Repeat([]byte("z"), MaxLineBytes+10)...)
	got, err := readAll(t, input)
	if err == nil || !strings.Contains(err.Error(), "in.json:2:") {
		t.Fatalf("err = %v, want a too-long error at in.json:2", err)
	}
	if len(got) != 1 {
		t.Errorf("got %d records before the error, want 1", len(got))
	}
}

func gz(t testing.TB, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, p := range parts {
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestReaderGzip(t *testing.T) {
	data := gz(t, "{\"a\":1}\n{\"b\":", "2}\n{\"c\":3}\n")
	r, err := NewReader("x.gz", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s@%d", rec.Data, rec.Line))
	}
	want := `[{"a":1}@1 {"b":2}@2 {"c":3}@3]`
	if fmt.Sprint(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if r.BytesRead() != int64(len(data)) {
		t.Errorf("BytesRead = %d, want the compressed size %d", r.BytesRead(), len(data))
	}
}

func TestReaderGzipCorrupt(t *testing.T) {
	data := gz(t, strings.Repeat("{\"a\":1}\n", 1000))
	data = data[:len(data)/2]
	_, err := readAll(t, data)
	if err == nil || !strings.Contains(err.Error(), "in.json") {
		t.Errorf("err = %v, want an error naming the file", err)
	}
}

func TestReaderBytesReadPlain(t *testing.T) {
	input := []byte("{\"a\":1}\n{\"b\":2}\n")
	r, err := NewReader("x", bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if r.BytesRead() != int64(len(input)) {
		t.Errorf("BytesRead = %d, want %d", r.BytesRead(), len(input))
	}
}

// errReader returns data and then a non-EOF error in the same call.
type errReader struct {
	data []byte
	done bool
}

var errBoom = errors.New("boom")

func (e *errReader) Read(p []byte) (int, error) {
	if e.done {
		return 0, errBoom
	}
	e.done = true
	return copy(p, e.data), errBoom
}

func TestReaderReadErrorAfterData(t *testing.T) {
	// A read error that arrives with data: the data is still framed, then
	// the error is returned.
	r, err := NewReader("x", &errReader{data: []byte("{\"a\":1}\n{\"b\":2}")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		rec, err := r.Next()
		if err != nil {
			if !errors.Is(err, errBoom) {
				t.Errorf("err = %v, want boom", err)
			}
			break
		}
		got = append(got, string(rec.Data))
	}
	if fmt.Sprint(got) != `[{"a":1} {"b":2}]` {
		t.Errorf("got %q", got)
	}
}

func TestRecordDataIsOwned(t *testing.T) {
	r, err := NewReader("x", strings.NewReader("{\"a\":1}\n{\"b\":2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.Next()
	second, _ := r.Next()
	if string(first.Data) != `{"a":1}` || string(second.Data) != `{"b":2}` {
		t.Errorf("records overwritten: %q %q", first.Data, second.Data)
	}
}

// TestReaderRecordsDoNotAlias: records share slabs, but each one's
// capacity ends with it, so appending to one never changes the next; a
// record too big for a slab is copied on its own.
func TestReaderRecordsDoNotAlias(t *testing.T) {
	big := `{"k":"` + strings.Repeat("x", slabMax) + `"}`
	r, err := NewReader("in", strings.NewReader("{\"a\":1}\n{\"b\":2}\n"+big+"\n{\"c\":3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	for i, rec := range recs {
		if len(rec.Data) <= slabMax && cap(rec.Data) != len(rec.Data) {
			t.Errorf("record %d: cap %d, len %d", i, cap(rec.Data), len(rec.Data))
		}
	}
	_ = append(recs[0].Data, "garbage"...)
	if string(recs[1].Data) != `{"b":2}` || string(recs[0].Data) != `{"a":1}` {
		t.Errorf("after an append to the first record: %q, %q", recs[0].Data, recs[1].Data)
	}
	if string(recs[2].Data) != big || string(recs[3].Data) != `{"c":3}` {
		t.Errorf("records 3 and 4 changed")
	}
}
