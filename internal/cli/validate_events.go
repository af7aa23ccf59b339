package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/schema"
)

func init() { register("events", newEventsCmd) }

func newEventsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Work with SES event-publishing records",
		Long: `events groups commands that work on SES event-publishing records: the
JSON objects SES publishes to Firehose, one per line.`,
		Example: `  sesctl events validate events.jsonl`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("events: missing subcommand (see sesctl events --help)")
		},
	}
	cmd.AddCommand(newEventsValidateCmd(f))
	return cmd
}

type eventsValidateOptions struct {
	output string
}

func newEventsValidateCmd(f *Factory) *cobra.Command {
	o := &eventsValidateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [FILE|-]...",
		Short: "Check that records are well-formed SES event-publishing records",
		Long: `validate reads JSON Lines (one record per line; gzip is detected by its
magic bytes) and checks every record against the SES event-publishing
format: a JSON object with an eventType that is one of the ten SES types
(Bounce, Complaint, Delivery, Send, Reject, Open, Click, Rendering Failure,
DeliveryDelay, Subscription), a mail object with its required fields
(timestamp, messageId, source, sendingAccountId, destination) and types,
tags whose values are arrays of strings, and the type's own object with its
required fields and known values (bounceType and bounceSubType, delayType,
complaintFeedbackType, ...). Timestamps must be ISO 8601. Unknown extra
fields are accepted: SES adds fields over time.

Each problem is printed on stdout as file:line: field: problem. A typo in
eventType gets a suggestion; SES SNS feedback notifications (notificationType
instead of eventType) are named as such. Empty lines are reported because
Athena's JSON SerDe reads them as all-NULL rows. Without arguments, or with
-, standard input is read. A summary goes to stderr.

EXIT STATUS
  0  every record is valid
  1  problems were found
  2  bad flags, or an input could not be read (the message names it)`,
		Example: `  sesctl events validate events.jsonl
  sesctl events validate lake/2024/03/*/*.gz
  sesctl generate --events 1000 | sesctl events validate
  sesctl events validate --output json events.jsonl | jq -r .field | sort | uniq -c`,
		RunE: func(cmd *cobra.Command, args []string) error { return runEventsValidate(f, o, args) },
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "problem format: text (file:line: field: problem) or json (one object per line)")
	return cmd
}

// evvTally counts what validation saw.
type evvTally struct {
	files, records, problems, badRecords, unreadable int
}

func runEventsValidate(f *Factory, o *eventsValidateOptions, args []string) error {
	if o.output != "text" && o.output != "json" {
		return usageErrorf("--output %q: want text or json", o.output)
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	out := bufio.NewWriterSize(f.IO.Out, 64<<10)
	var t evvTally
	for _, name := range args {
		t.files++
		if err := evvFile(f, name, o.output, out, &t); err != nil {
			t.unreadable++
			if ferr := out.Flush(); ferr != nil {
				return &ExitError{Code: ExitInternal, Err: ferr}
			}
			fmt.Fprintf(f.IO.Err, "sesctl: %v\n", err)
		}
	}
	if err := out.Flush(); err != nil {
		return &ExitError{Code: ExitInternal, Err: err}
	}
	fmt.Fprintln(f.IO.Err, t.summary())
	switch {
	case t.unreadable > 0:
		return silentExit(ExitUsage)
	case t.problems > 0:
		return silentExit(ExitFailure)
	}
	return nil
}

func (t evvTally) summary() string {
	s := fmt.Sprintf("%d %s in %d %s: ", t.records, evvPlural(t.records, "record", "records"), t.files, evvPlural(t.files, "file", "files"))
	switch {
	case t.problems == 0 && t.unreadable == 0:
		s += "all valid"
	case t.problems == 0:
		s += "no problems"
	default:
		s += fmt.Sprintf("%d %s in %d %s", t.problems, evvPlural(t.problems, "problem", "problems"),
			t.badRecords, evvPlural(t.badRecords, "record", "records"))
	}
	if t.unreadable > 0 {
		s += fmt.Sprintf("; %d %s could not be read", t.unreadable, evvPlural(t.unreadable, "file", "files"))
	}
	return s
}

func evvPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// evvFile validates one input. The error, if any, names the input; the
// records read before it are still reported.
func evvFile(f *Factory, name, format string, out *bufio.Writer, t *evvTally) error {
	var r io.Reader = f.IO.In
	if name == "-" {
		name = "<stdin>"
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return err // *PathError names the file
		}
		defer fh.Close()
		r = fh
	}
	in, err := evvDecompress(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	lines := make(chan evvBatch, 4)
	var readErr error
	go func() {
		readErr = evvReadLines(in, lines)
		close(lines)
	}()
	var werr error
	for res := range evvValidateBatches(lines) {
		for _, r := range res {
			t.records++
			if len(r.problems) > 0 {
				t.badRecords++
			}
			for _, p := range r.problems {
				t.problems++
				if werr == nil {
					werr = evvPrint(out, format, name, r.line, p)
				}
			}
		}
	}
	if werr != nil {
		return fmt.Errorf("writing problems: %w", werr)
	}
	if readErr != nil {
		return fmt.Errorf("%s: %w", name, readErr)
	}
	return nil
}

// evvDecompress wraps r in a gzip reader when it starts with gzip's magic
// bytes.
func evvDecompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return bufio.NewReaderSize(evvGzipErrors{zr}, 1<<20), nil
	}
	return br, nil
}

// evvGzipErrors marks read errors as coming from the gzip stream.
type evvGzipErrors struct{ r io.Reader }

func (g evvGzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	switch {
	case err == nil || errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("gzip: unexpected end of data (truncated file?)")
	default:
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

type evvLine struct {
	line int
	data []byte
}

type evvBatch []evvLine

type evvResult struct {
	line     int
	problems []schema.Problem
}

// evvReadLines sends the input's lines, in batches, numbered from 1. A final
// line without a newline counts; the empty string after a final newline
// does not.
func evvReadLines(r io.Reader, out chan<- evvBatch) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	const batchSize = 512
	batch := make(evvBatch, 0, batchSize)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			batch = append(batch, evvLine{n, bytes.TrimSuffix(line, []byte("\n"))})
			if len(batch) == batchSize {
				out <- batch
				batch = make(evvBatch, 0, batchSize)
			}
		}
		if err != nil {
			if len(batch) > 0 {
				out <- batch
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// evvValidateBatches validates batches on all CPUs and delivers the results
// in input order.
func evvValidateBatches(in <-chan evvBatch) <-chan []evvResult {
	type job struct {
		batch evvBatch
		done  chan []evvResult
	}
	jobs := make(chan job, runtime.GOMAXPROCS(0))
	order := make(chan chan []evvResult, 2*runtime.GOMAXPROCS(0))
	out := make(chan []evvResult)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				res := make([]evvResult, len(j.batch))
				for k, l := range j.batch {
					res[k] = evvResult{line: l.line, problems: schema.Validate(l.data)}
				}
				j.done <- res
			}
		}()
	}
	go func() {
		for b := range in {
			done := make(chan []evvResult, 1)
			order <- done
			jobs <- job{b, done}
		}
		close(jobs)
		close(order)
	}()
	go func() {
		for done := range order {
			out <- <-done
		}
		wg.Wait()
		close(out)
	}()
	return out
}

func evvPrint(w *bufio.Writer, format, file string, line int, p schema.Problem) error {
	if format == "json" {
		b, err := json.Marshal(struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Field   string `json:"field"`
			Message string `json:"message"`
		}{file, line, p.Field, p.Message})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintln(w, p.Format(file, line))
	return err
}
