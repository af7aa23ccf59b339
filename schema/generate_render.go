package schema

import (
	"slices"
	"strconv"
	"time"
)

// Layouts of the mail object, following the official samples: most types
// use the documented field order; Open and Click samples have their mail
// keys in alphabetical order and no sourceArn; Rendering Failure and
// DeliveryDelay samples have no headers or commonHeaders.
const (
	layoutStd = iota
	layoutAlpha
	layoutBare
)

// render appends one event as compact JSON. Top-level key order follows the
// samples: the type object comes before mail for Bounce, Complaint and
// Click, after it for the others.
func (g *Generator) render(dst []byte, p pending) []byte {
	rc := &g.rc
	rc.m = g.deriveMessage(p.msg, p.mailAt)
	rc.p = p
	rc.id = &g.ids[rc.m.ident]
	rc.r = rng{s: p.ev}
	rc.w = jw{b: dst}
	w := &rc.w
	w.obj()
	w.kstr("eventType", eventTable[p.kind].Type)
	switch p.kind {
	case kBounce, kComplaint, kClick:
		rc.typeObject()
		rc.mail()
	default:
		rc.mail()
		rc.typeObject()
	}
	w.end()
	return w.b
}

// renderer holds the state of rendering one event; the Generator reuses
// one.
type renderer struct {
	w  jw
	m  message
	id *identity
	p  pending
	r  rng // event randomness
}

func (rc *renderer) typeObject() {
	rc.w.key(eventTable[rc.p.kind].Key)
	switch rc.p.kind {
	case kBounce:
		rc.bounce()
	case kComplaint:
		rc.complaint()
	case kDelivery:
		rc.delivery()
	case kSend:
		rc.w.obj()
		rc.w.end()
	case kReject:
		rc.w.obj()
		rc.w.kstr("reason", "Bad content")
		rc.w.end()
	case kOpen:
		rc.open()
	case kClick:
		rc.click()
	case kFailure:
		rc.failure()
	case kDelay:
		rc.deliveryDelay()
	case kSubscription:
		rc.subscription()
	}
}

// ---- mail ----

func (rc *renderer) layout() int {
	switch rc.p.kind {
	case kOpen, kClick:
		return layoutAlpha
	case kFailure, kDelay:
		return layoutBare
	}
	return layoutStd
}

func (rc *renderer) mail() {
	w, m, id := &rc.w, &rc.m, rc.id
	w.key("mail")
	w.obj()
	if rc.layout() == layoutAlpha {
		rc.commonHeaders(true)
		rc.destination()
		rc.headers()
		w.key("headersTruncated")
		w.raw("false")
		w.key("messageId")
		rc.messageID()
		w.kstr("sendingAccountId", genAccount)
		w.kstr("source", id.senders[m.sender])
		rc.tags(true)
		w.key("timestamp")
		w.ts(m.at)
		w.end()
		return
	}
	w.key("timestamp")
	w.ts(m.at)
	w.kstr("source", id.senders[m.sender])
	w.kstr("sourceArn", id.arn)
	w.kstr("sendingAccountId", genAccount)
	w.key("messageId")
	rc.messageID()
	rc.destination()
	w.key("headersTruncated")
	w.raw("false")
	if rc.layout() == layoutStd {
		rc.headers()
		rc.commonHeaders(false)
	}
	rc.tags(false)
	w.end()
}

func (rc *renderer) destination() {
	w := &rc.w
	w.key("destination")
	w.arr()
	for i := 0; i < rc.m.nRcpt; i++ {
		w.elem()
		rc.address(rc.m.rcpt[i])
	}
	w.endArr()
}

// messageID writes the SES message ID: 0100, the send time in hex
// milliseconds, a random UUID and -000000, like real SES IDs.
func (rc *renderer) messageID() {
	rc.w.b = append(rc.w.b, '"')
	rc.w.b = appendSESID(rc.w.b, rc.m.at, rc.m.id[:])
	rc.w.b = append(rc.w.b, '"')
}

