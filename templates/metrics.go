package templates

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/pipeline"
)

// MetricsOptions are the optional resources around `sesctl metrics
// publish`: a scheduled Lambda function running it against the stack's
// Athena table, and CloudWatch alarms on the per-identity rates it
// publishes. All are off by default.
type MetricsOptions struct {
	// Function adds the Lambda function, its role, log group, schedule
	// and invoke permission.
	Function bool
	// CodeBucket and CodeKey locate the zip whose root holds the sesctl
	// binary named bootstrap (scripts/lambda/package.sh builds it).
	CodeBucket, CodeKey string
	Architecture        string // x86_64 or arm64
	Schedule            string // EventBridge schedule expression
	Since               string // metrics publish --since
	Namespace           string // metrics publish --namespace, and the alarms'

	// AlarmIdentities get a BounceRate and a ComplaintRate alarm each.
	AlarmIdentities []string
	// AlarmBounceRate and AlarmComplaintRate are thresholds in percent.
	AlarmBounceRate, AlarmComplaintRate float64
	// AlarmTopic is an existing SNS topic ARN for alarm and OK actions.
	AlarmTopic string
}

// Defaults of the metrics options.
const (
	ArchX86     = "x86_64"
	ArchARM     = "arm64"
	DefaultRate = "rate(1 hour)"
	// The function's limits: a 24 h summary query usually takes seconds;
	// Athena queueing can take minutes.
	metricsTimeoutSec = 300
	metricsMemoryMiB  = 256
	// Lambda's limit on a function's Description.
	maxFunctionDescription = 256
)

func defaultMetricsOptions() MetricsOptions {
	return MetricsOptions{
		Architecture:       ArchX86,
		Schedule:           DefaultRate,
		Since:              "24h",
		Namespace:          defaultNamespace(),
		AlarmBounceRate:    5,
		AlarmComplaintRate: 0.1,
	}
}

var (
	// CloudWatch namespaces: ASCII alphanumerics . - _ / # : and space.
	namespaceRE = lazyRE(`^[0-9A-Za-z._/#: -]{1,255}$`)
	snsTopicRE  = lazyRE(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	rateRE      = lazyRE(`^rate\((\d+) (minutes?|hours?|days?)\)$`)
	cronRE      = lazyRE(`^cron\(([^()]+)\)$`)
	domainRE    = lazyRE(`^([A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~.-]{1,64}@)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$`)
)

func metricsSettings() []Setting {
	m := func(o *Options) *MetricsOptions { return &o.Metrics }
	return []Setting{
		{Key: "metrics-function", Doc: "true: a scheduled Lambda function runs sesctl metrics publish --athena", set: func(o *Options, v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("metrics-function=%q: want true or false", v)
			}
			m(o).Function = b
			return nil
		}},
		strSetting("metrics-code-bucket", "bucket holding the function's zip (required with metrics-function)", bucketRE, func(o *Options) *string { return &m(o).CodeBucket }),
		{Key: "metrics-code-key", Doc: "S3 key of the zip (bootstrap at its root; required with metrics-function)", set: func(o *Options, v string) error {
			if v == "" || len(v) > 1024 || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return fmt.Errorf("metrics-code-key=%q: want an S3 key of 1 to 1024 printable characters", v)
			}
			m(o).CodeKey = v
			return nil
		}},
		choiceSetting("metrics-architecture", "x86_64 or arm64, as the zip's binary was built", []string{ArchX86, ArchARM}, func(o *Options) *string { return &m(o).Architecture }),
		{Key: "metrics-schedule", Doc: "EventBridge schedule, rate(...) or cron(...) (default rate(1 hour))", set: func(o *Options, v string) error {
			v = strings.TrimSpace(v)
			if err := checkSchedule(v); err != nil {
				return fmt.Errorf("metrics-schedule=%q: %w", v, err)
			}
			m(o).Schedule = v
			return nil
		}},
		{Key: "metrics-since", Doc: "window the function publishes, as metrics publish --since (default 24h)", set: func(o *Options, v string) error {
			v = strings.TrimSpace(v)
			if err := checkSince(v); err != nil {
				return fmt.Errorf("metrics-since=%q: %w", v, err)
			}
			m(o).Since = v
			return nil
		}},
		{Key: "metrics-namespace", Doc: "CloudWatch namespace of the function and the alarms (default SESCTL)", set: func(o *Options, v string) error {
			if !namespaceRE.MatchString(v) || strings.TrimSpace(v) == "" || strings.HasPrefix(v, "AWS/") {
				return fmt.Errorf("metrics-namespace=%q: want 1 to 255 of A-Z a-z 0-9 . - _ / # : and space, not starting with AWS/", v)
			}
			m(o).Namespace = v
			return nil
		}},
		{Key: "alarm-identities", Doc: "comma list of sender identities to alarm on (BounceRate and ComplaintRate)", set: setAlarmIdentities},
		floatSetting("alarm-bounce-rate", "bounce-rate alarm threshold, percent (default 5)", func(o *Options) *float64 { return &m(o).AlarmBounceRate }),
		floatSetting("alarm-complaint-rate", "complaint-rate alarm threshold, percent (default 0.1)", func(o *Options) *float64 { return &m(o).AlarmComplaintRate }),
		{Key: "alarm-topic", Doc: "existing SNS topic ARN notified when an alarm fires and clears", set: func(o *Options, v string) error {
			if !snsTopicRE.MatchString(v) {
				return fmt.Errorf("alarm-topic=%q: want arn:aws:sns:REGION:ACCOUNT:NAME", v)
			}
			m(o).AlarmTopic = v
			return nil
		}},
	}
}

