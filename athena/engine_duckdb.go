//go:build !noduckdb

package athena

// The embedded local engine is DuckDB through cgo (duckdb-go). Build with
// -tags noduckdb for a static, cgo-free binary without it (engine_none.go).

import _ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
