package templates

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// namespaceGrant is what one Allow statement lets a role publish.
type namespaceGrant struct {
	st  statement
	src *Resource
	any bool     // no cloudwatch:namespace condition
	ns  []string // StringEquals values and StringLike patterns
}

// checkMetricsNamespace: the function's role may call PutMetricData for
// the namespace SESCTL_ARGS publishes to, restricted by the
// cloudwatch:namespace condition key.
func (t *Template) checkMetricsNamespace(fn *metricsFunction) []Finding {
	role := t.Resource(getAttTarget(fn.res.Prop("Role"), "Arn"))
	if role == nil || role.Type != "AWS::IAM::Role" {
		return nil // a role from elsewhere: its policies are not here
	}
	var grants []namespaceGrant
	for _, p := range rolePolicies(t)[role.ID] {
		for _, st := range statements(p.Doc, p.Path) {
			if strings.EqualFold(st.Effect, "Allow") && !st.NotAction && slices.ContainsFunc(st.Actions, grantsPutMetricData) {
				g := namespaceGrant{st: st, src: p.Source}
				g.ns, g.any = t.namespaceCondition(st)
				grants = append(grants, g)
			}
		}
	}
	finding := func(line int, res, path string, sev Severity, msg string) []Finding {
		return []Finding{{File: t.File, Line: line, Resource: res, Path: path, Rule: "metrics.namespace", Severity: sev, Message: msg}}
	}
	if len(grants) == 0 {
		return finding(fn.line, fn.res.ID, argsPath, SeverityError, fmt.Sprintf(
			"role %s does not allow cloudwatch:PutMetricData, so CloudWatch refuses what the function publishes to namespace %s (AccessDenied)", role.ID, fn.namespace))
	}
	var restricted []string
	for _, g := range grants {
		if g.any {
			return finding(g.st.Node.Line, g.src.ID, g.st.Path, SeverityWarning, fmt.Sprintf(
				"cloudwatch:PutMetricData is allowed in every namespace; add Condition StringEquals cloudwatch:namespace %q (the --namespace of %s's SESCTL_ARGS)", fn.namespace, fn.res.ID))
		}
		for _, ns := range g.ns {
			if globMatch(ns, fn.namespace) {
				return nil
			}
		}
		restricted = append(restricted, g.ns...)
	}
	g := grants[0]
	return finding(g.st.Node.Line, g.src.ID, g.st.Path+".Condition", SeverityError, fmt.Sprintf(
		"the role allows cloudwatch:PutMetricData only in namespace %s, but %s publishes to %q (SESCTL_ARGS --namespace); CloudWatch would refuse every datum (AccessDenied)",
		strings.Join(quoteAll(restricted), ", "), fn.res.ID, fn.namespace))
}

func grantsPutMetricData(action string) bool {
	return action != "" && globMatch(action, "cloudwatch:putmetricdata")
}

// namespaceCondition returns the cloudwatch:namespace values of a
// statement's StringEquals/StringLike conditions; any is true when there
// are none. Values that cannot be evaluated count as matching anything.
func (t *Template) namespaceCondition(st statement) (ns []string, any bool) {
	found := false
	for _, op := range entriesOf(st.Node.Get("Condition")) {
		name := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(op.Key, "ForAnyValue:"), "ForAllValues:"))
		like := name == "stringlike"
		if name != "stringequals" && !like {
			continue
		}
		for _, kv := range entriesOf(op.Value) {
			if !strings.EqualFold(kv.Key, "cloudwatch:namespace") {
				continue
			}
			found = true
			for _, n := range nodeList(kv.Value) {
				v, ok := t.eval(n)
				switch {
				case !ok:
					v = "*"
				case !like:
					v = strings.NewReplacer("*", `\*`, "?", `\?`).Replace(v)
				}
				ns = append(ns, v)
			}
		}
	}
	return ns, !found
}

// globMatch matches IAM's * and ? wildcards (\* and \? are literal).
func globMatch(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			re.WriteString(regexp.QuoteMeta(pattern[i+1 : i+2]))
			i++
		case c == '*':
			re.WriteString(".*")
		case c == '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	ok, err := regexp.MatchString(re.String(), s)
	return err == nil && ok
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%q", strings.NewReplacer(`\*`, "*", `\?`, "?").Replace(v))
	}
	return out
}

