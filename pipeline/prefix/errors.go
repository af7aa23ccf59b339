package prefix

import "fmt"

// Rule ids. They are stable: tests, the CLI and the docs refer to them.
const (
	RuleUnknownNamespace     = "prefix.unknown-namespace"
	RuleUnknownFirehoseValue = "prefix.unknown-firehose-value"
	RuleLambdaUnsupported    = "prefix.lambda-unsupported"
	RuleBangBrace            = "prefix.bang-brace"
	RuleEmptyValue           = "prefix.empty-value"
	RuleErrorTypeInPrefix    = "prefix.error-type-in-prefix"
	RuleUnusedQueryKey       = "prefix.unused-query-key"
	RuleUndefinedQueryKey    = "prefix.undefined-query-key"
	RuleTooLong              = "prefix.too-long"
	RuleEvaluatedTooLong     = "prefix.evaluated-too-long"
	RuleNeedsDynamic         = "prefix.needs-dynamic-partitioning"
	RuleNoDynamicNamespace   = "prefix.no-dynamic-namespace"
	RuleMissingKey           = "prefix.missing-key"
	RuleEmptyKey             = "prefix.empty-key"
	RuleNoErrorOutputType    = "prefix.no-error-output-type"
	RuleErrorPrefixRequired  = "error-prefix.required"
	RuleErrorPrefixNoType    = "error-prefix.missing-error-type"
	RuleErrorPrefixPartition = "error-prefix.partition-key"
	RuleErrorPrefixTooLong   = "error-prefix.too-long"
	RuleQueryNeedsDynamic    = "query.needs-dynamic-partitioning"
	RuleQueryTooManyKeys     = "query.too-many-keys"
	RuleBadPattern           = "timestamp.bad-pattern"
	RuleParseTime            = "timestamp.parse"
	RuleLintWeekYear         = "lint.week-based-year"
	RuleLintDayOfYear        = "lint.day-of-year"
	RuleLintHourWithoutAmPm  = "lint.hour-without-ampm"
	RuleLintDoubleSlash      = "lint.double-slash"
)

// RuleError is a violation of one Firehose prefix rule. Rule is a stable id
// (one of the Rule* constants); Msg says what is wrong and where.
type RuleError struct {
	Rule string
	Msg  string
}

func (e *RuleError) Error() string {
	return e.Msg + " [rule: " + e.Rule + "]"
}

func ruleErr(rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Msg: fmt.Sprintf(format, args...)}
}
