package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/sesctl/sesctl/pipeline/parquetconv"
)

func parquetSpec() Spec {
	s := DefaultSpec()
	s.Format = FormatParquet
	s.Compression = CompressionNone
	return s
}

// parquetRows reads a Parquet object back with parquet-go's reader and
// renders each row as text: column, levels and value of every leaf value.
func parquetRows(t testing.TB, key string, b []byte) []string {
	t.Helper()
	if len(b) < 8 || string(b[:4]) != "PAR1" || string(b[len(b)-4:]) != "PAR1" {
		t.Fatalf("%s: not a Parquet file", key)
	}
	r := parquet.NewReader(bytes.NewReader(b))
	defer r.Close()
	var out []string
	buf := make([]parquet.Row, 32)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			out = append(out, renderRow(row))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	if int64(len(out)) != r.NumRows() {
		t.Fatalf("%s: read %d rows, footer says %d", key, len(out), r.NumRows())
	}
	return out
}

func renderRow(row parquet.Row) string {
	var b strings.Builder
	for _, v := range row {
		fmt.Fprintf(&b, "%d/%d/%d=%q ", v.Column(), v.RepetitionLevel(), v.DefinitionLevel(), v.String())
	}
	return b.String()
}

// convertOne converts one record on its own: its row rendering, or an error
// when the record does not fit the schema.
func convertOne(t testing.TB, line string) (string, error) {
	t.Helper()
	var f bytes.Buffer
	enc, err := parquetconv.NewEncoder(&f)
	if err != nil {
		t.Fatal(err)
	}
	if werr := enc.Write([]byte(line)); werr != nil {
		return "", werr
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	rows := parquetRows(t, "single", f.Bytes())
	if len(rows) != 1 {
		t.Fatalf("single record gave %d rows", len(rows))
	}
	return rows[0], nil
}

// parquetOutput is a parquet replay's objects decoded.
type parquetOutput struct {
	rows      []string
	failed    []string // rawData of error records
	byType    map[string]int
	dataObjs  int
	errorObjs int
}

func decodeParquetLake(t testing.TB, m *memSink) parquetOutput {
	t.Helper()
	d := parquetOutput{byType: map[string]int{}}
	for _, k := range m.keys() {
		if !strings.HasPrefix(k, "errors/") {
			if !strings.HasSuffix(k, ".parquet") {
				t.Fatalf("data object %s is not named .parquet", k)
			}
			d.dataObjs++
			rows := parquetRows(t, k, m.objects[k])
			if len(rows) == 0 {
				t.Fatalf("%s: empty Parquet object", k)
			}
			d.rows = append(d.rows, rows...)
			continue
		}
		if strings.Contains(k[strings.LastIndex(k, "/"):], ".") {
			t.Errorf("error object %s has an extension; error objects are plain JSON lines", k)
		}
		d.errorObjs++
		for _, l := range strings.Split(strings.TrimSuffix(string(m.objects[k]), "\n"), "\n") {
			var e ErrorRecord
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			raw, err := e.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(k, "errors/"+e.ErrorType()+"/") {
				t.Errorf("%s holds a %s record (%s)", k, e.ErrorType(), e.ErrorCode)
			}
			d.byType[e.ErrorType()]++
			d.failed = append(d.failed, string(raw))
		}
	}
	return d
}

// checkParquetMatchesJSON is the nothing-lost property with record format
// conversion: replaying the same input as JSON and as Parquet, every data
// line of the JSON lake is either a row of the Parquet lake (the same row
// it converts to on its own) or a format-conversion-failed error record,
// and every other error record is the same.
func checkParquetMatchesJSON(t testing.TB, jsonOut decodedOutput, pq parquetOutput, sum *Summary) {
	t.Helper()
	var wantRows []string
	wantFailed := slices.Clone(jsonOut.failed)
	convFailed := 0
	for _, l := range jsonOut.data {
		row, err := convertOne(t, l)
		if err != nil {
			wantFailed = append(wantFailed, l)
			convFailed++
			continue
		}
		wantRows = append(wantRows, row)
	}
	for _, s := range [][]string{wantRows, wantFailed, pq.rows, pq.failed} {
		slices.Sort(s)
	}
	if !slices.Equal(pq.rows, wantRows) {
		t.Fatalf("Parquet rows (%d) differ from the JSON lake's convertible lines (%d)", len(pq.rows), len(wantRows))
	}
	if !slices.Equal(pq.failed, wantFailed) {
		t.Fatalf("error records (%d) differ from the expected failures (%d)", len(pq.failed), len(wantFailed))
	}
	if pq.byType[ErrorTypeFormatConversion] != convFailed {
		t.Errorf("%d format-conversion-failed records, want %d", pq.byType[ErrorTypeFormatConversion], convFailed)
	}
	if sum.Partitioned != int64(len(pq.rows)) || sum.Failed != int64(len(pq.failed)) ||
		sum.FailedByType[ErrorTypeFormatConversion] != int64(convFailed) {
		t.Errorf("summary partitioned %d failed %d (%v); lake holds %d rows, %d error records",
			sum.Partitioned, sum.Failed, sum.FailedByType, len(pq.rows), len(pq.failed))
	}
	if sum.Objects != int64(pq.dataObjs) || sum.ErrorObjects != int64(pq.errorObjs) {
		t.Errorf("summary objects %d/%d, sink has %d/%d", sum.Objects, sum.ErrorObjects, pq.dataObjs, pq.errorObjs)
	}
	var perPrefix int64
	for _, p := range sum.Prefixes {
		perPrefix += p.Records
	}
	if perPrefix != sum.Partitioned {
		t.Errorf("per-prefix records add up to %d, partitioned %d", perPrefix, sum.Partitioned)
	}
}

// genConvertible mixes records that fail conversion into genInput: valid
// keys, but a value of the wrong type for its column.
func genConvertible(seed uint64, n int) string {
	var b strings.Builder
	for i, line := range strings.SplitAfter(genInput(seed, n, false), "\n") {
		b.WriteString(line)
		if i%7 == 3 {
			fmt.Fprintf(&b, `{"eventType":"Send","mail":{"timestamp":"2024-02-16T23:55:00.000Z","source":"s@d%d.example","messageId":{"bad":%d}}}`+"\n", i%6, i)
		}
		if i%11 == 5 {
			fmt.Fprintf(&b, `{"eventType":"Bounce","mail":{"timestamp":"2024-02-17T00:05:00.000Z","source":"s@d%d.example"},"bounce":{"bouncedRecipients":"x","n":%d}}`+"\n", i%6, i)
		}
	}
	return b.String()
}

func TestReplayParquetNothingLost(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			in := genConvertible(seed, 300)
			limits := Limits{Bytes: 2048, Interval: time.Minute, MaxActive: 4}
			run := func(spec Spec) (*memSink, *Summary) {
				opt := testOptions(seed)
				opt.Limits = limits
				out := newMemSink()
				return out, replayInto(t, mustCompile(t, spec), []Input{ReaderInput("a.jsonl", strings.NewReader(in))}, out, opt)
			}
			jsonLake, _ := run(DefaultSpec())
			pqLake, sum := run(parquetSpec())
			pq := decodeParquetLake(t, pqLake)
			checkParquetMatchesJSON(t, decodeAll(t, jsonLake, mustCompile(t, DefaultSpec())), pq, sum)
			if pq.byType[ErrorTypeFormatConversion] == 0 {
				t.Error("no record failed conversion: the generator did not exercise it")
			}
			if sum.RecordsIn != int64(len(pq.rows)+len(pq.failed)) {
				t.Errorf("%d records in, %d rows + %d error records out", sum.RecordsIn, len(pq.rows), len(pq.failed))
			}
		})
	}
}

