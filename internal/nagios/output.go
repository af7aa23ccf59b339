package nagios

import (
	"strings"
)

// Result is the complete output of one plugin run.
//
// It renders as the Nagios 3+ multi-line format:
//
//	SERVICE STATE - summary | perfdata
//	long output line 1
//	long output line N | more perfdata
//	more perfdata
//
// Notifications usually carry only the first line, so Summary should say
// what matters on its own.
type Result struct {
	Service  string // e.g. "SES"
	State    State
	Summary  string
	Perf     []PerfDatum // on the first line
	Long     []string    // long output, one entry per line
	LongPerf []PerfDatum // after the long output
}

// String renders the result; it always ends with a newline.
func (r Result) String() string {
	var b strings.Builder
	b.WriteString(oneLine(r.Service))
	b.WriteByte(' ')
	b.WriteString(r.State.String())
	if s := oneLine(r.Summary); s != "" {
		b.WriteString(" - ")
		b.WriteString(s)
	}
	perf, longPerf := r.Perf, r.LongPerf
	if len(r.Long) == 0 {
		perf = append(append([]PerfDatum(nil), perf...), longPerf...)
		longPerf = nil
	}
	writePerf(&b, perf)
	b.WriteByte('\n')
	for i, line := range r.Long {
		b.WriteString(oneLine(line))
		if i == len(r.Long)-1 && len(longPerf) > 0 {
			b.WriteString(" | ")
			b.WriteString(longPerf[0].String())
			longPerf = longPerf[1:]
		}
		b.WriteByte('\n')
	}
	for _, p := range longPerf {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func writePerf(b *strings.Builder, perf []PerfDatum) {
	for i, p := range perf {
		if i == 0 {
			b.WriteString(" | ")
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
}

// oneLine keeps text on one line and out of the perfdata part: newlines
// become blanks and "|" becomes "/".
func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", "/").Replace(s)
	return strings.TrimSpace(s)
}
