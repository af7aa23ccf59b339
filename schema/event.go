// Package schema is sesctl's one description of an Amazon SES
// event-publishing record: the Go types of the mail object and the ten event
// objects, the event-time rule, a validator, the Athena/Glue/Parquet column
// table and a synthetic event generator.
//
// The record format is the one SES publishes to Kinesis Data Firehose:
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html
package schema

// EventTypes are the values of the top-level eventType field, spelled as SES
// spells them ("Rendering Failure" has a space).
var EventTypes = []string{
	"Bounce", "Complaint", "Delivery", "Send", "Reject",
	"Open", "Click", "Rendering Failure", "DeliveryDelay", "Subscription",
}

// eventInfo is one row of the event-type table every mapping derives from.
type eventInfo struct {
	Type      string // eventType value
	Key       string // JSON key of the type-specific object
	Matching  string // CloudFormation MatchingEventTypes spelling
	TimeField string // JSON path of the event time
}

var eventTable = []eventInfo{
	{"Bounce", "bounce", "bounce", "bounce.timestamp"},
	{"Complaint", "complaint", "complaint", "complaint.timestamp"},
	{"Delivery", "delivery", "delivery", "delivery.timestamp"},
	{"Send", "send", "send", "mail.timestamp"},
	{"Reject", "reject", "reject", "mail.timestamp"},
	{"Open", "open", "open", "open.timestamp"},
	{"Click", "click", "click", "click.timestamp"},
	{"Rendering Failure", "failure", "renderingFailure", "mail.timestamp"},
	{"DeliveryDelay", "deliveryDelay", "deliveryDelay", "deliveryDelay.timestamp"},
	{"Subscription", "subscription", "subscription", "subscription.timestamp"},
}

// typeIndex returns the position of eventType in eventTable, or -1.
func typeIndex(eventType string) int {
	switch eventType {
	case "Bounce":
		return 0
	case "Complaint":
		return 1
	case "Delivery":
		return 2
	case "Send":
		return 3
	case "Reject":
		return 4
	case "Open":
		return 5
	case "Click":
		return 6
	case "Rendering Failure":
		return 7
	case "DeliveryDelay":
		return 8
	case "Subscription":
		return 9
	}
	return -1
}

// keyIndex returns the position in eventTable of the event whose object is
// stored under the JSON key, or -1.
func keyIndex(key string) int {
	switch key {
	case "bounce":
		return 0
	case "complaint":
		return 1
	case "delivery":
		return 2
	case "send":
		return 3
	case "reject":
		return 4
	case "open":
		return 5
	case "click":
		return 6
	case "failure":
		return 7
	case "deliveryDelay":
		return 8
	case "subscription":
		return 9
	}
	return -1
}

// IsEventType reports whether s is one of the ten SES eventType values.
func IsEventType(s string) bool { return typeIndex(s) >= 0 }

// ObjectKey returns the JSON key of the type-specific object of an event type
// ("Rendering Failure" -> "failure", "DeliveryDelay" -> "deliveryDelay").
func ObjectKey(eventType string) (string, bool) {
	i := typeIndex(eventType)
	if i < 0 {
		return "", false
	}
	return eventTable[i].Key, true
}

// EventTypeForKey is the inverse of ObjectKey ("failure" -> "Rendering Failure").
func EventTypeForKey(key string) (string, bool) {
	i := keyIndex(key)
	if i < 0 {
		return "", false
	}
	return eventTable[i].Type, true
}

// ObjectKeys returns the JSON keys of the ten type-specific objects, in
// EventTypes order.
func ObjectKeys() []string {
	out := make([]string, len(eventTable))
	for i, e := range eventTable {
		out[i] = e.Key
	}
	return out
}

// MatchingEventType returns the CloudFormation spelling of an event type for
// AWS::SES::ConfigurationSetEventDestination MatchingEventTypes
// ("Rendering Failure" -> "renderingFailure").
func MatchingEventType(eventType string) (string, bool) {
	i := typeIndex(eventType)
	if i < 0 {
		return "", false
	}
	return eventTable[i].Matching, true
}

// MatchingEventTypes returns all ten CloudFormation spellings in EventTypes
// order.
func MatchingEventTypes() []string {
	out := make([]string, len(eventTable))
	for i, e := range eventTable {
		out[i] = e.Matching
	}
	return out
}