// TestReplayParquetOfficial replays the official samples as Parquet: every
// object is named .parquet, decodes, and the rows are the records.
func TestReplayParquetOfficial(t *testing.T) {
	recs := readAll(t, []Input{FileInput(samplesPath)})
	for _, arrival := range []string{"2024-02-16T05:06:07Z", "event"} {
		t.Run(arrival, func(t *testing.T) {
			a, err := ParseArrival(arrival)
			if err != nil {
				t.Fatal(err)
			}
			opt := testOptions(42)
			opt.Arrival = a
			out := newMemSink()
			sum := replayInto(t, mustCompile(t, parquetSpec()), []Input{FileInput(samplesPath)}, out, opt)
			pq := decodeParquetLake(t, out)
			var want []string
			for _, r := range recs {
				row, err := convertOne(t, string(r.Data))
				if err != nil {
					t.Fatalf("%s:%d does not convert: %v", r.File, r.Line, err)
				}
				want = append(want, row)
			}
			slices.Sort(want)
			slices.Sort(pq.rows)
			if !slices.Equal(pq.rows, want) {
				t.Fatalf("%d rows, want the %d records", len(pq.rows), len(want))
			}
			if sum.Failed != 0 || pq.errorObjs != 0 || sum.Objects != int64(pq.dataObjs) {
				t.Errorf("summary %+v; %d data and %d error objects", sum, pq.dataObjs, pq.errorObjs)
			}
			for _, p := range sum.Prefixes {
				if p.Objects == 0 {
					t.Errorf("prefix %s has no object", p.Prefix)
				}
			}
		})
	}
}

