// Package pipeline reproduces Amazon Data Firehose dynamic partitioning
// locally: prefix expressions, jq (JQ-1.6) metadata extraction, per-partition
// buffering, object naming, error output and writers (local folder, S3).
//
// The Spec is the single description of a delivery stream. The partitioner,
// the CloudFormation parameters and the Athena table are all derived from it.
package pipeline

import (
	"fmt"
	"time"
)

// Compression formats, spelled as the Firehose API spells them.
const (
	CompressionGZIP = "GZIP"
	CompressionNone = "UNCOMPRESSED"
)

// Output formats: Firehose's plain delivery (JSON lines) or record format
// conversion to Parquet.
const (
	FormatJSON    = "json"
	FormatParquet = "parquet"
)

// Defaults of the sesctl pipeline. They make a real, deployable layout:
// one partition per sending identity (the domain of mail.source, present in
// every SES event and identical for all events of one message), event type
// and UTC day.
const (
	DefaultStreamName  = "sesctl-events"
	DefaultQuery       = `{sender_identity: (.mail.source | split("@") | .[-1] | rtrimstr(">") | ascii_downcase), event_type: .eventType}`
	DefaultPrefix      = "events/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/"
	DefaultErrorPrefix = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
	// Dynamic partitioning requires at least 64 MiB and 60 s; 128 MiB and
	// 300 s are the values the AWS CDK picks when it is on.
	DefaultBufferSizeMiB     = 128
	DefaultBufferIntervalSec = 300
	DefaultRetentionDays     = 90
	// DefaultMaxActivePartitions is Firehose's default quota per stream.
	DefaultMaxActivePartitions = 500
	// MaxRecordBytes is Firehose's record size limit (1,000 KiB).
	MaxRecordBytes = 1000 * 1024
)

// Spec describes one delivery stream.
type Spec struct {
	StreamName    string `json:"stream_name"`
	StreamVersion int    `json:"stream_version"` // starts at 1; Firehose bumps it on each UpdateDestination
	Prefix        string `json:"prefix"`
	ErrorPrefix   string `json:"error_prefix"`
	Query         string `json:"query"` // MetadataExtractionQuery (jq, JQ-1.6)
	// BufferSizeMiB is measured before compression, as Firehose does.
	BufferSizeMiB       int    `json:"buffer_size_mib"`
	BufferIntervalSec   int    `json:"buffer_interval_sec"`
	Compression         string `json:"compression"` // GZIP or UNCOMPRESSED
	Format              string `json:"format"`      // json or parquet
	TimeZone            string `json:"time_zone"`   // IANA name, "" = UTC (Firehose CustomTimeZone)
	RetentionDays       int    `json:"retention_days"`
	MaxActivePartitions int    `json:"max_active_partitions"`
}

// DefaultSpec returns the spec sesctl uses when no flag overrides it.
func DefaultSpec() Spec {
	return Spec{
		StreamName:          DefaultStreamName,
		StreamVersion:       1,
		Prefix:              DefaultPrefix,
		ErrorPrefix:         DefaultErrorPrefix,
		Query:               DefaultQuery,
		BufferSizeMiB:       DefaultBufferSizeMiB,
		BufferIntervalSec:   DefaultBufferIntervalSec,
		Compression:         CompressionGZIP,
		Format:              FormatJSON,
		RetentionDays:       DefaultRetentionDays,
		MaxActivePartitions: DefaultMaxActivePartitions,
	}
}

// Location returns the time zone prefix and object-name timestamps are
// rendered in.
func (s Spec) Location() (*time.Location, error) {
	if s.TimeZone == "" || s.TimeZone == "UTC" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", s.TimeZone, err)
	}
	return loc, nil
}

// FileExtension is the suffix Firehose gives delivered objects.
func (s Spec) FileExtension() string {
	if s.Format == FormatParquet {
		return ".parquet"
	}
	if s.Compression == CompressionGZIP {
		return ".gz"
	}
	return ""
}

// ErrorFileExtension is the suffix of error-output objects: they are JSON
// lines, compressed like data objects but never converted to Parquet.
func (s Spec) ErrorFileExtension() string {
	if s.Compression == CompressionGZIP {
		return ".gz"
	}
	return ""
}

// Firehose ranges the spec is validated against (facts §2.3, §2.8, §5).
const (
	MinBufferSizeMiB         = 1
	MaxBufferSizeMiB         = 128
	MinBufferSizeMiBDynamic  = 64
	MaxBufferIntervalSec     = 900
	MinBufferIntervalDynamic = 60
	MaxStreamNameLen         = 64
	MaxActivePartitionsQuota = 5000 // the quota can be raised to 5,000
)
