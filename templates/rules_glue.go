package templates

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// pairing is a Glue table laid over what a stream writes.
type pairing struct {
	table  *glueTable
	stream *stream
	// expects are the event types the table's event-type enum projects
	// (nil when the table has no such enum).
	expects []string
}

// ruleGlue checks every Glue table: projection completeness, SerDe
// mappings, column types, and, when it lies over a stream in the template,
// its storage.location.template, projected formats, enum values and range
// against that stream's prefix, query and the bucket's lifecycle.
func ruleGlue(t *Template, streams []*stream) ([]Finding, []pairing) {
	var out []Finding
	var pairs []pairing
	for _, g := range t.tables() {
		f := &findings{t: t, res: g.res.ID}
		t.checkProjection(f, g)
		t.checkSerdeMappings(f, g)
		t.checkColumnTypes(f, g)
		if p, ok := t.pairTable(f, g, streams); ok {
			pairs = append(pairs, p)
		}
		out = append(out, f.list...)
	}
	return out, pairs
}

var projectionTypes = []string{"enum", "integer", "date", "injected"}

func (t *Template) checkProjection(f *findings, g *glueTable) {
	if !g.projection() {
		return
	}
	line := g.paramLine("projection.enabled")
	path := "Properties.TableInput.Parameters"
	if g.template == "" {
		f.add(SeverityError, line, path, "glue.projection-incomplete", "projection.enabled is true but there is no storage.location.template")
	}
	for _, c := range g.partitions {
		typ := strings.ToLower(strings.TrimSpace(g.prop(c.name + ".type")))
		need := map[string][]string{"enum": {"values"}, "integer": {"range"}, "date": {"format", "range"}}[typ]
		switch {
		case typ == "":
			f.add(SeverityError, line, path, "glue.projection-incomplete",
				"partition column %s has no projection.%s.type; Athena fails with HIVE_METASTORE_ERROR (missing projection configuration)", c.name, c.name)
		case !slices.Contains(projectionTypes, typ):
			f.add(SeverityError, g.paramLine("projection."+c.name+".type"), path, "glue.projection-incomplete",
				"projection.%s.type %q is not enum, integer, date or injected", c.name, typ)
		case typ == "injected" && !strings.EqualFold(c.typ, "string"):
			f.add(SeverityError, c.line, "Properties.TableInput.PartitionKeys", "glue.projection-incomplete",
				"injected partition column %s must be of type string (it is %s)", c.name, c.typ)
		}
		for _, k := range need {
			if strings.TrimSpace(g.prop(c.name+"."+k)) == "" {
				f.add(SeverityError, line, path, "glue.projection-incomplete", "%s projection of %s needs projection.%s.%s", typ, c.name, c.name, k)
			}
		}
		if g.template != "" && !strings.Contains(strings.ToLower(g.template), "${"+c.name+"}") {
			f.add(SeverityError, g.paramLine("storage.location.template"), path, "glue.projection-incomplete",
				"storage.location.template has no ${%s}; Athena fails with INVALID_TABLE_PROPERTY (it must contain templates for all partition columns)", c.name)
		}
	}
}

// pairTable finds the stream whose Prefix (or ErrorOutputPrefix) the
// table's location template lies over and checks the two agree.
func (t *Template) pairTable(f *findings, g *glueTable, streams []*stream) (pairing, bool) {
	if g.template == "" || !g.projection() {
		return pairing{}, false
	}
	tmpl := templateSegments(g.key)
	var inBucket []*stream
	for _, s := range streams {
		if s.bucket == "" || s.bucket != g.bucket || !s.prefixOK {
			continue
		}
		inBucket = append(inBucket, s)
		for _, raw := range []string{effectivePrefix(s.prefix), s.errPrefix} {
			segs, ok := prefixSegments(raw)
			if ok && raw != "" && lead(segs) == lead(tmpl) {
				return t.compareLayout(f, g, s, raw, segs, tmpl), true
			}
		}
	}
	if len(inBucket) == 1 {
		s := inBucket[0]
		f.add(SeverityError, g.paramLine("storage.location.template"), "Properties.TableInput.Parameters.storage.location.template", "glue.location-template",
			"storage.location.template %q is not where stream %s writes: its Prefix is %q and its ErrorOutputPrefix %q", g.template, s.res.ID, s.prefix, s.errPrefix)
	}
	return pairing{}, false
}