func floatSetting(key, doc string, dst func(o *Options) *float64) Setting {
	return Setting{Key: key, Doc: doc, set: func(o *Options, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f > 0 && f <= 100) {
			return fmt.Errorf("%s=%q: want a percentage above 0 and at most 100", key, v)
		}
		*dst(o) = f
		return nil
	}}
}

func setAlarmIdentities(o *Options, v string) error {
	var ids []string
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			return fmt.Errorf("alarm-identities=%q: empty identity in the list", v)
		case len(id) > 253 || !domainRE.MatchString(id):
			return fmt.Errorf("alarm-identities: %q is not a domain or an email address", id)
		}
		for _, prev := range ids {
			if prev == id {
				return fmt.Errorf("alarm-identities: %q is listed twice", id)
			}
		}
		ids = append(ids, id)
	}
	o.Metrics.AlarmIdentities = ids
	return nil
}

// checkSchedule accepts EventBridge's rate(N unit) (singular unit for 1,
// plural otherwise) and cron(6 fields) with ? in day-of-month or
// day-of-week.
func checkSchedule(s string) error {
	if m := rateRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		plural := strings.HasSuffix(m[2], "s")
		switch {
		case err != nil || n < 1:
			return fmt.Errorf("the rate must be a positive whole number")
		case n == 1 && plural:
			return fmt.Errorf("EventBridge wants the singular unit for 1: rate(1 %s)", strings.TrimSuffix(m[2], "s"))
		case n > 1 && !plural:
			return fmt.Errorf("EventBridge wants the plural unit above 1: rate(%d %ss)", n, m[2])
		}
		return nil
	}
	if m := cronRE.FindStringSubmatch(s); m != nil {
		f := strings.Fields(m[1])
		if len(f) != 6 {
			return fmt.Errorf("cron takes 6 fields (minutes hours day-of-month month day-of-week year), not %d", len(f))
		}
		if (f[2] == "?") == (f[4] == "?") {
			return fmt.Errorf("cron needs ? in exactly one of day-of-month and day-of-week")
		}
		return nil
	}
	return fmt.Errorf("want rate(N minutes|hours|days) or cron(min hour day-of-month month day-of-week year)")
}

// checkMetrics rejects metrics options that cannot render.
func (o Options) checkMetrics() error {
	m, def := o.Metrics, defaultMetricsOptions()
	if !m.Function {
		for _, k := range []struct {
			key     string
			changed bool
		}{
			{"metrics-code-bucket", m.CodeBucket != ""}, {"metrics-code-key", m.CodeKey != ""},
			{"metrics-architecture", m.Architecture != def.Architecture}, {"metrics-schedule", m.Schedule != def.Schedule},
			{"metrics-since", m.Since != def.Since},
		} {
			if k.changed {
				return fmt.Errorf("%s applies only with metrics-function=true", k.key)
			}
		}
	} else if m.CodeBucket == "" || m.CodeKey == "" {
		return fmt.Errorf("metrics-function=true needs metrics-code-bucket and metrics-code-key: the S3 location of the zip scripts/lambda/package.sh builds")
	}
	if len(m.AlarmIdentities) == 0 && m.AlarmTopic != "" {
		return fmt.Errorf("alarm-topic needs alarm-identities")
	}
	if o.Spec.Query == pipeline.DefaultQuery {
		for _, id := range m.AlarmIdentities {
			if strings.Contains(id, "@") || strings.ToLower(id) != id {
				return fmt.Errorf("alarm-identities: %q never appears as a SenderIdentity: the default query partitions by the lowercased domain of mail.source (e.g. %s)",
					id, strings.ToLower(id[strings.LastIndex(id, "@")+1:]))
			}
		}
	}
	return nil
}

