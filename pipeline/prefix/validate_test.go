package prefix

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func rules(errs []*RuleError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Rule)
	}
	sort.Strings(out)
	return out
}

const (
	dpPrefix = "events/!{partitionKeyFromQuery:sender}/!{partitionKeyFromQuery:type}/!{timestamp:yyyy/MM/dd}/"
	dpError  = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
)

var dpKeys = []string{"sender", "type"}

// TestValidateStreamRules has, for every rule, a configuration that breaks
// it and a close one that passes.
func TestValidateStreamRules(t *testing.T) {
	long := strings.Repeat("a", 1025)
	type cfg struct {
		prefix, errorPrefix string
		keys                []string
		dp                  bool
	}
	tests := []struct {
		rule       string
		bad, good  cfg
		msgContain string
	}{
		{RuleErrorPrefixRequired, cfg{"d=!{timestamp:yyyy}/", "", nil, false}, cfg{"d=!{timestamp:yyyy}/", "e/!{firehose:error-output-type}/", nil, false},
			"ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"},
		{RuleErrorPrefixRequired, cfg{dpPrefix, "", dpKeys, true}, cfg{dpPrefix, dpError, dpKeys, true}, "cannot be null"},
		{RuleErrorPrefixNoType, cfg{"p/", "e/!{timestamp:yyyy}/", nil, false}, cfg{"p/", "e/!{timestamp:yyyy}/!{firehose:error-output-type}", nil, false},
			"must contain !{firehose:error-output-type}"},
		{RuleErrorTypeInPrefix, cfg{"p/!{firehose:error-output-type}/", dpError, nil, false}, cfg{"p/!{firehose:random-string}/", dpError, nil, false},
			"cannot contain !{firehose:error-output-type}"},
		{RuleErrorPrefixPartition, cfg{dpPrefix, "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:type}/", dpKeys, true}, cfg{dpPrefix, dpError, dpKeys, true},
			"cannot use the partitionKeyFromQuery"},
		{RuleNoDynamicNamespace, cfg{"p/!{timestamp:yyyy}/", dpError, nil, true}, cfg{"p/!{partitionKeyFromQuery:k}/", dpError, []string{"k"}, true},
			"S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is enabled"},
		{RuleNeedsDynamic, cfg{"p/!{partitionKeyFromQuery:k}/", dpError, []string{"k"}, false}, cfg{"p/!{partitionKeyFromQuery:k}/", dpError, []string{"k"}, true},
			"Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled"},
		{RuleQueryNeedsDynamic, cfg{"p/", "", []string{"k"}, false}, cfg{"p/", "", nil, false}, "MetadataExtractionProcessor can only be present"},
		{RuleUnusedQueryKey, cfg{"p/!{partitionKeyFromQuery:sender}/", dpError, dpKeys, true}, cfg{dpPrefix, dpError, dpKeys, true},
			"you must use all specified dynamic partitioning key values"},
		{RuleUndefinedQueryKey, cfg{dpPrefix, dpError, []string{"sender"}, true}, cfg{dpPrefix, dpError, dpKeys, true}, `does not define key "type"`},
		{RuleUndefinedQueryKey, cfg{dpPrefix, dpError, nil, true}, cfg{dpPrefix, dpError, dpKeys, true}, "MetadataExtraction processor should be present"},
		// 50 keys cannot all fit in a 1024-character prefix; the count is
		// still reported on its own.
		{RuleQueryTooManyKeys, cfg{"p/" + keysPrefix(51), dpError, keyNames(51), true}, cfg{"p/" + keysPrefix(30), dpError, keyNames(30), true}, "at most 50"},
		{RuleTooLong, cfg{long, "", nil, false}, cfg{long[1:], "", nil, false}, "1025 characters"},
		{RuleErrorPrefixTooLong, cfg{"p/", long, nil, false}, cfg{"p/", long[1:], nil, false}, "at most 1024"},
		{RuleUnknownNamespace, cfg{"p/!{ts:yyyy}/", dpError, nil, false}, cfg{"p/!{timestamp:yyyy}/", dpError, nil, false}, "Prefix: expression"},
		{RuleUnknownNamespace, cfg{"p/", "e/!{firehose:error-output-type}/!{x:y}", nil, false}, cfg{"p/", dpError, nil, false}, "ErrorOutputPrefix: expression"},
		{RuleBangBrace, cfg{"p/!{/", "", nil, false}, cfg{"p/!/", "", nil, false}, `"!{" at column 3`},
		{RuleLambdaUnsupported, cfg{"p/!{partitionKeyFromLambda:k}/", dpError, nil, true}, cfg{"p/!{partitionKeyFromQuery:k}/", dpError, []string{"k"}, true}, "Lambda"},
		{RuleBadPattern, cfg{"p/!{timestamp:YYYY-ww-F}/", dpError, nil, false}, cfg{"p/!{timestamp:YYYY-ww-e}/", dpError, nil, false}, "'F'"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			errs := ValidateStream(tc.bad.prefix, tc.bad.errorPrefix, tc.bad.keys, tc.bad.dp)
			var found *RuleError
			for _, e := range errs {
				if e.Rule == tc.rule {
					found = e
				}
			}
			if found == nil {
				t.Fatalf("bad config %+v: rules %v, want %s", tc.bad, rules(errs), tc.rule)
			}
			if !strings.Contains(found.Msg, tc.msgContain) {
				t.Errorf("message %q does not contain %q", found.Msg, tc.msgContain)
			}
			if errs := ValidateStream(tc.good.prefix, tc.good.errorPrefix, tc.good.keys, tc.good.dp); len(errs) != 0 {
				t.Errorf("good config %+v: %v", tc.good, errs)
			}
		})
	}
}

