package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sesctl/sesctl/pipeline/parquetconv"
)

// Record format conversion (--format parquet). Firehose converts after
// partitioning, when a buffer is delivered: the delivered object's records
// are encoded as one Parquet file (Snappy inside), and the records that do
// not fit the table schema go to the error output under
// format-conversion-failed instead. The partitioner keeps, for each data
// buffer, the arrival of every record so a failed record's error record
// carries its own arrival time and lands under its own error prefix.

// enableConversion turns on record format conversion for data buffers.
func (p *partitioner) enableConversion() {
	p.arrivals = map[*partBuf][]time.Time{}
}

// noteArrival remembers the arrival of a record appended to data buffer b.
func (p *partitioner) noteArrival(b *partBuf, at time.Time) {
	if p.arrivals != nil {
		p.arrivals[b] = append(p.arrivals[b], at)
	}
}

// failedLine is a record that did not convert, with its arrival and why.
type failedLine struct {
	data      []byte
	at        time.Time
	code, msg string
}

// convert replaces b's JSON lines with one Parquet object holding the
// records that convert, and sends the others to the error output. It
// reports false when no record converted: then there is no object.
func (p *partitioner) convert(b *partBuf) (bool, error) {
	arrivals := p.arrivals[b]
	delete(p.arrivals, b)
	out := newMemPayload()
	// A fresh encoder per object: parquet-go v0.32.0's Writer.Reset keeps
	// state between files, so reused encoders made an object's bytes depend
	// on the objects written before it.
	enc, err := parquetconv.NewEncoder(payloadWriter{out})
	if err != nil {
		return false, fmt.Errorf("record format conversion: %w", err)
	}
	var (
		failed []failedLine
		oldest time.Time
		i      int
	)
	split := &lineSplitter{fn: func(line []byte) error {
		at := b.oldest
		if i < len(arrivals) {
			at = arrivals[i]
		}
		i++
		werr := enc.Write(line)
		var re *parquetconv.RecordError
		switch {
		case errors.As(werr, &re):
			code, msg := conversionError(line, re)
			failed = append(failed, failedLine{data: bytes.Clone(line), at: at, code: code, msg: msg})
		case werr != nil:
			return werr
		case enc.Rows() == 1 || at.Before(oldest):
			oldest = at
		}
		return nil
	}}
	if _, err := b.data.WriteTo(split); err != nil {
		return false, fmt.Errorf("record format conversion of %q: %w", b.identity, err)
	}
	if err := enc.Close(); err != nil {
		return false, fmt.Errorf("record format conversion of %q: %w", b.identity, err)
	}
	rows := enc.Rows()
	b.data.Release()
	b.data, b.records, b.oldest = out, rows, oldest
	if err := p.failConversion(b, failed); err != nil {
		return false, err
	}
	if rows == 0 {
		out.Release()
		return false, nil
	}
	return true, nil
}

// failConversion moves records out of data buffer b's counts and into the
// error output.
func (p *partitioner) failConversion(b *partBuf, failed []failedLine) error {
	if len(failed) == 0 {
		return nil
	}
	pc := b.count
	pc.Records -= int64(len(failed))
	if pc.Records == 0 && pc.Objects == 0 {
		delete(p.counts.prefixes, b.identity)
	}
	p.counts.partitioned -= int64(len(failed))
	for _, f := range failed {
		r := Routed{Record: Record{Data: f.data}, Arrival: f.at}
		if err := p.addErrorCode(r, ErrorTypeFormatConversion, f.code, f.msg); err != nil {
			return err
		}
	}
	return nil
}

// conversionError is the errorCode and errorMessage of a record the
// Parquet encoder rejected: ParseError when it is not JSON at all,
// MalformedData when it is JSON that does not fit the table schema.
func conversionError(line []byte, re *parquetconv.RecordError) (code, msg string) {
	if !json.Valid(line) {
		return ErrorCodeFormatParse, re.Error()
	}
	return ErrorCodeFormatMalformed, re.Error()
}

// payloadWriter appends what is written to a payload.
type payloadWriter struct{ p payload }

func (w payloadWriter) Write(b []byte) (int, error) {
	w.p.Append(b)
	return len(b), nil
}

// lineSplitter calls fn with each newline-terminated line written to it,
// joining lines split across writes. The slice is only valid during fn.
type lineSplitter struct {
	partial []byte
	fn      func(line []byte) error
}

func (s *lineSplitter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.partial = append(s.partial, p...)
			break
		}
		line := p[:i]
		if len(s.partial) > 0 {
			s.partial = append(s.partial, line...)
			line = s.partial
		}
		if err := s.fn(line); err != nil {
			return n - len(p), err
		}
		s.partial = s.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}