// EventTimeField returns the JSON path of the timestamp the event-time rule
// uses for eventType: the type object's own timestamp, or mail.timestamp for
// Send, Reject and Rendering Failure (which carry none) and for unknown types.
func EventTimeField(eventType string) string {
	i := typeIndex(eventType)
	if i < 0 {
		return "mail.timestamp"
	}
	return eventTable[i].TimeField
}

// Event is one SES event-publishing record. Exactly one of the type-specific
// pointers is set, the one named by ObjectKey(EventType).
type Event struct {
	EventType     string         `json:"eventType"`
	Mail          Mail           `json:"mail"`
	Bounce        *Bounce        `json:"bounce,omitempty"`
	Complaint     *Complaint     `json:"complaint,omitempty"`
	Delivery      *Delivery      `json:"delivery,omitempty"`
	Send          *Send          `json:"send,omitempty"`
	Reject        *Reject        `json:"reject,omitempty"`
	Open          *Open          `json:"open,omitempty"`
	Click         *Click         `json:"click,omitempty"`
	Failure       *Failure       `json:"failure,omitempty"`
	DeliveryDelay *DeliveryDelay `json:"deliveryDelay,omitempty"`
	Subscription  *Subscription  `json:"subscription,omitempty"`
}

// Mail describes the message that produced the event. Timestamps stay the
// ISO-8601 text SES wrote (ParseTimestamp reads them).
type Mail struct {
	Timestamp        string   `json:"timestamp"`
	Source           string   `json:"source"`
	SourceArn        string   `json:"sourceArn,omitempty"` // absent in Open and Click samples
	SendingAccountID string   `json:"sendingAccountId"`
	MessageID        string   `json:"messageId"`
	Destination      []string `json:"destination"`
	// HeadersTruncated is documented as a "true"/"false" string but the
	// samples carry a JSON boolean; the validator accepts both.
	HeadersTruncated bool           `json:"headersTruncated"`
	Headers          []Header       `json:"headers,omitempty"`
	CommonHeaders    *CommonHeaders `json:"commonHeaders,omitempty"`
	// Tags maps a tag name (ses:configuration-set, myCustomTag1, ...) to its
	// values.
	Tags map[string][]string `json:"tags,omitempty"`
}

// Header is one original message header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CommonHeaders are the commonly used headers SES parses out of the message.
type CommonHeaders struct {
	From       []string `json:"from,omitempty"`
	To         []string `json:"to,omitempty"`
	Cc         []string `json:"cc,omitempty"`
	Bcc        []string `json:"bcc,omitempty"`
	ReplyTo    []string `json:"replyTo,omitempty"`
	ReturnPath string   `json:"returnPath,omitempty"`
	Date       string   `json:"date,omitempty"`
	MessageID  string   `json:"messageId,omitempty"`
	Subject    string   `json:"subject,omitempty"`
}

// Bounce is the bounce object (eventType Bounce).
type Bounce struct {
	BounceType        string             `json:"bounceType"`
	BounceSubType     string             `json:"bounceSubType"`
	BouncedRecipients []BouncedRecipient `json:"bouncedRecipients"`
	Timestamp         string             `json:"timestamp"`
	FeedbackID        string             `json:"feedbackId"`
	ReportingMTA      string             `json:"reportingMTA,omitempty"` // only with a DSN
}

// BouncedRecipient is one recipient of a bounce; all but EmailAddress come
// from the DSN and may be absent.
type BouncedRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action,omitempty"`
	Status         string `json:"status,omitempty"`
	DiagnosticCode string `json:"diagnosticCode,omitempty"`
}

// Complaint is the complaint object (eventType Complaint).
type Complaint struct {
	ComplainedRecipients []Recipient `json:"complainedRecipients"`
	Timestamp            string      `json:"timestamp"`
	FeedbackID           string      `json:"feedbackId"`
	ComplaintSubType     string      `json:"complaintSubType,omitempty"` // null or OnAccountSuppressionList
	// Present when the ISP attached a feedback report.
	UserAgent             string `json:"userAgent,omitempty"`
	ComplaintFeedbackType string `json:"complaintFeedbackType,omitempty"`
	ArrivalDate           string `json:"arrivalDate,omitempty"`
}

