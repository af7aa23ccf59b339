package templates

// The monitoring side of deps.go: the scheduled function runs `sesctl
// metrics publish`, so its defaults, window syntax and metric names come
// from package health, the code behind that command.

import (
	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/internal/health"
)

// defaultNamespace is metrics publish's --namespace default.
func defaultNamespace() string { return health.DefaultNamespace }

// identityDimension is the dimension metrics publish names the sender
// identity with.
func identityDimension() string { return health.DefaultIdentityDimension }

// publishedMetrics are the metric names metrics publish writes.
func publishedMetrics() []string { return health.PublishedMetricNames() }

// checkSince parses a --since window as metrics publish does.
func checkSince(s string) error {
	_, err := health.ParseSince(s)
	return err
}

// Defaults metrics publish --athena uses when --database or --table is
// not given.
const (
	defaultAthenaDatabase = athena.DefaultDatabase
	defaultAthenaTable    = athena.DefaultTable
)