func appendSESID(b []byte, ms int64, id []byte) []byte {
	b = append(b, "0100"...)
	b = appendHex(b, uint64(ms), 12)
	b = append(b, '-')
	b = appendUUID(b, id)
	return append(b, "-000000"...)
}

func (rc *renderer) headers() {
	w, m, id := &rc.w, &rc.m, rc.id
	w.key("headers")
	w.arr()
	if id.mode == modeRaw {
		rc.header("X-SES-CONFIGURATION-SET", id.configSet)
		w.elem()
		w.raw(`{"name":"X-SES-MESSAGE-TAGS","value":"`)
		w.b = append(w.b, rc.customTagKey()...)
		w.b = append(w.b, '=')
		w.b = append(w.b, id.campaigns[m.campaign]...)
		w.raw(`"}`)
	}
	rc.header("From", id.senders[m.sender])
	if m.replyTo {
		rc.header("Reply-To", id.replyTo)
	}
	rc.addressHeader("To", m.rcpt[0])
	if m.nRcpt > 1 {
		rc.addressHeader("Cc", m.rcpt[1])
	}
	rc.header("Subject", id.subjects[m.subject])
	rc.header("MIME-Version", "1.0")
	rc.contentType()
	if id.mode == modeRaw {
		w.elem()
		w.raw(`{"name":"Date","value":`)
		rc.date()
		w.raw(`}`)
		w.elem()
		w.raw(`{"name":"Message-ID","value":`)
		rc.originalMessageID()
		w.raw(`}`)
	} else if id.marketing {
		w.elem()
		w.raw(`{"name":"List-Unsubscribe","value":"<https://www.`)
		w.b = append(w.b, id.domain...)
		w.raw(`/unsubscribe?u=`)
		w.b = appendHex(w.b, uint64(m.rcpt[0]), 8)
		w.raw(`>, <mailto:unsubscribe@`)
		w.b = append(w.b, id.domain...)
		w.raw(`>"}`)
		rc.header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	w.endArr()
}

func (rc *renderer) header(name, value string) {
	w := &rc.w
	w.elem()
	w.raw(`{"name":`)
	w.str(name)
	w.raw(`,"value":`)
	w.str(value)
	w.b = append(w.b, '}')
}

func (rc *renderer) addressHeader(name string, idx int) {
	w := &rc.w
	w.elem()
	w.raw(`{"name":`)
	w.str(name)
	w.raw(`,"value":`)
	rc.address(idx)
	w.b = append(w.b, '}')
}

func (rc *renderer) contentType() {
	w, m := &rc.w, &rc.m
	w.elem()
	w.raw(`{"name":"Content-Type","value":"multipart/alternative; boundary=\"----=_Part_`)
	w.b = strconv.AppendUint(w.b, m.boundary%10000000, 10)
	w.b = append(w.b, '_')
	w.b = strconv.AppendUint(w.b, m.boundary>>40, 10)
	w.b = append(w.b, '.')
	w.b = strconv.AppendInt(w.b, m.at, 10)
	w.raw(`\""}`)
}

// date writes the Date header of a raw message (set by the sender a moment
// before SES accepted it).
func (rc *renderer) date() {
	t := time.UnixMilli(rc.m.at - int64(rc.m.boundary%3000)).UTC()
	rc.w.b = append(rc.w.b, '"')
	rc.w.b = t.AppendFormat(rc.w.b, time.RFC1123Z)
	rc.w.b = append(rc.w.b, '"')
}

// originalMessageID is the Message-ID header a raw sender set.
func (rc *renderer) originalMessageID() {
	w := &rc.w
	w.b = append(w.b, `"<`...)
	w.b = appendUUID(w.b, rc.m.id[:])
	w.b = append(w.b, '@')
	w.b = append(w.b, rc.id.domain...)
	w.b = append(w.b, `>"`...)
}

func (rc *renderer) commonHeaders(alpha bool) {
	w, m, id := &rc.w, &rc.m, rc.id
	w.key("commonHeaders")
	w.obj()
	raw := id.mode == modeRaw
	from := func() { w.key("from"); w.arr(); w.elem(); w.str(id.senders[m.sender]); w.endArr() }
	replyTo := func() {
		if m.replyTo {
			w.key("replyTo")
			w.arr()
			w.elem()
			w.str(id.replyTo)
			w.endArr()
		}
	}
	date := func() {
		if raw {
			w.key("date")
			rc.date()
		}
	}
	to := func() { w.key("to"); w.arr(); w.elem(); rc.address(m.rcpt[0]); w.endArr() }
	cc := func() {
		if m.nRcpt > 1 {
			w.key("cc")
			w.arr()
			w.elem()
			rc.address(m.rcpt[1])
			w.endArr()
		}
	}
	msgID := func() {
		w.key("messageId")
		if raw {
			rc.originalMessageID()
		} else {
			rc.messageID()
		}
	}
	subject := func() { w.kstr("subject", id.subjects[m.subject]) }
	if alpha {
		cc()
		date()
		from()
		msgID()
		replyTo()
		subject()
		to()
	} else {
		from()
		replyTo()
		date()
		to()
		cc()
		msgID()
		subject()
	}
	w.end()
}

func (rc *renderer) customTagKey() string {
	if rc.id.marketing {
		return "campaign"
	}
	return "category"
}

var operations = [...]string{modeAPI: "SendEmail", modeRaw: "SendRawEmail", modeTemplate: "SendTemplatedEmail"}

// tags writes mail.tags: the SES auto-tags, ses:outgoing-ip on deliveries
// (as in the samples), ses:sender-identity for most identities, and one
// custom tag.
func (rc *renderer) tags(sorted bool) {
	m, id := rc.m, rc.id
	var buf [8][2]string
	tags := buf[:0]
	tags = append(tags,
		[2]string{"ses:operation", operations[id.mode]},
		[2]string{"ses:configuration-set", id.configSet},
		[2]string{"ses:source-ip", id.sourceIPs[m.srcIP]},
		[2]string{"ses:from-domain", id.domain},
		[2]string{"ses:caller-identity", id.caller})
	if rc.p.kind == kDelivery {
		tags = append(tags, [2]string{"ses:outgoing-ip", id.outgoingIPs[m.outIP]})
	}
	if id.senderIdentityTag {
		tags = append(tags, [2]string{"ses:sender-identity", id.domain})
	}
	tags = append(tags, [2]string{rc.customTagKey(), id.campaigns[m.campaign]})
	if sorted {
		slices.SortFunc(tags, func(a, b [2]string) int {
			if a[0] < b[0] {
				return -1
			}
			return boolInt(a[0] > b[0])
		})
	}
	w := &rc.w
	w.key("tags")
	w.obj()
	for _, t := range tags {
		w.key(t[0])
		w.arr()
		w.elem()
		w.str(t[1])
		w.endArr()
	}
	w.end()
}

// ---- recipients ----

// address writes the quoted address of recipient idx of the pool. Names,
// numbers and domains are derived from idx, so a recipient keeps its
// address across messages.
func (rc *renderer) address(idx int) {
	b := append(rc.w.b, '"')
	b = append(b, firstNames[idx%len(firstNames)]...)
	b = append(b, '.')
	b = append(b, lastNames[(idx/len(firstNames))%len(lastNames)]...)
	if n := idx / (len(firstNames) * len(lastNames)); n > 0 {
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, '@')
	b = appendRecipientDomain(b, idx)
	rc.w.b = append(b, '"')
}

// recipientDomainOf returns the index in recipientDomains of recipient idx's
// provider, or -1 for a corporate domain.
func recipientDomainOf(idx int) (int, uint64) {
	h := mix(uint64(idx))
	pct := int(h % 100)
	for i, d := range recipientDomains {
		if pct -= d.weight; pct < 0 {
			return i, h
		}
	}
	return -1, h
}

func appendRecipientDomain(b []byte, idx int) []byte {
	i, h := recipientDomainOf(idx)
	if i >= 0 {
		return append(b, recipientDomains[i].name...)
	}
	b = append(b, "company"...)
	b = strconv.AppendUint(b, (h>>8)%corporateDomains+1, 10)
	return append(b, ".example"...)
}

func mix(x uint64) uint64 {
	r := rng{s: x}
	return r.next()
}

// ---- type objects ----

func (rc *renderer) feedbackID() {
	var id [16]byte
	rc.r.fill(id[:])
	rc.w.b = append(rc.w.b, '"')
	rc.w.b = appendSESID(rc.w.b, rc.p.at, id[:])
	rc.w.b = append(rc.w.b, '"')
}

func (rc *renderer) amazonMTA(prefix string) {
	w := &rc.w
	w.b = append(w.b, '"')
	w.b = append(w.b, prefix...)
	w.b = append(w.b, "a8-"...)
	w.b = strconv.AppendInt(w.b, int64(10+(rc.m.ident*7+rc.m.outIP*31)%240), 10)
	w.b = append(w.b, ".smtp-out.amazonses.com\""...)
}

func (rc *renderer) bounceKind() bounceKind {
	switch rc.p.flag {
	case bounceSuppressed:
		return onAccountSuppression
	case bounceAfterDelays:
		if delayKinds[rc.p.sub].typ == "MailboxFull" {
			return bounceKind{typ: "Transient", sub: "MailboxFull", status: "5.2.2",
				diag: "smtp; 552 5.2.2 The email account that you tried to reach is over quota."}
		}
		return bounceKind{typ: "Transient", sub: "General", status: "4.4.7",
			diag: "smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes."}
	}
	return hardBounces[rc.p.sub]
}

func (rc *renderer) bounce() {
	w, k := &rc.w, rc.bounceKind()
	w.obj()
	w.kstr("bounceType", k.typ)
	w.kstr("bounceSubType", k.sub)
	w.key("bouncedRecipients")
	w.arr()
	w.elem()
	w.obj()
	w.key("emailAddress")
	rc.address(rc.m.rcpt[rc.p.rcpt])
	if k.status != "" {
		w.kstr("action", "failed")
		w.kstr("status", k.status)
		w.kstr("diagnosticCode", k.diag)
	}
	w.end()
	w.endArr()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.key("feedbackId")
	rc.feedbackID()
	switch {
	case k.mta != "":
		w.kstr("reportingMTA", k.mta)
	case k.status != "":
		w.key("reportingMTA")
		rc.amazonMTA("dsn; ")
	}
	w.end()
}

func (rc *renderer) complaint() {
	w, r := &rc.w, &rc.r
	w.obj()
	w.key("complainedRecipients")
	w.arr()
	w.elem()
	w.obj()
	w.key("emailAddress")
	rc.address(rc.m.rcpt[rc.p.rcpt])
	w.end()
	w.endArr()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.key("feedbackId")
	rc.feedbackID()
	w.kstr("userAgent", complaintAgents[r.intn(len(complaintAgents))])
	ft := r.weighted(len(feedbackTypes), func(i int) int { return feedbackTypes[i].weight })
	w.kstr("complaintFeedbackType", feedbackTypes[ft].typ)
	w.key("arrivalDate")
	w.ts(rc.p.at - r.between(5e3, 600e3))
	w.end()
}

func (rc *renderer) delivery() {
	w := &rc.w
	w.obj()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.key("processingTimeMillis")
	w.b = strconv.AppendInt(w.b, rc.p.at-rc.m.at, 10)
	w.key("recipients")
	w.arr()
	w.elem()
	rc.address(rc.m.rcpt[rc.p.rcpt])
	w.endArr()
	w.key("smtpResponse")
	rc.smtpResponse()
	w.key("reportingMTA")
	rc.amazonMTA("")
	w.end()
}

// smtpResponse writes the receiving server's 250 reply in its provider's
// style.
func (rc *renderer) smtpResponse() {
	w, r := &rc.w, &rc.r
	i, _ := recipientDomainOf(rc.m.rcpt[rc.p.rcpt])
	style := -1
	if i >= 0 {
		style = recipientDomains[i].smtp
	}
	w.b = append(w.b, '"')
	switch style {
	case 0:
		w.b = append(w.b, "250 2.0.0 OK  "...)
		w.b = strconv.AppendInt(w.b, rc.p.at/1000, 10)
		w.b = append(w.b, ' ')
		w.b = appendAlnum(w.b, r.next(), 12)
		w.b = append(w.b, '.')
		w.b = strconv.AppendInt(w.b, int64(r.intn(900)+100), 10)
		w.b = append(w.b, " - gsmtp"...)
	case 1:
		w.b = append(w.b, "250 2.6.0 <"...)
		w.b = appendUUID(w.b, rc.m.id[:])
		w.b = append(w.b, "@email.amazonses.com> [InternalId="...)
		w.b = strconv.AppendUint(w.b, r.next()%1e13, 10)
		w.b = append(w.b, ", Hostname=PH0PR"...)
		w.b = strconv.AppendInt(w.b, int64(r.intn(90)+10), 10)
		w.b = append(w.b, "MB"...)
		w.b = strconv.AppendInt(w.b, int64(r.intn(9000)+1000), 10)
		w.b = append(w.b, ".prod.webmail.example] Queued mail for delivery"...)
	case 2:
		w.b = append(w.b, "250 ok dirdel"...)
	case 4:
		w.b = append(w.b, "250 Requested mail action okay, completed: id="...)
		w.b = appendAlnum(w.b, r.next(), 10)
	default:
		w.b = append(w.b, "250 2.0.0 Ok: queued as "...)
		w.b = appendAlnum(w.b, r.next(), 12)
	}
	w.b = append(w.b, '"')
}

func (rc *renderer) openerIP() {
	r := &rc.r
	w := &rc.w
	w.b = append(w.b, '"')
	if r.chance(0.5) { // the recipient's own network
		w.b = append(w.b, "192.0.2."...)
		w.b = strconv.AppendUint(w.b, mix(uint64(rc.m.rcpt[rc.p.rcpt]))%254+1, 10)
	} else { // an image proxy
		w.b = append(w.b, "198.51.100."...)
		w.b = strconv.AppendInt(w.b, int64(200+r.intn(50)), 10)
	}
	w.b = append(w.b, '"')
}

func (rc *renderer) open() {
	w := &rc.w
	w.obj()
	w.key("ipAddress")
	rc.openerIP()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.kstr("userAgent", userAgents[rc.r.intn(len(userAgents))])
	w.end()
}

func (rc *renderer) click() {
	w, r, id := &rc.w, &rc.r, rc.id
	w.obj()
	w.key("ipAddress")
	rc.openerIP()
	path := linkPaths[r.intn(len(linkPaths))]
	campaign := id.campaigns[rc.m.campaign]
	w.key("link")
	w.b = append(w.b, `"https://www.`...)
	w.b = append(w.b, id.domain...)
	w.b = append(w.b, path...)
	w.b = append(w.b, "?utm_source=ses&utm_campaign="...)
	w.b = append(w.b, campaign...)
	w.b = append(w.b, '"')
	w.key("linkTags")
	w.obj()
	w.key("campaign")
	w.arr()
	w.elem()
	w.str(campaign)
	w.endArr()
	w.key("position")
	w.arr()
	w.elem()
	w.str([]string{"header", "body", "cta", "footer"}[r.intn(4)])
	w.endArr()
	w.end()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.kstr("userAgent", userAgents[r.intn(len(userAgents))])
	w.end()
}

func (rc *renderer) failure() {
	w, r := &rc.w, &rc.r
	w.obj()
	w.kstr("errorMessage", renderingErrors[r.intn(len(renderingErrors))])
	w.kstr("templateName", rc.id.templates[r.intn(len(rc.id.templates))])
	w.end()
}

func (rc *renderer) deliveryDelay() {
	w, k := &rc.w, delayKinds[rc.p.sub]
	w.obj()
	w.key("timestamp")
	w.ts(rc.p.at)
	w.kstr("delayType", k.typ)
	w.key("expirationTime")
	w.ts(rc.p.aux)
	w.key("delayedRecipients")
	w.arr()
	w.elem()
	w.obj()
	w.key("emailAddress")
	rc.address(rc.m.rcpt[rc.p.rcpt])
	w.kstr("status", k.status)
	w.kstr("diagnosticCode", k.diag)
	w.end()
	w.endArr()
	w.end()
}

func (rc *renderer) subscription() {
	w, r, id := &rc.w, &rc.r, rc.id
	all := r.chance(0.6)
	optOut := r.intn(len(id.topics))
	w.obj()
	w.kstr("contactList", id.contactList)
	w.key("timestamp")
	w.ts(rc.p.at)
	w.kstr("source", "UnsubscribeHeader")
	w.key("newTopicPreferences")
	rc.preferences(all, func(i int) bool { return all || i == optOut })
	w.key("oldTopicPreferences")
	rc.preferences(false, func(int) bool { return false })
	w.end()
}

func (rc *renderer) preferences(unsubscribeAll bool, out func(i int) bool) {
	w := &rc.w
	w.obj()
	w.key("unsubscribeAll")
	if unsubscribeAll {
		w.raw("true")
	} else {
		w.raw("false")
	}
	w.key("topicSubscriptionStatus")
	w.arr()
	for i, t := range rc.id.topics {
		w.elem()
		w.obj()
		w.kstr("topicName", t)
		if out(i) {
			w.kstr("subscriptionStatus", "OptOut")
		} else {
			w.kstr("subscriptionStatus", "OptIn")
		}
		w.end()
	}
	w.endArr()
	w.end()
}

// ---- JSON writing ----

// jw writes compact JSON, tracking where commas go.
type jw struct {
	b     []byte
	depth int
	first [16]bool
}

func (w *jw) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first[w.depth] = true
}