func (t *Template) compareLayout(f *findings, g *glueTable, s *stream, raw string, pfx, tmpl []segment) pairing {
	p := pairing{table: g, stream: s}
	line := g.paramLine("storage.location.template")
	path := "Properties.TableInput.Parameters.storage.location.template"
	pairs, ok := align(pfx, tmpl)
	if !ok {
		hint := ""
		if !strings.HasSuffix(raw, "/") && !strings.HasSuffix(raw, "/}") {
			hint = "; the prefix does not end with \"/\", so Firehose glues object names onto the last partition value"
		}
		f.add(SeverityError, line, path, "glue.location-template",
			"storage.location.template %q does not match stream %s's prefix %q: it should be %q%s",
			g.template, s.res.ID, raw, expectedTemplate(g.bucket, pfx, g.partitions), hint)
		return p
	}
	owner := map[string]string{} // column name -> the query key it is named after
	for _, pr := range pairs {
		if pr[0].ns == "partitionKeyFromQuery" {
			owner[columnName(pr[0].value)] = pr[0].value
		}
	}
	for _, pr := range pairs {
		expr, col := pr[0], pr[1]
		if k, ok := owner[col.value]; ok && expr.ns == "partitionKeyFromQuery" && k != expr.value {
			f.add(SeverityError, line, path, "glue.location-template",
				"storage.location.template puts ${%s} where stream %s's prefix writes !{partitionKeyFromQuery:%s}; queries on %s would read %s values",
				col.value, s.res.ID, expr.value, col.value, expr.value)
			continue
		}
		switch expr.ns {
		case "timestamp":
			t.checkDateColumn(f, g, s, expr, col.value)
		case "partitionKeyFromQuery":
			if exp := t.checkEnumColumn(f, g, s, expr.value, col.value); exp != nil {
				p.expects = exp
			}
		}
	}
	return p
}

func (t *Template) checkDateColumn(f *findings, g *glueTable, s *stream, expr segment, col string) {
	path := "Properties.TableInput.Parameters"
	typ := strings.ToLower(strings.TrimSpace(g.prop(col + ".type")))
	if typ != "date" {
		if typ != "" && typ != "injected" {
			f.add(SeverityError, g.paramLine("projection."+col+".type"), path, "glue.projection-type",
				"partition column %s holds !{timestamp:%s} values; project it as type date (it is %s)", col, expr.value, typ)
		}
		return
	}
	if format := g.prop(col + ".format"); format != expr.value {
		f.add(SeverityError, g.paramLine("projection."+col+".format"), path+".projection."+col+".format", "glue.date-format",
			"projection.%s.format %q is not the prefix's timestamp pattern %q (stream %s); Athena would look for partitions under keys Firehose never writes",
			col, format, expr.value, s.res.ID)
	}
	t.checkRange(f, g, col)
}