// TestReplayParquetConversionFailure routes records that do not fit the
// schema: the error records carry the documented type, the codes, the
// record's own arrival and the record's bytes, and a buffer whose records
// all fail writes no data object.
func TestReplayParquetConversionFailure(t *testing.T) {
	good := `{"eventType":"Send","mail":{"timestamp":"2024-02-16T05:00:00.000Z","source":"a@ok.example","messageId":"m1"}}`
	badType := `{"eventType":"Send","mail":{"timestamp":"2024-02-16T05:01:00.000Z","source":"a@ok.example","messageId":["m2"]}}`
	badInt := `{"eventType":"Send","mail":{"timestamp":"2024-02-16T06:00:00.000Z","source":"a@bad.example","messageId":"m3"},"send":{},"bounce":{"reportingMTA":{"x":1}}}`
	in := strings.Join([]string{good, badType, badInt}, "\n") + "\n"
	out := newMemSink()
	sum := replayInto(t, mustCompile(t, parquetSpec()), []Input{ReaderInput("in", strings.NewReader(in))}, out, testOptions(1))
	pq := decodeParquetLake(t, out)
	if len(pq.rows) != 1 || pq.dataObjs != 1 {
		t.Fatalf("%d rows in %d objects, want 1 in 1", len(pq.rows), pq.dataObjs)
	}
	if sum.Partitions != 1 || len(sum.Prefixes) != 1 || !strings.Contains(sum.Prefixes[0].Prefix, "ok.example") {
		t.Errorf("prefixes %+v: the partition whose only record failed is not a partition with data", sum.Prefixes)
	}
	if sum.FailedByType[ErrorTypeFormatConversion] != 2 || sum.Failed != 2 || sum.Partitioned != 1 {
		t.Errorf("summary %+v", sum)
	}
	var got []ErrorRecord
	for _, k := range out.keys() {
		if !strings.HasPrefix(k, "errors/") {
			continue
		}
		if !strings.HasPrefix(k, "errors/format-conversion-failed/2024/02/16/") {
			t.Errorf("error object %s", k)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out.objects[k])), "\n") {
			var e ErrorRecord
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
	}
	slices.SortFunc(got, func(a, b ErrorRecord) int { return int(a.ArrivalTimestamp - b.ArrivalTimestamp) })
	want := []struct {
		raw string
		at  time.Time
		msg string
	}{
		{badType, time.Date(2024, 2, 16, 5, 1, 0, 0, time.UTC), "mail.messageId"},
		{badInt, time.Date(2024, 2, 16, 6, 0, 0, 0, time.UTC), "bounce.reportingMTA"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d error records, want %d", len(got), len(want))
	}
	for i, w := range want {
		raw, _ := got[i].Decode()
		if string(raw) != w.raw || got[i].ArrivalTimestamp != w.at.UnixMilli() ||
			got[i].ErrorCode != ErrorCodeFormatMalformed || !strings.Contains(got[i].ErrorMessage, w.msg) {
			t.Errorf("error record %d = %+v, want %s at %s about %s", i, got[i], w.raw, w.at, w.msg)
		}
	}
}

