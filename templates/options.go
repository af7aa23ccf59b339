package templates

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/pipeline"
)

// Encryption choices for the bucket, Firehose output and Athena results.
const (
	EncryptionSSES3 = "sse-s3"
	EncryptionKMS   = "kms"
)

// Options are everything the rendered template depends on: the pipeline
// spec plus names, retention and encryption.
type Options struct {
	Spec pipeline.Spec
	// Bucket is the events bucket's name; "" lets CloudFormation name it.
	Bucket string
	// ErrorRetentionDays expires the error output sooner (0: as events).
	ErrorRetentionDays int
	// ResultsRetentionDays expires Athena query results.
	ResultsRetentionDays int
	Encryption           string // sse-s3 or kms
	// KMSKeyARN is an existing key for kms; "" creates one in the stack.
	KMSKeyARN        string
	ConfigurationSet string
	Database         string
	Table            string
	ErrorTable       string
	WorkGroup        string
	LogGroup         string // "" = /aws/kinesisfirehose/<stream>
	LogRetentionDays int
	// Metrics adds the scheduled metrics function and alarms (off by
	// default).
	Metrics MetricsOptions
	// Version is the sesctl version recorded in the template's metadata.
	Version string
}

// DefaultOptions returns the options `sesctl template render` starts from.
func DefaultOptions() Options {
	return Options{
		Spec:                 pipeline.DefaultSpec(),
		ResultsRetentionDays: 30,
		Encryption:           EncryptionSSES3,
		ConfigurationSet:     "sesctl",
		Database:             "sesctl",
		Table:                "ses_events",
		ErrorTable:           "ses_events_errors",
		WorkGroup:            "sesctl",
		LogRetentionDays:     30,
		Metrics:              defaultMetricsOptions(),
		Version:              "dev",
	}
}

// Setting documents one --set key.
type Setting struct {
	Key, Doc string
	set      func(o *Options, v string) error
}

func intSetting(key, doc string, min, max int, dst func(o *Options) *int) Setting {
	return Setting{Key: key, Doc: doc, set: func(o *Options, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min || n > max {
			return fmt.Errorf("%s=%q: want a whole number from %d to %d", key, v, min, max)
		}
		*dst(o) = n
		return nil
	}}
}

func strSetting(key, doc string, re *lazyRegexp, dst func(o *Options) *string) Setting {
	return Setting{Key: key, Doc: doc, set: func(o *Options, v string) error {
		if re != nil && !re.MatchString(v) {
			return fmt.Errorf("%s=%q: must match %s", key, v, re)
		}
		*dst(o) = v
		return nil
	}}
}

func choiceSetting(key, doc string, choices []string, dst func(o *Options) *string) Setting {
	return Setting{Key: key, Doc: doc, set: func(o *Options, v string) error {
		for _, c := range choices {
			if strings.EqualFold(v, c) {
				*dst(o) = c
				return nil
			}
		}
		return fmt.Errorf("%s=%q: want one of %s", key, v, strings.Join(choices, ", "))
	}}
}

