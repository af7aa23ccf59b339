package templates

import (
	"fmt"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// Firehose limits (BufferingHints) and the minimums dynamic partitioning
// and record format conversion impose.
const (
	minBufferSizeDP     = 64
	minBufferIntervalDP = 60
	maxBufferSize       = 128
	maxBufferInterval   = 900
)

// stream is a delivery stream's S3 destination as far as it could be
// resolved.
type stream struct {
	res        *Resource
	dest       string // ExtendedS3DestinationConfiguration
	bucket     string // bucket name or token
	prefix     string
	prefixOK   bool
	errPrefix  string
	dp         bool
	query      string
	queryOK    bool
	queryPath  string
	compiled   jqQuery
	conversion bool
}

func (s *stream) path(keys ...string) string {
	return "Properties." + strings.Join(append([]string{s.dest}, keys...), ".")
}

func (s *stream) line(keys ...string) int {
	return s.res.PropLine(append([]string{s.dest}, keys...)...)
}

// streams reads every delivery stream with an extended S3 destination.
func (t *Template) streams() []*stream {
	var out []*stream
	for _, r := range t.OfType("AWS::KinesisFirehose::DeliveryStream") {
		const dest = "ExtendedS3DestinationConfiguration"
		d := r.Prop(dest)
		if d == nil {
			continue
		}
		s := &stream{res: r, dest: dest}
		if arn, ok := t.eval(d.Get("BucketARN")); ok {
			s.bucket, _ = bucketOfARN(arn)
		}
		s.prefix, s.prefixOK = t.evalOrEmpty(d.Get("Prefix"))
		s.errPrefix, _ = t.evalOrEmpty(d.Get("ErrorOutputPrefix"))
		s.dp, _ = d.Path("DynamicPartitioningConfiguration", "Enabled").BoolValue()
		s.conversion, _ = d.Path("DataFormatConversionConfiguration", "Enabled").BoolValue()
		s.query, s.queryOK, s.queryPath = t.metadataQuery(d)
		out = append(out, s)
	}
	return out
}

// evalOrEmpty treats a missing value as "".
func (t *Template) evalOrEmpty(n *cfnyaml.Node) (string, bool) {
	if n == nil {
		return "", true
	}
	return t.eval(n)
}

// metadataQuery finds the MetadataExtractionQuery parameter.
func (t *Template) metadataQuery(d *cfnyaml.Node) (query string, ok bool, path string) {
	for i, p := range nodeList(d.Path("ProcessingConfiguration", "Processors")) {
		if typ, _ := p.Get("Type").Str(); typ != "MetadataExtraction" {
			continue
		}
		for j, param := range nodeList(p.Get("Parameters")) {
			if name, _ := param.Get("ParameterName").Str(); name == "MetadataExtractionQuery" {
				q, ok := t.eval(param.Get("ParameterValue"))
				return q, ok, fmt.Sprintf("ProcessingConfiguration.Processors[%d].Parameters[%d].ParameterValue", i, j)
			}
		}
	}
	return "", false, ""
}

// ruleFirehose applies Firehose's own configuration rules: prefixes (the
// code replay uses), the jq 1.6 gate and keys, the query against the
// official samples, buffering minimums, logging and encryption.
func ruleFirehose(t *Template, streams []*stream) []Finding {
	var out []Finding
	for _, s := range streams {
		f := &findings{t: t, res: s.res.ID}
		t.checkQuery(f, s)
		t.checkPrefixes(f, s)
		t.checkBuffering(f, s)
		t.checkProcessors(f, s)
		t.checkStreamOps(f, s)
		out = append(out, f.list...)
	}
	return out
}

// findings collects findings for one resource.
type findings struct {
	t    *Template
	res  string
	list []Finding
}

func (f *findings) add(sev Severity, line int, path, rule, format string, a ...any) {
	f.list = append(f.list, Finding{File: f.t.File, Line: line, Resource: f.res, Path: path, Rule: rule, Severity: sev, Message: fmt.Sprintf(format, a...)})
}

func (t *Template) checkQuery(f *findings, s *stream) {
	if s.queryPath == "" || !s.queryOK {
		return
	}
	line := s.line(strings.Split(s.queryPath, ".")[0])
	q, err := compileQuery(s.query)
	if err != nil {
		f.add(SeverityError, line, s.path(s.queryPath), "jq.dialect", "MetadataExtractionQuery is not accepted by jq 1.6 (Firehose JQ-1.6): %v", err)
		return
	}
	s.compiled = q
	for _, msg := range nullKeysOnSamples(q) {
		f.add(SeverityWarning, line, s.path(s.queryPath), "jq.null-key", "%s", msg)
	}
}

func (t *Template) checkPrefixes(f *findings, s *stream) {
	if !s.prefixOK {
		f.add(SeverityInfo, s.line("Prefix"), s.path("Prefix"), "firehose.prefix-unresolved", "the Prefix is only known at deploy time; prefix rules were not checked")
		return
	}
	var keys []string
	if s.compiled != nil {
		keys = s.compiled.Keys()
	}
	queryBroken := s.queryPath != "" && s.compiled == nil
	for _, re := range streamRules(s.prefix, s.errPrefix, keys, s.dp) {
		if queryBroken && (re.Rule == "prefix.undefined-query-key" || re.Rule == "prefix.unused-query-key") {
			continue // the query's keys are unknown: jq.dialect (or an intrinsic) says why
		}
		field := "Prefix"
		if strings.HasPrefix(re.Rule, "error-prefix.") {
			field = "ErrorOutputPrefix"
		}
		f.add(SeverityError, s.line(field), s.path(field), re.Rule, "%s", re.Msg)
	}
	for _, p := range []struct{ field, raw string }{{"Prefix", s.prefix}, {"ErrorOutputPrefix", s.errPrefix}} {
		for _, re := range prefixLint(p.raw) {
			sev := SeverityWarning
			if re.Rule == "lint.double-slash" {
				sev = SeverityError // Athena reads nothing under such keys
			}
			f.add(sev, s.line(p.field), s.path(p.field), re.Rule, "%s", re.Msg)
		}
	}
}

func (t *Template) checkBuffering(f *findings, s *stream) {
	d := s.res.Prop(s.dest)
	bh := d.Get("BufferingHints")
	size, sizeOK := bh.Get("SizeInMBs").IntValue()
	interval, intervalOK := bh.Get("IntervalInSeconds").IntValue()
	if sizeOK && (size < 1 || size > maxBufferSize) {
		f.add(SeverityError, s.line("BufferingHints", "SizeInMBs"), s.path("BufferingHints", "SizeInMBs"), "firehose.buffering-range", "SizeInMBs %d is outside Firehose's 1-%d", size, maxBufferSize)
	}
	if intervalOK && (interval < 0 || interval > maxBufferInterval) {
		f.add(SeverityError, s.line("BufferingHints", "IntervalInSeconds"), s.path("BufferingHints", "IntervalInSeconds"), "firehose.buffering-range", "IntervalInSeconds %d is outside Firehose's 0-%d", interval, maxBufferInterval)
	}
	why := ""
	switch {
	case s.dp:
		why = "Dynamic Partitioning is enabled"
	case s.conversion:
		why = "record format conversion is enabled"
	default:
		return
	}
	if bh == nil {
		f.add(SeverityWarning, s.line("BufferingHints"), s.path("BufferingHints"), "firehose.buffering-min",
			"no BufferingHints although %s; the API default of 5 MiB is below the %d MiB minimum, so set SizeInMBs (e.g. 128) and IntervalInSeconds (e.g. 300)", why, minBufferSizeDP)
		return
	}
	if sizeOK && size < minBufferSizeDP {
		f.add(SeverityError, s.line("BufferingHints", "SizeInMBs"), s.path("BufferingHints", "SizeInMBs"), "firehose.buffering-min",
			"BufferingHints.SizeInMBs must be at least %d when %s (it is %d)", minBufferSizeDP, why, size)
	}
	if intervalOK && s.dp && interval < minBufferIntervalDP {
		f.add(SeverityError, s.line("BufferingHints", "IntervalInSeconds"), s.path("BufferingHints", "IntervalInSeconds"), "firehose.buffering-min",
			"BufferingHints.IntervalInSeconds must be at least %d seconds when %s (it is %d)", minBufferIntervalDP, why, interval)
	}
}

func (t *Template) checkProcessors(f *findings, s *stream) {
	d := s.res.Prop(s.dest)
	for i, p := range nodeList(d.Path("ProcessingConfiguration", "Processors")) {
		if typ, _ := p.Get("Type").Str(); typ != "MetadataExtraction" {
			continue
		}
		engine := ""
		for _, param := range nodeList(p.Get("Parameters")) {
			if name, _ := param.Get("ParameterName").Str(); name == "JsonParsingEngine" {
				engine, _ = param.Get("ParameterValue").Str()
			}
		}
		if engine != "JQ-1.6" {
			path := fmt.Sprintf("ProcessingConfiguration.Processors[%d].Parameters", i)
			f.add(SeverityError, s.line("ProcessingConfiguration"), s.path(path), "firehose.jq-engine",
				"the MetadataExtraction processor needs the parameter JsonParsingEngine = JQ-1.6 (got %q)", engine)
		}
	}
	if enabled, ok := d.Path("ProcessingConfiguration", "Enabled").BoolValue(); ok && !enabled && s.queryPath != "" {
		f.add(SeverityError, s.line("ProcessingConfiguration", "Enabled"), s.path("ProcessingConfiguration", "Enabled"), "firehose.processing-disabled",
			"ProcessingConfiguration.Enabled is false, so the MetadataExtraction processor never runs")
	}
	if s.conversion {
		if c, _ := d.Get("CompressionFormat").Str(); c != "" && c != "UNCOMPRESSED" {
			f.add(SeverityError, s.line("CompressionFormat"), s.path("CompressionFormat"), "firehose.conversion-compression",
				"with record format conversion the destination CompressionFormat must be UNCOMPRESSED (Parquet compresses inside the file); got %s", c)
		}
	}
}

func (t *Template) checkStreamOps(f *findings, s *stream) {
	d := s.res.Prop(s.dest)
	if on, _ := d.Path("CloudWatchLoggingOptions", "Enabled").BoolValue(); !on {
		f.add(SeverityWarning, s.line("CloudWatchLoggingOptions"), s.path("CloudWatchLoggingOptions"), "firehose.logging",
			"CloudWatch logging is off, so delivery and partitioning errors are invisible; enable CloudWatchLoggingOptions with a log group and stream")
	}
	if s.res.Prop("DeliveryStreamEncryptionConfigurationInput") == nil && directPut(s.res) {
		f.add(SeverityWarning, s.res.PropLine("DeliveryStreamEncryptionConfigurationInput"), "Properties.DeliveryStreamEncryptionConfigurationInput", "firehose.encryption",
			"server-side encryption of the stream is off; set DeliveryStreamEncryptionConfigurationInput KeyType AWS_OWNED_CMK (or CUSTOMER_MANAGED_CMK)")
	}
}

func directPut(r *Resource) bool {
	typ, ok := r.Prop("DeliveryStreamType").Str()
	return !ok || typ == "DirectPut"
}
