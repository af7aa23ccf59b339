package parquetconv

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/sesctl/sesctl/schema"
)

func samples(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "samples", "official.jsonl"))
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

func encodeFile(t *testing.T, records [][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEncoder(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range records {
		if err := e.Write(r); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if e.Rows() != len(records) {
		t.Fatalf("Rows() = %d, want %d", e.Rows(), len(records))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// readBack returns each row of the Parquet file as JSON, read by DuckDB's
// own Parquet reader (an implementation independent of parquet-go).
func readBack(t *testing.T, path string) []any {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT CAST(to_json(t) AS VARCHAR) FROM read_parquet(?) t`, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, decodeJSON(t, []byte(s)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// project is the expected row: the record's values under the table's
// lower-case names, NULL for whatever the record lacks, unknown keys
// dropped. Map keys stay as they are.
func project(v any, t schema.Type) any {
	if v == nil {
		return nil
	}
	switch t.Kind {
	case schema.Struct:
		obj := v.(map[string]any)
		out := map[string]any{}
		for _, f := range t.Fields {
			out[f.Name] = project(obj[f.JSONKey], f.Type)
		}
		return out
	case schema.Array:
		var out []any
		for _, x := range v.([]any) {
			out = append(out, project(x, *t.Elem))
		}
		if out == nil {
			out = []any{}
		}
		return out
	case schema.Map:
		out := map[string]any{}
		for k, x := range v.(map[string]any) {
			out[k] = project(x, *t.Elem)
		}
		return out
	}
	return v
}

func TestSamplesRoundTripThroughDuckDB(t *testing.T) {
	recs := samples(t)
	if len(recs) != 10 {
		t.Fatalf("want the 10 official samples, got %d", len(recs))
	}
	got := readBack(t, encodeFile(t, recs))
	if len(got) != len(recs) {
		t.Fatalf("read %d rows, want %d", len(got), len(recs))
	}
	table := schema.Type{Kind: schema.Struct, Fields: schema.Columns()}
	for i, r := range recs {
		want := project(decodeJSON(t, r), table)
		if !reflect.DeepEqual(got[i], want) {
			g, _ := json.Marshal(got[i])
			w, _ := json.Marshal(want)
			t.Errorf("row %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

func TestConversionRules(t *testing.T) {
	tests := []struct {
		name   string
		record string
		query  string // DuckDB expression over the row t
		want   string
	}{
		{"keys match case-insensitively", `{"EVENTTYPE":"Send","Mail":{"MessageId":"m1"}}`, `t.eventtype || '/' || t.mail.messageid`, "Send/m1"},
		{"exact key wins over folded key", `{"eventtype":"folded","eventType":"exact"}`, `t.eventtype`, "exact"},
		{"scalar promoted to array", `{"mail":{"destination":"a@example.com"}}`, `array_to_string(t.mail.destination, ',')`, "a@example.com"},
		{"number into a string column", `{"eventType":42}`, `t.eventtype`, "42"},
		{"bigint from a string", `{"delivery":{"processingTimeMillis":"11893"}}`, `CAST(t.delivery.processingtimemillis AS VARCHAR)`, "11893"},
		{"boolean from a string", `{"mail":{"headersTruncated":"true"}}`, `CAST(t.mail.headerstruncated AS VARCHAR)`, "true"},
		{"empty array is empty, not NULL", `{"mail":{"destination":[]}}`, `CAST(len(t.mail.destination) AS VARCHAR)`, "0"},
		{"missing array is NULL", `{"mail":{}}`, `coalesce(CAST(t.mail.destination AS VARCHAR), 'NULL')`, "NULL"},
		{"null element kept", `{"mail":{"destination":["a",null,"b"]}}`, `CAST(t.mail.destination AS VARCHAR)`, "[a, NULL, b]"},
		{"map keys kept verbatim", `{"mail":{"tags":{"ses:configuration-set":["CS"],"Z":["1","2"]}}}`, `t.mail.tags['ses:configuration-set'][1] || t.mail.tags['Z'][2]`, "CS2"},
		{"nested list of structs", `{"bounce":{"bouncedRecipients":[{"emailAddress":"a"},{"emailAddress":"b","status":"5.1.1"}]}}`, `t.bounce.bouncedrecipients[2].emailaddress || t.bounce.bouncedrecipients[2].status`, "b5.1.1"},
		{"unknown keys ignored", `{"eventType":"Send","send":{},"extra":{"x":1}}`, `t.eventtype`, "Send"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := encodeFile(t, [][]byte{[]byte(tc.record)})
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var got string
			if err := db.QueryRow(`SELECT `+tc.query+` FROM read_parquet(?) t`, path).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRejectedRecords(t *testing.T) {
	tests := []struct {
		record, path, msg string
	}{
		{`not json`, "", "not JSON"},
		{`[1,2]`, "", "not a JSON object"},
		{`{"eventType":"Send"} {"eventType":"Send"}`, "", "more than one JSON value"},
		{`{"mail":"text"}`, "mail", "want an object, got a string"},
		{`{"mail":{"tags":["x"]}}`, "mail.tags", "want an object, got an array"},
		{`{"eventType":{"a":1}}`, "eventType", "want a string, got an object"},
		{`{"delivery":{"processingTimeMillis":1.5}}`, "delivery.processingTimeMillis", `want a 64-bit integer, got "1.5"`},
		{`{"delivery":{"processingTimeMillis":true}}`, "delivery.processingTimeMillis", "want an integer, got a boolean"},
		{`{"mail":{"headersTruncated":"yes"}}`, "mail.headersTruncated", "want a boolean, got a string"},
		{`{"bounce":{"bouncedRecipients":[{"emailAddress":"a"},"b"]}}`, "bounce.bouncedRecipients[1]", "want an object, got a string"},
	}
	for _, tc := range tests {
		t.Run(tc.record, func(t *testing.T) {
			var buf bytes.Buffer
			e, err := NewEncoder(&buf)
			if err != nil {
				t.Fatal(err)
			}
			err = e.Write([]byte(tc.record))
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("Write = %v, want a *RecordError", err)
			}
			if re.Path != tc.path || !strings.Contains(re.Msg, tc.msg) {
				t.Errorf("got path %q msg %q, want path %q msg containing %q", re.Path, re.Msg, tc.path, tc.msg)
			}
			if e.Rows() != 0 {
				t.Errorf("a rejected record was counted")
			}
			// The encoder stays usable after a rejected record.
			if err := e.Write([]byte(`{"eventType":"Send"}`)); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSchemaColumnNames(t *testing.T) {
	got := map[string]bool{}
	for _, f := range Schema().Fields() {
		got[f.Name()] = true
	}
	cols := schema.Columns()
	if len(got) != len(cols) {
		t.Fatalf("Parquet schema has %d top-level columns, the table %d", len(got), len(cols))
	}
	for _, c := range cols {
		if !got[c.Name] {
			t.Errorf("no column %q in the Parquet schema", c.Name)
		}
	}
}

func FuzzWrite(f *testing.F) {
	for _, r := range samples(f) {
		f.Add(r)
	}
	f.Add([]byte(`{"mail":{"tags":{"a":[null,"b"]}},"bounce":{"bouncedRecipients":[]}}`))
	f.Add([]byte(`{"mail":{"destination":[[1]]}}`))
	f.Fuzz(func(t *testing.T, record []byte) {
		var buf bytes.Buffer
		e, err := NewEncoder(&buf)
		if err != nil {
			t.Fatal(err)
		}
		err = e.Write(record)
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("Write returned %T %v, want nil or *RecordError", err, err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
