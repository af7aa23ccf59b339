package schema

import "strconv"

// Static vocabulary of the synthetic generator. Domains are under the
// reserved example.com/.net/.org names and the .example TLD; IP addresses
// are from the documentation ranges (RFC 5737), the account is the
// documentation account 123456789012.

const (
	genAccount = "123456789012"
	genRegion  = "us-east-1"
)

// Sending modes decide which SES operation a sender uses, and so the headers
// and tags its messages carry.
const (
	modeAPI      = iota // SendEmail: SES builds the MIME, tags as API parameters
	modeRaw             // SendRawEmail / SMTP: X-SES-* headers, Date and Message-ID from the sender
	modeTemplate        // SendTemplatedEmail: can fail with Rendering Failure
)

// Health profiles of sending identities.
const (
	ProfileHealthy       = "healthy"
	ProfileHighBounce    = "high-bounce"
	ProfileHighComplaint = "high-complaint"
)

type identity struct {
	domain, configSet, caller, profile string
	marketing                          bool
	mode                               int
	weight                             float64
	senderIdentityTag                  bool // carries ses:sender-identity
	// Per-recipient outcome probabilities.
	pSuppressed, pHard, pSoft, pComplaint, pOpen, pClick, pUnsubscribe float64
	arn                                                                string
	senders                                                            []string // mail.source / From values
	sourceIPs, outgoingIPs                                             []string
	subjects, campaigns, templates, topics                             []string
	contactList                                                        string
	replyTo                                                            string
}

type identitySpec struct {
	domain, configSet, caller, profile string
	marketing                          bool
	mode                               int
	weight                             float64
	brand                              string
}

var identitySpecs = []identitySpec{
	{"example.com", "transactional", "app-backend", ProfileHealthy, false, modeAPI, 30, "Example"},
	{"news.example.net", "newsletters", "newsletter-sender", ProfileHighBounce, true, modeAPI, 12, "Example News"},
	{"promo.example.org", "promotions", "campaign-tool", ProfileHighComplaint, true, modeRaw, 10, "Example Deals"},
	{"billing.example.com", "transactional", "billing-service", ProfileHealthy, false, modeTemplate, 15, "Example Billing"},
	{"alerts.example.net", "alerts", "ses_user", ProfileHealthy, false, modeRaw, 10, "Example Alerts"},
	{"shop.example.org", "marketing", "marketing-automation", ProfileHealthy, true, modeAPI, 10, "Example Shop"},
	{"support.example.com", "support", "helpdesk", ProfileHealthy, false, modeRaw, 6, "Example Support"},
	{"events.example.net", "marketing", "marketing-automation", ProfileHealthy, true, modeTemplate, 7, "Example Events"},
}

func buildIdentities(n int) []identity {
	out := make([]identity, n)
	for i := range out {
		spec := specFor(i)
		id := identity{
			domain: spec.domain, configSet: spec.configSet, caller: spec.caller, profile: spec.profile,
			marketing: spec.marketing, mode: spec.mode, weight: spec.weight,
			// One identity in eight lacks ses:sender-identity, like the
			// official samples (older SES behaviour).
			senderIdentityTag: i%8 != 4,
			arn:               "arn:aws:ses:" + genRegion + ":" + genAccount + ":identity/" + spec.domain,
			replyTo:           "support@" + spec.domain,
		}
		setHealth(&id)
		setVocabulary(&id, spec.brand, i)
		out[i] = id
	}
	return out
}

func specFor(i int) identitySpec {
	if i < len(identitySpecs) {
		return identitySpecs[i]
	}
	n := strconv.Itoa(i)
	return identitySpec{"mailer" + n + ".example.com", "transactional", "app-" + n, ProfileHealthy, i%3 == 0, i % 3, 3, "Example " + n}
}

func setHealth(id *identity) {
	id.pSuppressed, id.pHard, id.pSoft, id.pComplaint = 0.008, 0.02, 0.025, 0.0006
	switch id.profile {
	case ProfileHighBounce:
		id.pSuppressed, id.pHard, id.pSoft = 0.03, 0.12, 0.04
	case ProfileHighComplaint:
		id.pComplaint = 0.01
	}
	if id.marketing {
		id.pOpen, id.pClick, id.pUnsubscribe = 0.22, 0.25, 0.004
	} else {
		id.pOpen, id.pClick = 0.06, 0.15
	}
}

func setVocabulary(id *identity, brand string, i int) {
	local := []string{"noreply", "notifications", "hello"}
	if id.marketing {
		local = []string{"news", "offers", "hello"}
	}
	for _, l := range local {
		addr := l + "@" + id.domain
		id.senders = append(id.senders, brand+" <"+addr+">", addr)
	}
	for k := 0; k < 3; k++ {
		id.sourceIPs = append(id.sourceIPs, "198.51.100."+strconv.Itoa(10+i*8+k))
		id.outgoingIPs = append(id.outgoingIPs, "203.0.113."+strconv.Itoa(20+(i*5+k)%200))
	}
	if id.marketing {
		id.subjects = marketingSubjects
		id.campaigns = []string{"spring-sale", "weekly-digest", "new-arrivals", "win-back", "product-launch"}
		id.contactList = "Newsletter"
		id.topics = []string{"Offers", "Weekly", "ProductNews"}
	} else {
		id.subjects = transactionalSubjects
		id.campaigns = transactionalCategories
	}
	id.templates = []string{"OrderConfirmation", "PasswordReset", "WeeklyDigest", "Invoice"}
}

