package health

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SummaryColumns are the columns of the query engine's canned "summary"
// query that ParseSummary needs. The query also returns bounce_rate,
// complaint_rate and the two status columns; the check recomputes rates
// from the counts so that the totals of several identities, configuration
// sets and days are exact.
var SummaryColumns = []string{"sender_identity", "day", "sends", "deliveries", "hard_bounces", "soft_bounces", "complaints", "rejects", "delays", "rendering_failures"}

// SummaryConfigSetColumn is the summary's configuration-set column. It is
// optional: a result without it (an older query saved in Athena) reads as
// rows without a configuration set.
const SummaryConfigSetColumn = "configuration_set"

// ParseSummary turns the summary query's text result into rows. Columns are
// found by name; an empty count (NULL) is 0, an empty configuration set
// means none.
func ParseSummary(columns []string, rows [][]string) ([]IdentityDay, error) {
	idx := map[string]int{}
	for i, c := range columns {
		idx[strings.ToLower(c)] = i
	}
	for _, c := range SummaryColumns {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("summary result has no %s column (columns: %s)", c, strings.Join(columns, ", "))
		}
	}
	out := make([]IdentityDay, 0, len(rows))
	for n, row := range rows {
		r, err := parseSummaryRow(idx, row)
		if err != nil {
			return nil, fmt.Errorf("summary row %d: %w", n+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseSummaryRow(idx map[string]int, row []string) (IdentityDay, error) {
	cell := func(c string) string {
		if i := idx[c]; i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var r IdentityDay
	r.Identity = cell("sender_identity")
	if _, ok := idx[SummaryConfigSetColumn]; ok {
		r.ConfigurationSet = cell(SummaryConfigSetColumn)
	}
	if d := cell("day"); d != "" {
		t, err := parseSummaryDay(d)
		if err != nil {
			return r, err
		}
		r.Day = t
	}
	fields := []struct {
		col string
		dst *int64
	}{
		{"sends", &r.Sends}, {"deliveries", &r.Deliveries}, {"hard_bounces", &r.HardBounces},
		{"soft_bounces", &r.SoftBounces}, {"complaints", &r.Complaints}, {"rejects", &r.Rejects},
		{"delays", &r.Delays}, {"rendering_failures", &r.RenderingFailures},
	}
	for _, f := range fields {
		v := cell(f.col)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return r, fmt.Errorf("%s %q is not a count", f.col, v)
		}
		*f.dst = n
	}
	return r, nil
}

// parseSummaryDay reads the day column: a date, in the lake's yyyy/MM/dd or
// ISO form, or a timestamp whose date part is taken.
func parseSummaryDay(s string) (time.Time, error) {
	if len(s) > 10 {
		s = s[:10]
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("day %q is not a date", s)
}
