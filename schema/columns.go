package schema

import (
	"strings"
)

// Kind is the kind of a column type.
type Kind int

// Kinds of column types. Timestamps are kept as String (the ISO-8601 text SES
// wrote); queries parse them with from_iso8601_timestamp.
const (
	String Kind = iota
	Bigint
	Boolean
	Array
	Map
	Struct
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Bigint:
		return "bigint"
	case Boolean:
		return "boolean"
	case Array:
		return "array"
	case Map:
		return "map"
	case Struct:
		return "struct"
	}
	return "invalid"
}

// Type is a column or field type. Elem is set for Array and Map (values),
// Key for Map, Fields for Struct.
type Type struct {
	Kind   Kind
	Elem   *Type
	Key    *Type
	Fields []Field
}

// Field is a struct field or a top-level column.
type Field struct {
	Name    string // lower-case column/field name (Athena lower-cases names)
	JSONKey string // exact key in the SES JSON
	Type    Type
	Doc     string
}

// Column is a top-level column of the events table.
type Column = Field

// NeedsMapping reports whether the OpenX JSON SerDe needs a
// "mapping.<name>"="<JSONKey>" property to find the field: its default
// case-insensitive matching covers keys that differ only in case.
func (f Field) NeedsMapping() bool { return f.Name != strings.ToLower(f.JSONKey) }

// Hive renders the type as Athena/Hive DDL: string, bigint, array<string>,
// map<string,array<string>>, struct<name:type,...>. Struct field names that
// are DDL reserved words (from, date, timestamp, to, ...) are quoted with
// backticks.
func (t Type) Hive() string {
	var b strings.Builder
	t.writeHive(&b)
	return b.String()
}

func (t Type) writeHive(b *strings.Builder) {
	switch t.Kind {
	case Array:
		b.WriteString("array<")
		t.Elem.writeHive(b)
		b.WriteByte('>')
	case Map:
		b.WriteString("map<")
		t.Key.writeHive(b)
		b.WriteByte(',')
		t.Elem.writeHive(b)
		b.WriteByte('>')
	case Struct:
		b.WriteString("struct<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(QuoteDDL(f.Name))
			b.WriteByte(':')
			f.Type.writeHive(b)
		}
		b.WriteByte('>')
	default:
		b.WriteString(t.Kind.String())
	}
}

// Field returns the struct field named name (lower-case), if any.
func (t Type) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// QuoteDDL quotes name with backticks when it is an Athena DDL reserved word
// or starts with an underscore.
func QuoteDDL(name string) string {
	if IsDDLReserved(name) || strings.HasPrefix(name, "_") {
		return "`" + name + "`"
	}
	return name
}

// QuoteSelect quotes name with double quotes when it is an Athena SELECT
// reserved word (mail.commonheaders."from").
func QuoteSelect(name string) string {
	if IsSelectReserved(name) {
		return `"` + name + `"`
	}
	return name
}

// IsDDLReserved reports whether word is reserved in Athena DDL statements.
func IsDDLReserved(word string) bool { return ddlReserved[strings.ToUpper(word)] }

// IsSelectReserved reports whether word is reserved in Athena SELECT statements.
func IsSelectReserved(word string) bool { return selectReserved[strings.ToUpper(word)] }

// Athena's reserved keyword lists:
// https://docs.aws.amazon.com/athena/latest/ug/reserved-words.html
var ddlReserved = wordSet(`ALL ALTER AND ARRAY AS AUTHORIZATION BETWEEN BIGINT BINARY BOOLEAN BOTH
BY CASE CASHE CAST CHAR COLUMN CONF CONSTRAINT COMMIT CREATE CROSS CUBE
CURRENT CURRENT_DATE CURRENT_TIMESTAMP CURSOR DATABASE DATE DAYOFWEEK DECIMAL
DELETE DESCRIBE DISTINCT DOUBLE DROP ELSE END EXCHANGE EXISTS EXTENDED
EXTERNAL EXTRACT FALSE FETCH FLOAT FLOOR FOLLOWING FOR FOREIGN FROM FULL
FUNCTION GRANT GROUP GROUPING HAVING IF IMPORT IN INNER INSERT INT INTEGER
INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LESS LIKE LOCAL MACRO MAP MORE
NONE NOT NULL NUMERIC OF ON ONLY OR ORDER OUT OUTER OVER PARTIALSCAN PARTITION
PERCENT PRECEDING PRECISION PRESERVE PRIMARY PROCEDURE RANGE READS REDUCE REGEXP
REFERENCES REVOKE RIGHT RLIKE ROLLBACK ROLLUP ROW ROWS SELECT SET SMALLINT START TABLE
TABLESAMPLE THEN TIME TIMESTAMP TO TRANSFORM TRIGGER TRUE TRUNCATE UNBOUNDED UNION
UNIQUEJOIN UPDATE USER USING UTC_TIMESTAMP VALUES VARCHAR VIEWS WHEN WHERE WINDOW WITH`)