func TestValidateStreamErrorPrefixWithDynamicPartitioning(t *testing.T) {
	errs := ValidateStream("p/", "", nil, true)
	want := []string{RuleErrorPrefixRequired, RuleNoDynamicNamespace}
	if got := rules(errs); !reflect.DeepEqual(got, want) || !strings.Contains(errs[0].Msg, "dynamic partitioning is enabled") {
		t.Errorf("rules = %v (%v), want %v", got, errs, want)
	}
}

func keyNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("k%d", i))
	}
	return out
}

func keysPrefix(n int) string {
	var b strings.Builder
	for _, k := range keyNames(n) {
		b.WriteString("!{partitionKeyFromQuery:" + k + "}/")
	}
	return b.String()
}

func TestValidateStreamValidConfigs(t *testing.T) {
	tests := []struct {
		prefix, errorPrefix string
		keys                []string
		dp                  bool
	}{
		{"", "", nil, false},          // Firehose defaults
		{"legacy", "", nil, false},    // literal prefix, no error prefix
		{"p/", "errors/", nil, false}, // literal error prefix
		{"", "f/!{firehose:error-output-type}/", nil, false},
		{dpPrefix, dpError, dpKeys, true},
		{"k=!{partitionKeyFromQuery:k}/r=!{firehose:random-string}/", "e/!{firehose:error-output-type}/!{firehose:random-string}", []string{"k"}, true},
	}
	for _, tc := range tests {
		if errs := ValidateStream(tc.prefix, tc.errorPrefix, tc.keys, tc.dp); len(errs) != 0 {
			t.Errorf("ValidateStream(%q, %q, %v, %v) = %v", tc.prefix, tc.errorPrefix, tc.keys, tc.dp, errs)
		}
	}
}

// TestValidateStreamAllViolations checks that every broken rule is reported.
func TestValidateStreamAllViolations(t *testing.T) {
	errs := ValidateStream("p/!{firehose:error-output-type}/!{bad:x}/!{partitionKeyFromQuery:b}/", "e/!{timestamp:yyyy}/!{partitionKeyFromQuery:a}", []string{"a"}, false)
	want := []string{RuleErrorPrefixNoType, RuleErrorPrefixPartition, RuleErrorTypeInPrefix, RuleNeedsDynamic, RuleQueryNeedsDynamic,
		RuleUndefinedQueryKey, RuleUnknownNamespace, RuleUnusedQueryKey}
	sort.Strings(want)
	if got := rules(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("rules = %v\nwant %v", got, want)
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string
	}{
		{"p/!{timestamp:yyyy/MM/dd}/", nil},
		{"p/!{timestamp:YYYY/MM/dd}/", []string{RuleLintWeekYear}},
		{"p/!{timestamp:YYYY-'W'ww}/", nil},
		{"p/!{timestamp:yyyy/MM/DDD}/", []string{RuleLintDayOfYear}},
		{"p/!{timestamp:yyyy/DDD}/", nil},
		{"p/!{timestamp:hh}/", []string{RuleLintHourWithoutAmPm}},
		{"p/!{timestamp:hha}/", nil},
		{"partitioned/!{partitionKeyFromQuery:a}/!{timestamp:yyyy/MM/dd/HH/}/", []string{RuleLintDoubleSlash}},
		{"/p/!{timestamp:yyyy}/", []string{RuleLintDoubleSlash}},
		{"p//x/", []string{RuleLintDoubleSlash}},
		{"!{bad}", nil}, // does not parse: nothing to lint
	}
	for _, tc := range tests {
		got := rules(Lint(tc.prefix))
		if tc.want == nil {
			tc.want = []string{}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Lint(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
	}
}
