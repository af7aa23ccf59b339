//go:build !noduckdb

package athena

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// scanResult reads database/sql rows into a Result, rendering values as
// Athena renders them where the two engines share a type (numbers,
// decimals with their full scale, dates); nested values become JSON.
func scanResult(rows *sql.Rows) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name())
		res.Types = append(res.Types, normalizeType(c.DatabaseTypeName()))
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = formatValue(v, res.Types[i])
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

func formatValue(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return formatDecimal(x)
	case time.Time:
		return formatTime(x, typ)
	case duckdb.UUID:
		return x.String()
	}
	return nestedJSON(v)
}

// formatDecimal prints every digit of the scale, as Athena does
// (0.050000, not 0.05).
func formatDecimal(d duckdb.Decimal) string {
	if d.Value == nil {
		return ""
	}
	s := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	out := s
	if scale > 0 {
		out = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if d.Value.Sign() < 0 {
		out = "-" + out
	}
	return out
}

func formatTime(t time.Time, typ string) string {
	switch typ {
	case "date":
		return t.Format(time.DateOnly)
	case "time":
		return t.Format("15:04:05.000")
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

// nestedJSON renders lists, structs and maps as JSON text.
func nestedJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonable(v)); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonable converts DuckDB's map types (keyed by any) into values
// encoding/json accepts.
func jsonable(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case duckdb.OrderedMap:
		out := map[string]any{}
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case duckdb.Map:
		out := map[string]any{}
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case duckdb.Decimal:
		return json.Number(formatDecimal(x))
	case *big.Int:
		return json.Number(x.String())
	case time.Time:
		return formatTime(x, "timestamp")
	}
	return v
}
