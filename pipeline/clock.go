package pipeline

import (
	"fmt"
	"time"
)

// Clock assigns approximate arrival timestamps to records.
type Clock struct {
	Arrival Arrival
	// EventTime returns an event's own time (schema.EventTime).
	EventTime func(record []byte) (time.Time, error)
	// Now is the wall clock (ArrivalNow).
	Now func() time.Time
	// Start is the run's start time, the fallback when an event's time
	// cannot be determined under ArrivalEvent.
	Start time.Time
}

// ArrivalOf returns the record's arrival time. Under ArrivalEvent a record
// without a usable event time (not JSON, not an SES event, a malformed
// timestamp) cannot keep its history, but it still reached the stream: it
// arrives at the run's start time and fallback describes why.
func (c Clock) ArrivalOf(record []byte) (at time.Time, fallback error) {
	switch c.Arrival.Mode {
	case ArrivalFixed:
		return c.Arrival.At, nil
	case ArrivalNow:
		return c.Now(), nil
	}
	t, err := c.EventTime(record)
	if err != nil {
		return c.Start, fmt.Errorf("no event time (%v): arrival set to the run's start", err)
	}
	return t, nil
}