var (
	bucketRE    = lazyRE(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	streamRE    = lazyRE(`^[a-zA-Z0-9_.-]{1,64}$`)
	configSetRE = lazyRE(`^[a-zA-Z0-9_-]{1,64}$`)
	glueNameRE  = lazyRE(`^[a-z0-9_]{1,255}$`)
	workGroupRE = lazyRE(`^[a-zA-Z0-9._-]{1,128}$`)
	logGroupRE  = lazyRE(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	kmsArnRE    = lazyRE(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$`)
)

// Settings lists the keys --set accepts.
func Settings() []Setting {
	return append(pipelineSettings(), metricsSettings()...)
}

func pipelineSettings() []Setting {
	return []Setting{
		strSetting("stream", "Firehose stream name", streamRE, func(o *Options) *string { return &o.Spec.StreamName }),
		strSetting("prefix", "S3 Prefix (Firehose expression)", nil, func(o *Options) *string { return &o.Spec.Prefix }),
		strSetting("error-prefix", "S3 ErrorOutputPrefix", nil, func(o *Options) *string { return &o.Spec.ErrorPrefix }),
		strSetting("query", "MetadataExtractionQuery (jq, JQ-1.6)", nil, func(o *Options) *string { return &o.Spec.Query }),
		intSetting("buffer-size", "BufferingHints.SizeInMBs", 1, 128, func(o *Options) *int { return &o.Spec.BufferSizeMiB }),
		intSetting("buffer-interval", "BufferingHints.IntervalInSeconds", 0, 900, func(o *Options) *int { return &o.Spec.BufferIntervalSec }),
		choiceSetting("compression", "GZIP or UNCOMPRESSED", []string{pipeline.CompressionGZIP, pipeline.CompressionNone}, func(o *Options) *string { return &o.Spec.Compression }),
		choiceSetting("format", "json or parquet (record format conversion)", []string{pipeline.FormatJSON, pipeline.FormatParquet}, func(o *Options) *string { return &o.Spec.Format }),
		strSetting("time-zone", "CustomTimeZone for prefixes (IANA name)", lazyRE(`^$|^[a-zA-Z/_]{1,50}$`), func(o *Options) *string { return &o.Spec.TimeZone }),
		intSetting("retention", "days events are kept (lifecycle expiry, projection range)", 1, 36500, func(o *Options) *int { return &o.Spec.RetentionDays }),
		intSetting("error-retention", "days the error output is kept (0: as events)", 0, 36500, func(o *Options) *int { return &o.ErrorRetentionDays }),
		intSetting("results-retention", "days Athena query results are kept", 1, 36500, func(o *Options) *int { return &o.ResultsRetentionDays }),
		strSetting("bucket", "events bucket name (default: generated by CloudFormation)", bucketRE, func(o *Options) *string { return &o.Bucket }),
		choiceSetting("encryption", "sse-s3 or kms", []string{EncryptionSSES3, EncryptionKMS}, func(o *Options) *string { return &o.Encryption }),
		{Key: "kms-key", Doc: "existing KMS key ARN (implies encryption=kms)", set: func(o *Options, v string) error {
			if !kmsArnRE.MatchString(v) {
				return fmt.Errorf("kms-key=%q: want arn:aws:kms:REGION:ACCOUNT:key/ID", v)
			}
			o.KMSKeyARN, o.Encryption = v, EncryptionKMS
			return nil
		}},
		strSetting("configuration-set", "SES configuration set name", configSetRE, func(o *Options) *string { return &o.ConfigurationSet }),
		strSetting("database", "Glue database", glueNameRE, func(o *Options) *string { return &o.Database }),
		strSetting("table", "Glue table over the events", glueNameRE, func(o *Options) *string { return &o.Table }),
		strSetting("error-table", "Glue table over the error output", glueNameRE, func(o *Options) *string { return &o.ErrorTable }),
		strSetting("workgroup", "Athena workgroup", workGroupRE, func(o *Options) *string { return &o.WorkGroup }),
		strSetting("log-group", "CloudWatch log group of the stream", logGroupRE, func(o *Options) *string { return &o.LogGroup }),
		intSetting("log-retention", "days delivery logs are kept", 1, 3653, func(o *Options) *int { return &o.LogRetentionDays }),
	}
}

// Set applies one key=value.
func (o *Options) Set(kv string) error {
	key, value, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("--set %q: want key=value", kv)
	}
	key = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "_", "-")
	for _, s := range Settings() {
		if s.Key == key {
			return s.set(o, value)
		}
	}
	keys := make([]string, 0, len(Settings()))
	for _, s := range Settings() {
		keys = append(keys, s.Key)
	}
	sort.Strings(keys)
	msg := fmt.Sprintf("--set %s: unknown key (known: %s)", key, strings.Join(keys, ", "))
	if s := suggest(key, keys); s != "" {
		msg = fmt.Sprintf("--set %s: unknown key; did you mean %s?", key, s)
	}
	return fmt.Errorf("%s", msg)
}

// SettingsHelp renders the --set keys for help text.
func SettingsHelp() string {
	var b strings.Builder
	width := 0
	for _, s := range Settings() {
		width = max(width, len(s.Key))
	}
	for _, s := range Settings() {
		fmt.Fprintf(&b, "  %-*s %s\n", width, s.Key, s.Doc)
	}
	return b.String()
}
