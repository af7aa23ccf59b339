package templates

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// metricsFunction is a Lambda function that runs `sesctl metrics publish`
// with the command line in its SESCTL_ARGS environment variable.
type metricsFunction struct {
	res       *Resource
	flags     map[string]string // flag name without dashes -> value ("true" for switches)
	namespace string
	line      int
}

const argsPath = "Properties.Environment.Variables.SESCTL_ARGS"

// switches are metrics publish's flags without a value.
var switches = []string{"athena", "dry-run", "no-totals", "zeroed", "help"}

// ruleMetrics checks scheduled sesctl metrics functions against the
// template (the database, table, workgroup and bucket they query, the
// namespace their role may publish to), the alarms on what they publish,
// and EventBridge schedules' permission to invoke Lambda functions.
func ruleMetrics(t *Template) []Finding {
	var out []Finding
	fns := t.metricsFunctions(&out)
	for _, fn := range fns {
		f := &findings{t: t, res: fn.res.ID}
		t.checkMetricsArgs(f, fn)
		t.checkMetricsResources(f, fn)
		out = append(out, f.list...)
		out = append(out, t.checkMetricsNamespace(fn)...)
	}
	out = append(out, t.checkAlarms(fns)...)
	out = append(out, t.checkInvokePermissions()...)
	return out
}

func (t *Template) metricsFunctions(out *[]Finding) []*metricsFunction {
	var fns []*metricsFunction
	for _, r := range t.OfType("AWS::Lambda::Function") {
		n := r.Prop("Environment", "Variables", "SESCTL_ARGS")
		text, ok := t.eval(n)
		if n == nil || !ok {
			continue
		}
		line := r.PropLine("Environment", "Variables", "SESCTL_ARGS")
		var args []string
		if err := json.Unmarshal([]byte(text), &args); err != nil {
			*out = append(*out, Finding{File: t.File, Line: line, Resource: r.ID, Path: argsPath, Rule: "metrics.args", Severity: SeverityError,
				Message: fmt.Sprintf("SESCTL_ARGS must be a JSON array of strings (sesctl reads its command line from it): %v", err)})
			continue
		}
		if len(args) < 2 || args[0] != "metrics" || args[1] != "publish" {
			continue
		}
		fn := &metricsFunction{res: r, flags: parseFlags(args[2:]), line: line}
		fn.namespace = fn.flag("namespace", defaultNamespace())
		fns = append(fns, fn)
	}
	return fns
}

// parseFlags reads --name value, --name=value and switches.
func parseFlags(args []string) map[string]string {
	flags := map[string]string{}
	for i := 0; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok {
			continue
		}
		if k, v, eq := strings.Cut(name, "="); eq {
			flags[k] = v
			continue
		}
		if slices.Contains(switches, name) || i+1 == len(args) {
			flags[name] = "true"
			continue
		}
		flags[name] = args[i+1]
		i++
	}
	return flags
}

func (fn *metricsFunction) flag(name, def string) string {
	if v, ok := fn.flags[name]; ok {
		return v
	}
	return def
}

func (t *Template) checkMetricsArgs(f *findings, fn *metricsFunction) {
	if fn.flags["athena"] != "true" {
		f.add(SeverityError, fn.line, argsPath, "metrics.args", "SESCTL_ARGS lacks --athena: a Lambda function has no local lake, so metrics publish must read the events with Athena")
	}
	if since, ok := fn.flags["since"]; ok {
		if err := checkSince(since); err != nil {
			f.add(SeverityError, fn.line, argsPath, "metrics.args", "SESCTL_ARGS --since: %v", err)
		}
	}
	_, loc := fn.flags["location"]
	_, ids := fn.flags["identity"]
	if fn.flags["athena"] == "true" && !loc && !ids {
		f.add(SeverityError, fn.line, argsPath, "metrics.args", "SESCTL_ARGS has neither --location nor --identity, so metrics publish --athena cannot tell which identities to count; add --location s3://BUCKET/ (the lake root)")
	}
}

// checkMetricsResources: the database, table and workgroup the function
// queries, and the bucket it lists, are the template's own.
func (t *Template) checkMetricsResources(f *findings, fn *metricsFunction) {
	var dbs, wgs, tables, buckets []string
	for _, r := range t.OfType("AWS::Glue::Database") {
		dbs = append(dbs, t.names(r, r.Prop("DatabaseInput", "Name"))...)
	}
	for _, r := range t.OfType("AWS::Athena::WorkGroup") {
		wgs = append(wgs, t.names(r, r.Prop("Name"))...)
	}
	for _, g := range t.tables() {
		tables = append(tables, "{ref:"+g.res.ID+"}", g.name)
		if g.bucket != "" {
			buckets = append(buckets, g.bucket)
		}
	}
	check := func(flag, def, what string, known []string, types string) {
		v, given := fn.flags[flag]
		if !given {
			v = def
		}
		if len(known) == 0 || strings.Contains(v, "{param:") || slices.Contains(known, strings.ToLower(v)) || slices.Contains(known, v) {
			return
		}
		msg := fmt.Sprintf("SESCTL_ARGS --%s %s is not the %s of any %s in the template, so the function queries something this stack does not create (and its role is not granted)", flag, show(v), what, types)
		if !given {
			msg = fmt.Sprintf("SESCTL_ARGS has no --%s, so metrics publish uses %s, which is not the %s of any %s in the template; pass --%s", flag, show(v), what, types, flag)
		}
		f.add(SeverityError, fn.line, argsPath, "metrics.unknown-resource", "%s", msg)
	}
	check("database", defaultAthenaDatabase, "name", dbs, "AWS::Glue::Database")
	check("table", defaultAthenaTable, "name", tables, "AWS::Glue::Table")
	check("workgroup", "primary", "name", wgs, "AWS::Athena::WorkGroup")
	if loc, ok := fn.flags["location"]; ok {
		b, _, isS3 := splitS3URL(loc)
		if !isS3 {
			f.add(SeverityError, fn.line, argsPath, "metrics.args", "SESCTL_ARGS --location %s is not an s3://BUCKET/ URL", show(loc))
		} else if len(buckets) > 0 && !slices.Contains(buckets, b) && !strings.Contains(b, "{param:") {
			f.add(SeverityError, fn.line, argsPath, "metrics.unknown-resource",
				"SESCTL_ARGS --location %s is not the bucket any Glue table in the template reads (%s), so the identities listed there are not the table's", show(loc), strings.Join(showAll(buckets), ", "))
		}
	}
}

// names are the ways a value can name resource r: its Ref token and its
// literal name.
func (t *Template) names(r *Resource, name *cfnyaml.Node) []string {
	out := []string{"{ref:" + r.ID + "}"}
	if v, ok := t.eval(name); ok && v != "" {
		out = append(out, strings.ToLower(v), v)
	}
	return out
}

// show renders an evaluated value for a message: {ref:X} as !Ref X.
func show(v string) string {
	return strings.NewReplacer("{ref:", "!Ref ", "{getatt:", "!GetAtt ", "}", "").Replace(v)
}

func showAll(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if s := show(v); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
