package cli

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sesctl/sesctl/internal/hugepage"
	"github.com/sesctl/sesctl/pipeline"
	"github.com/sesctl/sesctl/pipeline/sink"
)

func init() { register("replay", newReplayCmd) }

// streamFlags are the stream settings shared by replay and partition.
type streamFlags struct {
	query, prefix, errorPrefix string
	streamName                 string
	streamVersion              int
	bufferSize, bufferInterval int
	compression                string
	format                     string
	timeZone                   string
	maxActive                  int
	arrival                    string
	delivery                   bool // the delivery flags were registered
}

func (sf *streamFlags) addPartitioning(fs *pflag.FlagSet) {
	d := pipeline.DefaultSpec()
	fs.StringVar(&sf.query, "query", d.Query, "jq (JQ-1.6) MetadataExtractionQuery that builds the partition keys")
	fs.StringVar(&sf.prefix, "prefix", d.Prefix, "S3 prefix expression (Firehose Prefix)")
	fs.StringVar(&sf.errorPrefix, "error-prefix", d.ErrorPrefix, "S3 error output prefix expression (Firehose ErrorOutputPrefix)")
	fs.StringVar(&sf.timeZone, "time-zone", "", "IANA time zone for !{timestamp:...} and object names (Firehose CustomTimeZone; default UTC)")
	fs.StringVar(&sf.arrival, "arrival-time", "event", "arrival timestamp of each record: event (its own event time), now, or an RFC 3339 instant")
}

func (sf *streamFlags) addDelivery(fs *pflag.FlagSet) {
	d := pipeline.DefaultSpec()
	sf.delivery = true
	fs.StringVar(&sf.streamName, "stream-name", d.StreamName, "delivery stream name used in object names")
	fs.IntVar(&sf.streamVersion, "stream-version", d.StreamVersion, "delivery stream version used in object names (Firehose starts at 1)")
	fs.IntVar(&sf.bufferSize, "buffer-size", d.BufferSizeMiB, "buffer size per partition in MiB, before compression (64-128 with dynamic partitioning)")
	fs.IntVar(&sf.bufferInterval, "buffer-interval", d.BufferIntervalSec, "buffer interval per partition in seconds (60-900 with dynamic partitioning)")
	fs.StringVar(&sf.compression, "compression", "", "object compression: gzip or none (default gzip; none with --format parquet, which compresses inside the file)")
	fs.StringVar(&sf.format, "format", pipeline.FormatJSON, "object format: json (JSON lines, as SES sends them) or parquet (Firehose record format conversion: Snappy-compressed Parquet objects named .parquet)")
	fs.IntVar(&sf.maxActive, "max-active-partitions", d.MaxActivePartitions, "active partitions quota (see --on-partition-limit)")
}

// compile builds the spec from the flags; every problem is a usage error.
func (sf *streamFlags) compile() (*pipeline.Compiled, pipeline.Arrival, error) {
	arrival, err := pipeline.ParseArrival(sf.arrival)
	if err != nil {
		return nil, arrival, usageErrorf("--arrival-time: %v", err)
	}
	spec := pipeline.DefaultSpec()
	spec.Query, spec.Prefix, spec.ErrorPrefix, spec.TimeZone = sf.query, sf.prefix, sf.errorPrefix, sf.timeZone
	if sf.delivery {
		spec.StreamName, spec.StreamVersion = sf.streamName, sf.streamVersion
		spec.BufferSizeMiB, spec.BufferIntervalSec = sf.bufferSize, sf.bufferInterval
		spec.MaxActivePartitions = sf.maxActive
		if spec.Format, err = parseFormat(sf.format); err != nil {
			return nil, arrival, err
		}
		if spec.Compression, err = parseCompression(sf.compression, spec.Format); err != nil {
			return nil, arrival, err
		}
	}
	c, err := spec.Compile()
	if err != nil {
		return nil, arrival, specError(err)
	}
	return c, arrival, nil
}