var selectReserved = wordSet(`ALTER AND AS BETWEEN BY CASE CAST
CONSTRAINT CREATE CROSS CUBE CURRENT_DATE CURRENT_PATH
CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEALLOCATE
DELETE DESCRIBE DISTINCT DROP ELSE END ESCAPE EXCEPT
EXECUTE EXISTS EXTRACT FALSE FIRST FOR FROM FULL GROUP
GROUPING HAVING IN INNER INSERT INTERSECT INTO
IS JOIN LAST LEFT LIKE LOCALTIME LOCALTIMESTAMP NATURAL
NORMALIZE NOT NULL ON OR ORDER OUTER PREPARE
RECURSIVE RIGHT ROLLUP SELECT TABLE THEN TRUE
UNESCAPE UNION UNNEST USING VALUES WHEN WHERE WITH`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// ---- the table ----

var (
	tString  = Type{Kind: String}
	tBigint  = Type{Kind: Bigint}
	tBoolean = Type{Kind: Boolean}
)

func arrayOf(t Type) Type      { return Type{Kind: Array, Elem: &t} }
func structOf(f ...Field) Type { return Type{Kind: Struct, Fields: f} }

// tagMapType is map<string,array<string>>: tag names stay map keys, so colon
// keys such as ses:configuration-set need no mapping.* property.
func tagMapType() Type {
	k, v := tString, arrayOf(tString)
	return Type{Kind: Map, Key: &k, Elem: &v}
}

// fld builds a field whose column name is the lower-cased JSON key.
func fld(jsonKey string, t Type, doc string) Field {
	return Field{Name: strings.ToLower(jsonKey), JSONKey: jsonKey, Type: t, Doc: doc}
}

func strField(jsonKey, doc string) Field { return fld(jsonKey, tString, doc) }

func tsField(jsonKey, doc string) Field {
	return fld(jsonKey, tString, doc+" (ISO-8601 text, e.g. 2017-08-05T00:41:02.669Z)")
}

// Columns returns the columns of the SES events table, in order: eventtype,
// mail, then one struct column per event object. DDL, the Glue table and the
// Parquet schema are generated from it. There is no send column: SES always
// publishes "send":{} and an empty struct is not a valid Hive or Parquet
// type; select sends with eventtype = 'Send'.
func Columns() []Column {
	return []Column{
		strField("eventType", "Bounce, Complaint, Delivery, Send, Reject, Open, Click, Rendering Failure, DeliveryDelay or Subscription"),
		fld("mail", mailType(), "the message that produced the event"),
		fld("bounce", bounceType(), "set when eventtype = 'Bounce'"),
		fld("complaint", complaintType(), "set when eventtype = 'Complaint'"),
		fld("delivery", deliveryType(), "set when eventtype = 'Delivery'"),
		fld("reject", structOf(strField("reason", "always 'Bad content' (a virus was detected)")), "set when eventtype = 'Reject'"),
		fld("open", openType(), "set when eventtype = 'Open'"),
		fld("click", clickType(), "set when eventtype = 'Click'"),
		fld("failure", structOf(
			strField("templateName", "template used to send the email"),
			strField("errorMessage", "why rendering failed"),
		), "set when eventtype = 'Rendering Failure'"),
		fld("deliveryDelay", deliveryDelayType(), "set when eventtype = 'DeliveryDelay'"),
		fld("subscription", subscriptionType(), "set when eventtype = 'Subscription'"),
	}
}

func mailType() Type {
	return structOf(
		tsField("timestamp", "when the message was sent"),
		strField("source", "envelope MAIL FROM address"),
		strField("sourceArn", "ARN of the sending identity"),
		strField("sendingAccountId", "AWS account that sent the message"),
		strField("messageId", "SES message ID (the join key between events of one message)"),
		fld("destination", arrayOf(tString), "all recipients of the message"),
		fld("headersTruncated", tBoolean, "true when headers exceeded 10 KB"),
		fld("headers", arrayOf(structOf(strField("name", "header name"), strField("value", "header value"))), "original headers"),
		fld("commonHeaders", commonHeadersType(), "commonly used headers"),
		fld("tags", tagMapType(), "tag name -> values: ses:configuration-set, ses:from-domain, ses:source-ip, ses:caller-identity, ses:outgoing-ip, custom tags"),
	)
}

func commonHeadersType() Type {
	return structOf(
		fld("from", arrayOf(tString), "From addresses"),
		fld("to", arrayOf(tString), "To addresses"),
		fld("cc", arrayOf(tString), "Cc addresses"),
		fld("bcc", arrayOf(tString), "Bcc addresses"),
		fld("replyTo", arrayOf(tString), "Reply-To addresses"),
		strField("returnPath", "Return-Path"),
		strField("date", "Date header"),
		strField("messageId", "Message-ID header of the original message"),
		strField("subject", "Subject"),
	)
}

func bounceType() Type {
	return structOf(
		strField("bounceType", "Permanent, Transient or Undetermined"),
		strField("bounceSubType", "General, NoEmail, Suppressed, OnAccountSuppressionList, MailboxFull, ..."),
		fld("bouncedRecipients", arrayOf(structOf(
			strField("emailAddress", "recipient address"),
			strField("action", "DSN Action"),
			strField("status", "DSN Status, e.g. 5.1.1"),
			strField("diagnosticCode", "DSN Diagnostic-Code"),
		)), "recipients that bounced"),
		tsField("timestamp", "when the ISP sent the bounce"),
		strField("feedbackId", "unique ID of the bounce"),
		strField("reportingMTA", "DSN Reporting-MTA"),
	)
}

func complaintType() Type {
	return structOf(
		fld("complainedRecipients", arrayOf(structOf(strField("emailAddress", "recipient address"))), "recipients that may have complained"),
		tsField("timestamp", "when the ISP sent the complaint"),
		strField("feedbackId", "unique ID of the complaint"),
		strField("complaintSubType", "null or OnAccountSuppressionList"),
		strField("userAgent", "feedback report User-Agent"),
		strField("complaintFeedbackType", "abuse, auth-failure, fraud, not-spam, other or virus"),
		tsField("arrivalDate", "feedback report Arrival-Date"),
	)
}

func deliveryType() Type {
	return structOf(
		tsField("timestamp", "when SES delivered the message"),
		fld("processingTimeMillis", tBigint, "milliseconds from accepting the request to handing the message over"),
		fld("recipients", arrayOf(tString), "recipients the delivery applies to"),
		strField("smtpResponse", "SMTP response of the receiving server"),
		strField("reportingMTA", "SES host that sent the message"),
	)
}

func openType() Type {
	return structOf(
		strField("ipAddress", "recipient's IP address"),
		tsField("timestamp", "when the message was opened"),
		strField("userAgent", "client that opened the message"),
	)
}

func clickType() Type {
	return structOf(
		strField("ipAddress", "recipient's IP address"),
		tsField("timestamp", "when the link was clicked"),
		strField("userAgent", "client that followed the link"),
		strField("link", "URL of the link"),
		fld("linkTags", tagMapType(), "tags of the link (ses:tags attribute)"),
	)
}

func deliveryDelayType() Type {
	return structOf(
		tsField("timestamp", "when the delay occurred"),
		strField("delayType", "InternalFailure, General, MailboxFull, SpamDetected, RecipientServerError, IPFailure, TransientCommunicationFailure, ..."),
		tsField("expirationTime", "when SES stops retrying"),
		strField("reportingMTA", "IP address of the MTA that reported the delay"),
		fld("delayedRecipients", arrayOf(structOf(
			strField("emailAddress", "recipient address"),
			strField("status", "SMTP status code, e.g. 4.4.1"),
			strField("diagnosticCode", "diagnostic from the receiving MTA"),
		)), "recipients whose delivery is delayed"),
	)
}

func subscriptionType() Type {
	prefs := func() Type {
		return structOf(
			fld("unsubscribeAll", tBoolean, "unsubscribed from the whole list"),
			fld("topicSubscriptionStatus", arrayOf(structOf(
				strField("topicName", "topic"),
				strField("subscriptionStatus", "OptIn or OptOut"),
			)), "per-topic status"),
		)
	}
	return structOf(
		strField("contactList", "contact list name"),
		tsField("timestamp", "when the preferences changed"),
		strField("source", "how they changed, e.g. UnsubscribeHeader"),
		fld("newTopicPreferences", prefs(), "preferences after the change"),
		fld("oldTopicPreferences", prefs(), "preferences before the change"),
	)
}

// Walk calls fn for every field of cols, depth first, with its JSON path
// (mail.commonHeaders.from). Array elements and map values are walked with
// "[]" and "{}" appended to the path.
func Walk(cols []Column, fn func(path string, f Field)) {
	for _, c := range cols {
		walkField(c.JSONKey, c, fn)
	}
}

func walkField(path string, f Field, fn func(string, Field)) {
	fn(path, f)
	walkType(path, f.Type, fn)
}

func walkType(path string, t Type, fn func(string, Field)) {
	switch t.Kind {
	case Struct:
		for _, sub := range t.Fields {
			walkField(path+"."+sub.JSONKey, sub, fn)
		}
	case Array:
		walkType(path+"[]", *t.Elem, fn)
	case Map:
		walkType(path+"{}", *t.Elem, fn)
	}
}
