package templates

import (
	"slices"
	"strings"
)

// roleNeed is what a service role is used for, and so what it may be
// granted.
type roleNeed struct {
	who     string
	allowed []string // lower-cased actions
	buckets []string // for a delivery role: the buckets its streams write to
}

var sesRoleActions = []string{"firehose:putrecord", "firehose:putrecordbatch"}

var deliveryRoleActions = []string{
	"s3:abortmultipartupload", "s3:getbucketlocation", "s3:getobject", "s3:listbucket", "s3:listbucketmultipartuploads", "s3:putobject",
	"logs:putlogevents", "logs:createlogstream",
	"kms:decrypt", "kms:generatedatakey",
	"glue:gettable", "glue:gettableversion", "glue:gettableversions",
	"lambda:invokefunction", "lambda:getfunctionconfiguration",
	"kinesis:describestream", "kinesis:getsharditerator", "kinesis:getrecords", "kinesis:listshards",
}

// roleNeeds works out what role is used for: the IAM role of a Firehose
// event destination (SES) or of a delivery stream (Firehose). It returns
// nil for roles used for anything else or for both.
func (t *Template) roleNeeds(role *Resource) *roleNeed {
	ses := t.usedAsSESRole(role.ID)
	buckets, delivery := t.usedAsDeliveryRole(role.ID)
	switch {
	case ses && !delivery:
		return &roleNeed{who: "the SES event-publishing role", allowed: sesRoleActions}
	case delivery && !ses:
		return &roleNeed{who: "the Firehose delivery role", allowed: deliveryRoleActions, buckets: buckets}
	}
	return nil
}

func (t *Template) usedAsSESRole(id string) bool {
	for _, d := range t.OfType("AWS::SES::ConfigurationSetEventDestination") {
		if getAttTarget(d.Prop("EventDestination", "KinesisFirehoseDestination", "IAMRoleARN"), "Arn") == id {
			return true
		}
	}
	return false
}

func (t *Template) usedAsDeliveryRole(id string) (buckets []string, used bool) {
	for _, s := range t.OfType("AWS::KinesisFirehose::DeliveryStream") {
		for _, dest := range []string{"ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"} {
			if getAttTarget(s.Prop(dest, "RoleARN"), "Arn") != id {
				continue
			}
			used = true
			if arn, ok := t.eval(s.Prop(dest, "BucketARN")); ok {
				if b, ok := bucketOfARN(arn); ok {
					buckets = append(buckets, b)
				}
			}
		}
	}
	return buckets, used
}

func (n *roleNeed) unneeded(actions []string) []string {
	var out []string
	for _, a := range actions {
		if a != "" && !slices.Contains(n.allowed, a) {
			out = append(out, a)
		}
	}
	return out
}

func (n *roleNeed) describe() string {
	if len(n.allowed) == len(sesRoleActions) {
		return "firehose:PutRecordBatch and firehose:PutRecord on its stream"
	}
	return "S3 object writes on its bucket, logs:PutLogEvents, and KMS/Glue/Lambda/Kinesis actions its stream uses"
}

// foreignBuckets lists buckets an S3 statement of a delivery role names
// that none of its streams write to.
func (t *Template) foreignBuckets(st statement, need *roleNeed) []string {
	if len(need.buckets) == 0 || !slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "s3:") }) {
		return nil
	}
	var out []string
	for _, r := range st.Resources {
		s, ok := t.eval(r)
		if !ok {
			continue
		}
		b, ok := s3BucketPart(s)
		if !ok || strings.Contains(b, "*") || slices.Contains(need.buckets, b) || slices.Contains(out, b) {
			continue
		}
		out = append(out, b)
	}
	return out
}