// parseCompression reads --compression. Unset, it is GZIP, or UNCOMPRESSED
// with Parquet: record format conversion requires UNCOMPRESSED at the
// destination (Snappy is applied inside the Parquet file), so an explicit
// --compression gzip with --format parquet is rejected by the spec rule
// format.parquet-compression rather than silently changed.
func parseCompression(s, format string) (string, error) {
	if s == "" {
		if format == pipeline.FormatParquet {
			return pipeline.CompressionNone, nil
		}
		return pipeline.CompressionGZIP, nil
	}
	switch strings.ToLower(s) {
	case "gzip":
		return pipeline.CompressionGZIP, nil
	case "none", "uncompressed":
		return pipeline.CompressionNone, nil
	}
	return "", usageErrorf("--compression %q: want gzip or none", s)
}

func parseFormat(s string) (string, error) {
	switch f := strings.ToLower(s); f {
	case pipeline.FormatJSON, pipeline.FormatParquet:
		return f, nil
	}
	return "", usageErrorf("--format %q: want json or parquet", s)
}

// specError turns a validation error into a usage error listing each problem.
func specError(err error) error {
	var ve *pipeline.ValidationError
	if !errors.As(err, &ve) {
		return usageErrorf("%v", err)
	}
	var b strings.Builder
	b.WriteString("invalid pipeline settings:")
	for _, p := range ve.Problems {
		fmt.Fprintf(&b, "\n  %s [%s]", p.Msg, p.Rule)
	}
	return usageErrorf("%s", b.String())
}

// resolveInputs expands the arguments; no argument means standard input,
// unless it is a terminal.
func resolveInputs(f *Factory, args []string) ([]pipeline.Input, error) {
	if len(args) == 0 {
		if f.IO.InIsTerminal {
			return nil, usageErrorf("no input: give FILE, DIR or - (standard input)")
		}
		args = []string{pipeline.Stdin}
	}
	ins, err := pipeline.ResolveInputs(args, f.IO.In)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return ins, nil
}

type replayOptions struct {
	spec        streamFlags
	out         string
	summary     string
	failOnError bool
	seed        int64
	seedSet     bool
	buffering   string
	onLimit     string
}

