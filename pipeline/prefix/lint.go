package prefix

import (
	"strings"
	"time"
)

// Lint reports prefixes that Firehose accepts but that probably do not do
// what their author meant: Java pattern pitfalls (YYYY, DD, hh) and
// evaluated keys with "//" or a leading "/". Lint findings are warnings,
// not configuration errors; a prefix that does not parse gives none.
func Lint(raw string) []*RuleError {
	p, err := Parse(raw)
	if err != nil {
		return nil
	}
	var out []*RuleError
	for _, part := range p.parts {
		if part.Time != nil {
			out = append(out, lintPattern(raw, part)...)
		}
	}
	if msg := slashProblem(p); msg != "" {
		out = append(out, ruleErr(RuleLintDoubleSlash, "prefix %q: %s", raw, msg))
	}
	return out
}

func lintPattern(raw string, part Part) []*RuleError {
	has := func(f field) bool {
		for _, el := range part.Time.elems {
			if el.field == f {
				return true
			}
		}
		return false
	}
	at := column(raw, part.Offset)
	var out []*RuleError
	if has(fWeekYear) && (has(fMonth) || has(fDayOfMonth) || has(fDayOfYear)) && !has(fWeekOfYear) {
		out = append(out, ruleErr(RuleLintWeekYear, "timestamp pattern %q at column %d: Y is the week-based year (2019-12-30 formats as 2020); use y for the calendar year", part.Value, at))
	}
	if has(fDayOfYear) && has(fMonth) {
		out = append(out, ruleErr(RuleLintDayOfYear, "timestamp pattern %q at column %d: D is the day of the year (1-366), not of the month; use d", part.Value, at))
	}
	if (has(fClockHourAmPm) || has(fHourAmPm)) && !has(fAmPm) {
		out = append(out, ruleErr(RuleLintHourWithoutAmPm, "timestamp pattern %q at column %d: h and K count hours 1-12/0-11 and repeat every 12 hours without 'a'; use H for 0-23", part.Value, at))
	}
	return out
}

// slashProblem evaluates the prefix with sample values and reports an empty
// path segment, which Athena cannot read (LOCATION paths with "//").
func slashProblem(p *Prefix) string {
	keys := make(map[string]string, len(p.keys))
	for _, k := range p.keys {
		keys[k] = "k"
	}
	out, err := p.Eval(Values{
		Keys: keys, Time: time.Date(2024, 3, 8, 9, 0, 0, 0, time.UTC), ErrorOutputType: "processing-failed",
		RandomString: func() string { return "r" },
	})
	switch {
	case err != nil:
		return ""
	case strings.Contains(out, "//"):
		return "evaluates to a key with \"//\" (" + out + "); Athena returns no rows for LOCATION paths with a double slash"
	case strings.HasPrefix(out, "/"):
		return "evaluates to a key starting with \"/\" (" + out + "), an empty first path segment"
	}
	return ""
}