// checkEnumColumn compares an enum projection over a query key with the
// values the query yields on the official samples. It applies when the key
// tells all ten event types apart (an event-type key) and returns the event
// types the enum covers.
func (t *Template) checkEnumColumn(f *findings, g *glueTable, s *stream, key, col string) []string {
	if s.compiled == nil || strings.ToLower(strings.TrimSpace(g.prop(col+".type"))) != "enum" {
		return nil
	}
	yields := yieldedValues(s.compiled, key)
	distinct := map[string]string{} // value -> event type
	for et, v := range yields {
		distinct[v] = et
	}
	if len(distinct) != len(samples()) {
		return nil // not an event-type key: its values depend on the data
	}
	enum := strings.Split(g.prop(col+".values"), ",")
	var never, missing, expects []string
	for _, v := range enum {
		if et, ok := distinct[v]; ok {
			expects = append(expects, et)
		} else {
			never = append(never, strconv.Quote(v))
		}
	}
	for v := range distinct {
		if !slices.Contains(enum, v) {
			missing = append(missing, strconv.Quote(v))
		}
	}
	sort.Strings(missing)
	if len(never)+len(missing) > 0 {
		msg := fmt.Sprintf("projection.%s.values does not equal what the query yields for key %q (stream %s)", col, key, s.res.ID)
		if len(never) > 0 {
			msg += fmt.Sprintf("; never produced: %s (enum values are literal: quotes, backticks and spaces are part of the value)", strings.Join(never, ", "))
		}
		if len(missing) > 0 {
			msg += fmt.Sprintf("; produced but not projected, so invisible to queries: %s", strings.Join(missing, ", "))
		}
		f.add(SeverityError, g.paramLine("projection."+col+".values"), "Properties.TableInput.Parameters.projection."+col+".values", "glue.projection-enum", "%s", msg)
	}
	return expects
}

var nowRangeRE = lazyRE(`(?i)^\s*NOW\s*-\s*(\d+)\s*(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?\s*$`)

// rangeDays returns how many days back a NOW-relative range start reaches.
func rangeDays(start string) (int, bool) {
	m := nowRangeRE.FindStringSubmatch(start)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, false
	}
	per := map[string]float64{"YEAR": 365, "MONTH": 31, "WEEK": 7, "DAY": 1, "HOUR": 1.0 / 24, "MINUTE": 1.0 / 1440, "SECOND": 1.0 / 86400}[strings.ToUpper(m[2])]
	d := float64(n) * per
	days := int(d)
	if float64(days) < d {
		days++
	}
	return days, true
}

func (t *Template) checkRange(f *findings, g *glueTable, col string) {
	rng := g.prop(col + ".range")
	start, _, _ := strings.Cut(rng, ",")
	expiry, rule := t.expiryFor(g.bucket, lead(templateSegments(g.key)))
	if expiry == 0 || rng == "" {
		return
	}
	line := g.paramLine("projection." + col + ".range")
	path := "Properties.TableInput.Parameters.projection." + col + ".range"
	days, ok := rangeDays(start)
	switch {
	case !ok:
		f.add(SeverityWarning, line, path, "glue.projection-range",
			"projection.%s.range starts at a fixed point (%q) while lifecycle rule %s expires objects after %d days; the range keeps growing over partitions that no longer exist (use NOW-%dDAYS,NOW)",
			col, strings.TrimSpace(start), rule, expiry, expiry)
	case days > expiry:
		f.add(SeverityWarning, line, path, "glue.projection-range",
			"projection.%s.range reaches back %d days but lifecycle rule %s expires objects after %d days; queries scan partitions that no longer exist (use NOW-%dDAYS,NOW)",
			col, days, rule, expiry, expiry)
	}
}

// expiryFor returns the shortest ExpirationInDays of an enabled lifecycle
// rule of bucket that covers keys starting with keyLead.
func (t *Template) expiryFor(bucket, keyLead string) (days int, rule string) {
	for _, b := range t.OfType("AWS::S3::Bucket") {
		if name, _ := t.refValue(b.ID, 0); name != bucket {
			continue
		}
		for i, r := range nodeList(b.Prop("LifecycleConfiguration", "Rules")) {
			if st, _ := r.Get("Status").Str(); st != "Enabled" || r.Get("TagFilters") != nil {
				continue
			}
			n, ok := r.Get("ExpirationInDays").IntValue()
			p, _ := t.evalOrEmpty(r.Get("Prefix"))
			if !ok || n <= 0 || !strings.HasPrefix(keyLead, p) {
				continue
			}
			if days == 0 || n < days {
				days = n
				rule, _ = r.Get("Id").Str()
				if rule == "" {
					rule = fmt.Sprintf("#%d", i+1)
				}
			}
		}
	}
	return days, rule
}
