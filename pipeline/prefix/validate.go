package prefix

import (
	"strings"
	"unicode/utf8"
)

// MaxQueryKeys is the number of partitioning keys Firehose allows.
const MaxQueryKeys = 50

// ValidateStream checks a stream's Prefix, ErrorOutputPrefix, the keys its
// jq query defines and whether dynamic partitioning is on, against the rules
// Firehose enforces when a stream is created or updated. It returns every
// violation, not just the first. Message texts quote the AWS error where one
// is known.
func ValidateStream(prefix, errorPrefix string, queryKeys []string, dynamicPartitioning bool) []*RuleError {
	v := &validator{dp: dynamicPartitioning}
	v.p = v.parse("Prefix", prefix, RuleTooLong)
	v.e = v.parse("ErrorOutputPrefix", errorPrefix, RuleErrorPrefixTooLong)
	v.errorPrefixRules(prefix, errorPrefix)
	v.dynamicRules(queryKeys)
	return v.errs
}

type validator struct {
	dp   bool
	p, e *Prefix
	errs []*RuleError
}

func (v *validator) add(rule, format string, args ...any) {
	v.errs = append(v.errs, ruleErr(rule, format, args...))
}

// parse checks length and syntax. The prefix it returns holds the valid
// expressions even when others failed, so later rules still apply.
func (v *validator) parse(name, raw, lengthRule string) *Prefix {
	if n := utf8.RuneCountInString(raw); n > MaxConfiguredLength {
		v.add(lengthRule, "%s is %d characters; the Firehose API allows at most %d", name, n, MaxConfiguredLength)
	}
	p, errs := parse(raw)
	for _, err := range errs {
		v.errs = append(v.errs, &RuleError{Rule: err.Rule, Msg: name + ": " + err.Msg})
	}
	// parse keeps no part for a failed expression; a refused Lambda key
	// still counts as a dynamic partitioning namespace for the rules below.
	return p
}

func (v *validator) errorPrefixRules(prefix, errorPrefix string) {
	prefixHasExpr := strings.Contains(prefix, "!{")
	switch {
	case errorPrefix == "" && prefixHasExpr:
		v.add(RuleErrorPrefixRequired, "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions")
	case errorPrefix == "" && v.dp:
		v.add(RuleErrorPrefixRequired, "ErrorOutputPrefix is required when dynamic partitioning is enabled")
	}
	if strings.Contains(errorPrefix, "!{") && !v.e.HasErrorOutputType() {
		v.add(RuleErrorPrefixNoType, "ErrorOutputPrefix %q has expressions, so it must contain !{firehose:error-output-type} at least once", errorPrefix)
	}
	if v.p.HasErrorOutputType() {
		v.add(RuleErrorTypeInPrefix, "Prefix %q cannot contain !{firehose:error-output-type}; it is only valid in ErrorOutputPrefix", prefix)
	}
	if hasDynamicNamespace(errorPrefix) {
		v.add(RuleErrorPrefixPartition, "ErrorOutputPrefix %q cannot use the partitionKeyFromQuery or partitionKeyFromLambda namespaces", errorPrefix)
	}
}

func hasDynamicNamespace(raw string) bool {
	return strings.Contains(raw, "!{"+NamespaceQuery+":") || strings.Contains(raw, "!{"+NamespaceLambda+":")
}

func (v *validator) dynamicRules(queryKeys []string) {
	raw := v.p.Raw()
	dynamic := hasDynamicNamespace(raw)
	switch {
	case v.dp && !dynamic:
		v.add(RuleNoDynamicNamespace, "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled (Prefix %q has none)", raw)
	case !v.dp && dynamic:
		v.add(RuleNeedsDynamic, "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled (Prefix %q)", raw)
	}
	if !v.dp && len(queryKeys) > 0 {
		v.add(RuleQueryNeedsDynamic, "MetadataExtractionProcessor can only be present when Dynamic Partitioning is enabled (the jq query defines %s)", strings.Join(queryKeys, ", "))
	}
	if len(queryKeys) > MaxQueryKeys {
		v.add(RuleQueryTooManyKeys, "the jq query defines %d partitioning keys; Firehose allows at most %d", len(queryKeys), MaxQueryKeys)
	}
	used := v.p.QueryKeys()
	for _, k := range queryKeys {
		if !contains(used, k) {
			v.add(RuleUnusedQueryKey, "When dynamic partitioning via inline parsing is enabled, you must use all specified dynamic partitioning key values for partitioning your data source: key %q is not used in Prefix %q", k, raw)
		}
	}
	for _, k := range used {
		if contains(queryKeys, k) {
			continue
		}
		if len(queryKeys) == 0 {
			v.add(RuleUndefinedQueryKey, "MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery namespace: key %q is not defined by any jq query", k)
			continue
		}
		v.add(RuleUndefinedQueryKey, "Prefix uses !{partitionKeyFromQuery:%s} but the jq query does not define key %q (it defines %s)", k, k, strings.Join(queryKeys, ", "))
	}
}
