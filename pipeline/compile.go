package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sesctl/sesctl/pipeline/jq"
	"github.com/sesctl/sesctl/pipeline/prefix"
)

// Rule ids of the spec checks that are not about prefixes (those come from
// prefix.ValidateStream with their own ids).
const (
	RuleStreamName          = "stream.name"
	RuleStreamVersion       = "stream.version"
	RuleBufferSize          = "buffer.size"
	RuleBufferSizeDynamic   = "buffer.size-dynamic-partitioning"
	RuleBufferInterval      = "buffer.interval"
	RuleBufferIntervalDyn   = "buffer.interval-dynamic-partitioning"
	RuleCompression         = "compression.unsupported"
	RuleFormat              = "format.unknown"
	RuleFormatCompression   = "format.parquet-compression"
	RuleTimeZone            = "time-zone.unknown"
	RuleMaxActivePartitions = "partitions.max-active"
	RuleRetention           = "retention.days"
	RuleQuerySyntax         = "query.syntax" // anything the jq 1.6 gate rejects, length included
)

var streamNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)

// ValidationError lists every problem of a spec.
type ValidationError struct {
	Problems []*prefix.RuleError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "invalid pipeline spec: " + strings.Join(msgs, "; ")
}

// IsLint reports whether a problem is advice (a lint.* rule) rather than
// something Firehose would reject.
func IsLint(p *prefix.RuleError) bool { return strings.HasPrefix(p.Rule, "lint.") }

// Validate checks the spec as Firehose would when the stream is created
// with dynamic partitioning, and returns every problem found (lint advice
// included, see IsLint), each with its rule id.
func (s Spec) Validate() []*prefix.RuleError {
	var probs []*prefix.RuleError
	add := func(rule, format string, args ...any) {
		probs = append(probs, &prefix.RuleError{Rule: rule, Msg: fmt.Sprintf(format, args...)})
	}
	s.validateStream(add)
	s.validateBuffering(add)
	s.validateOutput(add)
	keys, qprobs := s.validateQuery()
	probs = append(probs, qprobs...)
	probs = append(probs, prefix.ValidateStream(s.Prefix, s.ErrorPrefix, keys, true)...)
	probs = append(probs, prefix.Lint(s.Prefix)...)
	return append(probs, prefix.Lint(s.ErrorPrefix)...)
}

type addFunc func(rule, format string, args ...any)

func (s Spec) validateStream(add addFunc) {
	if !streamNameRE.MatchString(s.StreamName) {
		add(RuleStreamName, "stream name %q must be 1-%d characters of a-z A-Z 0-9 _ . -", s.StreamName, MaxStreamNameLen)
	}
	if s.StreamVersion < 1 {
		add(RuleStreamVersion, "stream version %d must be at least 1", s.StreamVersion)
	}
	if s.MaxActivePartitions < 1 || s.MaxActivePartitions > MaxActivePartitionsQuota {
		add(RuleMaxActivePartitions, "max active partitions %d must be 1-%d (Firehose's quota is 500 by default, raisable to %d)",
			s.MaxActivePartitions, MaxActivePartitionsQuota, MaxActivePartitionsQuota)
	}
	if s.RetentionDays < 1 {
		add(RuleRetention, "retention %d days must be at least 1", s.RetentionDays)
	}
	if _, err := s.Location(); err != nil || len(s.TimeZone) > 50 {
		add(RuleTimeZone, "time zone %q is not an IANA time zone name such as Asia/Tokyo", s.TimeZone)
	}
}

