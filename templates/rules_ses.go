package templates

import (
	"fmt"
	"slices"
	"strings"
)

// ruleSES checks configuration sets and event destinations: a destination
// is enabled (the default is off), names valid event types, and covers the
// event types the table over its stream expects.
func ruleSES(t *Template, pairs []pairing) []Finding {
	var out []Finding
	for _, d := range t.OfType("AWS::SES::ConfigurationSetEventDestination") {
		f := &findings{t: t, res: d.ID}
		ed := d.Prop("EventDestination")
		if on, ok := ed.Get("Enabled").BoolValue(); !ok || !on {
			f.add(SeverityError, d.PropLine("EventDestination", "Enabled"), "Properties.EventDestination.Enabled", "ses.destination-disabled",
				"EventDestination.Enabled is not true (it defaults to false), so SES publishes no events to this destination")
		}
		types := t.checkEventTypeSpellings(f, d)
		t.checkCoverage(f, d, types, pairs)
		out = append(out, f.list...)
	}
	for _, cs := range t.OfType("AWS::SES::ConfigurationSet") {
		if on, _ := cs.Prop("ReputationOptions", "ReputationMetricsEnabled").BoolValue(); !on {
			out = append(out, Finding{File: t.File, Line: cs.PropLine("ReputationOptions"), Resource: cs.ID, Path: "Properties.ReputationOptions",
				Rule: "ses.reputation-metrics", Severity: SeverityInfo,
				Message: "reputation metrics are off for this configuration set (ReputationOptions.ReputationMetricsEnabled defaults to false); per-set bounce and complaint rates will not exist"})
		}
	}
	return out
}

func (t *Template) checkEventTypeSpellings(f *findings, d *Resource) []string {
	valid := matchingEventTypes()
	var types []string
	for i, n := range nodeList(d.Prop("EventDestination", "MatchingEventTypes")) {
		s, ok := n.Str()
		if !ok {
			continue
		}
		types = append(types, s)
		if slices.Contains(valid, s) {
			continue
		}
		msg := fmt.Sprintf("%q is not an SES event type for MatchingEventTypes (valid: %s)", s, strings.Join(valid, ", "))
		if hint := suggest(s, valid); hint != "" {
			msg = fmt.Sprintf("%q is not an SES event type for MatchingEventTypes; did you mean %q?", s, hint)
		}
		f.add(SeverityError, n.Line, fmt.Sprintf("Properties.EventDestination.MatchingEventTypes[%d]", i), "ses.event-type", "%s", msg)
	}
	return types
}

func (t *Template) checkCoverage(f *findings, d *Resource, types []string, pairs []pairing) {
	line := d.PropLine("EventDestination", "MatchingEventTypes")
	path := "Properties.EventDestination.MatchingEventTypes"
	streamID := getAttTarget(d.Prop("EventDestination", "KinesisFirehoseDestination", "DeliveryStreamARN"), "Arn")
	for _, p := range pairs {
		if p.expects == nil || p.stream.res.ID != streamID {
			continue
		}
		if missing := uncovered(p.expects, types); len(missing) > 0 {
			f.add(SeverityError, line, path, "ses.event-types-missing",
				"table %s projects event types %s, but this destination does not publish them to stream %s, so those partitions stay empty",
				p.table.res.ID, strings.Join(missing, ", "), streamID)
		}
		return
	}
	if d.Prop("EventDestination", "KinesisFirehoseDestination") == nil {
		return
	}
	if missing := uncovered(eventTypes(), types); len(missing) > 0 {
		f.add(SeverityWarning, line, path, "ses.event-types-missing",
			"this Firehose destination does not publish %s; the lake will have no such events", strings.Join(missing, ", "))
	}
}

// uncovered returns the event types whose MatchingEventTypes spelling is
// not in types.
func uncovered(eventTypes, types []string) []string {
	var out []string
	for _, et := range eventTypes {
		m, ok := matchingEventType(et)
		if ok && !slices.Contains(types, m) {
			out = append(out, et)
		}
	}
	return out
}

var (
	fromTableRE = lazyRE("(?i)\\b(?:from|join)\\s+((?:\"[^\"]+\"|`[^`]+`|[a-z_][a-z0-9_]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|`[^`]+`|[a-z_][a-z0-9_]*))?)(\\s*\\()?")
	cteRE       = lazyRE(`(?i)(?:\bwith|,)\s+([a-z_][a-z0-9_]*)\s+as\s*\(`)
)

// ruleAthena checks named queries read tables the template defines, and
// workgroups encrypt results outside the tables' data.
func ruleAthena(t *Template) []Finding {
	var out []Finding
	tables := map[string]bool{}
	var names []string
	var locations []string
	for _, g := range t.tables() {
		tables[g.name] = true
		names = append(names, g.name)
		if l := lead(templateSegments(g.key)); g.bucket != "" && l != "" {
			locations = append(locations, "s3://"+g.bucket+"/"+l)
		}
	}
	for _, q := range t.OfType("AWS::Athena::NamedQuery") {
		sql, ok := t.eval(q.Prop("QueryString"))
		if !ok || len(tables) == 0 {
			continue
		}
		for _, name := range unknownTables(sql, tables) {
			msg := fmt.Sprintf("the query reads table %s, which no AWS::Glue::Table in the template defines", name)
			if s := suggest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			out = append(out, Finding{File: t.File, Line: q.PropLine("QueryString"), Resource: q.ID, Path: "Properties.QueryString",
				Rule: "athena.unknown-table", Severity: SeverityError, Message: msg})
		}
	}
	for _, w := range t.OfType("AWS::Athena::WorkGroup") {
		out = append(out, t.workGroupFindings(w, locations)...)
	}
	return out
}

func unknownTables(sql string, tables map[string]bool) []string {
	ctes := map[string]bool{}
	for _, m := range cteRE.FindAllStringSubmatch(sql, -1) {
		ctes[strings.ToLower(m[1])] = true
	}
	var out []string
	for _, m := range fromTableRE.FindAllStringSubmatch(sql, -1) {
		if m[2] != "" { // a function such as UNNEST( or a subquery
			continue
		}
		parts := strings.Split(m[1], ".")
		name := strings.ToLower(strings.Trim(strings.TrimSpace(parts[len(parts)-1]), "\"`"))
		if tables[name] || ctes[name] || name == "unnest" || slices.Contains(out, name) {
			continue
		}
		out = append(out, name)
	}
	return out
}

func (t *Template) workGroupFindings(w *Resource, tableLocations []string) []Finding {
	var out []Finding
	rc := w.Prop("WorkGroupConfiguration", "ResultConfiguration")
	add := func(rule, msg string) {
		out = append(out, Finding{File: t.File, Line: w.PropLine("WorkGroupConfiguration", "ResultConfiguration"), Resource: w.ID,
			Path: "Properties.WorkGroupConfiguration.ResultConfiguration", Rule: rule, Severity: SeverityWarning, Message: msg})
	}
	if rc.Get("EncryptionConfiguration") == nil {
		add("athena.results-encryption", "query results are written unencrypted; set ResultConfiguration.EncryptionConfiguration (SSE_S3 or SSE_KMS)")
	}
	if loc, ok := t.eval(rc.Get("OutputLocation")); ok {
		for _, tl := range tableLocations {
			if strings.HasPrefix(loc, tl) {
				add("athena.results-in-table", fmt.Sprintf("results go to %s, inside table data under %s; Athena would read its own results as events", loc, tl))
			}
		}
	}
	return out
}
