package athena

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/itchyny/gojq"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/parquetconv"
	"github.com/sesctl/sesctl/pipeline/prefix"
	"github.com/sesctl/sesctl/pipeline/sink"
	"github.com/sesctl/sesctl/schema"
)

// samples returns the ten official SES sample events.
func samples(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "samples", "official.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// objectSeq numbers test objects so repeated writes never overwrite.
var objectSeq atomic.Int64

// lakeRecord is a record and the time its partition is evaluated at.
type lakeRecord struct {
	data []byte
	at   time.Time // zero: the event's own time
}

// writeLake writes records into dir as a replay would: each record's
// partition keys come from spec.Query (gojq), its prefix from spec.Prefix
// evaluated at the event time, one object per partition (gzip JSON lines,
// or Parquet when format is parquet). It returns the object keys.
func writeLake(t testing.TB, dir string, spec pipeline.Spec, format string, recs []lakeRecord) []string {
	t.Helper()
	q, err := gojq.Parse(spec.Query)
	if err != nil {
		t.Fatal(err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		t.Fatal(err)
	}
	p, err := prefix.Parse(spec.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	objects := map[string][][]byte{}
	for _, r := range recs {
		var v any
		if err := jsonUnmarshal(r.data, &v); err != nil {
			t.Fatal(err)
		}
		out, ok := code.Run(v).Next()
		if !ok {
			t.Fatal("query returned nothing")
		}
		if err, isErr := out.(error); isErr {
			t.Fatal(err)
		}
		keys := map[string]string{}
		for k, val := range out.(map[string]any) {
			keys[k] = fmt.Sprint(val)
		}
		at := r.at
		if at.IsZero() {
			if at, err = schema.EventTime(r.data); err != nil {
				t.Fatal(err)
			}
		}
		loc, err := spec.Location()
		if err != nil {
			t.Fatal(err)
		}
		pre, err := p.Eval(prefix.Values{Keys: keys, Time: at.In(loc)})
		if err != nil {
			t.Fatal(err)
		}
		objects[pre] = append(objects[pre], r.data)
	}
	var keys []string
	for pre, lines := range objects {
		n := objectSeq.Add(1)
		ext := ".gz"
		if format == pipeline.FormatParquet {
			ext = ".parquet"
		}
		key := fmt.Sprintf("%s%s-1-2024-03-08-00-00-00-%08d-0000-4000-8000-000000000000%s", pre, spec.StreamName, n, ext)
		path, err := sink.LocalPath(dir, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if format == pipeline.FormatParquet {
			enc, err := parquetconv.NewEncoder(&buf)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if err := enc.Write(l); err != nil {
					t.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
		} else {
			zw := gzip.NewWriter(&buf)
			for _, l := range lines {
				zw.Write(l)
				zw.Write([]byte("\n"))
			}
			zw.Close()
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

func sampleRecords(t testing.TB) []lakeRecord {
	var out []lakeRecord
	for _, s := range samples(t) {
		out = append(out, lakeRecord{data: s})
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