func TestConversionErrorCodes(t *testing.T) {
	for _, tc := range []struct{ line, code string }{
		{`{"mail":{"messageId":{"a":1}}}`, ErrorCodeFormatMalformed},
		{`{"a":1} x`, ErrorCodeFormatParse},
		{`[1,2]`, ErrorCodeFormatMalformed},
	} {
		enc, err := parquetconv.NewEncoder(io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var re *parquetconv.RecordError
		if !errors.As(enc.Write([]byte(tc.line)), &re) {
			t.Fatalf("%s converts", tc.line)
		}
		code, msg := conversionError([]byte(tc.line), re)
		if code != tc.code || msg == "" {
			t.Errorf("%s: %s %q, want %s", tc.line, code, msg, tc.code)
		}
		if (ErrorRecord{ErrorCode: code}).ErrorType() != ErrorTypeFormatConversion {
			t.Errorf("%s does not map back to %s", code, ErrorTypeFormatConversion)
		}
	}
}

func TestLineSplitter(t *testing.T) {
	var got []string
	s := &lineSplitter{fn: func(l []byte) error { got = append(got, string(l)); return nil }}
	for _, w := range []string{"ab", "c\nd", "\n\nef\ng", "h\n"} {
		if n, err := s.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	if want := []string{"abc", "d", "", "ef", "gh"}; !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	boom := errors.New("boom")
	s = &lineSplitter{fn: func([]byte) error { return boom }}
	if n, err := s.Write([]byte("x\ny\n")); !errors.Is(err, boom) || n != 0 {
		t.Errorf("Write = %d, %v; want 0, boom", n, err)
	}
}

func TestErrorObjectsKeepJSONNames(t *testing.T) {
	for _, tc := range []struct {
		spec         Spec
		data, errExt string
	}{
		{DefaultSpec(), ".gz", ".gz"},
		{parquetSpec(), ".parquet", ""},
	} {
		if got := tc.spec.FileExtension(); got != tc.data {
			t.Errorf("%s/%s: data extension %q, want %q", tc.spec.Format, tc.spec.Compression, got, tc.data)
		}
		if got := tc.spec.ErrorFileExtension(); got != tc.errExt {
			t.Errorf("%s/%s: error extension %q, want %q", tc.spec.Format, tc.spec.Compression, got, tc.errExt)
		}
	}
}

// TestReplayParquetDeterministic replays the same input twice in one
// process: every Parquet object has the same key and the same bytes (no
// encoder state carries over from earlier objects or runs).
func TestReplayParquetDeterministic(t *testing.T) {
	input := genConvertible(11, 1500)
	c := mustCompile(t, parquetSpec())
	run := func(workers int) *memSink {
		opt := testOptions(9)
		opt.Workers, opt.Writers = workers, workers
		opt.Limits = Limits{Bytes: 64 << 10, Interval: time.Hour, MaxActive: 40}
		out := newMemSink()
		replayInto(t, c, []Input{ReaderInput("in", strings.NewReader(input))}, out, opt)
		return out
	}
	a, b := run(1), run(3)
	if len(a.objects) != len(b.objects) || len(a.objects) < 10 {
		t.Fatalf("%d objects, then %d", len(a.objects), len(b.objects))
	}
	for k, v := range a.objects {
		if !bytes.Equal(b.objects[k], v) {
			t.Errorf("%s differs between runs", k)
		}
	}
}