func newReplayCmd(f *Factory) *cobra.Command {
	o := &replayOptions{}
	cmd := &cobra.Command{
		Use:   "replay [FILE|DIR|-]... [--out DIR|s3://bucket/prefix]",
		Short: "Partition SES events exactly as Firehose would and write the objects",
		Long: `Replay SES events through a local copy of the Firehose delivery stream:
jq (JQ-1.6) extracts the partition keys, the prefix expression places each
record in a partition, each partition is buffered and
delivered as objects named <prefix><stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>
(.gz with GZIP). Records that cannot be placed go to the error output, one
JSON object per line, under the evaluated error prefix.

--format parquet reproduces Firehose record format conversion: each
delivered buffer becomes one Parquet object (the sesctl table's columns,
Snappy inside the file, named .parquet, no destination compression).
Records that do not fit the table's schema go to the error output under
format-conversion-failed; error objects stay JSON lines.

Input is JSON Lines (each line is written byte for byte plus a newline),
concatenated or pretty-printed JSON (each value compacted), optionally
gzip-compressed. Directories are walked in name order; - is standard input.
Every non-blank record ends in exactly one object or one error record.

--arrival-time decides each record's approximate arrival timestamp, which
drives !{timestamp:...} and object names: "event" (the default) uses the
event's own time, so history lands on the day it happened; "now" uses the
clock; an RFC 3339 instant pins every record to it.

--buffering decides what closes a partition's buffer. "backfill" (the
default) is a file pushed through Firehose at once: no buffering interval
runs out while it is read, so a buffer is delivered at --buffer-size, at
the end of the input, or, when a record needs a partition beyond
--max-active-partitions, the partition written least recently is delivered
to make room. History lands where live traffic would have put it, in few
large objects. "live" is traffic arriving at the arrival times: a buffer is
also delivered once the arrival clock (the latest arrival seen) is
--buffer-interval past its opening, and records beyond the quota go to the
error output (activePartitionExceeded), as Firehose writes a live stream.
The two place every record under the same prefix; only the cut into
objects differs. --on-partition-limit error|deliver overrides the quota
behaviour of either.

Objects are written to a temporary name and renamed (or uploaded whole to
S3), so an interrupted run leaves no partial object. Key values can never
write outside --out.

EXIT STATUS
  0    every record was placed (error output included)
  1    --fail-on-error and at least one record went to the error output
  2    bad flags or settings, or an input that cannot be read (named)
  3    writing failed (disk, S3)
  130  interrupted; committed objects are complete, buffered records are not written

ENVIRONMENT
  GOMEMLIMIT          the Go runtime's soft memory limit (replay's default: 192MiB)
  SESCTL_HUGEPAGES=0  do not ask Linux for transparent huge pages for the heap
                      (asked only where THP is in "madvise" mode; fewer page faults)`,
		Example: `  sesctl replay testdata/samples/official.jsonl --out lake
  sesctl replay events/ --out s3://my-bucket/ses --region eu-west-1
  zcat old.jsonl.gz | sesctl replay - --arrival-time 2024-02-16T05:00:00Z --summary json
  sesctl replay in.jsonl --query '{id: .mail.sourceArn}' --prefix 'by-id/!{partitionKeyFromQuery:id}/'
  sesctl replay testdata/samples/official.jsonl --format parquet --out lake-parquet
  # the objects a live stream would have written, 300 s of event time each
  sesctl replay history.jsonl --buffering live --out lake-live`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.seedSet = cmd.Flags().Changed("seed")
			return runReplay(cmd.Context(), f, o, args)
		},
	}
	fs := cmd.Flags()
	o.spec.addPartitioning(fs)
	o.spec.addDelivery(fs)
	fs.StringVar(&o.out, "out", "lake", "output: a local folder or s3://bucket/prefix")
	fs.StringVar(&o.summary, "summary", "text", "summary format: text (on stderr) or json (on stdout)")
	fs.BoolVar(&o.failOnError, "fail-on-error", false, "exit 1 when any record went to the error output")
	fs.Int64Var(&o.seed, "seed", 0, "derive object-name UUIDs from this seed, so re-running writes the same keys")
	fs.StringVar(&o.buffering, "buffering", string(pipeline.BufferingBackfill), "what closes buffers: backfill (size, end of input, quota) or live (also the interval, in arrival time)")
	fs.StringVar(&o.onLimit, "on-partition-limit", "", "a record beyond --max-active-partitions: error (to the error output, as Firehose) or deliver (the least recently written partition to make room) (default: deliver with backfill, error with live)")
	return cmd
}

func runReplay(ctx context.Context, f *Factory, o *replayOptions, args []string) error {
	if o.summary != "text" && o.summary != "json" {
		return usageErrorf("--summary %q: want text or json", o.summary)
	}
	c, arrival, err := o.spec.compile()
	if err != nil {
		return err
	}
	buffering, err := pipeline.ParseBuffering(o.buffering)
	if err != nil {
		return usageErrorf("--buffering: %v", err)
	}
	onLimit, err := pipeline.ParseLimitAction(o.onLimit)
	if err != nil {
		return usageErrorf("--on-partition-limit: %v", err)
	}
	inputs, err := resolveInputs(f, args)
	if err != nil {
		return err
	}
	out, err := openSink(ctx, f, o.out)
	if err != nil {
		return err
	}
	limitMemory()
	adviseHugePages(f)
	opt := pipeline.Options{Arrival: arrival, Buffering: buffering, OnPartitionLimit: onLimit, Now: f.Now, Warn: func(m string) { fmt.Fprintf(f.IO.Err, "sesctl: warning: %s\n", m) }}
	if o.seedSet {
		opt.Rand = seededRand(o.seed)
	}
	var prog *progressLine
	if f.IO.ErrIsTerminal {
		prog = &progressLine{w: f.IO.Err}
		opt.Progress = prog.show
	}
	sum, err := pipeline.Replay(ctx, c, inputs, out, opt)
	return finishReplay(f, o, sum, err)
}

