package athena

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/sesctl/sesctl/schema"
)

// The canned queries. Each body is one text/template rendered for both
// engines; the template functions hide the dialect differences:
//
//	table T     the relation holding events of type T, aliased e
//	where "T,U" partition predicates (every injected column pinned to
//	            literals, the event-type enum, the day values) and the
//	            eventtype filter
//	unnest P a  CROSS JOIN UNNEST of array column P; elements read as a.field
//	            (Athena expands struct elements into columns, DuckDB keeps
//	            a struct column)
//	tag M K     first value of tag K in map M
//	join A      array of strings joined with ", "
//	identity    the sending identity of e
//	day         the yyyy-MM-dd day of e's partition
//
// Every query removes duplicate events: Firehose and SES deliver at least
// once, so the same event can appear twice, even in two objects. Rows are
// numbered within the key named in Dedupe and only the first is kept.
var canned = []*CannedQuery{
	{
		Name:        "bounces",
		Description: "One row per bounced recipient: bounce type and subtype, DSN action, status and diagnostic code, reporting MTA, and the message it belongs to.",
		EventTypes:  []string{"Bounce"},
		Dedupe:      "message id, bounce feedback id, recipient",
		timeExpr:    `e.bounce."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"bounced_at", "when the ISP reported the bounce (bounce.timestamp)"},
			{"message_id", "SES message id"},
			{"recipient", "bounced address"},
			{"bounce_type", "Permanent, Transient or Undetermined"},
			{"bounce_subtype", "General, NoEmail, Suppressed, OnAccountSuppressionList, MailboxFull, ..."},
			{"action", "DSN Action (failed, ...)"},
			{"status", "DSN Status, e.g. 5.1.1"},
			{"diagnostic_code", "DSN Diagnostic-Code"},
			{"reporting_mta", "DSN Reporting-MTA"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
			{"sent_at", "when the message was sent (mail.timestamp)"},
			{"feedback_id", "unique id of the bounce"},
		},
		body: mustTemplate("bounces", `
WITH bounced AS (
  SELECT
    {{identity}} AS sender_identity,
    e.bounce."timestamp" AS bounced_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.bounce.bouncetype AS bounce_type,
    e.bounce.bouncesubtype AS bounce_subtype,
    r.action AS action,
    r.status AS status,
    r.diagnosticcode AS diagnostic_code,
    e.bounce.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    e.bounce.feedbackid AS feedback_id,
    row_number() OVER (PARTITION BY e.mail.messageid, e.bounce.feedbackid, r.emailaddress ORDER BY e.bounce."timestamp") AS n_copy
  FROM {{table "Bounce"}}
  {{unnest "bounce.bouncedrecipients" "r"}}
  WHERE {{where "Bounce"}}
)
SELECT sender_identity, bounced_at, message_id, recipient, bounce_type, bounce_subtype, action, status,
  diagnostic_code, reporting_mta, subject, source, sent_at, feedback_id
FROM bounced
WHERE n_copy = 1
ORDER BY bounced_at, message_id, recipient, sender_identity, feedback_id`),
	},
	{
		Name:        "complaints",
		Description: "One row per complained recipient: feedback type, complaint subtype, the reporting user agent and arrival date, and the message.",
		EventTypes:  []string{"Complaint"},
		Dedupe:      "message id, complaint feedback id, recipient",
		timeExpr:    `e.complaint."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"complained_at", "when the ISP reported the complaint (complaint.timestamp)"},
			{"message_id", "SES message id"},
			{"recipient", "address SES attributes the complaint to"},
			{"feedback_type", "abuse, auth-failure, fraud, not-spam, other or virus (from the feedback report)"},
			{"complaint_subtype", "empty, or OnAccountSuppressionList"},
			{"user_agent", "User-Agent of the feedback report"},
			{"arrival_date", "Arrival-Date of the feedback report"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
			{"sent_at", "when the message was sent"},
			{"feedback_id", "unique id of the complaint"},
		},
		body: mustTemplate("complaints", `
WITH complained AS (
  SELECT
    {{identity}} AS sender_identity,
    e.complaint."timestamp" AS complained_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.complaint.complaintfeedbacktype AS feedback_type,
    e.complaint.complaintsubtype AS complaint_subtype,
    e.complaint.useragent AS user_agent,
    e.complaint.arrivaldate AS arrival_date,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    e.complaint.feedbackid AS feedback_id,
    row_number() OVER (PARTITION BY e.mail.messageid, e.complaint.feedbackid, r.emailaddress ORDER BY e.complaint."timestamp") AS n_copy
  FROM {{table "Complaint"}}
  {{unnest "complaint.complainedrecipients" "r"}}
  WHERE {{where "Complaint"}}
)
SELECT sender_identity, complained_at, message_id, recipient, feedback_type, complaint_subtype, user_agent,
  arrival_date, subject, source, sent_at, feedback_id
FROM complained
WHERE n_copy = 1
ORDER BY complained_at, message_id, recipient, sender_identity, feedback_id`),
	},
	{
		Name:        "deliveries",
		Description: "One row per delivered recipient: processing time, the receiving server's SMTP response and the SES host that delivered.",
		EventTypes:  []string{"Delivery"},
		Dedupe:      "message id, delivery timestamp, recipient",
		timeExpr:    `e.delivery."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"delivered_at", "when SES handed the message over (delivery.timestamp)"},
			{"message_id", "SES message id"},
			{"recipient", "delivered address"},
			{"processing_time_ms", "milliseconds from the send request to delivery"},
			{"smtp_response", "SMTP response of the receiving server"},
			{"reporting_mta", "SES host that delivered"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
			{"sent_at", "when the message was sent"},
		},
		body: mustTemplate("deliveries", `
WITH delivered AS (
  SELECT
    {{identity}} AS sender_identity,
    e.delivery."timestamp" AS delivered_at,
    e.mail.messageid AS message_id,
    r AS recipient,
    e.delivery.processingtimemillis AS processing_time_ms,
    e.delivery.smtpresponse AS smtp_response,
    e.delivery.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    row_number() OVER (PARTITION BY e.mail.messageid, e.delivery."timestamp", r ORDER BY e.delivery."timestamp") AS n_copy
  FROM {{table "Delivery"}}
  {{unnest "delivery.recipients" "r"}}
  WHERE {{where "Delivery"}}
)
SELECT sender_identity, delivered_at, message_id, recipient, processing_time_ms, smtp_response, reporting_mta,
  subject, source, sent_at
FROM delivered
WHERE n_copy = 1
ORDER BY delivered_at, message_id, recipient, sender_identity`),
	},
	{
		Name:        "delays",
		Description: "One row per delayed recipient: delay type, SMTP status and diagnostic, and when SES stops retrying.",
		EventTypes:  []string{"DeliveryDelay"},
		Dedupe:      "message id, delay timestamp, recipient",
		timeExpr:    `e.deliverydelay."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"delayed_at", "when the delay occurred (deliveryDelay.timestamp)"},
			{"message_id", "SES message id"},
			{"recipient", "delayed address"},
			{"delay_type", "InternalFailure, General, MailboxFull, SpamDetected, RecipientServerError, IPFailure, TransientCommunicationFailure, ..."},
			{"status", "SMTP status code, e.g. 4.4.1"},
			{"diagnostic_code", "diagnostic from the receiving server"},
			{"expiration_time", "when SES stops retrying"},
			{"reporting_mta", "MTA that reported the delay"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
			{"sent_at", "when the message was sent"},
		},
		body: mustTemplate("delays", `
WITH delayed AS (
  SELECT
    {{identity}} AS sender_identity,
    e.deliverydelay."timestamp" AS delayed_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.deliverydelay.delaytype AS delay_type,
    r.status AS status,
    r.diagnosticcode AS diagnostic_code,
    e.deliverydelay.expirationtime AS expiration_time,
    e.deliverydelay.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    row_number() OVER (PARTITION BY e.mail.messageid, e.deliverydelay."timestamp", r.emailaddress ORDER BY e.deliverydelay."timestamp") AS n_copy
  FROM {{table "DeliveryDelay"}}
  {{unnest "deliverydelay.delayedrecipients" "r"}}
  WHERE {{where "DeliveryDelay"}}
)
SELECT sender_identity, delayed_at, message_id, recipient, delay_type, status, diagnostic_code, expiration_time,
  reporting_mta, subject, source, sent_at
FROM delayed
WHERE n_copy = 1
ORDER BY delayed_at, message_id, recipient, sender_identity`),
	},
	{
		Name:        "rejects",
		Description: "One row per rejected message (SES found a virus and did not send it).",
		EventTypes:  []string{"Reject"},
		Dedupe:      "message id",
		timeExpr:    `e.mail."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"rejected_at", "when the message was submitted (mail.timestamp)"},
			{"message_id", "SES message id"},
			{"reason", "why SES rejected it (Bad content)"},
			{"recipients", "all recipients, comma-separated"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
		},
		body: mustTemplate("rejects", `
WITH rejected AS (
  SELECT
    {{identity}} AS sender_identity,
    e.mail."timestamp" AS rejected_at,
    e.mail.messageid AS message_id,
    e.reject.reason AS reason,
    {{join "e.mail.destination"}} AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM {{table "Reject"}}
  WHERE {{where "Reject"}}
)
SELECT sender_identity, rejected_at, message_id, reason, recipients, subject, source
FROM rejected
WHERE n_copy = 1
ORDER BY rejected_at, message_id, sender_identity`),
	},
	{
		Name:        "rendering-failures",
		Description: "One row per message whose template could not be rendered: template name and the error.",
		EventTypes:  []string{"Rendering Failure"},
		Dedupe:      "message id",
		timeExpr:    `e.mail."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"failed_at", "when the message was submitted (mail.timestamp)"},
			{"message_id", "SES message id"},
			{"template_name", "template used"},
			{"error_message", "why rendering failed"},
			{"recipients", "all recipients, comma-separated"},
			{"source", "envelope sender"},
		},
		body: mustTemplate("rendering-failures", `
WITH failed AS (
  SELECT
    {{identity}} AS sender_identity,
    e.mail."timestamp" AS failed_at,
    e.mail.messageid AS message_id,
    e.failure.templatename AS template_name,
    e.failure.errormessage AS error_message,
    {{join "e.mail.destination"}} AS recipients,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM {{table "Rendering Failure"}}
  WHERE {{where "Rendering Failure"}}
)
SELECT sender_identity, failed_at, message_id, template_name, error_message, recipients, source
FROM failed
WHERE n_copy = 1
ORDER BY failed_at, message_id, sender_identity`),
	},
	{
		Name:        "sends",
		Description: "One row per message SES accepted: recipients, subject, sender and configuration set.",
		EventTypes:  []string{"Send"},
		Dedupe:      "message id",
		timeExpr:    `e.mail."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"sent_at", "when the message was sent (mail.timestamp)"},
			{"message_id", "SES message id"},
			{"recipients", "all recipients, comma-separated"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
			{"configuration_set", "the ses:configuration-set tag"},
		},
		body: mustTemplate("sends", `
WITH sent AS (
  SELECT
    {{identity}} AS sender_identity,
    e.mail."timestamp" AS sent_at,
    e.mail.messageid AS message_id,
    {{join "e.mail.destination"}} AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    {{tag "e.mail.tags" "ses:configuration-set"}} AS configuration_set,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM {{table "Send"}}
  WHERE {{where "Send"}}
)
SELECT sender_identity, sent_at, message_id, recipients, subject, source, configuration_set
FROM sent
WHERE n_copy = 1
ORDER BY sent_at, message_id, sender_identity`),
	},
	{
		Name:        "opens",
		Description: "One row per open: when, from which IP address and client.",
		EventTypes:  []string{"Open"},
		Dedupe:      "message id, open timestamp, IP address, user agent",
		timeExpr:    `e.open."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"opened_at", "when the message was opened (open.timestamp)"},
			{"message_id", "SES message id"},
			{"ip_address", "recipient's IP address"},
			{"user_agent", "client that opened the message"},
			{"recipients", "all recipients of the message, comma-separated"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
		},
		body: mustTemplate("opens", `
WITH opened AS (
  SELECT
    {{identity}} AS sender_identity,
    e.open."timestamp" AS opened_at,
    e.mail.messageid AS message_id,
    e.open.ipaddress AS ip_address,
    e.open.useragent AS user_agent,
    {{join "e.mail.destination"}} AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid, e.open."timestamp", e.open.ipaddress, e.open.useragent ORDER BY e.open."timestamp") AS n_copy
  FROM {{table "Open"}}
  WHERE {{where "Open"}}
)
SELECT sender_identity, opened_at, message_id, ip_address, user_agent, recipients, subject, source
FROM opened
WHERE n_copy = 1
ORDER BY opened_at, message_id, ip_address, user_agent, sender_identity`),
	},
	{
		Name:        "clicks",
		Description: "One row per click: the link, when, from which IP address and client.",
		EventTypes:  []string{"Click"},
		Dedupe:      "message id, click timestamp, link, IP address, user agent",
		timeExpr:    `e.click."timestamp"`,
		Columns: []QueryColumn{
			{"sender_identity", "sending identity (partition)"},
			{"clicked_at", "when the link was followed (click.timestamp)"},
			{"message_id", "SES message id"},
			{"link", "URL of the link"},
			{"ip_address", "recipient's IP address"},
			{"user_agent", "client that followed the link"},
			{"recipients", "all recipients of the message, comma-separated"},
			{"subject", "Subject of the message"},
			{"source", "envelope sender"},
		},
		body: mustTemplate("clicks", `
WITH clicked AS (
  SELECT
    {{identity}} AS sender_identity,
    e.click."timestamp" AS clicked_at,
    e.mail.messageid AS message_id,
    e.click.link AS link,
    e.click.ipaddress AS ip_address,
    e.click.useragent AS user_agent,
    {{join "e.mail.destination"}} AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid, e.click."timestamp", e.click.link, e.click.ipaddress, e.click.useragent ORDER BY e.click."timestamp") AS n_copy
  FROM {{table "Click"}}
  WHERE {{where "Click"}}
)
SELECT sender_identity, clicked_at, message_id, link, ip_address, user_agent, recipients, subject, source
FROM clicked
WHERE n_copy = 1
ORDER BY clicked_at, message_id, link, ip_address, user_agent, sender_identity`),
	},
	summaryQuery,
}

