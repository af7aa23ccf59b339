package health

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// LookupEventsAPI is the part of the CloudTrail client audit uses.
type LookupEventsAPI interface {
	LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// SESEventSource is the CloudTrail event source of both SES APIs (v1 and v2).
const SESEventSource = "ses.amazonaws.com"

// EventHistoryRetention is how far back CloudTrail's event history (what
// LookupEvents reads) goes.
const EventHistoryRetention = 90 * 24 * time.Hour

// AuditEvent is one SES management call.
type AuditEvent struct {
	Time      time.Time
	EventName string
	User      string // ARN of the caller, or its user name
	SourceIP  string // an IP address, or the AWS service that called on the user's behalf
	Resource  string // "identity=example.com configuration-set=marketing"
	Error     string // errorCode of a failed call
	ReadOnly  bool
	EventID   string
}

// AuditOptions select the events.
type AuditOptions struct {
	From, To     time.Time
	IncludeReads bool // also Get*/List*/Describe* calls
}

// writePrefixes name SES's mutating operations, for events whose record
// does not say readOnly.
var writePrefixes = []string{"Create", "Delete", "Update", "Put", "Set", "Verify", "Tag", "Untag", "Clone", "Reorder", "Cancel"}

// Audit reads the SES events between From and To from CloudTrail's event
// history, newest first, following every page.
func Audit(ctx context.Context, api LookupEventsAPI, o AuditOptions) ([]AuditEvent, error) {
	in := &cloudtrail.LookupEventsInput{
		StartTime: aws.Time(o.From),
		EndTime:   aws.Time(o.To),
		LookupAttributes: []cttypes.LookupAttribute{{
			AttributeKey:   cttypes.LookupAttributeKeyEventSource,
			AttributeValue: aws.String(SESEventSource),
		}},
		MaxResults: aws.Int32(50),
	}
	var out []AuditEvent
	for {
		page, err := api.LookupEvents(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("CloudTrail LookupEvents: %w", err)
		}
		for _, e := range page.Events {
			ev := parseAuditEvent(e)
			if ev.ReadOnly && !o.IncludeReads {
				continue
			}
			out = append(out, ev)
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// trailRecord is the part of a CloudTrail record audit reads.
type trailRecord struct {
	UserIdentity struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		UserName       string `json:"userName"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	SourceIP          string         `json:"sourceIPAddress"`
	RequestParameters map[string]any `json:"requestParameters"`
	ReadOnly          *bool          `json:"readOnly"`
	ErrorCode         string         `json:"errorCode"`
}

func parseAuditEvent(e cttypes.Event) AuditEvent {
	ev := AuditEvent{
		Time:      aws.ToTime(e.EventTime).UTC(),
		EventName: aws.ToString(e.EventName),
		User:      aws.ToString(e.Username),
		EventID:   aws.ToString(e.EventId),
	}
	var rec trailRecord
	raw := aws.ToString(e.CloudTrailEvent)
	recOK := raw != "" && json.Unmarshal([]byte(raw), &rec) == nil
	if recOK {
		ev.User = firstNonEmpty(rec.UserIdentity.ARN, rec.UserIdentity.UserName, ev.User, rec.UserIdentity.InvokedBy)
		ev.SourceIP = rec.SourceIP
		ev.Resource = resourceOf(rec.RequestParameters)
		ev.Error = rec.ErrorCode
	}
	switch {
	case recOK && rec.ReadOnly != nil:
		ev.ReadOnly = *rec.ReadOnly
	case e.ReadOnly != nil:
		ev.ReadOnly = aws.ToString(e.ReadOnly) == "true"
	default:
		ev.ReadOnly = !hasAnyPrefix(ev.EventName, writePrefixes)
	}
	return ev
}

// resourceKeys map requestParameters keys of SES v1 and v2 onto resource
// kinds, in output order. Nested objects ({"configurationSet": {"name":
// ...}} in v1) are read through their "name" or "templateName".
var resourceKeys = []struct{ key, kind string }{
	{"emailIdentity", "identity"},
	{"identity", "identity"},
	{"domain", "identity"},
	{"emailAddress", "email"},
	{"configurationSetName", "configuration-set"},
	{"configurationSet", "configuration-set"},
	{"eventDestinationName", "event-destination"},
	{"eventDestination", "event-destination"},
	{"templateName", "template"},
	{"template", "template"},
	{"contactListName", "contact-list"},
	{"poolName", "dedicated-ip-pool"},
	{"ruleSetName", "receipt-rule-set"},
	{"ruleName", "receipt-rule"},
	{"rule", "receipt-rule"},
	{"policyName", "policy"},
}

func resourceOf(params map[string]any) string {
	var parts []string
	seen := map[string]bool{}
	for _, rk := range resourceKeys {
		v := nameOf(params[rk.key])
		if v == "" || seen[rk.kind+"="+v] {
			continue
		}
		seen[rk.kind+"="+v] = true
		parts = append(parts, rk.kind+"="+v)
	}
	return strings.Join(parts, " ")
}

func nameOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		for _, k := range []string{"name", "templateName"} {
			if s, ok := x[k].(string); ok {
				return s
			}
		}
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
