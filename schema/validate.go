package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Problem is one finding of Validate. Field is the JSON path of the field
// (mail.tags.ses:configuration-set, bounce.bouncedRecipients[0].emailAddress),
// empty for problems with the record as a whole.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
}

// Format renders the problem as "file:line: field: problem", the form
// compilers and editors understand.
func (p Problem) Format(file string, line int) string {
	return file + ":" + strconv.Itoa(line) + ": " + p.String()
}

// Validate checks one SES event-publishing record against the documented
// format and returns its problems, none for a good record. Unknown extra
// fields are accepted: SES adds fields over time.
func Validate(record []byte) []Problem {
	root, p := decodeRecord(record)
	if p != nil {
		return []Problem{*p}
	}
	var v validator
	v.record(root)
	return v.problems
}

// decodeRecord parses record as exactly one JSON object.
func decodeRecord(record []byte) (map[string]any, *Problem) {
	trimmed := bytes.TrimSpace(record)
	if len(trimmed) == 0 {
		return nil, &Problem{Message: "empty record (Athena's OpenX JSON SerDe reads an empty line as an all-NULL row)"}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		msg := "not valid JSON: " + err.Error()
		if string(trimmed) == "{" || string(trimmed) == "[" {
			msg += " (pretty-printed JSON? each record must be one line)"
		}
		return nil, &Problem{Message: msg}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Problem{Message: "trailing data after the JSON object (one record per line)"}
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, &Problem{Message: "not a JSON object but " + jsonKind(root)}
	}
	return obj, nil
}

type validator struct{ problems []Problem }

func (v *validator) add(field, format string, a ...any) {
	v.problems = append(v.problems, Problem{Field: field, Message: fmt.Sprintf(format, a...)})
}

func (v *validator) record(root map[string]any) {
	idx, ok := v.eventType(root)
	if !ok {
		return
	}
	v.mail(root)
	v.typeObjects(root, idx)
}

// eventType checks eventType and returns its index (-1 when unknown). ok is
// false when nothing else is worth checking (an SNS notification).
func (v *validator) eventType(root map[string]any) (int, bool) {
	raw, present := root["eventType"]
	if !present {
		if nt, isSNS := root["notificationType"]; isSNS {
			v.add("notificationType", "SNS notification (notificationType=%s), not an event-publishing record", scalarText(nt))
			return -1, false
		}
		v.add("eventType", "missing")
		return -1, true
	}
	et, isStr := raw.(string)
	if !isStr {
		v.add("eventType", "is %s, want a string", jsonKind(raw))
		return -1, true
	}
	idx := typeIndex(et)
	if idx < 0 {
		v.add("eventType", "%s", unknownValue("unknown event type", et, EventTypes))
	}
	return idx, true
}

// typeObjects checks the object named by the event type and flags objects
// of other types.
func (v *validator) typeObjects(root map[string]any, idx int) {
	for i, e := range eventTable {
		val, present := root[e.Key]
		switch {
		case i == idx && !present:
			v.add(e.Key, "missing (required when eventType is %q)", e.Type)
		case i == idx:
			obj, ok := v.object(e.Key, val)
			if ok {
				objectCheckers[i](v, e.Key, obj)
			}
		case present && idx >= 0:
			v.add(e.Key, "unexpected for eventType %q (this object belongs to %q)", eventTable[idx].Type, e.Type)
		}
	}
}

var objectCheckers = [10]func(v *validator, path string, obj map[string]any){
	(*validator).bounce, (*validator).complaint, (*validator).delivery, (*validator).send,
	(*validator).reject, (*validator).open, (*validator).click, (*validator).failure,
	(*validator).deliveryDelay, (*validator).subscription,
}

func (v *validator) mail(root map[string]any) {
	val, present := root["mail"]
	if !present {
		v.add("mail", "missing")
		return
	}
	m, ok := v.object("mail", val)
	if !ok {
		return
	}
	v.timestamp(m, "mail", "timestamp", true)
	v.str(m, "mail", "messageId", true)
	v.str(m, "mail", "source", true)
	v.str(m, "mail", "sourceArn", false)
	v.accountID(m)
	v.strArray(m, "mail", "destination", true, true)
	v.headersTruncated(m)
	v.headers(m)
	v.commonHeaders(m)
	v.tagMap(m, "mail", "tags")
}

func (v *validator) accountID(m map[string]any) {
	s, ok := v.str(m, "mail", "sendingAccountId", true)
	if ok && (len(s) != 12 || strings.Trim(s, "0123456789") != "") {
		v.add("mail.sendingAccountId", "%q is not a 12-digit AWS account ID", s)
	}
}

func (v *validator) headersTruncated(m map[string]any) {
	val, present := m["headersTruncated"]
	if !present {
		return
	}
	switch t := val.(type) {
	case bool:
	case string:
		if t != "true" && t != "false" {
			v.add("mail.headersTruncated", "%q, want true or false", t)
		}
	default:
		v.add("mail.headersTruncated", "is %s, want a boolean", jsonKind(val))
	}
}