// replayMemoryLimit is the Go runtime's soft memory limit during a
// replay, unless GOMEMLIMIT says otherwise: open buffers keep at most
// pipeline.DefaultBufferMemory in memory, and the collector runs before
// garbage from delivered objects would take the process past about 250 MB.
const replayMemoryLimit = 192 << 20

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(replayMemoryLimit)
	}
}

// EnvHugePages set to 0 keeps replay from asking for transparent huge
// pages (see adviseHugePages).
const EnvHugePages = "SESCTL_HUGEPAGES"

// replayHugeRegion is how much of the heap replay asks to have backed by
// huge pages: address space, not memory (pages are backed as the heap
// uses them), about what a replay's heap grows to under replayMemoryLimit.
const replayHugeRegion = 128 << 20

// adviseHugePages asks for transparent huge pages for the memory a replay
// is about to use, where Linux gives them only on request: one page fault
// per 2 MiB instead of one per 4 KiB. On this project's VM a fault costs
// 7-10 µs, and 100k events took 20,000 of them (docs/performance.md).
func adviseHugePages(f *Factory) {
	if os.Getenv(EnvHugePages) == "0" {
		return
	}
	if _, err := hugepage.Advise(hugeRegion(debug.SetMemoryLimit(-1))); err != nil {
		fmt.Fprintf(f.IO.Err, "sesctl: warning: huge pages not used (%s=0 skips asking): %v\n", EnvHugePages, err)
	}
}

// hugeRegion is the region to mark under the runtime's memory limit: at
// most two thirds of it (all of replayHugeRegion under replay's default
// limit), so that a small GOMEMLIMIT is not crossed while the region's
// pieces are allocated.
func hugeRegion(memoryLimit int64) int {
	return int(min(replayHugeRegion, memoryLimit/3*2))
}

func seededRand(seed int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], uint64(seed))
	return rand.NewChaCha8(key)
}

// openSink resolves --out: s3://bucket/prefix or a local folder.
func openSink(ctx context.Context, f *Factory, out string) (sink.Sink, error) {
	if !strings.HasPrefix(strings.ToLower(out), "s3://") {
		local, err := sink.NewLocal(out)
		if err != nil {
			return nil, usageErrorf("--out %s: %v", out, err)
		}
		return local, nil
	}
	bucket, keyPrefix, err := sink.ParseS3URL(out)
	if err != nil {
		return nil, usageErrorf("--out: %v", err)
	}
	cfg, err := f.AWS.Load(ctx)
	if err != nil {
		return nil, &ExitError{Code: ExitInternal, Err: err}
	}
	client := sink.NewS3Client(cfg, sink.DefaultPathStyle(cfg))
	return sink.NewS3(client, bucket, keyPrefix), nil
}

// finishReplay prints the summary and maps the outcome to an exit code.
func finishReplay(f *Factory, o *replayOptions, sum *pipeline.Summary, err error) error {
	if sum != nil {
		if perr := printSummary(f, o.summary, sum); perr != nil && err == nil {
			err = perr
		}
	}
	var ie *pipeline.InputError
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		return &ExitError{Code: ExitCanceled, Err: fmt.Errorf("interrupted after reading %d records: %d objects and %d error objects were committed to %s, each complete; buffered records were not written",
			sum.RecordsIn, sum.Objects, sum.ErrorObjects, sum.Output)}
	case errors.As(err, &ie):
		return usageErrorf("%v", ie)
	default:
		return &ExitError{Code: ExitInternal, Err: err}
	}
	if o.failOnError && sum.Failed > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s went to the error output (--fail-on-error)", plural(sum.Failed, "record"))}
	}
	return nil
}

