package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/schema"
)

func init() { register("partition", newPartitionCmd) }

type partitionOptions struct {
	spec        streamFlags
	output      string
	failOnError bool
}

func newPartitionCmd(f *Factory) *cobra.Command {
	o := &partitionOptions{}
	cmd := &cobra.Command{
		Use:   "partition [FILE|DIR|-]...",
		Short: "Show the partition keys and prefix Firehose would give each record",
		Long: `For each record, show the keys the jq (JQ-1.6) query extracts and the
prefix they evaluate to, or why the record would go to the error output
(error type and message) and the evaluated error prefix. Nothing is written:
this is what to run to debug a query before putting it into a stream.

Input framing, --query, --prefix, --error-prefix, --time-zone and
--arrival-time behave as in sesctl replay. !{firehose:random-string} is
shown as written: Firehose draws it per object, not per record.

EXIT STATUS
  0  every record was shown (failures included)
  1  --fail-on-error and at least one record would go to the error output
  2  bad flags or settings, or an input that cannot be read`,
		Example: `  sesctl partition testdata/samples/official.jsonl
  sesctl partition events.jsonl --query '{cs: .mail.tags."ses:configuration-set"[0]}' --prefix 'cs=!{partitionKeyFromQuery:cs}/'
  sesctl partition events.jsonl --output json | jq -r .prefix | sort | uniq -c`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPartition(cmd.Context(), f, o, args)
		},
	}
	fs := cmd.Flags()
	o.spec.addPartitioning(fs)
	fs.StringVarP(&o.output, "output", "o", "table", "output format: table or json (one object per record)")
	fs.BoolVar(&o.failOnError, "fail-on-error", false, "exit 1 when any record would go to the error output")
	return cmd
}

// partitionRow is one record's outcome; it is also the JSON output.
type partitionRow struct {
	File         string            `json:"file"`
	Line         int               `json:"line"`
	Arrival      time.Time         `json:"arrival"`
	Keys         map[string]string `json:"keys,omitempty"`
	Prefix       string            `json:"prefix,omitempty"`
	ErrorType    string            `json:"error_type,omitempty"`
	ErrorCode    string            `json:"error_code,omitempty"`
	ErrorMessage string            `json:"error_message,omitempty"`
	ErrorPrefix  string            `json:"error_prefix,omitempty"`
	keyValues    []string
}

func runPartition(ctx context.Context, f *Factory, o *partitionOptions, args []string) error {
	if o.output != "table" && o.output != "json" {
		return usageErrorf("--output %q: want table or json", o.output)
	}
	c, arrival, err := o.spec.compile()
	if err != nil {
		return err
	}
	inputs, err := resolveInputs(f, args)
	if err != nil {
		return err
	}
	clock := pipeline.Clock{Arrival: arrival, EventTime: schema.EventTime, Now: f.Now, Start: f.Now()}
	pr := newPartitionPrinter(f.IO.Out, o.output, c.Query.Keys())
	failed := 0
	err = pipeline.ReadRecords(ctx, inputs, func(rec pipeline.Record) error {
		at, _ := clock.ArrivalOf(rec.Data)
		row, err := routeRow(c, rec, at)
		if err != nil {
			return err
		}
		if row.ErrorType != "" {
			failed++
		}
		return pr.print(row)
	})
	if ferr := pr.flush(); ferr != nil && err == nil {
		err = ferr
	}
	var ie *pipeline.InputError
	switch {
	case errors.As(err, &ie):
		return usageErrorf("%v", ie)
	case err != nil:
		return err
	case o.failOnError && failed > 0:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s would go to the error output (--fail-on-error)", plural(int64(failed), "record"))}
	}
	return nil
}

func routeRow(c *pipeline.Compiled, rec pipeline.Record, at time.Time) (partitionRow, error) {
	rt := c.Route(rec, at)
	row := partitionRow{File: rec.File, Line: rec.Line, Arrival: at.In(c.Location)}
	if !rt.Failed() {
		row.Prefix, row.keyValues = rt.Partition, rt.Keys
		row.Keys = map[string]string{}
		for i, k := range c.Query.Keys() {
			row.Keys[k] = rt.Keys[i]
		}
		return row, nil
	}
	ep, err := c.ErrorPrefixFor(rt.ErrorType, at, nil)
	if err != nil {
		return row, fmt.Errorf("evaluate error prefix: %w", err)
	}
	row.ErrorType, row.ErrorCode, row.ErrorMessage, row.ErrorPrefix = rt.ErrorType, pipeline.ErrorCode(rt.ErrorType), rt.ErrorMessage, ep
	return row, nil
}

type partitionPrinter struct {
	format string
	keys   []string
	out    io.Writer
	tw     *tabwriter.Writer
	enc    *json.Encoder
}

func newPartitionPrinter(w io.Writer, format string, keys []string) *partitionPrinter {
	p := &partitionPrinter{format: format, keys: keys, out: w}
	if format == "json" {
		p.enc = json.NewEncoder(w)
		p.enc.SetEscapeHTML(false)
		return p
	}
	p.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := append([]string{"RECORD"}, keys...)
	fmt.Fprintln(p.tw, strings.Join(append(header, "PREFIX"), "\t"))
	return p
}

func (p *partitionPrinter) print(r partitionRow) error {
	if p.enc != nil {
		if err := p.enc.Encode(r); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	cells := []string{r.File + ":" + strconv.Itoa(r.Line)}
	if r.ErrorType != "" {
		for range p.keys {
			cells = append(cells, "-")
		}
		cells = append(cells, fmt.Sprintf("ERROR %s: %s -> %s", r.ErrorType, oneLine(r.ErrorMessage), r.ErrorPrefix))
	} else {
		for _, v := range r.keyValues {
			cells = append(cells, tableCell(v))
		}
		cells = append(cells, tableCell(r.Prefix))
	}
	_, err := fmt.Fprintln(p.tw, strings.Join(cells, "\t"))
	return err
}

func (p *partitionPrinter) flush() error {
	if p.tw == nil {
		return nil
	}
	if err := p.tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// tableCell keeps a value on one table cell: empty values and values with
// tabs or newlines are quoted.
func tableCell(s string) string {
	if s == "" || strings.ContainsAny(s, "\t\n\r") {
		return strconv.Quote(s)
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
