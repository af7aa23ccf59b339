package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/schema"
)

func init() { register("generate", newGenerateCmd) }

type generateOptions struct {
	events     int
	seed       uint64
	identities int
	start      string
	days       int
	out        string
}

func newGenerateCmd(f *Factory) *cobra.Command {
	o := &generateOptions{}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write synthetic SES event-publishing records (JSON Lines)",
		Long: `generate writes realistic, synthetic SES event-publishing records, one
compact JSON object per line, exactly as SES publishes them to Firehose: the
same fields and key order per event type as the official samples.

The stream is deterministic: a seed always gives the same bytes. Messages
are spread over --days from --start with a daily rhythm, and every message
yields its events in event-time order: Send, then Delivery (or Bounce,
DeliveryDelay), then Open, Click, Complaint or Subscription. All events of
one message share mail.messageId, mail.source, mail.timestamp and tags.
About 45% of events are Send and 42% Delivery; Bounce about 2.5%
(Permanent and Transient subtypes, OnAccountSuppressionList included),
Complaint about 0.06%, and Reject, Rendering Failure and Subscription are
rare. Sending identities are domains under example.com/.net/.org: the
second identity (news.example.net) has a high bounce rate, the third
(promo.example.org) a complaint rate above SES's 0.1% review threshold.
Tags carry ses:configuration-set, ses:source-ip, ses:from-domain,
ses:caller-identity, ses:operation, ses:outgoing-ip (on deliveries) and,
for most identities, ses:sender-identity.

Every record passes 'sesctl events validate'. Output ending in .gz is
gzip-compressed; a file is written atomically (a temporary file renamed at
the end). Progress is shown on stderr when it is a terminal.

EXIT STATUS
  0  the events were written
  2  bad flags
  3  writing failed`,
		Example: `  sesctl generate --events 1000 --seed 1 > events.jsonl
  sesctl generate --events 1000000 --identities 20 --days 30 --out events.jsonl.gz
  sesctl generate --events 500 --start 2024-03-01T00:00:00Z --days 1 | sesctl events validate -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runGenerate(f, o) },
	}
	fl := cmd.Flags()
	fl.IntVarP(&o.events, "events", "n", 1000, "number of events to write")
	fl.Uint64Var(&o.seed, "seed", 1, "random seed; the same seed gives the same bytes")
	fl.IntVar(&o.identities, "identities", 8, "number of sending identities (domains)")
	fl.StringVar(&o.start, "start", schema.DefaultGenStart.Format(time.RFC3339), "first mail timestamp: RFC 3339 time or YYYY-MM-DD (UTC)")
	fl.IntVar(&o.days, "days", 7, "days over which messages are spread")
	fl.StringVarP(&o.out, "out", "o", "-", "output file (.gz to compress), - for stdout")
	return cmd
}

func runGenerate(f *Factory, o *generateOptions) error {
	// The library treats 0 as "default"; on the command line 0 is a mistake.
	if o.identities < 1 || o.identities > schema.MaxGenIdentities {
		return usageErrorf("--identities must be between 1 and %d", schema.MaxGenIdentities)
	}
	if o.days < 1 || o.days > schema.MaxGenDays {
		return usageErrorf("--days must be between 1 and %d", schema.MaxGenDays)
	}
	start, err := parseGenStart(o.start)
	if err != nil {
		return usageErrorf("--start %q: %v", o.start, err)
	}
	g, err := schema.NewGenerator(schema.GeneratorConfig{
		Seed: o.seed, Events: o.events, Identities: o.identities, Start: start, Days: o.days,
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	progress := generateProgress(f, o.events)
	if o.out == "-" {
		if err := generateTo(f.IO.Out, g, o, false, progress); err != nil {
			return &ExitError{Code: ExitInternal, Err: err}
		}
		return nil
	}
	size, err := generateFile(g, o, progress)
	if err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	fmt.Fprintf(f.IO.Err, "wrote %d events (%s) to %s\n", o.events, genSize(size), o.out)
	return nil
}

// parseGenStart reads an RFC 3339 time or a UTC date.
func parseGenStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time (2024-03-01T00:00:00Z) or a date (2024-03-01)")
	}
	return t, nil
}

// generateProgress returns a progress callback that redraws one stderr line,
// or nil when stderr is not a terminal.
func generateProgress(f *Factory, total int) func(int) {
	if !f.IO.ErrIsTerminal {
		return nil
	}
	return func(done int) {
		fmt.Fprintf(f.IO.Err, "\rgenerated %d of %d events (%d%%)", done, total, done*100/total)
		if done == total {
			fmt.Fprintln(f.IO.Err)
		}
	}
}

// generateTo writes the events to w, gzip-compressed when zip is set.
func generateTo(w io.Writer, g *schema.Generator, o *generateOptions, zip bool, progress func(int)) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var dst io.Writer = bw
	var zw *gzip.Writer
	if zip {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	if err := g.WriteN(dst, o.events, progress); err != nil {
		return err
	}
	if progress != nil && o.events%65536 != 0 {
		progress(o.events)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return fmt.Errorf("compressing events: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing events: %w", err)
	}
	return nil
}

// generateFile writes the events to a temporary file next to o.out and
// renames it into place, so a failed run leaves no partial file.
func generateFile(g *schema.Generator, o *generateOptions, progress func(int)) (int64, error) {
	dir, base := filepath.Split(o.out)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("creating %s: %w", o.out, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := generateTo(tmp, g, o, strings.HasSuffix(o.out, ".gz"), progress); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("%s: %w", o.out, err)
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("%s: %w", o.out, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("writing %s: %w", o.out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return 0, fmt.Errorf("%s: %w", o.out, err)
	}
	if err := os.Rename(tmp.Name(), o.out); err != nil {
		return 0, fmt.Errorf("writing %s: %w", o.out, err)
	}
	return st.Size(), nil
}

func genSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
