package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// ArrivalMode says where a replayed record's approximate arrival timestamp
// comes from. Firehose stamps records when they reach the stream; a replay
// has to choose.
type ArrivalMode int

const (
	// ArrivalEvent uses each event's own timestamp (the schema's event-time
	// rule), so history lands on the day it happened.
	ArrivalEvent ArrivalMode = iota
	// ArrivalNow uses the wall clock when the record is read.
	ArrivalNow
	// ArrivalFixed uses one instant for every record.
	ArrivalFixed
)

// Arrival is the parsed --arrival-time flag.
type Arrival struct {
	Mode ArrivalMode
	At   time.Time // ArrivalFixed only
}

// ParseArrival parses "event", "now" or an RFC 3339 instant.
func ParseArrival(s string) (Arrival, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "event":
		return Arrival{Mode: ArrivalEvent}, nil
	case "now":
		return Arrival{Mode: ArrivalNow}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return Arrival{}, fmt.Errorf("arrival time %q: want event, now or an RFC 3339 instant such as 2024-02-16T05:00:00Z", s)
	}
	return Arrival{Mode: ArrivalFixed, At: t}, nil
}

// String renders the flag value back.
func (a Arrival) String() string {
	switch a.Mode {
	case ArrivalNow:
		return "now"
	case ArrivalFixed:
		return a.At.Format(time.RFC3339Nano)
	}
	return "event"
}
