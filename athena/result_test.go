package athena

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

func sampleResult() *Result {
	return &Result{
		Columns: []string{"name", "n", "rate", "ok", "tags", "note"},
		Types:   []string{"varchar", "bigint", "decimal", "boolean", "array", "varchar"},
		Rows: [][]string{
			{"a.example", "12", "0.050000", "true", `["x","y"]`, `say "hi", then go`},
			{"bé.example", "", "", "", "", "line one\nline two"},
		},
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().Write(&b, OutputTable); err != nil {
		t.Fatal(err)
	}
	// Numbers right-aligned, NULL as an empty cell, the newline shown as
	// \n, trailing blanks trimmed.
	want := "" +
		"name        n   rate      ok    tags       note\n" +
		"----------  --  --------  ----  ---------  ------------------\n" +
		"a.example   12  0.050000  true  [\"x\",\"y\"]  say \"hi\", then go\n" +
		"bé.example                                 line one\\nline two\n"
	if b.String() != want {
		t.Errorf("table\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().Write(&b, OutputCSV); err != nil {
		t.Fatal(err)
	}
	want := "name,n,rate,ok,tags,note\r\n" +
		"a.example,12,0.050000,true,\"[\"\"x\"\",\"\"y\"\"]\",\"say \"\"hi\"\", then go\"\r\n" +
		"bé.example,,,,,\"line one\r\nline two\"\r\n" // encoding/csv writes CRLF inside quotes too
	if b.String() != want {
		t.Errorf("csv %q\nwant %q", b.String(), want)
	}
	// It reads back to the same cells.
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recs[1:], sampleResult().Rows) {
		t.Errorf("read back %q", recs)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sampleResult().Write(&b, OutputJSON); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"name": "a.example", "n": json.Number("12"), "rate": json.Number("0.050000"), "ok": true, "tags": []any{"x", "y"}, "note": `say "hi", then go`},
		{"name": "bé.example", "n": nil, "rate": nil, "ok": nil, "tags": nil, "note": "line one\nline two"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("json %v\nwant %v", got, want)
	}
	b.Reset()
	(&Result{Columns: []string{"a"}}).WriteJSON(&b)
	if b.String() != "[]\n" {
		t.Errorf("empty json %q", b.String())
	}
	b.Reset()
	(&Result{Columns: []string{"src"}, Rows: [][]string{{"Sender <s@example.com> & co"}}}).WriteJSON(&b)
	if !strings.Contains(b.String(), `"Sender <s@example.com> & co"`) {
		t.Errorf("HTML-escaped: %s", b.String())
	}
	if err := sampleResult().Write(&b, "yaml"); err == nil {
		t.Error("yaml accepted")
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    any
		typ  string
		want string
	}{
		{nil, "varchar", ""},
		{int64(-3), "bigint", "-3"},
		{int32(7), "integer", "7"},
		{2.5, "double", "2.5"},
		{true, "boolean", "true"},
		{big.NewInt(12345678901), "hugeint", "12345678901"},
		{duckdb.Decimal{Width: 12, Scale: 6, Value: big.NewInt(50000)}, "decimal", "0.050000"},
		{duckdb.Decimal{Width: 12, Scale: 6, Value: big.NewInt(0)}, "decimal", "0.000000"},
		{duckdb.Decimal{Width: 12, Scale: 2, Value: big.NewInt(-12345)}, "decimal", "-123.45"},
		{duckdb.Decimal{Width: 4, Scale: 0, Value: big.NewInt(42)}, "decimal", "42"},
		{time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC), "date", "2024-03-08"},
		{time.Date(2024, 3, 8, 10, 1, 2, 3e6, time.UTC), "timestamp", "2024-03-08 10:01:02.003"},
		{[]any{"a", nil}, "array", `["a",null]`},
		{map[string]any{"k": []any{"<v>"}}, "row", `{"k":["<v>"]}`},
	}
	for _, tc := range tests {
		if got := formatValue(tc.v, tc.typ); got != tc.want {
			t.Errorf("formatValue(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{
		"VARCHAR": "varchar", "decimal(12,6)": "decimal", "DECIMAL(12,6)": "decimal", "BIGINT": "bigint",
		"VARCHAR[]": "array", "array(varchar)": "array", "STRUCT(a VARCHAR)": "row", "row(a varchar)": "row",
		"MAP(VARCHAR, VARCHAR[])": "map", "TIMESTAMP WITH TIME ZONE": "timestamp", "string": "varchar",
	} {
		if got := normalizeType(in); got != want {
			t.Errorf("normalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB", 2 << 40: "2.0 TiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
