// Package athena derives the Athena (Glue) tables of the SES event lake from
// the pipeline spec and the schema, holds the canned queries, and runs them
// with Amazon Athena or with an embedded DuckDB over a local lake.
package athena

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/schema"
)

// Default names of the Glue database and tables.
const (
	DefaultDatabase   = "sesctl"
	DefaultTable      = "ses_events"
	DefaultErrorTable = "ses_events_errors"
)

// SerDes and formats of the two table variants.
const (
	SerdeOpenXJSON      = "org.openx.data.jsonserde.JsonSerDe"
	InputFormatText     = "org.apache.hadoop.mapred.TextInputFormat"
	OutputFormatText    = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	SerdeParquet        = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
	InputFormatParquet  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
	OutputFormatParquet = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
)

// TableOptions name a table and say where its data lives.
type TableOptions struct {
	Database, Table string
	Location        string // s3://bucket/ : root of the lake; the prefix is appended
	Format          string // json (default) or parquet
}

// TableDef is a derived table: enough for CREATE EXTERNAL TABLE, a Glue
// TableInput (AWS::Glue::Table) and the local engine's view.
type TableDef struct {
	Database, Name string
	Location       string // LOCATION: the lake root plus the prefix's static part
	Columns        []schema.Column
	PartitionKeys  []PartitionKey
	// TableParameters: EXTERNAL, classification, projection.*,
	// storage.location.template.
	TableParameters                         map[string]string
	SerdeLibrary, InputFormat, OutputFormat string
	SerdeParameters                         map[string]string
	Format                                  string // json or parquet

	layout *Layout
}

// PartitionKey is a partition column with its projection properties
// (without the "projection.<name>." prefix: type, values, format, range,
// interval, interval.unit).
type PartitionKey struct {
	Name, Type string
	Projection map[string]string
}

// Layout returns the prefix layout the table was derived from.
func (t *TableDef) Layout() *Layout { return t.layout }

// DeriveTable derives the events table from the spec: columns from
// schema.Columns(), partition columns and projection from spec.Prefix, the
// projection range from spec.RetentionDays.
func DeriveTable(spec pipeline.Spec, opts TableOptions) (*TableDef, error) {
	if opts.Table == "" {
		opts.Table = DefaultTable
	}
	if opts.Format == "" {
		opts.Format = spec.Format
	}
	layout, err := ParseLayout(spec.Prefix, spec.Query, false)
	if err != nil {
		return nil, err
	}
	return derive(layout, spec, opts, schema.Columns())
}

// DeriveErrorTable derives the table over the error output
// (spec.ErrorPrefix). Error objects are always JSON lines.
func DeriveErrorTable(spec pipeline.Spec, opts TableOptions) (*TableDef, error) {
	if opts.Table == "" {
		opts.Table = DefaultErrorTable
	}
	opts.Format = pipeline.FormatJSON
	layout, err := ParseLayout(spec.ErrorPrefix, "", true)
	if err != nil {
		return nil, err
	}
	return derive(layout, spec, opts, ErrorColumns())
}

// ErrorColumns are the columns of an error-output record.
func ErrorColumns() []schema.Column {
	col := func(key string, k schema.Kind, doc string) schema.Column {
		return schema.Column{Name: strings.ToLower(key), JSONKey: key, Type: schema.Type{Kind: k}, Doc: doc}
	}
	return []schema.Column{
		col("attemptsMade", schema.Bigint, "delivery attempts"),
		col("arrivalTimestamp", schema.Bigint, "when Firehose received the record, epoch milliseconds"),
		col("errorCode", schema.String, "e.g. DynamicPartitioning.MetadataExtractionFailed"),
		col("errorMessage", schema.String, "why the record could not be placed"),
		col("rawData", schema.String, "the record, base64"),
	}
}

func derive(layout *Layout, spec pipeline.Spec, opts TableOptions, cols []schema.Column) (*TableDef, error) {
	if opts.Database == "" {
		opts.Database = DefaultDatabase
	}
	loc, err := normalizeLocation(opts.Location)
	if err != nil {
		return nil, err
	}
	retention := spec.RetentionDays
	if retention <= 0 {
		return nil, fmt.Errorf("retention must be at least 1 day for the projection range, got %d", retention)
	}
	t := &TableDef{
		Database: strings.ToLower(opts.Database), Name: strings.ToLower(opts.Table),
		Location: loc + layout.staticPrefix(),
		Columns:  cols, Format: opts.Format, layout: layout,
		TableParameters: map[string]string{
			"EXTERNAL":                  "TRUE",
			"projection.enabled":        "true",
			"storage.location.template": loc + layout.Template(),
		},
		SerdeParameters: map[string]string{},
	}
	switch opts.Format {
	case pipeline.FormatJSON:
		t.SerdeLibrary, t.InputFormat, t.OutputFormat = SerdeOpenXJSON, InputFormatText, OutputFormatText
		t.TableParameters["classification"] = "json"
		addMappings(t.SerdeParameters, cols)
	case pipeline.FormatParquet:
		t.SerdeLibrary, t.InputFormat, t.OutputFormat = SerdeParquet, InputFormatParquet, OutputFormatParquet
		t.TableParameters["classification"] = "parquet"
		t.TableParameters["parquet.compression"] = "SNAPPY"
	default:
		return nil, fmt.Errorf("unknown table format %q (want json or parquet)", opts.Format)
	}
	for _, c := range layout.Columns() {
		pk := PartitionKey{Name: c.Name, Type: "string", Projection: projection(c, retention)}
		t.PartitionKeys = append(t.PartitionKeys, pk)
		for k, v := range pk.Projection {
			t.TableParameters["projection."+c.Name+"."+k] = v
		}
	}
	return t, nil
}