func (v *validator) headers(m map[string]any) {
	arr, _ := v.array(m, "mail", "headers", false)
	for i, h := range arr {
		path := fmt.Sprintf("mail.headers[%d]", i)
		if obj, isObj := v.object(path, h); isObj {
			v.str(obj, path, "name", true)
			v.str(obj, path, "value", true)
		}
	}
}

func (v *validator) commonHeaders(m map[string]any) {
	val, present := m["commonHeaders"]
	if !present {
		return
	}
	ch, ok := v.object("mail.commonHeaders", val)
	if !ok {
		return
	}
	for _, k := range []string{"from", "to", "cc", "bcc", "replyTo"} {
		v.strArray(ch, "mail.commonHeaders", k, false, false)
	}
	for _, k := range []string{"returnPath", "date", "messageId", "subject"} {
		v.str(ch, "mail.commonHeaders", k, false)
	}
}

// tagMap checks an object whose values are arrays of strings (mail.tags,
// click.linkTags).
func (v *validator) tagMap(parent map[string]any, path, key string) {
	val, present := parent[key]
	if !present {
		return
	}
	full := join(path, key)
	tags, ok := v.object(full, val)
	if !ok {
		return
	}
	for _, name := range sortedKeys(tags) {
		v.strArray(tags, full, name, true, false)
	}
}

func (v *validator) bounce(path string, b map[string]any) {
	bt, okType := v.enum(b, path, "bounceType", sortedKeys(BounceSubTypes))
	st, okSub := v.str(b, path, "bounceSubType", true)
	if okType && okSub && !slices.Contains(BounceSubTypes[bt], st) {
		v.add(path+".bounceSubType", "%q is not a subtype of bounceType %q; want one of %s",
			st, bt, strings.Join(quoteAll(BounceSubTypes[bt]), ", "))
	}
	v.recipients(b, path, "bouncedRecipients", "action", "status", "diagnosticCode")
	v.timestamp(b, path, "timestamp", true)
	v.str(b, path, "feedbackId", true)
	v.str(b, path, "reportingMTA", false)
}

func (v *validator) complaint(path string, c map[string]any) {
	v.recipients(c, path, "complainedRecipients")
	v.timestamp(c, path, "timestamp", true)
	v.str(c, path, "feedbackId", true)
	if val, present := c["complaintSubType"]; present && val != nil {
		v.str(c, path, "complaintSubType", false)
	}
	v.str(c, path, "userAgent", false)
	if _, present := c["complaintFeedbackType"]; present {
		v.enum(c, path, "complaintFeedbackType", ComplaintFeedbackTypes)
	}
	v.timestamp(c, path, "arrivalDate", false)
}

func (v *validator) delivery(path string, d map[string]any) {
	v.timestamp(d, path, "timestamp", true)
	if val, present := d["processingTimeMillis"]; !present {
		v.add(path+".processingTimeMillis", "missing")
	} else if n, isNum := val.(json.Number); !isNum {
		v.add(path+".processingTimeMillis", "is %s, want a number", jsonKind(val))
	} else if i, err := n.Int64(); err != nil || i < 0 {
		v.add(path+".processingTimeMillis", "%s is not a non-negative whole number of milliseconds", n)
	}
	v.strArray(d, path, "recipients", true, true)
	v.str(d, path, "smtpResponse", true)
	v.str(d, path, "reportingMTA", true)
}

func (v *validator) send(string, map[string]any) {} // always {}; any content is tolerated

func (v *validator) reject(path string, r map[string]any) {
	if s, ok := v.str(r, path, "reason", true); ok && s != "Bad content" {
		v.add(path+".reason", "%q; SES documents only \"Bad content\"", s)
	}
}

func (v *validator) open(path string, o map[string]any) {
	v.str(o, path, "ipAddress", true)
	v.timestamp(o, path, "timestamp", true)
	v.str(o, path, "userAgent", true)
}

func (v *validator) click(path string, c map[string]any) {
	v.str(c, path, "ipAddress", true)
	v.timestamp(c, path, "timestamp", true)
	v.str(c, path, "userAgent", true)
	v.str(c, path, "link", true)
	v.tagMap(c, path, "linkTags")
}

func (v *validator) failure(path string, f map[string]any) {
	v.str(f, path, "templateName", true)
	v.str(f, path, "errorMessage", true)
}

func (v *validator) deliveryDelay(path string, d map[string]any) {
	v.timestamp(d, path, "timestamp", true)
	v.enum(d, path, "delayType", DelayTypes)
	v.timestamp(d, path, "expirationTime", true)
	v.str(d, path, "reportingMTA", false)
	v.recipients(d, path, "delayedRecipients", "status", "diagnosticCode")
}

func (v *validator) subscription(path string, s map[string]any) {
	v.str(s, path, "contactList", true)
	v.timestamp(s, path, "timestamp", true)
	v.str(s, path, "source", true)
	v.topicPreferences(s, path, "newTopicPreferences", true)
	v.topicPreferences(s, path, "oldTopicPreferences", false)
}