type tmplMetrics struct {
	LogGroup, Description       string
	CodeBucket, CodeKey         string
	Architecture, Schedule      string
	Args                        string // YAML: a !Sub scalar
	Namespace                   string
	EventObjects, ResultObjects string // YAML
	TimeoutSec, MemoryMiB       int
}

type tmplAlarm struct {
	LogicalID, Description string
	Metric, Namespace      string
	Dimension, Identity    string
	Threshold              string
	Topic                  string
}

// metricsData fills the template data of the function and the alarms.
func (o Options) metricsData(d *tmplData) error {
	m := o.Metrics
	if m.Function {
		desc := fmt.Sprintf("sesctl metrics publish: per-identity SES counts and rates of the last %s into CloudWatch namespace %s, %s", m.Since, m.Namespace, m.Schedule)
		if len(desc) > maxFunctionDescription {
			desc = "sesctl metrics publish (its command line is in SESCTL_ARGS)"
		}
		d.Metrics = &tmplMetrics{
			LogGroup:    "/aws/lambda/" + o.Spec.StreamName + "-metrics-publish",
			Description: desc,
			CodeBucket:  m.CodeBucket, CodeKey: m.CodeKey, Architecture: m.Architecture, Schedule: m.Schedule,
			Args: yamlQuote(o.metricsArgs()), Namespace: m.Namespace,
			EventObjects:  yamlQuote("${EventsBucket.Arn}/" + subEscape(literalLead(o.Spec.Prefix)) + "*"),
			ResultObjects: yamlQuote("${EventsBucket.Arn}/" + resultsPrefix + "*"),
			TimeoutSec:    metricsTimeoutSec, MemoryMiB: metricsMemoryMiB,
		}
	}
	alarms, err := o.alarms()
	d.Alarms = alarms
	return err
}

// metricsArgs is the Fn::Sub text of SESCTL_ARGS: the command line as a
// JSON array, naming the stack's own database, table, workgroup and bucket.
func (o Options) metricsArgs() string {
	ref := func(id string) string { return "${" + id + "}" }
	args := []string{"metrics", "publish", "--athena",
		"--database", ref("Database"), "--table", ref(EventsTableID), "--workgroup", ref("WorkGroup"),
		"--location", "s3://" + ref("EventsBucket") + "/",
		"--since", subEscape(o.Metrics.Since), "--namespace", subEscape(o.Metrics.Namespace)}
	def := pipeline.DefaultSpec()
	for _, f := range []struct{ flag, v, def string }{
		{"--prefix", o.Spec.Prefix, def.Prefix}, {"--jq", o.Spec.Query, def.Query}, {"--time-zone", o.Spec.TimeZone, def.TimeZone},
	} {
		if f.v != f.def {
			args = append(args, f.flag, subEscape(f.v))
		}
	}
	b, _ := json.Marshal(args) // strings only: cannot fail
	return string(b)
}

// subEscape keeps literal text literal inside Fn::Sub.
func subEscape(s string) string { return strings.ReplaceAll(s, "${", "${!") }

// alarms are a BounceRate and a ComplaintRate alarm per identity, with
// logical ids derived from the identity.
func (o Options) alarms() ([]tmplAlarm, error) {
	m := o.Metrics
	var out []tmplAlarm
	seen := map[string]string{}
	for _, id := range m.AlarmIdentities {
		suffix := camel(id)
		if prev, ok := seen[suffix]; ok {
			return nil, fmt.Errorf("alarm-identities: %q and %q give the same logical id suffix %s; alarm on one of them", prev, id, suffix)
		}
		seen[suffix] = id
		for _, a := range []struct {
			metric, what string
			threshold    float64
		}{{"BounceRate", "bounce rate (hard bounces per send)", m.AlarmBounceRate}, {"ComplaintRate", "complaint rate (complaints per send)", m.AlarmComplaintRate}} {
			lid := a.metric + "Alarm" + suffix
			if !validLogicalID(lid) {
				return nil, fmt.Errorf("alarm-identities: %q makes the logical id %s, longer than CloudFormation allows", id, lid)
			}
			th := strconv.FormatFloat(a.threshold, 'f', -1, 64)
			out = append(out, tmplAlarm{LogicalID: lid, Metric: a.metric, Namespace: m.Namespace,
				Dimension: identityDimension(), Identity: id, Threshold: th, Topic: m.AlarmTopic,
				Description: fmt.Sprintf("sesctl: %s %s reached %s%% (hourly maximum of what sesctl metrics publish reports)", id, a.what, th)})
		}
	}
	return out, nil
}
