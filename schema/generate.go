package schema

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// DefaultGenStart is the first mail timestamp when GeneratorConfig.Start is
// zero. It is fixed, not "now", so a seed always gives the same bytes.
var DefaultGenStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// GeneratorConfig describes a synthetic event stream.
type GeneratorConfig struct {
	Seed uint64
	// Events is the number of events the stream is sized for: messages are
	// spread over Days so that about Events events fall in that window.
	Events int
	// Identities is the number of sending identities (domains); default 8.
	// With 2 or more, the second has a high bounce rate; with 3 or more, the
	// third has a complaint rate above SES's 0.1% review threshold.
	Identities int
	Start      time.Time // first mail.timestamp (default DefaultGenStart)
	Days       int       // span of mail timestamps (default 7)
}

// Limits of GeneratorConfig.
const (
	MaxGenIdentities = 1000
	MaxGenDays       = 3660
)

// Generator produces a deterministic, realistic stream of SES
// event-publishing records: for a seed the same bytes, in event-time order,
// in constant memory (pending events of recent messages only).
type Generator struct {
	cfg        GeneratorConfig
	ids        []identity
	idCum      []float64 // cumulative identity weights
	pool       int       // recipient pool size
	master     rng
	nextMailAt float64 // ms since epoch of the next message
	meanGap    float64 // mean ms between messages
	seq        uint64
	queue      eventQueue
	msgs       int64
	rc         renderer
}

// expectedEventsPerMessage calibrates the sending rate (measured over
// generated streams; see TestGeneratorMix).
const expectedEventsPerMessage = 2.2

// maxFollowUp bounds how long after mail.timestamp any event of a message
// happens, which bounds the generator's memory.
const maxFollowUp = 48 * time.Hour

// NewGenerator checks cfg and returns a generator.
func NewGenerator(cfg GeneratorConfig) (*Generator, error) {
	if cfg.Identities == 0 {
		cfg.Identities = 8
	}
	if cfg.Days == 0 {
		cfg.Days = 7
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultGenStart
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, ids: buildIdentities(cfg.Identities), master: rng{s: cfg.Seed ^ 0x5e5c71}}
	total := 0.0
	for _, id := range g.ids {
		total += id.weight
		g.idCum = append(g.idCum, total)
	}
	g.pool = max(1000, cfg.Events/3)
	span := float64(cfg.Days) * 86400e3
	g.meanGap = span / math.Max(1, float64(cfg.Events)/expectedEventsPerMessage)
	g.nextMailAt = float64(cfg.Start.UnixMilli())
	return g, nil
}

func (c GeneratorConfig) check() error {
	switch {
	case c.Events < 1:
		return errors.New("events must be at least 1")
	case c.Identities < 1 || c.Identities > MaxGenIdentities:
		return fmt.Errorf("identities must be between 1 and %d", MaxGenIdentities)
	case c.Days < 1 || c.Days > MaxGenDays:
		return fmt.Errorf("days must be between 1 and %d", MaxGenDays)
	case c.Start.Year() < 2000 || c.Start.Year() > 9000:
		return errors.New("start must be between the years 2000 and 9000")
	}
	return nil
}

// IdentityInfo describes one sending identity of the stream.
type IdentityInfo struct {
	Domain           string
	ConfigurationSet string
	Profile          string  // healthy, high-bounce or high-complaint
	Share            float64 // fraction of messages
}

// Identities lists the stream's sending identities.
func (g *Generator) Identities() []IdentityInfo {
	out := make([]IdentityInfo, len(g.ids))
	total := g.idCum[len(g.idCum)-1]
	for i, id := range g.ids {
		out[i] = IdentityInfo{id.domain, id.configSet, id.profile, id.weight / total}
	}
	return out
}

// Next appends the next record (one line of compact JSON, without the
// newline) to dst.
func (g *Generator) Next(dst []byte) []byte {
	for g.queue.len() == 0 || float64(g.queue.min().at) > g.nextMailAt {
		g.planMessage()
	}
	ev := g.queue.pop()
	return g.render(dst, ev)
}

// WriteN writes n records as JSON Lines to w, calling progress (when not
// nil) every 65536 records.
func (g *Generator) WriteN(w io.Writer, n int, progress func(done int)) error {
	buf := make([]byte, 0, 256<<10)
	for i := 0; i < n; i++ {
		buf = g.Next(buf)
		buf = append(buf, '\n')
		if len(buf) >= 192<<10 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("writing events: %w", err)
			}
			buf = buf[:0]
		}
		if progress != nil && i&0xffff == 0xffff {
			progress(i + 1)
		}
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("writing events: %w", err)
	}
	return nil
}

// ---- planning ----

