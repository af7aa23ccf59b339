package athena

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Result is a query result with every value rendered as text.
//
// NULL is rendered as the empty string: Athena's GetQueryResults and the
// local engine both report NULL distinctly, but the text forms (table, CSV)
// have no other spelling for it. The JSON output turns "" into null for
// numeric and boolean columns, where an empty string cannot be a value.
type Result struct {
	Columns []string
	// Types are the engine's column types, lower-cased and without
	// parameters ("varchar", "bigint", "double", "decimal", "boolean",
	// "date", "timestamp", "array", "row", ...). Athena reports Trino names;
	// the local engine's names are mapped onto the same words.
	Types []string
	Rows  [][]string
}

// Output formats accepted by Write.
const (
	OutputTable = "table"
	OutputCSV   = "csv"
	OutputJSON  = "json"
)

// OutputFormats lists the formats Write accepts.
var OutputFormats = []string{OutputTable, OutputCSV, OutputJSON}

// Write renders r in format (table, csv or json).
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case OutputTable, "":
		return r.WriteTable(w)
	case OutputCSV:
		return r.WriteCSV(w)
	case OutputJSON:
		return r.WriteJSON(w)
	}
	return fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(OutputFormats, ", "))
}

// numeric reports whether column i holds numbers.
func (r *Result) numeric(i int) bool {
	if i >= len(r.Types) {
		return false
	}
	switch r.Types[i] {
	case "tinyint", "smallint", "integer", "int", "bigint", "hugeint", "real", "float", "double", "decimal":
		return true
	}
	return false
}

// nested reports whether column i holds arrays, maps or rows, which the
// engines render as JSON text.
func (r *Result) nested(i int) bool {
	if i >= len(r.Types) {
		return false
	}
	switch r.Types[i] {
	case "array", "map", "row", "json":
		return true
	}
	return false
}

func (r *Result) boolean(i int) bool { return i < len(r.Types) && r.Types[i] == "boolean" }

// WriteTable writes an aligned table: a header line, a rule, one line per
// row. Numeric columns are right-aligned. Newlines and tabs inside values are
// shown as \n and \t so every row stays on one line.
func (r *Result) WriteTable(w io.Writer) error {
	cells := make([][]string, 0, len(r.Rows)+1)
	cells = append(cells, r.Columns)
	for _, row := range r.Rows {
		out := make([]string, len(row))
		for i, v := range row {
			out[i] = escapeCell(v)
		}
		cells = append(cells, out)
	}
	widths := make([]int, len(r.Columns))
	for _, row := range cells {
		for i, v := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(v))
			}
		}
	}
	bw := bufio.NewWriter(w)
	for n, row := range cells {
		r.writeTableLine(bw, row, widths, n > 0)
		if n == 0 {
			rule := make([]string, len(widths))
			for i, wd := range widths {
				rule[i] = strings.Repeat("-", wd)
			}
			r.writeTableLine(bw, rule, widths, false)
		}
	}
	return bw.Flush()
}

func (r *Result) writeTableLine(w *bufio.Writer, row []string, widths []int, align bool) {
	var b strings.Builder
	for i, wd := range widths {
		v := ""
		if i < len(row) {
			v = row[i]
		}
		pad := strings.Repeat(" ", wd-utf8.RuneCountInString(v))
		if i > 0 {
			b.WriteString("  ")
		}
		if align && r.numeric(i) {
			b.WriteString(pad + v)
		} else {
			b.WriteString(v + pad)
		}
	}
	w.WriteString(strings.TrimRight(b.String(), " "))
	w.WriteByte('\n')
}

func escapeCell(v string) string {
	if !strings.ContainsAny(v, "\n\r\t") {
		return v
	}
	return strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(v)
}

// WriteCSV writes RFC 4180 CSV: a header record, CRLF line endings, fields
// quoted when they contain a comma, quote or line break.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(r.Columns); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, row := range r.Rows {
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteJSON writes a JSON array with one object per row, keys in column
// order. Numeric and boolean columns become JSON numbers and booleans,
// arrays, maps and rows JSON values; an empty value in such a column
// (NULL) becomes null.
func (r *Result) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("[")
	for n, row := range r.Rows {
		if n > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n  {")
		for i, col := range r.Columns {
			if i > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(jsonString(col))
			bw.WriteString(": ")
			v := ""
			if i < len(row) {
				v = row[i]
			}
			bw.WriteString(r.jsonValue(i, v))
		}
		bw.WriteString("}")
	}
	if len(r.Rows) > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

func (r *Result) jsonValue(i int, v string) string {
	switch {
	case r.numeric(i):
		if v == "" {
			return "null"
		}
		if _, err := strconv.ParseFloat(v, 64); err == nil && json.Valid([]byte(v)) {
			return v
		}
	case r.boolean(i):
		if v == "" {
			return "null"
		}
		if v == "true" || v == "false" {
			return v
		}
	case r.nested(i):
		if v == "" {
			return "null"
		}
		if json.Valid([]byte(v)) {
			return v
		}
	}
	return jsonString(v)
}

// jsonString quotes s as a JSON string without HTML escaping, so addresses
// such as "Sender <a@example.com>" stay readable.
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