func (s Spec) validateBuffering(add addFunc) {
	switch {
	case s.BufferSizeMiB < MinBufferSizeMiB || s.BufferSizeMiB > MaxBufferSizeMiB:
		add(RuleBufferSize, "buffer size %d MiB must be %d-%d", s.BufferSizeMiB, MinBufferSizeMiB, MaxBufferSizeMiB)
	case s.BufferSizeMiB < MinBufferSizeMiBDynamic:
		add(RuleBufferSizeDynamic, "buffer size %d MiB must be at least %d when dynamic partitioning is enabled", s.BufferSizeMiB, MinBufferSizeMiBDynamic)
	}
	switch {
	case s.BufferIntervalSec < 0 || s.BufferIntervalSec > MaxBufferIntervalSec:
		add(RuleBufferInterval, "buffer interval %d s must be 0-%d", s.BufferIntervalSec, MaxBufferIntervalSec)
	case s.BufferIntervalSec < MinBufferIntervalDynamic:
		add(RuleBufferIntervalDyn, "buffer interval %d s must be at least %d when dynamic partitioning is enabled", s.BufferIntervalSec, MinBufferIntervalDynamic)
	}
}

func (s Spec) validateOutput(add addFunc) {
	if s.Compression != CompressionGZIP && s.Compression != CompressionNone {
		add(RuleCompression, "compression %q: sesctl writes %s or %s", s.Compression, CompressionGZIP, CompressionNone)
	}
	switch s.Format {
	case FormatJSON:
	case FormatParquet:
		if s.Compression != CompressionNone {
			add(RuleFormatCompression, "record format conversion to Parquet needs compression %s at the destination (Parquet compresses inside the file)", CompressionNone)
		}
	default:
		add(RuleFormat, "format %q must be %s or %s", s.Format, FormatJSON, FormatParquet)
	}
}

// validateQuery compiles the query with the jq 1.6 gate and returns its keys.
func (s Spec) validateQuery() ([]string, []*prefix.RuleError) {
	var probs []*prefix.RuleError
	q, err := jq.Compile(s.Query)
	if err != nil {
		probs = append(probs, &prefix.RuleError{Rule: RuleQuerySyntax, Msg: "query: " + err.Error()})
		// Check the prefixes as if the query defined the keys they use, so
		// one bad query is one problem, not one per key.
		if p, perr := prefix.Parse(s.Prefix); perr == nil {
			return p.QueryKeys(), probs
		}
		return nil, probs
	}
	return q.Keys(), probs
}

// Compiled is a validated spec with its expressions parsed: the one place
// the prefix, error prefix, query and time zone are built.
type Compiled struct {
	Spec        Spec
	Prefix      *prefix.Prefix // after Firehose's default-time-prefix rule
	ErrorPrefix *prefix.Prefix
	Query       *jq.Query
	Location    *time.Location

	keys        []string
	dataRandom  bool
	errorRandom bool
	timeRes     prefix.Resolution // of Prefix: when an evaluation can be reused
}

// Compile validates the spec and parses its expressions. Lint advice does
// not stop it; any other problem returns a *ValidationError.
func (s Spec) Compile() (*Compiled, error) {
	var fatal []*prefix.RuleError
	for _, p := range s.Validate() {
		if !IsLint(p) {
			fatal = append(fatal, p)
		}
	}
	if len(fatal) > 0 {
		return nil, &ValidationError{Problems: fatal}
	}
	c := &Compiled{Spec: s}
	var err error
	if c.Prefix, err = prefix.Parse(prefix.Effective(s.Prefix)); err != nil {
		return nil, fmt.Errorf("prefix: %w", err)
	}
	if c.ErrorPrefix, err = prefix.Parse(prefix.EffectiveError(s.Prefix, s.ErrorPrefix)); err != nil {
		return nil, fmt.Errorf("error prefix: %w", err)
	}
	if c.Query, err = jq.Compile(s.Query); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if c.Location, err = s.Location(); err != nil {
		return nil, err
	}
	c.keys = c.Query.Keys()
	c.dataRandom = hasRandom(c.Prefix)
	c.timeRes = c.Prefix.TimeResolution()
	c.errorRandom = hasRandom(c.ErrorPrefix)
	return c, nil
}

func hasRandom(p *prefix.Prefix) bool {
	for _, part := range p.Parts() {
		if part.Namespace == prefix.NamespaceFirehose && part.Value == prefix.FirehoseRandom {
			return true
		}
	}
	return false
}