// Recipient is a recipient entry holding only an address.
type Recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// Delivery is the delivery object (eventType Delivery).
type Delivery struct {
	Timestamp            string   `json:"timestamp"`
	ProcessingTimeMillis int64    `json:"processingTimeMillis"`
	Recipients           []string `json:"recipients"`
	SMTPResponse         string   `json:"smtpResponse"`
	ReportingMTA         string   `json:"reportingMTA"`
}

// Send is the send object, always empty.
type Send struct{}

// Reject is the reject object (eventType Reject).
type Reject struct {
	Reason string `json:"reason"` // only "Bad content"
}

// Open is the open object (eventType Open).
type Open struct {
	IPAddress string `json:"ipAddress"`
	Timestamp string `json:"timestamp"`
	UserAgent string `json:"userAgent"`
}

// Click is the click object (eventType Click).
type Click struct {
	IPAddress string              `json:"ipAddress"`
	Link      string              `json:"link"`
	LinkTags  map[string][]string `json:"linkTags,omitempty"`
	Timestamp string              `json:"timestamp"`
	UserAgent string              `json:"userAgent"`
}

// Failure is the rendering-failure object (eventType "Rendering Failure").
type Failure struct {
	ErrorMessage string `json:"errorMessage"`
	TemplateName string `json:"templateName"`
}

// DeliveryDelay is the delivery-delay object (eventType DeliveryDelay).
type DeliveryDelay struct {
	Timestamp         string             `json:"timestamp"`
	DelayType         string             `json:"delayType"`
	ExpirationTime    string             `json:"expirationTime"`
	ReportingMTA      string             `json:"reportingMTA,omitempty"`
	DelayedRecipients []DelayedRecipient `json:"delayedRecipients"`
}

// DelayedRecipient is one recipient of a delivery delay.
type DelayedRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Status         string `json:"status,omitempty"`
	DiagnosticCode string `json:"diagnosticCode,omitempty"`
}

// Subscription is the subscription object (eventType Subscription).
type Subscription struct {
	ContactList         string            `json:"contactList"`
	Timestamp           string            `json:"timestamp"`
	Source              string            `json:"source"`
	NewTopicPreferences *TopicPreferences `json:"newTopicPreferences,omitempty"`
	OldTopicPreferences *TopicPreferences `json:"oldTopicPreferences,omitempty"`
}

// TopicPreferences are a contact's list preferences.
type TopicPreferences struct {
	UnsubscribeAll          bool                `json:"unsubscribeAll"`
	TopicSubscriptionStatus []TopicSubscription `json:"topicSubscriptionStatus"`
}

// TopicSubscription is the status of one topic.
type TopicSubscription struct {
	TopicName          string `json:"topicName"`
	SubscriptionStatus string `json:"subscriptionStatus"` // OptIn or OptOut
}

// BounceSubTypes lists the documented bounceSubType values per bounceType.
// UnsubscribedRecipient, OnTenantSuppressionList and EmailValidationSuppressed
// are newer values seen in third-party handlers of real payloads (not in the
// 2023 developer-guide table); they are accepted so real data validates.
var BounceSubTypes = map[string][]string{
	"Undetermined": {"Undetermined"},
	"Permanent": {"General", "NoEmail", "Suppressed", "OnAccountSuppressionList",
		"UnsubscribedRecipient", "OnTenantSuppressionList", "EmailValidationSuppressed"},
	"Transient": {"General", "MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected"},
}

// ComplaintFeedbackTypes are the IANA MARF feedback types SES passes through.
var ComplaintFeedbackTypes = []string{"abuse", "auth-failure", "fraud", "not-spam", "other", "virus"}

// DelayTypes are the deliveryDelay.delayType values.
var DelayTypes = []string{
	"InternalFailure", "General", "MailboxFull", "SpamDetected", "RecipientServerError",
	"IPFailure", "TransientCommunicationFailure", "BYOIPHostNameLookupUnavailable",
	"Undetermined", "SendingDeferral",
}

// SubscriptionStatuses are the topicSubscriptionStatus[].subscriptionStatus values.
var SubscriptionStatuses = []string{"OptIn", "OptOut"}
