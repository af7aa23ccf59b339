package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// FuzzReplayNothingLost replays arbitrary input and checks the invariant
// the command promises: every record read ends in exactly one data line or
// one error record, and every object is well formed. The same input
// replayed with --format parquet ends in the same records, each a Parquet
// row or an error record.
func FuzzReplayNothingLost(f *testing.F) {
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		f.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(samples[:2000])
	_ = zw.Close()
	for _, seed := range [][]byte{
		samples, gz.Bytes(), []byte(genInput(1, 40, false)),
		[]byte("{\"a\":1}{\"b\":2}\n\n  {\n \"eventType\": \"Send\"\n}\nnot json\n"),
		[]byte(`{"eventType":"Send","mail":{"source":"a@..","timestamp":"2024-02-30T00:00:00Z"}}`),
		{}, []byte("\n\n"), []byte{0x1f, 0x8b, 0x08},
	} {
		f.Add(seed)
	}
	c := mustCompile(f, DefaultSpec())
	pc := mustCompile(f, parquetSpec())
	f.Fuzz(func(t *testing.T, data []byte) {
		want := readRecordsOrSkip(t, data)
		replay := func(c *Compiled) (*memSink, *Summary) {
			opt := testOptions(1)
			opt.Limits = Limits{Bytes: 512, Interval: time.Minute, MaxActive: 3}
			out := newMemSink()
			sum, err := Replay(context.Background(), c, []Input{ReaderInput("fuzz", bytes.NewReader(data))}, out, opt)
			if err != nil {
				t.Fatal(err)
			}
			return out, sum
		}
		out, sum := replay(c)
		got := decodeAll(t, out, c)
		// --format parquet: the same records, each a row or an error record.
		pqOut, pqSum := replay(pc)
		checkParquetMatchesJSON(t, got, decodeParquetLake(t, pqOut), pqSum)
		if n, m, ok := sameRecords(got, want); !ok || sum.RecordsIn != int64(len(want)) {
			t.Fatalf("%d records in, %d out (summary %d)", m, n, sum.RecordsIn)
		}
	})
}

// readRecordsOrSkip frames data; inputs the framing refuses are not the
// replay's concern here.
func readRecordsOrSkip(t *testing.T, data []byte) []Record {
	var out []Record
	err := ReadRecords(context.Background(), []Input{ReaderInput("fuzz", bytes.NewReader(data))}, func(r Record) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Skip(err)
	}
	return out
}

func FuzzErrorRecordLine(f *testing.F) {
	f.Add("Non JSON record provided", []byte("not json"), int64(1708059967891))
	f.Add("key \"a<b>\" & \u2028 \x00", []byte{0xff, 0x00}, int64(-1))
	f.Fuzz(func(t *testing.T, msg string, raw []byte, ms int64) {
		rec := NewErrorRecord(ErrorTypeMetadataExtraction, msg, time.UnixMilli(ms), raw)
		line := rec.AppendLine(nil)
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("not one line: %q", line)
		}
		var back ErrorRecord
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got, err := back.Decode()
		if err != nil || !bytes.Equal(got, raw) || back.ArrivalTimestamp != ms || back.ErrorCode != ErrorCodeMetadataExtraction {
			t.Fatalf("round trip %+v", back)
		}
		// Invalid UTF-8 becomes U+FFFD, byte by byte, as encoding/json does.
		if want := string([]rune(msg)); back.ErrorMessage != want {
			t.Fatalf("message %q, want %q", back.ErrorMessage, want)
		}
	})
}

func FuzzParseArrival(f *testing.F) {
	for _, s := range []string{"event", "now", "2024-02-16T05:06:07Z", "2024-02-16T05:06:07.123+09:00", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArrival(s)
		if err != nil {
			return
		}
		back, err := ParseArrival(a.String())
		if err != nil || back.Mode != a.Mode || !back.At.Equal(a.At) {
			t.Fatalf("%q -> %q does not round-trip: %v", s, a.String(), err)
		}
	})
}
