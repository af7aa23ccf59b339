// Package framing turns input files into Firehose records.
//
// Input may be JSON Lines, concatenated JSON ({...}{...}, as Firehose writes
// objects when no newline delimiter is configured), pretty-printed JSON, or a
// mix, optionally gzip-compressed (detected by the magic bytes 1f 8b; several
// concatenated gzip members are read as one stream).
//
// Framing rules:
//
//   - A line holding exactly one JSON value is one record, kept byte for
//     byte: only the line terminator and surrounding whitespace are removed.
//     For a line that starts with '{' or '[' this is the hot path and the
//     line is not validated (the extractor further down the pipeline does
//     that). A top-level array is one record; it is not unwrapped.
//   - Blank and whitespace-only lines are framing, not records.
//   - Several values on one line (concatenated JSON) and values spanning lines
//     (pretty-printed JSON) are split into values and each value is compacted
//     (the bytes encoding/json's Compact gives).
//   - Text that does not parse as JSON is still passed on, never dropped: a
//     line that does not parse to its end becomes one record, from the end of
//     the previous value that spanned lines (usually the start of the line)
//     to the end of the line. On lines longer than 1 MiB the values before
//     the failure may already be returned; the record then starts at the
//     first value not yet returned. The partitioner sends such records to
//     the error output as not-JSON.
//   - A value spanning lines is accumulated only while the accumulated text is
//     a valid JSON prefix and at most MaxValueBytes long. When it fails (a
//     syntax error, the end of input, or the size bound), only its first line
//     becomes an error record and reading resumes at the next line, so a
//     broken line never swallows the good records that follow it. Rescanning
//     is budgeted (the input read so far plus 4 MiB); beyond the budget, which
//     only pathological input reaches, the lines of the failed value are
//     passed on one record per line and reading resumes at the failing line.
//   - A UTF-8 byte order mark at the very start of the input is skipped.
//   - Records larger than Firehose's 1,000 KiB limit are returned like any
//     other; the partitioner routes them to the error output. More than
//     MaxLineBytes without a line break that is not a sequence of values is
//     an error.
package framing

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

const (
	// MaxValueBytes bounds the text accumulated for one value that spans
	// lines: Firehose's 1,000 KiB record limit plus room for the whitespace
	// of pretty-printing. Larger multi-line values become error records line
	// by line.
	MaxValueBytes = 4 << 20
	// MaxLineBytes bounds one record that does not span lines.
	MaxLineBytes = 64 << 20
	// bufSize is the line buffer. Lines that fit take the fast path; longer
	// lines are streamed value by value.
	bufSize = 1 << 20
	// rescanAllowance is the backtracking budget every reader starts with.
	rescanAllowance = 4 << 20
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Record is one input record.
type Record struct {
	Data []byte // the record's bytes; owned by the caller
	File string // the name given to NewReader
	Line int    // 1-based line where the record starts
}

// Reader reads records from one input.
type Reader struct {
	name  string
	br    *bufio.Reader
	count countingReader

	pend []byte // bytes to scan before br: pushed back or a long line
	pi   int    // read position in pend

	line    int  // current line number (1-based)
	midLine bool // a value already ended on the current line
	budget  int64
	pendErr error // a read error that arrived together with data
	sc      valueScanner
	val     []byte   // the value being scanned
	ws      []byte   // whitespace consumed after a value
	queue   []Record // records ready to return
	// Values completed on the current line are held in group until the
	// line is known to parse to its end; groupRaw is their source text.
	group    []Record
	groupRaw []byte
	err      error  // sticky error
	slab     []byte // where records are copied to (copyData, carve)
}

// NewReader returns a reader of the records in r. name is used in records
// and errors.
func NewReader(name string, r io.Reader) (*Reader, error) {
	rd := &Reader{name: name, line: 1, budget: rescanAllowance}
	rd.count.r = r
	raw := bufio.NewReaderSize(&rd.count, bufSize)
	magic, err := raw.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	rd.br = raw
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, fmt.Errorf("gunzip %s: %w", name, err)
		}
		rd.br = bufio.NewReaderSize(zr, bufSize)
	}
	if bom, _ := rd.br.Peek(len(utf8BOM)); string(bom) == string(utf8BOM) {
		_, _ = rd.br.Discard(len(utf8BOM))
	}
	return rd, nil
}

