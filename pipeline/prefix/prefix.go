// Package prefix implements Amazon Data Firehose's S3 prefix expressions
// (!{namespace:value}), the configuration rules Firehose enforces on Prefix
// and ErrorOutputPrefix, and the subset of Java's DateTimeFormatter that
// !{timestamp:PATTERN} uses.
//
// Sources: the Firehose developer guide pages "Understand custom prefixes
// for Amazon S3 objects" and "Dynamic partitioning", the Oracle
// DateTimeFormatter javadoc, and behaviour observed on AWS by others (see
// docs/prefix.md for what is confirmed and what is not).
package prefix

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Namespaces of !{namespace:value} expressions.
const (
	NamespaceFirehose   = "firehose"
	NamespaceTimestamp  = "timestamp"
	NamespaceQuery      = "partitionKeyFromQuery"
	NamespaceLambda     = "partitionKeyFromLambda"
	FirehoseRandom      = "random-string"
	FirehoseErrorOutput = "error-output-type"
)

// DefaultTimePrefix is the expression Firehose appends to a prefix that has
// no expression at all.
const DefaultTimePrefix = "!{timestamp:yyyy/MM/dd/HH/}"

// Length limits: the configured prefix (API constraint) and the evaluated
// prefix (Firehose semantic rule).
const (
	MaxConfiguredLength = 1024
	MaxEvaluatedLength  = 512
)

// Part is a piece of a prefix: a Literal, or an expression with Namespace
// and Value (Time is the compiled pattern of a timestamp expression).
// Offset is the byte offset of the piece in the raw prefix.
type Part struct {
	Literal   string
	Namespace string
	Value     string
	Time      *TimeFormat
	Offset    int
}

// IsExpression reports whether the part is a !{namespace:value} expression.
func (p Part) IsExpression() bool { return p.Namespace != "" }

// Prefix is a parsed Firehose Prefix or ErrorOutputPrefix.
type Prefix struct {
	raw   string
	parts []Part
	keys  []string
	size  int // literal bytes plus an estimate for expressions
}

// Parse parses a prefix. Syntax errors are *RuleError naming the rule and
// the column. The sequence "!{" may only start a complete expression of a
// known namespace; partitionKeyFromLambda is recognised and refused (sesctl
// runs no Lambda).
func Parse(s string) (*Prefix, error) {
	p, errs := parse(s)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return p, nil
}

// parse returns the prefix and every syntax error in it.
func parse(s string) (*Prefix, []*RuleError) {
	p := &Prefix{raw: s}
	var errs []*RuleError
	lit := 0 // start of the pending literal
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "!{")
		if j < 0 {
			break
		}
		start := i + j
		part, end, err := parseExpression(s, start)
		if err != nil {
			errs = append(errs, err)
			i = start + 2
			continue
		}
		p.addLiteral(s[lit:start], lit)
		p.addExpression(part)
		i, lit = end, end
	}
	p.addLiteral(s[lit:], lit)
	return p, errs
}

func (p *Prefix) addLiteral(s string, off int) {
	if s == "" {
		return
	}
	p.parts = append(p.parts, Part{Literal: s, Offset: off})
	p.size += len(s)
}