func (w *jw) obj()    { w.open('{') }
func (w *jw) arr()    { w.open('[') }
func (w *jw) end()    { w.b = append(w.b, '}'); w.depth-- }
func (w *jw) endArr() { w.b = append(w.b, ']'); w.depth-- }

// elem starts an array element.
func (w *jw) elem() {
	if !w.first[w.depth] {
		w.b = append(w.b, ',')
	}
	w.first[w.depth] = false
}

// key starts an object member.
func (w *jw) key(k string) {
	w.elem()
	w.str(k)
	w.b = append(w.b, ':')
}

func (w *jw) kstr(k, v string) { w.key(k); w.str(v) }
func (w *jw) raw(s string)     { w.b = append(w.b, s...) }
func (w *jw) str(s string)     { w.b = appendJSONString(w.b, s) }

func (w *jw) ts(ms int64) {
	w.b = append(w.b, '"')
	w.b = appendTimestamp(w.b, time.UnixMilli(ms))
	w.b = append(w.b, '"')
}

// needsEscape marks the bytes JSON strings must escape.
var needsEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// appendJSONString appends s as a JSON string, escaping what JSON requires.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsEscape[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(4*uint(i)))&15])
	}
	return b
}

// appendUUID formats 16 random bytes as a version 4 UUID.
func appendUUID(b []byte, id []byte) []byte {
	for i, c := range id[:16] {
		switch i {
		case 4, 10:
			b = append(b, '-')
		case 6:
			b = append(b, '-')
			c = c&0x0f | 0x40 // version 4
		case 8:
			b = append(b, '-')
			c = c&0x3f | 0x80 // RFC 4122 variant
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

func appendAlnum(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, alnum[v%62])
		v /= 62
	}
	return b
}
