package athena

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/itchyny/gojq"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/prefix"
	"github.com/sesctl/sesctl/schema"
)

// Roles of a partition column derived from a prefix expression.
const (
	RoleIdentity  = "identity"   // the sending-identity key: injected
	RoleEventType = "event-type" // the event-type key: enum of schema.EventTypes
	RoleInjected  = "injected"   // any other partition key: injected
	RoleTime      = "time"       // the !{timestamp:...} expression: date
	RoleErrorType = "error-type" // !{firehose:error-output-type}: enum
)

// ErrorOutputTypes are the values of !{firehose:error-output-type} the error
// table's enum projection lists: the ones sesctl writes
// (pipeline.ErrorTypes) and the ones Firehose documents for dynamic
// partitioning and record format conversion.
var ErrorOutputTypes = append(append([]string(nil), pipeline.ErrorTypes...),
	"partitioning-failed", "processing-failed", "format-conversion-failed")

// segment is one piece of a layout: a literal, or a partition column.
type segment struct {
	literal string
	col     *layoutColumn
}

// layoutColumn is a partition column and where its value comes from.
type layoutColumn struct {
	Name    string // Athena column name
	Role    string
	Key     string // partition key (partitionKeyFromQuery/Lambda), "" otherwise
	Time    *prefix.TimeFormat
	trailer string // literal the timestamp pattern itself ends with ("/")
}

// Layout is a prefix expression read as a table layout: which partition
// columns it yields and how S3 keys are built from their values.
type Layout struct {
	raw      string
	segments []segment
	columns  []*layoutColumn // in first-appearance order
}

// Columns returns the partition columns in prefix order.
func (l *Layout) Columns() []*layoutColumn { return l.columns }

func (l *Layout) byRole(role string) *layoutColumn {
	for _, c := range l.columns {
		if c.Role == role {
			return c
		}
	}
	return nil
}

// Identity, EventType and Time return the column with that role, or nil.
func (l *Layout) Identity() *layoutColumn  { return l.byRole(RoleIdentity) }
func (l *Layout) EventType() *layoutColumn { return l.byRole(RoleEventType) }
func (l *Layout) Time() *layoutColumn      { return l.byRole(RoleTime) }

// timeColumnNames names the time partition column after the pattern's
// finest unit.
var timeColumnNames = map[string]string{
	"YEARS": "year", "MONTHS": "month", "WEEKS": "week", "DAYS": "day",
	"HOURS": "hour", "MINUTES": "minute", "SECONDS": "second",
}

// LayoutError explains why a prefix cannot back an Athena table.
type LayoutError struct{ Prefix, Msg string }

func (e *LayoutError) Error() string {
	return fmt.Sprintf("prefix %q cannot back an Athena table: %s", e.Prefix, e.Msg)
}

// ParseLayout reads prefix raw (a data prefix when query is the stream's jq
// query, an error prefix when errorPrefix is set).
func ParseLayout(raw, query string, errorPrefix bool) (*Layout, error) {
	p, err := prefix.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse prefix: %w", err)
	}
	l := &Layout{raw: raw}
	fail := func(format string, a ...any) error { return &LayoutError{Prefix: raw, Msg: fmt.Sprintf(format, a...)} }
	exprs := map[string]string{}
	if !errorPrefix && query != "" {
		exprs = queryExpressions(query)
	}
	identityKey := pickIdentityKey(p.QueryKeys(), exprs)
	for _, part := range p.Parts() {
		if !part.IsExpression() {
			l.addLiteral(part.Literal)
			continue
		}
		col, err := l.column(part, exprs, identityKey, errorPrefix)
		if err != nil {
			return nil, fail("%v", err)
		}
		l.addColumn(col)
	}
	if err := l.check(); err != nil {
		return nil, fail("%v", err)
	}
	return l, nil
}

func (l *Layout) addLiteral(s string) {
	if n := len(l.segments); n > 0 && l.segments[n-1].col == nil {
		l.segments[n-1].literal += s
		return
	}
	l.segments = append(l.segments, segment{literal: s})
}

func (l *Layout) addColumn(c *layoutColumn) {
	for _, have := range l.columns {
		if have.Name == c.Name && have.Key == c.Key && have.Role == c.Role {
			l.segments = append(l.segments, segment{col: have})
			if c.trailer != "" {
				l.addLiteral(c.trailer)
			}
			return
		}
	}
	l.columns = append(l.columns, c)
	l.segments = append(l.segments, segment{col: c})
	if c.trailer != "" {
		l.addLiteral(c.trailer)
	}
}

func (l *Layout) column(part prefix.Part, exprs map[string]string, identityKey string, errorPrefix bool) (*layoutColumn, error) {
	switch part.Namespace {
	case prefix.NamespaceTimestamp:
		return timeColumn(part)
	case prefix.NamespaceQuery, prefix.NamespaceLambda:
		if errorPrefix {
			return nil, fmt.Errorf("partition key %q in an error prefix", part.Value)
		}
		name := ColumnName(part.Value)
		role := RoleInjected
		switch {
		case isEventTypeKey(part.Value, exprs[part.Value]):
			role = RoleEventType
		case part.Value == identityKey:
			role = RoleIdentity
		}
		return &layoutColumn{Name: name, Role: role, Key: part.Value}, nil
	case prefix.NamespaceFirehose:
		if part.Value == prefix.FirehoseErrorOutput {
			return &layoutColumn{Name: "error_output_type", Role: RoleErrorType}, nil
		}
		return nil, fmt.Errorf("!{firehose:%s} makes a new value for every object, so no partition column can describe it", part.Value)
	}
	return nil, fmt.Errorf("unsupported expression !{%s:%s}", part.Namespace, part.Value)
}

