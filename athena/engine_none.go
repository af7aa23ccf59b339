//go:build noduckdb

package athena

// Built with -tags noduckdb: no DuckDB, so no cgo, and a static binary
// (the AWS Lambda package, whose provided.al2023 runtime has an older
// glibc than the build host). Everything that reads through Athena
// works; the local engine's driver name is taken by a driver that refuses
// to open, so NewLocalRunner fails with ErrNoLocalEngine.

import (
	"database/sql"
	"database/sql/driver"
	"errors"
)

// ErrNoLocalEngine is what the local engine reports in a noduckdb build.
var ErrNoLocalEngine = errors.New("this sesctl was built without the local engine (build tag noduckdb, no DuckDB): read the lake with --athena instead")

func init() { sql.Register("duckdb", noEngine{}) }

// noEngine is a database/sql driver that never opens.
type noEngine struct{}

func (noEngine) Open(string) (driver.Conn, error) { return nil, ErrNoLocalEngine }

func (noEngine) OpenConnector(string) (driver.Connector, error) { return nil, ErrNoLocalEngine }

// scanResult is never reached without a driver; it exists so that
// local.go compiles unchanged.
func scanResult(*sql.Rows) (*Result, error) { return nil, ErrNoLocalEngine }

var _ driver.DriverContext = noEngine{}
