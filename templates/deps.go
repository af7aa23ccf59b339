package templates

// deps.go is the one place where templates calls the packages other parts
// of sesctl own: the Firehose prefix rules (pipeline/prefix), the jq 1.6
// gate (pipeline/jq), the SES event model (schema) and the Athena table
// generator (athena). Validation and rendering go through these functions
// only, so `sesctl template validate` applies exactly the rules `sesctl
// replay` and `sesctl athena ddl` use.

import (
	"github.com/sesctl/sesctl/pipeline/prefix"
	"github.com/sesctl/sesctl/schema"
)

// streamRules returns the Firehose configuration rules a stream breaks.
func streamRules(pfx, errorPrefix string, queryKeys []string, dp bool) []*prefix.RuleError {
	return prefix.ValidateStream(pfx, errorPrefix, queryKeys, dp)
}

// prefixLint returns prefix pitfalls Firehose accepts (YYYY, DD, "//").
func prefixLint(raw string) []*prefix.RuleError { return prefix.Lint(raw) }

// parsePrefix parses a prefix expression.
func parsePrefix(raw string) (*prefix.Prefix, error) { return prefix.Parse(raw) }

// effectivePrefix applies Firehose's default time prefix rule.
func effectivePrefix(raw string) string { return prefix.Effective(raw) }

// eventTypes are the ten SES eventType values.
func eventTypes() []string { return schema.EventTypes }

// matchingEventType is the CloudFormation MatchingEventTypes spelling.
func matchingEventType(eventType string) (string, bool) { return schema.MatchingEventType(eventType) }

// matchingEventTypes are all ten CloudFormation spellings.
func matchingEventTypes() []string { return schema.MatchingEventTypes() }

// suggest returns the closest candidate to s ("" when none is close).
func suggest(s string, candidates []string) string { return schema.Suggest(s, candidates) }

// eventColumns are the SES event table's columns.
func eventColumns() []schema.Column { return schema.Columns() }
