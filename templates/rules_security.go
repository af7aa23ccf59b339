package templates

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

var publicAccessSettings = []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"}

// ruleBuckets: every bucket blocks public access with all four settings,
// denies requests without TLS in its bucket policy and states its
// encryption.
func ruleBuckets(t *Template) []Finding {
	var out []Finding
	for _, b := range t.OfType("AWS::S3::Bucket") {
		warn := func(rule, path, msg string) {
			out = append(out, Finding{File: t.File, Line: b.PropLine(strings.Split(path, ".")...), Resource: b.ID,
				Path: "Properties." + path, Rule: rule, Severity: SeverityWarning, Message: msg})
		}
		pab := b.Prop("PublicAccessBlockConfiguration")
		var off []string
		for _, k := range publicAccessSettings {
			if v, ok := pab.Get(k).BoolValue(); !ok || !v {
				off = append(off, k)
			}
		}
		switch {
		case pab == nil:
			warn("s3.public-access-block", "PublicAccessBlockConfiguration",
				"the bucket has no PublicAccessBlockConfiguration; set BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and RestrictPublicBuckets to true")
		case len(off) > 0:
			warn("s3.public-access-block", "PublicAccessBlockConfiguration",
				fmt.Sprintf("PublicAccessBlockConfiguration leaves %s off; all four settings should be true", strings.Join(off, ", ")))
		}
		if b.Prop("BucketEncryption") == nil {
			warn("s3.encryption", "BucketEncryption",
				"the bucket does not state its encryption; set BucketEncryption (SSE-S3 or SSE-KMS) so the template says what protects the events")
		}
		if !t.hasTLSOnlyPolicy(b) {
			out = append(out, Finding{File: t.File, Line: b.Line, Resource: b.ID, Rule: "s3.tls-only", Severity: SeverityWarning,
				Message: "no bucket policy denies requests without TLS; add an AWS::S3::BucketPolicy statement with Effect Deny, Principal \"*\", Action s3:* on the bucket and bucket/* and Condition Bool aws:SecureTransport \"false\""})
		}
	}
	return out
}

// hasTLSOnlyPolicy looks for a bucket policy on b with a Deny statement
// conditioned on aws:SecureTransport false.
func (t *Template) hasTLSOnlyPolicy(b *Resource) bool {
	want, _ := t.refValue(b.ID, 0)
	for _, p := range t.OfType("AWS::S3::BucketPolicy") {
		got, ok := t.eval(p.Prop("Bucket"))
		if !ok || got != want {
			continue
		}
		for _, st := range statements(p.Prop("PolicyDocument"), "") {
			if strings.EqualFold(st.Effect, "Deny") && deniesInsecureTransport(st.Node.Get("Condition")) {
				return true
			}
		}
	}
	return false
}

func deniesInsecureTransport(cond *cfnyaml.Node) bool {
	for _, op := range entriesOf(cond) {
		if !strings.EqualFold(op.Key, "Bool") && !strings.EqualFold(op.Key, "BoolIfExists") {
			continue
		}
		for _, kv := range entriesOf(op.Value) {
			if strings.EqualFold(kv.Key, "aws:SecureTransport") {
				if v, ok := kv.Value.BoolValue(); ok && !v {
					return true
				}
				for _, it := range nodeList(kv.Value) {
					if v, ok := it.BoolValue(); ok && !v {
						return true
					}
				}
			}
		}
	}
	return false
}

// actionsWithoutResources may only be granted on "*".
var actionsWithoutResources = []string{"s3:listallmybuckets", "cloudwatch:putmetricdata", "logs:describeloggroups",
	"kms:listaliases", "kms:listkeys", "athena:listworkgroups", "sts:getcalleridentity"}

// ruleIAM checks identity policies (wildcard actions, resources broader
// than a bucket, grants a role does not need) and service-role trust
// policies (confused-deputy conditions).
func ruleIAM(t *Template) []Finding {
	var out []Finding
	pols := rolePolicies(t)
	for _, role := range t.OfType("AWS::IAM::Role") {
		out = append(out, t.trustConditions(role)...)
		need := t.roleNeeds(role)
		for _, p := range pols[role.ID] {
			for _, st := range statements(p.Doc, p.Path) {
				if !strings.EqualFold(st.Effect, "Allow") {
					continue
				}
				out = append(out, t.statementFindings(p.Source, role, st, need)...)
			}
		}
		for _, arn := range scalarList(role.Prop("ManagedPolicyArns")) {
			if strings.HasSuffix(arn, "FullAccess") || strings.HasSuffix(arn, "/AdministratorAccess") {
				out = append(out, Finding{File: t.File, Line: role.PropLine("ManagedPolicyArns"), Resource: role.ID, Path: "Properties.ManagedPolicyArns",
					Rule: "iam.wildcard-action", Severity: SeverityWarning, Message: fmt.Sprintf("managed policy %s grants every action of a service; grant the actions the role uses", arn)})
			}
		}
	}
	return out
}

