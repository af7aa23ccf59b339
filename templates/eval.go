package templates

import (
	"strconv"
	"strings"

	"github.com/sesctl/sesctl/templates/cfnyaml"
)

// pseudoParameters are the AWS:: names Ref and Sub accept without a
// declaration.
var pseudoParameters = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true, "AWS::Partition": true,
	"AWS::Region": true, "AWS::StackId": true, "AWS::StackName": true, "AWS::URLSuffix": true,
}

// eval resolves a string value as far as it can without deploying: literal
// text, Fn::Sub, Fn::Join, Fn::Select, Fn::FindInMap and Refs to parameters
// with a Default. What is only known at deploy time becomes a token:
// {ref:LogicalId}, {getatt:LogicalId.Attr}, {AWS.Region}. A bucket Ref
// becomes the bucket's literal BucketName when it has one. ok is false for
// Fn::If, Fn::ImportValue and other values that cannot be followed.
func (t *Template) eval(n *cfnyaml.Node) (string, bool) {
	return t.evalDepth(n, 0)
}

func (t *Template) evalDepth(n *cfnyaml.Node, depth int) (string, bool) {
	if n == nil || depth > 20 {
		return "", false
	}
	fn, arg, ok := n.Intrinsic()
	if !ok {
		return n.Str()
	}
	switch fn {
	case "Ref":
		name, ok := arg.Str()
		if !ok {
			return "", false
		}
		return t.refValue(name, depth)
	case "Fn::GetAtt":
		res, attr, ok := getAttArgs(arg)
		if !ok {
			return "", false
		}
		return t.getAttValue(res, attr), true
	case "Fn::Sub":
		return t.evalSub(arg, depth)
	case "Fn::Join":
		return t.evalJoin(arg, depth)
	case "Fn::Select":
		return t.evalSelect(arg, depth)
	case "Fn::FindInMap":
		return t.evalFindInMap(arg, depth)
	}
	return "", false
}

func (t *Template) refValue(name string, depth int) (string, bool) {
	if pseudoParameters[name] {
		// no colons, so ARNs built with ${AWS::Partition} still split on ":"
		return "{" + strings.ReplaceAll(name, "::", ".") + "}", true
	}
	if p, ok := t.Parameters[name]; ok {
		if d := p.Get("Default"); d != nil {
			return t.evalDepth(d, depth+1)
		}
		return "{param:" + name + "}", true
	}
	if r := t.byID[name]; r != nil && r.Type == "AWS::S3::Bucket" {
		if v, ok := t.evalDepth(r.Prop("BucketName"), depth+1); ok {
			return v, true
		}
	}
	return "{ref:" + name + "}", true
}

func (t *Template) getAttValue(res, attr string) string {
	if r := t.byID[res]; r != nil && r.Type == "AWS::S3::Bucket" && attr == "Arn" {
		name, _ := t.refValue(res, 0)
		return "arn:{AWS.Partition}:s3:::" + name
	}
	return "{getatt:" + res + "." + attr + "}"
}

// getAttArgs reads ["Res", "Attr"] (the short form is split already).
func getAttArgs(arg *cfnyaml.Node) (res, attr string, ok bool) {
	if arg.Kind == cfnyaml.String {
		res, attr, ok = strings.Cut(arg.Value, ".")
		return res, attr, ok
	}
	if arg.Kind != cfnyaml.List || len(arg.Items) != 2 {
		return "", "", false
	}
	res, ok1 := arg.Items[0].Str()
	attr, ok2 := arg.Items[1].Str()
	return res, attr, ok1 && ok2
}

var subVarRE = lazyRE(`\$\{([^}]*)\}`)

func (t *Template) evalSub(arg *cfnyaml.Node, depth int) (string, bool) {
	text, vars, ok := subArgs(arg)
	if !ok {
		return "", false
	}
	failed := false
	out := subVarRE.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v := vars.Get(name); v != nil {
			s, ok := t.evalDepth(v, depth+1)
			failed = failed || !ok
			return s
		}
		if res, attr, dotted := strings.Cut(name, "."); dotted && !pseudoParameters[name] {
			return t.getAttValue(res, attr)
		}
		s, ok := t.refValue(name, depth+1)
		failed = failed || !ok
		return s
	})
	return out, !failed
}

// subArgs reads "text" or ["text", {vars}].
func subArgs(arg *cfnyaml.Node) (string, *cfnyaml.Node, bool) {
	if s, ok := arg.Str(); ok && arg.Kind == cfnyaml.String {
		return s, nil, true
	}
	if arg.Kind == cfnyaml.List && len(arg.Items) == 2 && arg.Items[0].Kind == cfnyaml.String {
		return arg.Items[0].Value, arg.Items[1], true
	}
	return "", nil, false
}

func (t *Template) evalJoin(arg *cfnyaml.Node, depth int) (string, bool) {
	if arg.Kind != cfnyaml.List || len(arg.Items) != 2 || arg.Items[1].Kind != cfnyaml.List {
		return "", false
	}
	sep, ok := arg.Items[0].Str()
	if !ok && arg.Items[0].Kind != cfnyaml.String {
		return "", false
	}
	parts := make([]string, 0, len(arg.Items[1].Items))
	for _, it := range arg.Items[1].Items {
		s, ok := t.evalDepth(it, depth+1)
		if !ok {
			return "", false
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, sep), true
}

func (t *Template) evalSelect(arg *cfnyaml.Node, depth int) (string, bool) {
	if arg.Kind != cfnyaml.List || len(arg.Items) != 2 || arg.Items[1].Kind != cfnyaml.List {
		return "", false
	}
	is, ok := arg.Items[0].Str()
	if !ok {
		return "", false
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= len(arg.Items[1].Items) {
		return "", false
	}
	return t.evalDepth(arg.Items[1].Items[i], depth+1)
}

func (t *Template) evalFindInMap(arg *cfnyaml.Node, depth int) (string, bool) {
	if arg.Kind != cfnyaml.List || len(arg.Items) < 3 {
		return "", false
	}
	n := t.Mappings
	for _, k := range arg.Items[:3] {
		key, ok := t.evalDepth(k, depth+1)
		if !ok {
			return "", false
		}
		n = n.Get(key)
	}
	if n == nil {
		return "", false
	}
	return t.evalDepth(n, depth+1)
}

var s3ArnRE = lazyRE(`^arn:[^:]*:s3:::(.+)$`)

// bucketOfARN returns the bucket name (or token) of an S3 bucket ARN.
func bucketOfARN(arn string) (string, bool) {
	m := s3ArnRE.FindStringSubmatch(arn)
	if m == nil || strings.Contains(m[1], "/") {
		return "", false
	}
	return m[1], true
}

// splitS3URL splits s3://bucket/key into bucket and key.
func splitS3URL(u string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, bucket != ""
}