// checkAlarms: an alarm on a metric sesctl publishes, per sender identity,
// watches the namespace a metrics function in the template publishes to,
// and an alarm in that namespace names a metric sesctl publishes.
func (t *Template) checkAlarms(fns []*metricsFunction) []Finding {
	var spaces []string
	for _, fn := range fns {
		if !slices.Contains(spaces, fn.namespace) {
			spaces = append(spaces, fn.namespace)
		}
	}
	if len(spaces) == 0 {
		return nil
	}
	published := publishedMetrics()
	var out []Finding
	for _, a := range t.OfType("AWS::CloudWatch::Alarm") {
		ns, ok1 := t.eval(a.Prop("Namespace"))
		metric, ok2 := t.eval(a.Prop("MetricName"))
		if !ok1 || !ok2 {
			continue // a metric-math alarm, or values known at deploy time
		}
		f := &findings{t: t, res: a.ID}
		switch {
		case slices.Contains(spaces, ns) && !slices.Contains(published, metric):
			msg := fmt.Sprintf("sesctl metrics publish writes no metric %s to namespace %s (it writes %s), so the alarm never gets data", metric, ns, strings.Join(published, ", "))
			if s := suggest(metric, published); s != "" {
				msg = fmt.Sprintf("sesctl metrics publish writes no metric %s to namespace %s (did you mean %s?), so the alarm never gets data", metric, ns, s)
			}
			f.add(SeverityError, a.PropLine("MetricName"), "Properties.MetricName", "alarm.metric", "%s", msg)
		case !slices.Contains(spaces, ns) && slices.Contains(published, metric) && t.hasIdentityDimension(a):
			f.add(SeverityWarning, a.PropLine("Namespace"), "Properties.Namespace", "alarm.namespace",
				"the alarm watches %s in namespace %s, but the template's metrics function publishes to %s, so the alarm never gets data (and stays OK with TreatMissingData notBreaching)",
				metric, ns, strings.Join(spaces, ", "))
		}
		out = append(out, f.list...)
	}
	return out
}

func (t *Template) hasIdentityDimension(a *Resource) bool {
	for _, d := range nodeList(a.Prop("Dimensions")) {
		if name, ok := t.eval(d.Get("Name")); ok && name == identityDimension() {
			return true
		}
	}
	return false
}

// checkInvokePermissions: a schedule or event rule that targets a Lambda
// function of the template has a Lambda permission letting EventBridge
// invoke it (without one every invocation fails, silently); permissions
// for a service principal name the source.
func (t *Template) checkInvokePermissions() []Finding {
	var out []Finding
	perms := t.OfType("AWS::Lambda::Permission")
	for _, rule := range t.OfType("AWS::Events::Rule") {
		for i, target := range nodeList(rule.Prop("Targets")) {
			fnID := getAttTarget(target.Get("Arn"), "Arn")
			if fn := t.Resource(fnID); fn == nil || fn.Type != "AWS::Lambda::Function" {
				continue
			}
			if !slices.ContainsFunc(perms, func(p *Resource) bool { return t.letsRuleInvoke(p, rule.ID, fnID) }) {
				out = append(out, Finding{File: t.File, Line: target.Line, Resource: rule.ID, Path: fmt.Sprintf("Properties.Targets[%d].Arn", i),
					Rule: "events.invoke-permission", Severity: SeverityError,
					Message: fmt.Sprintf("no AWS::Lambda::Permission lets events.amazonaws.com invoke %s (Action lambda:InvokeFunction, SourceArn !GetAtt %s.Arn), so every invocation from this rule fails", fnID, rule.ID)})
			}
		}
	}
	for _, p := range perms {
		principal, ok := t.eval(p.Prop("Principal"))
		if ok && strings.HasSuffix(principal, ".amazonaws.com") && p.Prop("SourceArn") == nil && p.Prop("SourceAccount") == nil {
			out = append(out, Finding{File: t.File, Line: p.PropLine("Principal"), Resource: p.ID, Path: "Properties.Principal",
				Rule: "lambda.permission-source", Severity: SeverityWarning,
				Message: fmt.Sprintf("%s may invoke the function on behalf of any account and resource; set SourceArn (the rule, topic or bucket that invokes it)", principal)})
		}
	}
	return out
}

func (t *Template) letsRuleInvoke(p *Resource, ruleID, fnID string) bool {
	principal, _ := t.eval(p.Prop("Principal"))
	action, _ := t.eval(p.Prop("Action"))
	fn := p.Prop("FunctionName")
	if principal != "events.amazonaws.com" || !globMatch(strings.ToLower(action), "lambda:invokefunction") {
		return false
	}
	if refTarget(fn) != fnID && getAttTarget(fn, "Arn") != fnID {
		return false
	}
	src := p.Prop("SourceArn")
	return src == nil || getAttTarget(src, "Arn") == ruleID || getAttTarget(src, "Arn") == ""
}
