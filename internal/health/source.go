package health

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Selection says which scopes a check measures.
type Selection struct {
	// Identities restricts the check to these sender identities (lower
	// case); empty means the whole account.
	Identities []string
	// PerIdentity judges each identity on its own.
	PerIdentity bool
	// Zeroed treats missing data as zero instead of UNKNOWN.
	Zeroed bool
}

// Measurement is what a source measured for a selection.
type Measurement struct {
	Scopes []Scope
	Totals *Scope // per-identity mode: the sum over all identities
	Notes  []string
}

// Fetcher measures a selection over a window.
type Fetcher interface {
	Measure(ctx context.Context, w Window, sel Selection) (*Measurement, error)
	// Describe names the source for the output ("lake ./lake", "CloudWatch AWS/SES").
	Describe() string
}

// IdentityDay is one row of the query engine's summary: one sender
// identity's event counts for one day, in one configuration set ("" for
// events sent without one). Checks add up every configuration set of an
// identity; metrics publish also groups by configuration set.
type IdentityDay struct {
	Identity         string
	ConfigurationSet string
	Day              time.Time
	Counts
}

// SummarySource yields per-identity, per-day counts for the events between
// from and to, optionally only for some identities. The lake (through the
// local engine) and Athena implement it.
type SummarySource interface {
	Summary(ctx context.Context, from, to time.Time, identities []string) ([]IdentityDay, error)
}

// EventFetcher measures from event data.
type EventFetcher struct {
	Source SummarySource
	Desc   string
	// Notes are added to every measurement (e.g. the window granularity).
	Notes []string
}

// Describe implements Fetcher.
func (f *EventFetcher) Describe() string { return f.Desc }

// Measure implements Fetcher.
func (f *EventFetcher) Measure(ctx context.Context, w Window, sel Selection) (*Measurement, error) {
	rows, err := f.Source.Summary(ctx, w.From, w.To, sel.Identities)
	if err != nil {
		return nil, err
	}
	m := EventScopes(rows, sel)
	m.Notes = append(m.Notes, f.Notes...)
	return m, nil
}

// EventScopes groups summary rows into the scopes of sel.
func EventScopes(rows []IdentityDay, sel Selection) *Measurement {
	want := map[string]bool{}
	for _, id := range sel.Identities {
		want[strings.ToLower(id)] = true
	}
	byID := map[string]Counts{}
	var total Counts
	for _, r := range rows {
		id := strings.ToLower(r.Identity)
		if len(want) > 0 && !want[id] {
			continue
		}
		byID[id] = byID[id].Add(r.Counts)
		total = total.Add(r.Counts)
	}
	if !sel.PerIdentity {
		return &Measurement{Scopes: []Scope{countsScope(strings.Join(sel.Identities, ","), total, sel.Zeroed)}}
	}
	names := make([]string, 0, len(byID))
	for id := range byID {
		names = append(names, id)
	}
	for id := range want {
		if _, ok := byID[id]; !ok {
			names = append(names, id)
		}
	}
	sort.Strings(names)
	m := &Measurement{}
	for _, id := range names {
		m.Scopes = append(m.Scopes, countsScope(id, byID[id], sel.Zeroed))
	}
	if len(m.Scopes) == 0 {
		m.Scopes = []Scope{countsScope("", total, sel.Zeroed)}
		return m
	}
	t := countsScope("", total, true)
	m.Totals = &t
	return m
}

func countsScope(name string, c Counts, zeroed bool) Scope {
	if c.IsZero() && !zeroed {
		return Scope{Name: name, NoData: "no SES events in the window (use --zeroed to count missing data as zero)"}
	}
	s := Scope{Name: name, Values: c.Values(zeroed)}
	if c.SoftBounces > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d soft bounces (not part of the bounce rate)", c.SoftBounces))
	}
	return s
}