// Limits are the spec's buffering hints and active-partition quota.
func (c *Compiled) Limits() Limits {
	return Limits{
		Bytes:     int64(c.Spec.BufferSizeMiB) << 20,
		Interval:  time.Duration(c.Spec.BufferIntervalSec) * time.Second,
		MaxActive: c.Spec.MaxActivePartitions,
	}
}

func placeholder() string { return RandomPlaceholder }

// PrefixFor evaluates the prefix for one record's key values (aligned
// with Query.Keys) arriving at at. A nil random leaves RandomPlaceholder.
func (c *Compiled) PrefixFor(keys []string, at time.Time, random func() string) (string, error) {
	if random == nil {
		random = placeholder
	}
	m := make(map[string]string, len(keys))
	for i, k := range c.keys {
		if i < len(keys) {
			m[k] = keys[i]
		}
	}
	return c.Prefix.Eval(prefix.Values{Keys: m, Time: at.In(c.Location), RandomString: random})
}

// ErrorPrefixFor evaluates the error prefix for an error output type.
func (c *Compiled) ErrorPrefixFor(errorType string, at time.Time, random func() string) (string, error) {
	if random == nil {
		random = placeholder
	}
	return c.ErrorPrefix.Eval(prefix.Values{Time: at.In(c.Location), ErrorOutputType: errorType, RandomString: random})
}

// DataHasRandom reports whether the prefix uses !{firehose:random-string}.
func (c *Compiled) DataHasRandom() bool { return c.dataRandom }

// ErrorHasRandom reports whether the error prefix uses it.
func (c *Compiled) ErrorHasRandom() bool { return c.errorRandom }

// Route decides where one record goes: the partition its keys and arrival
// time evaluate to, or the error output (too large, keys not extractable,
// prefix not evaluable). It is safe for concurrent use.
func (c *Compiled) Route(rec Record, at time.Time) Routed {
	return c.route(rec, at, c.PrefixFor)
}

// prefixFunc evaluates a data prefix: Compiled.PrefixFor, or a cache of it.
type prefixFunc func(keys []string, at time.Time, random func() string) (string, error)

// route is Route with prefixFor evaluating the prefix.
func (c *Compiled) route(rec Record, at time.Time, prefixFor prefixFunc) Routed {
	if r, ok := tooLarge(rec, at); ok {
		return r
	}
	keys, err := c.Query.Extract(rec.Data)
	return c.place(rec, at, keys, err, prefixFor)
}

// tooLarge routes a record over Firehose's size limit to the error output.
func tooLarge(rec Record, at time.Time) (Routed, bool) {
	size := len(rec.Data) + 1
	if size <= MaxRecordBytes {
		return Routed{}, false
	}
	return Routed{Record: rec, Arrival: at, ErrorType: ErrorTypeRecordTooLarge,
		ErrorMessage: fmt.Sprintf("record is %d bytes with its newline; Firehose accepts at most %d (1,000 KiB)", size, MaxRecordBytes)}, true
}

// place routes a record whose keys were extracted (err: the extraction's)
// to the partition prefixFor evaluates, or to the error output.
func (c *Compiled) place(rec Record, at time.Time, keys []string, err error, prefixFor prefixFunc) Routed {
	r := Routed{Record: rec, Arrival: at}
	if err != nil {
		r.ErrorType, r.ErrorMessage = ErrorTypeMetadataExtraction, extractMessage(err)
		return r
	}
	part, err := prefixFor(keys, at, nil)
	if err != nil {
		r.ErrorType, r.ErrorMessage = ErrorTypeMetadataExtraction, prefixMessage(err)
		return r
	}
	r.Keys, r.Partition = keys, part
	return r
}

// extractMessage is the errorMessage for a failed extraction.
func extractMessage(err error) string {
	var ee *jq.ExtractError
	if errors.As(err, &ee) {
		return ee.Error()
	}
	return err.Error()
}

// prefixMessage is the errorMessage for a prefix that cannot be evaluated.
func prefixMessage(err error) string {
	var re *prefix.RuleError
	if errors.As(err, &re) {
		return re.Msg
	}
	return err.Error()
}
