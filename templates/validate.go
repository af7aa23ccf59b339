package templates

import (
	"fmt"
)

// Report is the outcome of validating one template.
type Report struct {
	File     string    `json:"file"`
	Findings []Finding `json:"findings"`
}

// Count returns how many findings are at least as severe as min.
func (r *Report) Count(min Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity.AtLeast(min) {
			n++
		}
	}
	return n
}

// Validate checks a CloudFormation template (YAML or JSON). The error is
// for input that is not a readable template at all (exit 2); everything
// else is a finding.
func Validate(file string, data []byte) (*Report, error) {
	t, findings, err := parseTemplate(file, data)
	if err != nil {
		return nil, err
	}
	findings = append(findings, t.check()...)
	sortFindings(findings)
	return &Report{File: file, Findings: dedupe(findings)}, nil
}

func (t *Template) check() []Finding {
	var out []Finding
	out = append(out, ruleRefs(t)...)
	out = append(out, ruleSchema(t)...)
	out = append(out, ruleBuckets(t)...)
	out = append(out, ruleIAM(t)...)
	streams := t.streams()
	out = append(out, ruleFirehose(t, streams)...)
	glue, pairs := ruleGlue(t, streams)
	out = append(out, glue...)
	out = append(out, ruleSES(t, pairs)...)
	out = append(out, ruleAthena(t)...)
	out = append(out, ruleMetrics(t)...)
	return out
}

func dedupe(fs []Finding) []Finding {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := fmt.Sprintf("%d|%s|%s|%s|%s", f.Line, f.Resource, f.Path, f.Rule, f.Message)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