// Event kinds, indexes into eventTable.
const (
	kBounce = iota
	kComplaint
	kDelivery
	kSend
	kReject
	kOpen
	kClick
	kFailure
	kDelay
	kSubscription
)

// pending is a planned event. Everything else about it is re-derived from
// the message and event seeds when it is rendered.
type pending struct {
	at     int64 // event time, unix ms
	seq    uint64
	msg    uint64 // message seed
	mailAt int64
	ev     uint64 // event seed
	aux    int64  // kind-specific: delay expiration (unix ms)
	kind   uint8
	rcpt   uint8 // recipient index in the message
	sub    uint8 // kind-specific: bounce kind, delay kind
	flag   uint8 // bounce: 1 = on-account suppression, 2 = transient after delays
}

// planner plans the events of one message.
type planner struct {
	g      *Generator
	r      rng
	seed   uint64
	mailAt int64
	id     *identity
}

func (pl *planner) push(kind uint8, at int64, rcpt int, sub, flag uint8, aux int64) {
	pl.g.seq++
	pl.g.queue.push(pending{
		at: at, seq: pl.g.seq, msg: pl.seed, mailAt: pl.mailAt, ev: pl.r.next(),
		kind: kind, rcpt: uint8(rcpt), sub: sub, flag: flag, aux: aux,
	})
}

func (g *Generator) planMessage() {
	mailAt := int64(g.nextMailAt)
	g.nextMailAt += g.master.exp(g.meanGap / g.diurnal(mailAt))
	seed := g.master.next()
	g.msgs++
	m := g.deriveMessage(seed, mailAt)
	pl := planner{g: g, r: rng{s: seed ^ 0x9e3779b97f4a7c15}, seed: seed, mailAt: mailAt, id: &g.ids[m.ident]}
	switch {
	case pl.r.chance(0.0003):
		pl.push(kReject, mailAt, 0, 0, 0, 0)
		return
	case pl.id.mode == modeTemplate && pl.r.chance(0.002):
		pl.push(kFailure, mailAt, 0, 0, 0, 0)
		return
	}
	pl.push(kSend, mailAt, 0, 0, 0, 0)
	for i := 0; i < m.nRcpt; i++ {
		pl.recipient(i)
	}
}

// diurnal is the sending-rate multiplier by hour of day (busier in office
// hours UTC, quieter at night), averaging about 1.
func (g *Generator) diurnal(ms int64) float64 {
	hour := float64(ms%86400e3) / 3600e3
	return 1 + 0.5*math.Sin((hour-9)*math.Pi/12)
}

// Bounce flags.
const (
	bounceRemote      = 0 // sub indexes hardBounces
	bounceSuppressed  = 1 // on the account-level suppression list
	bounceAfterDelays = 2 // Transient, sub indexes delayKinds
)

func (pl *planner) recipient(rc int) {
	r, id := &pl.r, pl.id
	x := r.float()
	switch {
	case x < id.pSuppressed:
		pl.push(kBounce, pl.mailAt+r.between(40, 400), rc, 0, bounceSuppressed, 0)
		return
	case x < id.pSuppressed+id.pHard:
		sub := uint8(r.weighted(len(hardBounces), func(i int) int { return hardBounces[i].weight }))
		pl.push(kBounce, pl.mailAt+r.between(300, 25000), rc, sub, bounceRemote, 0)
		return
	case x < id.pSuppressed+id.pHard+id.pSoft:
		pl.delays(rc)
		return
	}
	delivered := pl.mailAt + r.lognormal(1200, 0.9, 150, 60000)
	pl.push(kDelivery, delivered, rc, 0, 0, 0)
	pl.engagement(delivered, rc)
}

// delays plans one or two DeliveryDelay events, then either a late delivery
// or a Transient bounce when SES gives up.
func (pl *planner) delays(rc int) {
	r := &pl.r
	kind := uint8(r.weighted(len(delayKinds), func(i int) int { return delayKinds[i].weight }))
	expiry := pl.mailAt + r.between(13*3600e3, 14*3600e3)
	at := pl.mailAt + r.between(4*60e3, 30*60e3)
	for n := 0; n < 1+boolInt(r.chance(0.3)); n++ {
		pl.push(kDelay, at, rc, kind, 0, expiry)
		at += r.between(30*60e3, 4*3600e3)
	}
	if r.chance(0.7) {
		pl.push(kDelivery, at, rc, 0, 0, 0)
		pl.engagement(at, rc)
		return
	}
	pl.push(kBounce, expiry+r.between(1000, 600e3), rc, kind, bounceAfterDelays, 0)
}