var transactionalSubjects = []string{
	"Your order has been received",
	"Your order has shipped",
	"Reset your password",
	"Verify your email address",
	"Your receipt",
	"Your monthly invoice is ready",
	"New sign-in to your account",
	"Your appointment is confirmed",
	"Action required: update your payment method",
	"Your support request has been updated",
}

// transactionalCategories is the category tag of each transactional subject.
var transactionalCategories = []string{
	"order", "shipping", "password-reset", "verification", "receipt",
	"invoice", "security", "appointment", "billing", "support",
}

var marketingSubjects = []string{
	"Spring sale: 30% off everything",
	"This week's picks, chosen for you",
	"Last chance: free shipping ends tonight",
	"New arrivals are here",
	"We miss you - here's 15% off",
	"Introducing our newest product",
	"Your weekly digest",
	"Members-only early access starts now",
}

var firstNames = []string{
	"maria", "james", "li", "fatima", "olivia", "noah", "sofia", "lucas", "emma", "mohammed",
	"anna", "david", "yuki", "carlos", "amara", "ivan", "chloe", "arjun", "elena", "samuel",
	"hana", "pedro", "grace", "omar", "lena", "diego", "mia", "kofi", "sara", "tom",
}

var lastNames = []string{
	"garcia", "smith", "chen", "khan", "brown", "muller", "rossi", "silva", "martin", "kim",
	"novak", "jones", "tanaka", "lopez", "okafor", "petrov", "dubois", "patel", "costa", "nguyen",
	"ali", "wilson", "schmidt", "cohen", "berg", "santos", "moreau", "mensah", "larsen", "walker",
}

// recipientDomain is a receiving mail provider with its share of the
// recipient pool and the shape of its SMTP responses.
type recipientDomain struct {
	name   string
	weight int
	smtp   int // index into smtpStyles
}

var recipientDomains = []recipientDomain{
	{"inbox.example", 34, 0},
	{"webmail.example", 20, 1},
	{"post.example", 12, 2},
	{"mx.example", 8, 3},
	{"mail.example", 6, 4},
}

// Corporate recipients: company<N>.example, the rest of the pool.
const corporateDomains = 40

var userAgents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
	"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
}

var complaintAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
	"Feedback-Loop/1.0",
	"ISP-FBL-Reporter/2.1",
}

var linkPaths = []string{"/", "/sale", "/account", "/orders", "/new", "/blog/latest", "/help", "/unsubscribe-preferences"}

// bounce kinds: type, subtype, DSN status and diagnostic code. An empty
// status means no DSN was attached (only emailAddress, no reportingMTA).
type bounceKind struct {
	typ, sub, status, diag, mta string
	weight                      int
}

const (
	suppressionDiag = "Amazon SES did not send the message to this address because it is on the suppression list for your account. For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
	globalSuppDiag  = "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address. For more information about how to remove an address from the suppression list, see the Amazon SES Developer Guide: http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html "
)

var onAccountSuppression = bounceKind{"Permanent", "OnAccountSuppressionList", "5.1.1", suppressionDiag, "dsn; amazonses.com", 0}

// hardBounces are immediate bounces from the receiving side.
var hardBounces = []bounceKind{
	{"Permanent", "General", "5.1.1", "smtp; 550 5.1.1 The email account that you tried to reach does not exist.", "", 30},
	{"Permanent", "General", "5.7.1", "smtp; 550 5.7.1 Recipient address rejected: Access denied", "", 8},
	{"Permanent", "General", "5.2.1", "smtp; 550 5.2.1 The email account that you tried to reach is disabled.", "", 7},
	{"Permanent", "NoEmail", "5.1.1", "smtp; 550 5.1.1 user unknown", "", 30},
	{"Permanent", "Suppressed", "5.1.1", globalSuppDiag, "dsn; amazonses.com", 10},
	{"Transient", "ContentRejected", "5.7.1", "smtp; 554 5.7.1 Message rejected due to content restrictions", "", 6},
	{"Transient", "MessageTooLarge", "5.3.4", "smtp; 552 5.3.4 Message size exceeds fixed maximum message size", "", 3},
	{"Transient", "AttachmentRejected", "5.7.1", "smtp; 554 5.7.1 Attachment type not allowed", "", 2},
	{"Undetermined", "Undetermined", "", "", "", 4},
}

// delayKinds are DeliveryDelay causes with their SMTP status and diagnostic.
var delayKinds = []struct {
	typ, status, diag string
	weight            int
}{
	{"TransientCommunicationFailure", "4.4.1", "smtp; 421 4.4.1 Unable to connect to remote host", 35},
	{"MailboxFull", "4.2.2", "smtp; 452 4.2.2 The email account that you tried to reach is over quota.", 15},
	{"SpamDetected", "4.7.1", "smtp; 421 4.7.1 Message temporarily deferred due to unexpected volume or user complaints", 12},
	{"RecipientServerError", "4.3.0", "smtp; 451 4.3.0 Temporary server error. Please try again later", 15},
	{"IPFailure", "4.7.0", "smtp; 421 4.7.0 IP not in whitelist for RCPT domain, closing connection.", 5},
	{"General", "4.0.0", "smtp; 450 4.0.0 Requested mail action not taken: try again later", 12},
	{"Undetermined", "4.0.0", "smtp; 451 Temporary local problem - please try later", 6},
}

var feedbackTypes = []struct {
	typ    string
	weight int
}{{"abuse", 920}, {"other", 30}, {"fraud", 20}, {"auth-failure", 15}, {"not-spam", 10}, {"virus", 5}}

var renderingErrors = []string{
	"Attribute 'firstName' is not present in the rendering data.",
	"Attribute 'order.total' is not present in the rendering data.",
	"Template 'WeeklyDigest' references an undefined partial.",
}