func (v *validator) topicPreferences(parent map[string]any, path, key string, required bool) {
	val, present := parent[key]
	full := join(path, key)
	if !present {
		if required {
			v.add(full, "missing")
		}
		return
	}
	p, ok := v.object(full, val)
	if !ok {
		return
	}
	if u, present := p["unsubscribeAll"]; !present {
		v.add(full+".unsubscribeAll", "missing")
	} else if _, isBool := u.(bool); !isBool {
		v.add(full+".unsubscribeAll", "is %s, want a boolean", jsonKind(u))
	}
	arr, _ := v.array(p, full, "topicSubscriptionStatus", true)
	for i, t := range arr {
		tp := fmt.Sprintf("%s.topicSubscriptionStatus[%d]", full, i)
		if obj, isObj := v.object(tp, t); isObj {
			v.str(obj, tp, "topicName", true)
			v.enum(obj, tp, "subscriptionStatus", SubscriptionStatuses)
		}
	}
}

// recipients checks a non-empty array of objects that each carry an
// emailAddress plus optional string fields.
func (v *validator) recipients(parent map[string]any, path, key string, optional ...string) {
	arr, ok := v.array(parent, path, key, true)
	if !ok {
		return
	}
	if len(arr) == 0 {
		v.add(join(path, key), "empty; want at least one recipient")
	}
	for i, r := range arr {
		rp := fmt.Sprintf("%s.%s[%d]", path, key, i)
		if obj, isObj := v.object(rp, r); isObj {
			v.str(obj, rp, "emailAddress", true)
			for _, k := range optional {
				v.str(obj, rp, k, false)
			}
		}
	}
}

// ---- primitive checks ----

func (v *validator) object(path string, val any) (map[string]any, bool) {
	obj, ok := val.(map[string]any)
	if !ok {
		v.add(path, "is %s, want an object", jsonKind(val))
	}
	return obj, ok
}

func (v *validator) array(parent map[string]any, path, key string, required bool) ([]any, bool) {
	val, present := parent[key]
	full := join(path, key)
	if !present {
		if required {
			v.add(full, "missing")
		}
		return nil, false
	}
	arr, ok := val.([]any)
	if !ok {
		v.add(full, "is %s, want an array", jsonKind(val))
	}
	return arr, ok
}

// str checks a string field; ok reports a present string.
func (v *validator) str(parent map[string]any, path, key string, required bool) (string, bool) {
	val, present := parent[key]
	full := join(path, key)
	if !present {
		if required {
			v.add(full, "missing")
		}
		return "", false
	}
	s, ok := val.(string)
	if !ok {
		v.add(full, "is %s, want a string", jsonKind(val))
		return "", false
	}
	if required && s == "" {
		v.add(full, "empty")
		return "", false
	}
	return s, true
}

func (v *validator) strArray(parent map[string]any, path, key string, required, nonEmpty bool) {
	arr, ok := v.array(parent, path, key, required)
	if !ok {
		return
	}
	full := join(path, key)
	if nonEmpty && len(arr) == 0 {
		v.add(full, "empty array")
	}
	for i, e := range arr {
		if _, isStr := e.(string); !isStr {
			v.add(fmt.Sprintf("%s[%d]", full, i), "is %s, want a string", jsonKind(e))
		}
	}
}

func (v *validator) timestamp(parent map[string]any, path, key string, required bool) {
	s, ok := v.str(parent, path, key, required)
	if !ok {
		return
	}
	if _, err := ParseTimestamp(s); err != nil {
		v.add(join(path, key), "%q is %v", s, err)
	}
}

func (v *validator) enum(parent map[string]any, path, key string, allowed []string) (string, bool) {
	s, ok := v.str(parent, path, key, true)
	if !ok {
		return "", false
	}
	if slices.Contains(allowed, s) {
		return s, true
	}
	v.add(join(path, key), "%s", unknownValue("unknown value", s, allowed))
	return "", false
}

// unknownValue describes a value outside allowed: with a suggestion when
// one is close, else with the list of allowed values.
func unknownValue(what, s string, allowed []string) string {
	if sug := Suggest(s, allowed); sug != "" {
		return fmt.Sprintf("%s %q (did you mean %q?)", what, s, sug)
	}
	return fmt.Sprintf("%s %q; want one of %s", what, s, strings.Join(quoteAll(allowed), ", "))
}

// ---- helpers ----

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func jsonKind(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", t)
	}
}

func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return "null"
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Suggest returns the candidate closest to s, or "" when none is close. It
// compares case-insensitively and ignores spaces, '_' and '-', so
// "RenderingFailure", "DELIVERY_DELAY" and "bounce" find their SES spelling,
// then allows a small edit distance for typos.
func Suggest(s string, candidates []string) string {
	norm := normalizeName(s)
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(norm, normalizeName(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := 2
	if len(norm) <= 4 {
		limit = 1
	}
	if bestDist < 0 || bestDist > limit || norm == "" {
		return ""
	}
	return best
}

func normalizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r != ' ' && r != '_' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the optimal-string-alignment distance between a and b
// (bytes): insertions, deletions, substitutions and adjacent transpositions
// each cost 1.
func editDistance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(a)][len(b)]
}