// SES reputation thresholds (fractions): an account is placed under review
// at a 5% bounce rate or 0.1% complaint rate, and sending may be paused at
// 10% or 0.5%.
const (
	BounceReview    = "0.05"
	BouncePause     = "0.10"
	ComplaintReview = "0.001"
	ComplaintPause  = "0.005"
)

var summaryQuery = &CannedQuery{
	Name: "summary",
	Description: "Per sending identity and day, one row per configuration set: sends, deliveries, hard and soft bounces, complaints, rejects, delays, " +
		"rendering failures, bounce and complaint rates and their status against SES's review (5%, 0.1%) and pause (10%, 0.5%) thresholds.",
	EventTypes: []string{"Send", "Delivery", "Bounce", "Complaint", "Reject", "DeliveryDelay", "Rendering Failure"},
	Dedupe:     "per kind: sends message id + recipient; deliveries and delays message id + event timestamp + recipient; bounces and complaints message id + feedback id + recipient; rejects and rendering failures message id",
	timeExpr:   `coalesce(e.bounce."timestamp", e.complaint."timestamp", e.delivery."timestamp", e.deliverydelay."timestamp", e.mail."timestamp")`,
	Columns: []QueryColumn{
		{"sender_identity", "sending identity (partition)"},
		{"day", "yyyy-MM-dd of the partition the events were delivered to (Firehose arrival day)"},
		{"sends", "recipients of Send events (one per mail.destination entry)"},
		{"deliveries", "recipients of Delivery events"},
		{"hard_bounces", "bounced recipients with bounceType Permanent, except subtype OnAccountSuppressionList"},
		{"soft_bounces", "bounced recipients with bounceType Transient or Undetermined"},
		{"complaints", "complained recipients, except complaintSubType OnAccountSuppressionList"},
		{"rejects", "Reject events (messages)"},
		{"delays", "delayed recipients of DeliveryDelay events"},
		{"rendering_failures", "Rendering Failure events (messages)"},
		{"bounce_rate", "hard_bounces / sends, a fraction with 6 decimals; empty when sends = 0"},
		{"complaint_rate", "complaints / sends, a fraction with 6 decimals; empty when sends = 0"},
		{"bounce_status", "ok below 5%, review from 5%, pause from 10%; empty when sends = 0"},
		{"complaint_status", "ok below 0.1%, review from 0.1%, pause from 0.5%; empty when sends = 0"},
		// Last, so readers of the earlier columns by position keep working.
		{"configuration_set", "the events' ses:configuration-set tag; empty (never NULL) for events sent without a configuration set"},
	},
	body: mustTemplate("summary", `
WITH items AS (
  SELECT {{identity}} AS sender_identity, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, '') AS configuration_set, {{day}} AS "day", 'send' AS kind,
    coalesce(e.mail.messageid, '') || '|' || coalesce(r, '') AS event_key
  FROM {{table "Send"}}
  {{unnest "mail.destination" "r"}}
  WHERE {{where "Send"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}}, 'delivery',
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.delivery."timestamp", '') || '|' || coalesce(r, '')
  FROM {{table "Delivery"}}
  {{unnest "delivery.recipients" "r"}}
  WHERE {{where "Delivery"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}},
    CASE
      WHEN e.bounce.bouncetype = 'Permanent' AND coalesce(e.bounce.bouncesubtype, '') = 'OnAccountSuppressionList' THEN 'suppressed_bounce'
      WHEN e.bounce.bouncetype = 'Permanent' THEN 'hard_bounce'
      ELSE 'soft_bounce'
    END,
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.bounce.feedbackid, '') || '|' || coalesce(r.emailaddress, '')
  FROM {{table "Bounce"}}
  {{unnest "bounce.bouncedrecipients" "r"}}
  WHERE {{where "Bounce"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}},
    CASE WHEN coalesce(e.complaint.complaintsubtype, '') = 'OnAccountSuppressionList' THEN 'suppressed_complaint' ELSE 'complaint' END,
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.complaint.feedbackid, '') || '|' || coalesce(r.emailaddress, '')
  FROM {{table "Complaint"}}
  {{unnest "complaint.complainedrecipients" "r"}}
  WHERE {{where "Complaint"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}}, 'reject', coalesce(e.mail.messageid, '')
  FROM {{table "Reject"}}
  WHERE {{where "Reject"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}}, 'delay',
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.deliverydelay."timestamp", '') || '|' || coalesce(r.emailaddress, '')
  FROM {{table "DeliveryDelay"}}
  {{unnest "deliverydelay.delayedrecipients" "r"}}
  WHERE {{where "DeliveryDelay"}}
  UNION ALL
  SELECT {{identity}}, coalesce({{tag "e.mail.tags" "ses:configuration-set"}}, ''), {{day}}, 'rendering_failure', coalesce(e.mail.messageid, '')
  FROM {{table "Rendering Failure"}}
  WHERE {{where "Rendering Failure"}}
),
unique_items AS (
  SELECT sender_identity, configuration_set, "day", kind,
    row_number() OVER (PARTITION BY kind, event_key ORDER BY "day", sender_identity, configuration_set) AS n_copy
  FROM items
),
counts AS (
  SELECT sender_identity, configuration_set, "day",
    count(CASE WHEN kind = 'send' THEN 1 END) AS sends,
    count(CASE WHEN kind = 'delivery' THEN 1 END) AS deliveries,
    count(CASE WHEN kind = 'hard_bounce' THEN 1 END) AS hard_bounces,
    count(CASE WHEN kind = 'soft_bounce' THEN 1 END) AS soft_bounces,
    count(CASE WHEN kind = 'complaint' THEN 1 END) AS complaints,
    count(CASE WHEN kind = 'reject' THEN 1 END) AS rejects,
    count(CASE WHEN kind = 'delay' THEN 1 END) AS delays,
    count(CASE WHEN kind = 'rendering_failure' THEN 1 END) AS rendering_failures
  FROM unique_items
  WHERE n_copy = 1
  GROUP BY sender_identity, configuration_set, "day"
)
SELECT sender_identity, "day", sends, deliveries, hard_bounces, soft_bounces, complaints, rejects, delays, rendering_failures,
  CASE WHEN sends > 0 THEN CAST(CAST(hard_bounces AS DOUBLE) / sends AS DECIMAL(12, 6)) END AS bounce_rate,
  CASE WHEN sends > 0 THEN CAST(CAST(complaints AS DOUBLE) / sends AS DECIMAL(12, 6)) END AS complaint_rate,
  CASE
    WHEN sends = 0 THEN NULL
    WHEN hard_bounces >= `+BouncePause+` * sends THEN 'pause'
    WHEN hard_bounces >= `+BounceReview+` * sends THEN 'review'
    ELSE 'ok'
  END AS bounce_status,
  CASE
    WHEN sends = 0 THEN NULL
    WHEN complaints >= `+ComplaintPause+` * sends THEN 'pause'
    WHEN complaints >= `+ComplaintReview+` * sends THEN 'review'
    ELSE 'ok'
  END AS complaint_status,
  configuration_set
FROM counts
ORDER BY "day", sender_identity, configuration_set`),
}

func mustTemplate(name, body string) *template.Template {
	// The real functions are bound per rendering; these stubs only let
	// the body parse once, at start-up.
	stub := template.FuncMap{}
	for _, f := range []string{"table", "where", "unnest", "tag", "join", "identity", "day"} {
		stub[f] = func(...string) string { return "" }
	}
	return template.Must(template.New(name).Funcs(stub).Parse(body))
}

// arrayElem returns the struct field names of the elements of array
// column path ("bounce.bouncedrecipients"), in table order, or nil for an
// array of scalars.
func arrayElem(path string) ([]string, error) {
	names := strings.Split(path, ".")
	t := schema.Type{Kind: schema.Struct, Fields: schema.Columns()}
	for _, n := range names {
		f, ok := t.Field(n)
		if !ok {
			return nil, fmt.Errorf("no column %s in the events table", path)
		}
		t = f.Type
	}
	if t.Kind != schema.Array {
		return nil, fmt.Errorf("column %s is not an array", path)
	}
	var out []string
	if t.Elem.Kind == schema.Struct {
		for _, f := range t.Elem.Fields {
			out = append(out, f.Name)
		}
	}
	return out, nil
}