func (t *Template) statementFindings(src, role *Resource, st statement, need *roleNeed) []Finding {
	var out []Finding
	add := func(rule, msg string) {
		out = append(out, Finding{File: t.File, Line: st.Node.Line, Resource: src.ID, Path: st.Path, Rule: rule, Severity: SeverityWarning, Message: msg})
	}
	if st.NotAction {
		add("iam.wildcard-action", "NotAction grants every action except those listed; list the actions the role needs")
	}
	var wild []string
	for _, a := range st.Actions {
		if strings.Contains(a, "*") {
			wild = append(wild, a)
		}
	}
	if len(wild) > 0 {
		add("iam.wildcard-action", fmt.Sprintf("wildcard action %s; list the actions the role needs", strings.Join(wild, ", ")))
	}
	t.checkResources(st, add)
	if need != nil {
		if extra := need.unneeded(st.Actions); len(extra) > 0 {
			add("iam.unneeded-grant", fmt.Sprintf("%s needs only %s; it does not need %s", need.who, need.describe(), strings.Join(extra, ", ")))
		}
		for _, b := range t.foreignBuckets(st, need) {
			add("iam.unneeded-grant", fmt.Sprintf("%s grants S3 access to bucket %s, which %s does not write to", role.ID, b, need.who))
		}
	}
	return out
}

func (t *Template) checkResources(st statement, add func(rule, msg string)) {
	for _, r := range st.Resources {
		s, ok := t.eval(r)
		if !ok {
			continue
		}
		if s == "*" && !allIn(st.Actions, actionsWithoutResources) {
			add("iam.wildcard-resource", "Resource \"*\" grants the actions on every resource in the account; name the resources")
			continue
		}
		if bucketPart, ok := s3BucketPart(s); ok && strings.Contains(bucketPart, "*") {
			add("iam.broad-resource", fmt.Sprintf("S3 resource %s matches every bucket whose name starts with %s; use the bucket ARN and bucket/*",
				s, strings.TrimSuffix(bucketPart, "*")))
		}
	}
}

// s3BucketPart returns the bucket-name part of an S3 ARN (before the first
// "/"), e.g. "events*" for arn:aws:s3:::events*.
func s3BucketPart(arn string) (string, bool) {
	_, rest, ok := strings.Cut(arn, ":s3:::")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return "", false
	}
	bucket, _, _ := strings.Cut(rest, "/")
	return bucket, true
}

func allIn(list, allowed []string) bool {
	if len(list) == 0 {
		return false
	}
	for _, a := range list {
		if !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
}

// confusedDeputyServices are the service principals of an SES pipeline
// whose trust policies should pin aws:SourceAccount and aws:SourceArn.
var confusedDeputyServices = []string{"ses.amazonaws.com", "firehose.amazonaws.com"}

func (t *Template) trustConditions(role *Resource) []Finding {
	var out []Finding
	for _, st := range statements(role.Prop("AssumeRolePolicyDocument"), "Properties.AssumeRolePolicyDocument") {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		for _, svc := range scalarList(st.Node.Path("Principal", "Service")) {
			if !slices.Contains(confusedDeputyServices, strings.ToLower(svc)) || hasSourceCondition(st.Node.Get("Condition")) {
				continue
			}
			msg := fmt.Sprintf("the trust policy lets %s assume the role on behalf of any account; add Condition StringEquals aws:SourceAccount (your account) and aws:SourceArn (the %s)",
				svc, sourceArnHint(svc))
			if hasConditionKey(st.Node.Get("Condition"), "sts:ExternalId") {
				msg += "; sts:ExternalId is the older form and does not pin the resource"
			}
			out = append(out, Finding{File: t.File, Line: st.Node.Line, Resource: role.ID, Path: st.Path, Rule: "iam.trust-condition",
				Severity: SeverityWarning, Message: msg})
		}
	}
	return out
}

func sourceArnHint(svc string) string {
	if strings.HasPrefix(svc, "ses.") {
		return "configuration set, arn:aws:ses:REGION:ACCOUNT:configuration-set/NAME"
	}
	return "delivery stream, arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME"
}

func hasSourceCondition(cond *cfnyaml.Node) bool {
	return hasConditionKey(cond, "aws:SourceAccount") || hasConditionKey(cond, "aws:SourceArn")
}

func hasConditionKey(cond *cfnyaml.Node, key string) bool {
	for _, op := range entriesOf(cond) {
		for _, kv := range entriesOf(op.Value) {
			if strings.EqualFold(kv.Key, key) {
				return true
			}
		}
	}
	return false
}