// normalizeLocation checks an s3:// location and makes it end with "/".
func normalizeLocation(loc string) (string, error) {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok || rest == "" || strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("location %q: want s3://bucket/ or s3://bucket/path/", loc)
	}
	if strings.Contains(rest, "//") {
		return "", fmt.Errorf("location %q contains a double slash", loc)
	}
	if !strings.HasSuffix(loc, "/") {
		loc += "/"
	}
	return loc, nil
}

// staticPrefix is the prefix up to the last "/" before the first
// expression: the part every object key shares.
func (l *Layout) staticPrefix() string {
	lit := ""
	if len(l.segments) > 0 && l.segments[0].col == nil {
		lit = l.segments[0].literal
	}
	return lit[:strings.LastIndex(lit, "/")+1]
}

// addMappings adds mapping.<name>=<json key> for every field whose JSON key
// differs from its column name by more than case (the OpenX SerDe already
// matches keys case-insensitively).
func addMappings(params map[string]string, cols []schema.Column) {
	schema.Walk(cols, func(_ string, f schema.Field) {
		if f.NeedsMapping() {
			params["mapping."+f.Name] = f.JSONKey
		}
	})
}

// projection returns the projection properties of a partition column.
func projection(c *layoutColumn, retentionDays int) map[string]string {
	switch c.Role {
	case RoleEventType:
		return map[string]string{"type": "enum", "values": strings.Join(schema.EventTypes, ",")}
	case RoleErrorType:
		return map[string]string{"type": "enum", "values": strings.Join(ErrorOutputTypes, ",")}
	case RoleTime:
		return map[string]string{
			"type":          "date",
			"format":        c.Time.Pattern(),
			"range":         "NOW-" + strconv.Itoa(retentionDays) + "DAYS,NOW",
			"interval":      "1",
			"interval.unit": c.Time.Unit(),
		}
	}
	return map[string]string{"type": "injected"}
}

// DDL renders CREATE EXTERNAL TABLE. Identifiers are quoted with
// backticks, so reserved words need no special care; property values are
// Hive string literals.
func (t *TableDef) DDL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s`.`%s` (\n", t.Database, t.Name)
	for i, c := range t.Columns {
		fmt.Fprintf(&b, "  `%s` %s", c.Name, c.Type.Hive())
		if c.Doc != "" {
			fmt.Fprintf(&b, " COMMENT %s", hiveString(commentText(c.Doc)))
		}
		b.WriteString(sep(i, len(t.Columns)))
	}
	b.WriteString(")\nPARTITIONED BY (\n")
	for i, p := range t.PartitionKeys {
		fmt.Fprintf(&b, "  `%s` %s%s", p.Name, p.Type, sep(i, len(t.PartitionKeys)))
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "ROW FORMAT SERDE %s\n", hiveString(t.SerdeLibrary))
	if len(t.SerdeParameters) > 0 {
		b.WriteString("WITH SERDEPROPERTIES (\n")
		writeProps(&b, t.SerdeParameters)
		b.WriteString(")\n")
	}
	fmt.Fprintf(&b, "STORED AS INPUTFORMAT %s\nOUTPUTFORMAT %s\n", hiveString(t.InputFormat), hiveString(t.OutputFormat))
	fmt.Fprintf(&b, "LOCATION %s\n", hiveString(t.Location))
	b.WriteString("TBLPROPERTIES (\n")
	writeProps(&b, t.TableParameters)
	b.WriteString(");\n")
	return b.String()
}

func sep(i, n int) string {
	if i < n-1 {
		return ",\n"
	}
	return "\n"
}

// writeProps writes 'key'='value' lines sorted by key, except that EXTERNAL,
// classification and projection.enabled come first, as people expect.
func writeProps(b *strings.Builder, props map[string]string) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch k {
		case "EXTERNAL":
			return 0
		case "classification":
			return 1
		case "projection.enabled":
			return 2
		}
		return 3
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for i, k := range keys {
		fmt.Fprintf(b, "  %s=%s%s", hiveString(k), hiveString(props[k]), sep(i, len(keys)))
	}
}

// hiveString quotes s as a Hive string literal.
func hiveString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// commentText keeps column comments free of quotes, which Athena's DDL
// editor and Glue round-trips handle inconsistently.
func commentText(s string) string { return strings.ReplaceAll(s, "'", `"`) }

// GlueColumn is a column as the Glue Data Catalog stores it: the type
// string without DDL quoting (struct<timestamp:string,...>).
type GlueColumn struct{ Name, Type, Comment string }

// GlueColumns returns the table's columns for a Glue TableInput
// (AWS::Glue::Table StorageDescriptor.Columns).
func (t *TableDef) GlueColumns() []GlueColumn {
	out := make([]GlueColumn, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = GlueColumn{Name: c.Name, Type: GlueType(c.Type), Comment: c.Doc}
	}
	return out
}

// GlueType renders t as Glue stores column types: Hive syntax with struct
// field names unquoted (Glue keeps reserved words such as timestamp as they
// are; only DDL text needs backticks).
func GlueType(t schema.Type) string {
	switch t.Kind {
	case schema.Array:
		return "array<" + GlueType(*t.Elem) + ">"
	case schema.Map:
		return "map<" + GlueType(*t.Key) + "," + GlueType(*t.Elem) + ">"
	case schema.Struct:
		fs := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			fs[i] = f.Name + ":" + GlueType(f.Type)
		}
		return "struct<" + strings.Join(fs, ",") + ">"
	}
	return t.Kind.String()
}
