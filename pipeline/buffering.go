package pipeline

import "fmt"

// Buffering says which clock closes buffers in a replay.
type Buffering string

const (
	// BufferingBackfill is a file pushed through Firehose at once: no
	// buffering interval elapses while it is read, so buffers are delivered
	// when they reach the size hint or at the end of the input. Records
	// still join the partition of their own arrival time, so history lands
	// on the day it happened, in objects of up to the size hint. It is the
	// default.
	BufferingBackfill Buffering = "backfill"
	// BufferingLive is live traffic arriving at the records' arrival times:
	// a buffer is delivered once the arrival clock (the latest arrival
	// seen) is the buffering interval past its opening, as Firehose
	// delivers a stream that receives records at those times.
	BufferingLive Buffering = "live"
)

// LimitAction says what happens to a record whose partition would exceed
// the active-partition quota.
type LimitAction string

const (
	// LimitError sends the record to the error output
	// (activePartitionExceeded), as Firehose does. The default with live
	// buffering.
	LimitError LimitAction = "error"
	// LimitDeliver delivers the open partition written least recently to
	// make room, so no record fails for the quota. The default with
	// backfill buffering, where no interval ever closes a partition.
	LimitDeliver LimitAction = "deliver"
)

// ParseBuffering reads a --buffering value.
func ParseBuffering(s string) (Buffering, error) {
	switch b := Buffering(s); b {
	case BufferingBackfill, BufferingLive:
		return b, nil
	}
	return "", fmt.Errorf("buffering %q: want backfill or live", s)
}

// ParseLimitAction reads an --on-partition-limit value ("" is the
// buffering's default).
func ParseLimitAction(s string) (LimitAction, error) {
	switch a := LimitAction(s); a {
	case "", LimitError, LimitDeliver:
		return a, nil
	}
	return "", fmt.Errorf("partition limit action %q: want error or deliver", s)
}

// apply sets how limits are enforced for this buffering and action.
func (b Buffering) apply(l Limits, action LimitAction) Limits {
	live := b == BufferingLive
	l.NoInterval = !live
	switch action {
	case LimitError:
		l.DeliverAtLimit = false
	case LimitDeliver:
		l.DeliverAtLimit = true
	default:
		l.DeliverAtLimit = !live
	}
	return l
}

// String is the flag value; the zero value is backfill.
func (b Buffering) String() string {
	if b == "" {
		return string(BufferingBackfill)
	}
	return string(b)
}

// lruList orders open data buffers from least to most recently written.
type lruList struct{ head, tail *partBuf }

// touch moves b to the most recent end (adding it if absent).
func (l *lruList) touch(b *partBuf) {
	if l.tail == b {
		return
	}
	l.remove(b)
	b.lruPrev, b.lruNext = l.tail, nil
	if l.tail != nil {
		l.tail.lruNext = b
	} else {
		l.head = b
	}
	l.tail = b
	b.inLRU = true
}

// remove takes b out of the list, if it is in it.
func (l *lruList) remove(b *partBuf) {
	if !b.inLRU {
		return
	}
	if b.lruPrev != nil {
		b.lruPrev.lruNext = b.lruNext
	} else {
		l.head = b.lruNext
	}
	if b.lruNext != nil {
		b.lruNext.lruPrev = b.lruPrev
	} else {
		l.tail = b.lruPrev
	}
	b.lruPrev, b.lruNext, b.inLRU = nil, nil, false
}