func printSummary(f *Factory, format string, sum *pipeline.Summary) error {
	if format == "json" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
		return nil
	}
	if !sum.Interrupted { // the interruption message says what was committed
		writeTextSummary(f.IO.Err, sum)
	}
	return nil
}

// progressLine redraws one status line on a terminal.
type progressLine struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *progressLine) show(pr pipeline.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.Done {
		fmt.Fprint(p.w, "\r\033[K")
		return
	}
	rate := 0.0
	if s := pr.Elapsed.Seconds(); s > 0 {
		rate = float64(pr.Bytes) / 1e6 / s
	}
	fmt.Fprintf(p.w, "\r\033[Kreplaying: %d records, %.1f MB/s, %d open partitions, %s",
		pr.Records, rate, pr.OpenPartitions, pr.Elapsed.Truncate(time.Second))
}

// maxSummaryPrefixes bounds the prefix table of the text summary.
const maxSummaryPrefixes = 20

// deliveredText lists why buffers were delivered: "; delivered at size 2,
// end 70".
func deliveredText(by map[string]int64) string {
	var parts []string
	for _, reason := range []string{"size", "interval", "partition-limit", "end"} {
		if n := by[reason]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", reason, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; buffers delivered at " + strings.Join(parts, ", ")
}

func writeTextSummary(w io.Writer, s *pipeline.Summary) {
	fmt.Fprintf(w, "Replayed %s from %s into %s\n", plural(s.RecordsIn, "record"), describeNames(s.Inputs), s.Output)
	fmt.Fprintf(w, "  partitioned   %s into %s across %s\n", plural(s.Partitioned, "record"), plural(s.Objects, "object"), plural(int64(s.Partitions), "partition"))
	fmt.Fprintf(w, "  failed        %s", plural(s.Failed, "record"))
	if s.Failed > 0 {
		fmt.Fprintf(w, " into %s (%s)", plural(s.ErrorObjects, "error object"), failedByType(s.FailedByType))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  written       %s from %s of records in %.2fs\n", humanBytes(s.BytesWritten), humanBytes(s.BytesIn), s.Duration)
	fmt.Fprintf(w, "  arrival time  %s", arrivalText(s.ArrivalTime))
	if s.ArrivalFallbacks > 0 {
		fmt.Fprintf(w, "; %s without an event time arrived at the run's start", plural(s.ArrivalFallbacks, "record"))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  buffering     %s%s\n", s.Buffering, deliveredText(s.DeliveredBy))
	writePrefixTable(w, "PREFIX", s.Prefixes)
	writePrefixTable(w, "ERROR PREFIX", s.ErrorPrefixes)
}

// plural renders "1 record", "2 records".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func arrivalText(a string) string {
	switch a {
	case "event":
		return "event (each event's own timestamp)"
	case "now":
		return "now (the clock while reading)"
	}
	return a + " (every record)"
}

func writePrefixTable(w io.Writer, title string, rows []pipeline.PrefixCount) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n  %7s  %7s  %s\n", "RECORDS", "OBJECTS", title)
	for i, r := range rows {
		if i == maxSummaryPrefixes {
			fmt.Fprintf(w, "  ... and %d more (--summary json lists them all)\n", len(rows)-i)
			break
		}
		fmt.Fprintf(w, "  %7d  %7d  %s\n", r.Records, r.Objects, r.Prefix)
	}
}

func describeNames(names []string) string {
	switch len(names) {
	case 0:
		return "no input"
	case 1:
		if names[0] == pipeline.Stdin {
			return "standard input"
		}
		return names[0]
	}
	return fmt.Sprintf("%d inputs", len(names))
}

func failedByType(m map[string]int64) string {
	var parts []string
	for _, t := range pipeline.OutputErrorTypes {
		if n := m[t]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

// humanBytes renders n in SI units: 950 B, 4.1 kB, 12.3 MB.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), []string{"kB", "MB", "GB", "TB"}
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, suffix[i])
}