// engagement plans complaints, opens, clicks and unsubscribes after a
// delivery, all within maxFollowUp of the mail timestamp.
func (pl *planner) engagement(delivered int64, rc int) {
	r, id := &pl.r, pl.id
	limit := pl.mailAt + int64(maxFollowUp/time.Millisecond)
	if r.chance(id.pComplaint) {
		pl.push(kComplaint, min(limit, delivered+r.lognormal(3*3600e3, 1.2, 60e3, 47*3600e3)), rc, 0, 0, 0)
	}
	if !r.chance(id.pOpen) {
		return
	}
	opened := min(limit, delivered+r.lognormal(40*60e3, 1.5, 2e3, 47*3600e3))
	pl.push(kOpen, opened, rc, 0, 0, 0)
	if r.chance(0.3) {
		pl.push(kOpen, min(limit, opened+r.lognormal(3600e3, 1.2, 10e3, 24*3600e3)), rc, 0, 0, 0)
	}
	if r.chance(id.pClick) {
		clicked := min(limit, opened+r.lognormal(25e3, 1, 2e3, 3600e3))
		pl.push(kClick, clicked, rc, 0, 0, 0)
		if r.chance(0.15) {
			pl.push(kClick, min(limit, clicked+r.between(5e3, 300e3)), rc, 0, 0, 0)
		}
	}
	if id.marketing && r.chance(id.pUnsubscribe/id.pOpen) {
		pl.push(kSubscription, min(limit, opened+r.between(10e3, 300e3)), rc, 0, 0, 0)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- the message ----

// message is everything about one message that all its events share,
// derived from its seed.
type message struct {
	seed     uint64
	at       int64
	ident    int
	nRcpt    int
	rcpt     [2]int // recipient pool indexes; the second is a Cc
	sender   int
	subject  int
	srcIP    int
	outIP    int
	campaign int
	replyTo  bool
	id       [16]byte // random part of the SES message ID
	boundary uint64
}

func (g *Generator) deriveMessage(seed uint64, at int64) message {
	r := rng{s: seed}
	m := message{seed: seed, at: at}
	m.ident = r.cumulative(g.idCum)
	id := &g.ids[m.ident]
	m.nRcpt = 1 + boolInt(r.chance(0.02))
	for i := 0; i < m.nRcpt; i++ {
		m.rcpt[i] = r.intn(g.pool)
	}
	m.sender = r.intn(len(id.senders))
	m.subject = r.intn(len(id.subjects))
	m.srcIP = r.intn(len(id.sourceIPs))
	m.outIP = r.intn(len(id.outgoingIPs))
	m.campaign = r.intn(len(id.campaigns))
	if !id.marketing {
		m.campaign = m.subject // the category tag matches the subject
	}
	m.replyTo = r.chance(0.3)
	r.fill(m.id[:])
	m.boundary = r.next()
	return m
}

// ---- randomness ----

// rng is splitmix64: tiny, fast, and the same on every platform and Go
// version, so a seed always gives the same stream.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) intn(n int) int { return int((r.next() >> 32) * uint64(n) >> 32) }

func (r *rng) chance(p float64) bool { return r.float() < p }

func (r *rng) between(lo, hi float64) int64 { return int64(lo + r.float()*(hi-lo)) }

func (r *rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float()) }

// lognormal draws around median with log-spread sigma, clamped to [lo, hi].
func (r *rng) lognormal(median, sigma, lo, hi float64) int64 {
	// Box-Muller
	u1, u2 := 1-r.float(), r.float()
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	return int64(math.Min(hi, math.Max(lo, median*math.Exp(sigma*z))))
}

func (r *rng) weighted(n int, weight func(int) int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += weight(i)
	}
	x := r.intn(total)
	for i := 0; i < n; i++ {
		if x -= weight(i); x < 0 {
			return i
		}
	}
	return n - 1
}

func (r *rng) cumulative(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

func (r *rng) fill(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.next()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

// ---- the queue ----

// eventQueue is a binary min-heap of pending events by (at, seq).
type eventQueue struct{ h []pending }

func (q *eventQueue) len() int      { return len(q.h) }
func (q *eventQueue) min() *pending { return &q.h[0] }

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *eventQueue) push(p pending) {
	q.h = append(q.h, p)
	for i := len(q.h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q.less(i, parent) {
			break
		}
		q.h[i], q.h[parent] = q.h[parent], q.h[i]
		i = parent
	}
}

func (q *eventQueue) pop() pending {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h = q.h[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(q.h) && q.less(l, small) {
			small = l
		}
		if r := l + 1; r < len(q.h) && q.less(r, small) {
			small = r
		}
		if small == i {
			return top
		}
		q.h[i], q.h[small] = q.h[small], q.h[i]
		i = small
	}
}