// BytesRead returns how many bytes were consumed from the underlying reader
// (compressed bytes for gzip input). Safe to call from another goroutine.
func (r *Reader) BytesRead() int64 { return r.count.n.Load() }

// Next returns the next record, or io.EOF at the end of the input.
func (r *Reader) Next() (Record, error) { return r.NextInto(nil) }

// NextInto is Next, copying a record framed on the fast path (a line
// holding one bracketed value, almost every record of JSON Lines input)
// into a rather than into memory of the reader's own. The caller decides
// when that memory is reused (Arena.Reset). Other records, and every
// record when a is nil, are in memory the garbage collector frees.
func (r *Reader) NextInto(a *Arena) (Record, error) {
	for {
		if len(r.queue) > 0 {
			rec := r.queue[0]
			r.queue = r.queue[1:]
			return rec, nil
		}
		if r.err != nil {
			return Record{}, r.err
		}
		if !r.midLine && r.pi == len(r.pend) {
			rec, ok := r.fastLine(a)
			if ok {
				return rec, nil
			}
			continue
		}
		r.slowValue()
	}
}

// fastLine reads one line from br. A blank line is skipped, a line holding
// one bracketed value is returned (copied into a, when not nil), anything
// else is pushed to pend for the slow path. It reports whether a record
// was produced.
func (r *Reader) fastLine(a *Arena) (Record, bool) {
	b, err := r.readSlice()
	switch {
	case err == nil:
	case errors.Is(err, bufio.ErrBufferFull):
		r.pend, r.pi = b, 0 // a long line: stream it
		return Record{}, false
	case errors.Is(err, io.EOF):
		if len(b) == 0 {
			r.err = io.EOF
			return Record{}, false
		}
	default:
		r.readFailed(err)
		return Record{}, false
	}
	t := trimSpace(b)
	switch {
	case len(t) == 0:
		if len(b) > 0 && b[len(b)-1] == '\n' {
			r.line++
		}
		return Record{}, false
	case singleValue(t):
		rec := Record{Data: r.copyData(a, t), File: r.name, Line: r.line}
		if b[len(b)-1] == '\n' {
			r.line++
		}
		return rec, true
	}
	r.pend, r.pi = b, 0
	return Record{}, false
}

func (r *Reader) record(data []byte, line int) Record {
	return Record{Data: r.copyData(nil, data), File: r.name, Line: line}
}

// copyData copies a record out of the read buffer: into a when it is not
// nil, otherwise into the reader's slab, which is garbage once no record
// refers to it.
func (r *Reader) copyData(a *Arena, data []byte) []byte {
	if a != nil {
		return a.Copy(data)
	}
	var rec []byte
	r.slab, rec = carve(r.slab, data)
	return rec
}

// readSlice reads the next line (or buffer-full chunk) from br. A read
// error that arrives together with data is held back until the data has been
// used, and the data is reported as a last line (io.EOF).
func (r *Reader) readSlice() ([]byte, error) {
	if r.pendErr != nil {
		return nil, r.pendErr
	}
	b, err := r.br.ReadSlice('\n')
	r.budget += int64(len(b))
	if err != nil && len(b) > 0 && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
		r.pendErr, err = err, io.EOF
	}
	return b, err
}

// fill makes sure pend has an unread byte.
func (r *Reader) fill() error {
	if r.pi < len(r.pend) {
		return nil
	}
	b, err := r.readSlice()
	if len(b) == 0 {
		if err == nil {
			err = io.ErrNoProgress
		}
		return err
	}
	r.pend, r.pi = b, 0
	return nil
}

// readByte returns the next byte from pend, refilled from br.
func (r *Reader) readByte() (byte, error) {
	if err := r.fill(); err != nil {
		return 0, err
	}
	c := r.pend[r.pi]
	r.pi++
	return c, nil
}

// unreadByte steps back over the byte just returned by readByte.
func (r *Reader) unreadByte() { r.pi-- }

// pushBack puts b in front of the unread input.
func (r *Reader) pushBack(b []byte) {
	rest := r.pend[r.pi:]
	p := make([]byte, 0, len(b)+len(rest))
	p = append(append(p, b...), rest...)
	r.pend, r.pi = p, 0
}

// readFailed records a read error; io.EOF ends the input cleanly.
func (r *Reader) readFailed(err error) {
	r.releaseGroup()
	if errors.Is(err, io.EOF) {
		r.err = io.EOF
		return
	}
	r.err = fmt.Errorf("read %s: %w", r.name, err)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
