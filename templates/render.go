package templates

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/template"
	"unicode"

	"github.com/sesctl/sesctl/athena"
	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/templates/cfnyaml"
)

//go:embed pipeline.yaml.tmpl
var pipelineTemplate string

// pipelineTmpl is the parsed template, parsed on first use: every sesctl
// command links this package, and most never render.
var pipelineTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("pipeline").Funcs(template.FuncMap{"q": yamlQuote}).Parse(pipelineTemplate))
})

// Logical ids other code refers to.
const (
	EventsTableID = "EventsTable"
	ErrorsTableID = "ErrorsTable"
)

type tmplData struct {
	Description, Version string
	Spec                 pipeline.Spec
	Compression          string
	Parquet              bool
	KMS, CreateKey       bool
	KeyARN               string // YAML
	BucketName           string
	Lifecycle            []lifecycleRule
	LogGroup             string
	LogRetentionDays     int
	ConfigurationSet     string
	MatchingEventTypes   []string
	Database             string
	Tables               []tmplTable
	EventsTableID        string
	WorkGroup            string
	ResultsLocation      string // YAML
	Queries              []tmplQuery
	Metrics              *tmplMetrics // nil: no metrics function
	Alarms               []tmplAlarm
}

type lifecycleRule struct {
	ID, Prefix string
	Days       int
}

type kv struct{ Key, Value string }

type tmplColumn struct{ Name, Type string }

type tmplTable struct {
	LogicalID, Name, Description string
	Parameters                   []kv // values are YAML
	PartitionKeys, Columns       []tmplColumn
	Location                     string // YAML
	InputFormat, OutputFormat    string
	SerdeLibrary                 string
	SerdeParameters              []kv
}

type tmplQuery struct {
	LogicalID, Name, Description, SQL string
}

// resultsPrefix is where the workgroup writes query results, outside the
// tables' data.
const resultsPrefix = "athena-results/"

// Render returns the pipeline's CloudFormation template as YAML.
func Render(o Options) ([]byte, error) {
	d, err := o.data()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := pipelineTmpl().Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render template: %w", err)
	}
	if _, _, err := cfnyaml.Parse(b.Bytes()); err != nil {
		return nil, fmt.Errorf("rendered template does not parse (a sesctl bug): %w", err)
	}
	return b.Bytes(), nil
}

// RenderJSON returns the template as indented JSON.
func RenderJSON(o Options) ([]byte, error) {
	y, err := Render(o)
	if err != nil {
		return nil, err
	}
	return ToJSON(y)
}

// ToJSON converts a YAML template (short-form tags and all) to JSON.
func ToJSON(yamlText []byte) ([]byte, error) {
	n, _, err := cfnyaml.Parse(yamlText)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func (o Options) data() (*tmplData, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	d := &tmplData{
		Version: o.Version, Spec: o.Spec, Compression: o.Spec.Compression,
		Parquet: o.Spec.Format == pipeline.FormatParquet, KMS: o.Encryption == EncryptionKMS,
		BucketName: o.Bucket, LogGroup: o.LogGroup, LogRetentionDays: o.LogRetentionDays,
		ConfigurationSet: o.ConfigurationSet, MatchingEventTypes: matchingEventTypes(),
		Database: o.Database, EventsTableID: EventsTableID, WorkGroup: o.WorkGroup,
	}
	d.Description = fmt.Sprintf("sesctl pipeline: SES configuration set %s -> Firehose %s (dynamic partitioning, JQ-1.6) -> S3 -> Glue/Athena",
		o.ConfigurationSet, o.Spec.StreamName)
	if d.LogGroup == "" {
		d.LogGroup = "/aws/kinesisfirehose/" + o.Spec.StreamName
	}
	if d.Parquet {
		d.Compression = pipeline.CompressionNone // Parquet compresses inside the file
	}
	d.CreateKey = d.KMS && o.KMSKeyARN == ""
	d.KeyARN = yamlQuote(o.KMSKeyARN)
	if d.CreateKey {
		d.KeyARN = "!GetAtt EventsKey.Arn"
	}
	var err error
	if d.Lifecycle, err = o.lifecycle(); err != nil {
		return nil, err
	}
	d.ResultsLocation = o.s3Value(bucketSentinel + resultsPrefix)
	events, errs, err := deriveTables(o)
	if err != nil {
		return nil, err
	}
	d.Tables = []tmplTable{o.table(EventsTableID, events, "SES events delivered by Firehose (sesctl)"),
		o.table(ErrorsTableID, errs, "Records Firehose could not partition or deliver (sesctl)")}
	qs, err := cannedQueries(events)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		d.Queries = append(d.Queries, tmplQuery{LogicalID: "Query" + camel(q.Name), Name: "sesctl " + q.Name, Description: q.Description, SQL: q.SQL})
	}
	if err := o.metricsData(d); err != nil {
		return nil, err
	}
	return d, nil
}