func (p *Prefix) addExpression(part Part) {
	p.parts = append(p.parts, part)
	switch part.Namespace {
	case NamespaceQuery:
		if !contains(p.keys, part.Value) {
			p.keys = append(p.keys, part.Value)
		}
		p.size += 16
	case NamespaceTimestamp:
		p.size += len(part.Value) + 4
	default:
		p.size += 24
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseExpression parses the expression starting with "!{" at start and
// returns it with the offset just after its "}".
func parseExpression(s string, start int) (Part, int, *RuleError) {
	body := start + 2
	end := strings.IndexAny(s[body:], "{}")
	if end < 0 || s[body+end] == '{' {
		return Part{}, 0, ruleErr(RuleBangBrace, `"!{" at column %d does not start a complete !{namespace:value} expression; "!{" may only appear in one`, column(s, start))
	}
	inner := s[body : body+end]
	next := body + end + 1
	ns, value, ok := strings.Cut(inner, ":")
	if !ok {
		return Part{}, 0, ruleErr(RuleBangBrace, "expression %q at column %d has no ':' (the form is !{namespace:value})", s[start:next], column(s, start))
	}
	part := Part{Namespace: ns, Value: value, Offset: start}
	if err := checkExpression(s, start, &part); err != nil {
		return Part{}, 0, err
	}
	return part, next, nil
}

func checkExpression(s string, start int, part *Part) *RuleError {
	expr := "!{" + part.Namespace + ":" + part.Value + "}"
	col := column(s, start)
	switch part.Namespace {
	case NamespaceFirehose, NamespaceTimestamp, NamespaceQuery:
	case NamespaceLambda:
		return ruleErr(RuleLambdaUnsupported, "expression %q at column %d: partitionKeyFromLambda needs a Lambda transform, which sesctl does not run; extract the key with the jq query and use !{partitionKeyFromQuery:%s}", expr, col, part.Value)
	default:
		return ruleErr(RuleUnknownNamespace, "expression %q at column %d: unknown namespace %q (valid: firehose, timestamp, partitionKeyFromQuery, partitionKeyFromLambda)", expr, col, part.Namespace)
	}
	if part.Value == "" {
		return ruleErr(RuleEmptyValue, "expression %q at column %d has an empty value", expr, col)
	}
	switch part.Namespace {
	case NamespaceFirehose:
		if part.Value != FirehoseRandom && part.Value != FirehoseErrorOutput {
			return ruleErr(RuleUnknownFirehoseValue, "expression %q at column %d: the firehose namespace has only random-string and error-output-type", expr, col)
		}
	case NamespaceTimestamp:
		f, perr := compileTimeFormat(part.Value)
		if perr != nil {
			patStart := start + len("!{timestamp:")
			return ruleErr(RuleBadPattern, "expression %q at column %d: %s", expr, column(s, patStart+perr.off), perr.msg)
		}
		part.Time = f
	}
	return nil
}

// Raw returns the prefix as written.
func (p *Prefix) Raw() string { return p.raw }

// Parts returns the literals and expressions in order. The slice is a copy.
func (p *Prefix) Parts() []Part { return append([]Part(nil), p.parts...) }

// QueryKeys returns the partitionKeyFromQuery keys in first-appearance order.
func (p *Prefix) QueryKeys() []string { return append([]string(nil), p.keys...) }

// HasExpressions reports whether the prefix contains any expression.
func (p *Prefix) HasExpressions() bool {
	for _, part := range p.parts {
		if part.IsExpression() {
			return true
		}
	}
	return false
}

// HasTimestamp reports whether the prefix contains a timestamp expression.
func (p *Prefix) HasTimestamp() bool { return p.has(NamespaceTimestamp, "") }

// HasErrorOutputType reports whether the prefix contains
// !{firehose:error-output-type}.
func (p *Prefix) HasErrorOutputType() bool { return p.has(NamespaceFirehose, FirehoseErrorOutput) }

// HasPartitionKeys reports whether the prefix uses a dynamic partitioning
// namespace (partitionKeyFromQuery; partitionKeyFromLambda never parses).
func (p *Prefix) HasPartitionKeys() bool { return p.has(NamespaceQuery, "") }

func (p *Prefix) has(ns, value string) bool {
	for _, part := range p.parts {
		if part.Namespace == ns && (value == "" || part.Value == value) {
			return true
		}
	}
	return false
}

// Effective returns the prefix Firehose actually evaluates: a prefix with no
// expression at all gets !{timestamp:yyyy/MM/dd/HH/} appended by plain
// concatenation ("legacy" becomes "legacy!{timestamp:yyyy/MM/dd/HH/}", so
// "legacy2026/07/13/14/"); a prefix with any expression, even only
// random-string, is used as it is. The empty prefix gives yyyy/MM/dd/HH/.
func Effective(raw string) string {
	if strings.Contains(raw, "!{") {
		return raw
	}
	return raw + DefaultTimePrefix
}

// EffectiveError returns the error prefix Firehose evaluates. An empty
// ErrorOutputPrefix (allowed only when Prefix has no expression) becomes
// <prefix>!{firehose:error-output-type}!{timestamp:yyyy/MM/dd/HH/}, following
// the documented "<specified-prefix><error-output-type>YYYY/MM/DD/HH/"; an
// error prefix without expressions gets the default time prefix like Prefix
// does. Neither case is confirmed on AWS.
func EffectiveError(prefix, errorPrefix string) string {
	if errorPrefix == "" {
		return prefix + "!{" + NamespaceFirehose + ":" + FirehoseErrorOutput + "}" + DefaultTimePrefix
	}
	return Effective(errorPrefix)
}

// evaluatedLength counts like Java's String.length (UTF-16 code units),
// which is how a Java service most likely measures "512 characters".
func evaluatedLength(b []byte) int {
	n := 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			n++
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b) // an invalid byte reads as U+FFFD
		n += max(utf16.RuneLen(r), 1)
		b = b[size:]
	}
	return n
}