func timeColumn(part prefix.Part) (*layoutColumn, error) {
	pattern := part.Time.Pattern()
	trimmed := strings.TrimRight(pattern, "/")
	if trimmed == "" {
		return nil, fmt.Errorf("!{timestamp:%s} prints no date", pattern)
	}
	tf, err := prefix.CompileTimeFormat(trimmed)
	if err != nil {
		return nil, fmt.Errorf("!{timestamp:%s}: %w", pattern, err)
	}
	name, ok := timeColumnNames[tf.Unit()]
	if !ok {
		return nil, fmt.Errorf("!{timestamp:%s}: its finest field (%s) has no Athena date projection interval unit", pattern, tf.Unit())
	}
	if strings.Contains(trimmed, "//") {
		return nil, fmt.Errorf("!{timestamp:%s} contains a double slash", pattern)
	}
	return &layoutColumn{Name: name, Role: RoleTime, Time: tf, trailer: pattern[len(trimmed):]}, nil
}

// check enforces what Athena's projection and sesctl's listing need.
func (l *Layout) check() error {
	times := 0
	seen := map[string]*layoutColumn{}
	for _, c := range l.columns {
		if c.Role == RoleTime {
			times++
		}
		if other, dup := seen[c.Name]; dup {
			return fmt.Errorf("partition keys %q and %q both become column %q", other.Key, c.Key, c.Name)
		}
		seen[c.Name] = c
		for _, data := range schema.Columns() {
			if data.Name == c.Name {
				return fmt.Errorf("partition column %q clashes with the data column of that name", c.Name)
			}
		}
	}
	if times > 1 {
		return fmt.Errorf("it has %d timestamp expressions; use one (e.g. !{timestamp:yyyy/MM/dd}) so the date is one partition column", times)
	}
	tmpl := l.Template()
	switch {
	case strings.Contains(tmpl, "//"):
		return fmt.Errorf("it produces object keys with a double slash (%q); Athena drops empty path segments, so the table would point elsewhere", tmpl)
	case strings.HasPrefix(tmpl, "/"):
		return fmt.Errorf("it starts with a slash, which makes an empty first path segment")
	case !strings.HasSuffix(tmpl, "/"):
		return fmt.Errorf("it must end with / after the last expression (storage.location.template must name a folder)")
	case len(l.columns) == 0:
		return fmt.Errorf("it has no expressions, so there is nothing to partition by")
	}
	return nil
}

// Template returns the prefix with ${column} in place of each expression.
func (l *Layout) Template() string {
	var b strings.Builder
	for _, s := range l.segments {
		if s.col == nil {
			b.WriteString(s.literal)
			continue
		}
		b.WriteString("${" + s.col.Name + "}")
	}
	return b.String()
}

var unsafeColumnChars = regexp.MustCompile(`[^a-z0-9_]+`)

// ColumnName turns a partition key into an Athena column name: camelCase
// split into snake_case, lower case, runs of characters other than
// letters, digits and _ replaced by _, no leading or trailing _
// (SenderIdentity -> sender_identity, Config-Set -> config_set).
func ColumnName(key string) string {
	var b strings.Builder
	runes := []rune(key)
	for i, r := range runes {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	name := strings.Trim(unsafeColumnChars.ReplaceAllString(b.String(), "_"), "_")
	if name == "" {
		return "key"
	}
	return name
}

// queryExpressions maps each static key of a jq object construction to the
// source of its value expression. A query that is not an object
// construction yields an empty map.
func queryExpressions(src string) map[string]string {
	out := map[string]string{}
	q, err := gojq.Parse(src)
	if err != nil || q.Term == nil || q.Term.Object == nil || q.Left != nil || q.Right != nil {
		return out
	}
	for _, kv := range q.Term.Object.KeyVals {
		key := kv.Key
		if kv.KeyString != nil && kv.KeyString.Queries == nil {
			key = kv.KeyString.Str
		}
		if key == "" || kv.Val == nil {
			continue
		}
		out[key] = kv.Val.String()
	}
	return out
}

// isEventTypeKey: the key's value is exactly .eventType, or the key is
// named event_type / eventType.
func isEventTypeKey(key, expr string) bool {
	e := strings.TrimSpace(expr)
	for strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")") {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	if e == ".eventType" || e == `."eventType"` || e == `.["eventType"]` {
		return true
	}
	return ColumnName(key) == "event_type" || ColumnName(key) == "eventtype"
}

// pickIdentityKey chooses which partition key holds the sending identity:
// one named sender_identity or identity, else the first whose expression
// reads .mail.source, else the first key that is not the event type.
func pickIdentityKey(keys []string, exprs map[string]string) string {
	for _, k := range keys {
		if n := ColumnName(k); n == "sender_identity" || n == "identity" {
			return k
		}
	}
	for _, k := range keys {
		if strings.Contains(exprs[k], ".mail.source") {
			return k
		}
	}
	for _, k := range keys {
		if !isEventTypeKey(k, exprs[k]) {
			return k
		}
	}
	return ""
}