func (o Options) check() error {
	if o.Spec.RetentionDays <= 0 {
		return fmt.Errorf("retention must be at least 1 day")
	}
	if o.Encryption != EncryptionSSES3 && o.Encryption != EncryptionKMS {
		return fmt.Errorf("encryption %q: want %s or %s", o.Encryption, EncryptionSSES3, EncryptionKMS)
	}
	if o.Spec.Format != pipeline.FormatJSON && o.Spec.Format != pipeline.FormatParquet {
		return fmt.Errorf("format %q: want json or parquet", o.Spec.Format)
	}
	return o.checkMetrics()
}

// lifecycle expires events, the error output and Athena results under
// their literal prefixes.
func (o Options) lifecycle() ([]lifecycleRule, error) {
	events := literalLead(o.Spec.Prefix)
	errs := literalLead(o.Spec.ErrorPrefix)
	rules := []lifecycleRule{{ID: "expire-events", Prefix: events, Days: o.Spec.RetentionDays}}
	errDays := o.ErrorRetentionDays
	if errDays == 0 {
		errDays = o.Spec.RetentionDays
	}
	if events == "" {
		if o.ErrorRetentionDays != 0 && o.ErrorRetentionDays != o.Spec.RetentionDays {
			return nil, fmt.Errorf("error-retention needs a Prefix that starts with a fixed folder (e.g. events/): with %q one lifecycle rule covers the whole bucket", o.Spec.Prefix)
		}
		return rules, nil
	}
	if errs != "" && !strings.HasPrefix(errs, events) && !strings.HasPrefix(events, errs) {
		rules = append(rules, lifecycleRule{ID: "expire-errors", Prefix: errs, Days: errDays})
	} else if o.ErrorRetentionDays != 0 {
		return nil, fmt.Errorf("error-retention needs an ErrorOutputPrefix in its own folder, apart from the events (%q vs %q)", o.Spec.ErrorPrefix, o.Spec.Prefix)
	}
	if !strings.HasPrefix(resultsPrefix, events) {
		rules = append(rules, lifecycleRule{ID: "expire-athena-results", Prefix: resultsPrefix, Days: o.ResultsRetentionDays})
	}
	return rules, nil
}

// literalLead is a prefix's fixed start, up to its last "/" before the
// first expression.
func literalLead(p string) string {
	if i := strings.Index(p, "!{"); i >= 0 {
		p = p[:i]
	}
	return p[:strings.LastIndex(p, "/")+1]
}

func (o Options) table(id string, t *athena.TableDef, desc string) tmplTable {
	tt := tmplTable{LogicalID: id, Name: t.Name, Description: desc, Location: o.s3Value(t.Location),
		InputFormat: t.InputFormat, OutputFormat: t.OutputFormat, SerdeLibrary: t.SerdeLibrary}
	for _, k := range sortedMapKeys(t.TableParameters) {
		tt.Parameters = append(tt.Parameters, kv{Key: k, Value: o.s3Value(t.TableParameters[k])})
	}
	for _, k := range sortedMapKeys(t.SerdeParameters) {
		tt.SerdeParameters = append(tt.SerdeParameters, kv{Key: k, Value: t.SerdeParameters[k]})
	}
	for _, p := range t.PartitionKeys {
		tt.PartitionKeys = append(tt.PartitionKeys, tmplColumn{Name: p.Name, Type: p.Type})
	}
	for _, c := range t.Columns {
		tt.Columns = append(tt.Columns, tmplColumn{Name: c.Name, Type: athena.GlueType(c.Type)})
	}
	return tt
}

// s3Value renders a value as YAML, turning locations in the events bucket
// into the bucket's name or a Fn::Join over its Ref.
func (o Options) s3Value(v string) string {
	rest, ok := strings.CutPrefix(v, bucketSentinel)
	if !ok {
		return yamlQuote(v)
	}
	if o.Bucket != "" {
		return yamlQuote("s3://" + o.Bucket + "/" + rest)
	}
	return fmt.Sprintf(`!Join ["", ["s3://", !Ref EventsBucket, %s]]`, yamlQuote("/"+rest))
}

// yamlQuote renders s as a double-quoted YAML scalar (JSON string syntax
// is valid YAML).
func yamlQuote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// camel turns "rendering-failures" into "RenderingFailures".
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
