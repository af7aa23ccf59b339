package framing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// slowValue handles input that is not one value per line. It skips
// whitespace up to the end of the current line, or scans one value and
// queues the records it produces.
func (r *Reader) slowValue() {
	for {
		c, err := r.readByte()
		if err != nil {
			r.readFailed(err)
			return
		}
		if c == '\n' {
			r.line++
			r.midLine = false
			r.releaseGroup()
			return
		}
		if !isSpace(c) {
			r.unreadByte()
			break
		}
		if len(r.group) > 0 {
			r.groupRaw = append(r.groupRaw, c)
		}
	}
	r.scanValue()
}

// scanValue scans one value starting at the next (non-space) byte.
func (r *Reader) scanValue() {
	startLine, first := r.line, !r.midLine
	r.val = r.val[:0]
	r.sc.reset()
	firstNL := -1 // index in val of the first line break inside the value
	for {
		if err := r.fill(); err != nil {
			switch {
			case !errors.Is(err, io.EOF):
				r.readFailed(err)
			case r.sc.atEOF():
				r.finishValue(startLine, first && firstNL < 0)
			default:
				r.fail(startLine, firstNL)
			}
			return
		}
		chunk := r.pend[r.pi:]
		n, res := r.sc.run(chunk)
		r.val = append(r.val, chunk[:n]...)
		r.pi += n
		switch res {
		case scanContinue:
			if n > 0 && chunk[n-1] == '\n' {
				r.line++
				if firstNL < 0 {
					firstNL = len(r.val) - 1
				}
			}
			if firstNL >= 0 && len(r.val) > MaxValueBytes {
				r.fail(startLine, firstNL)
				return
			}
			if len(r.val) > MaxLineBytes {
				r.tooLong(startLine)
				return
			}
		case scanDone, scanDoneBefore:
			r.finishValue(startLine, first && firstNL < 0)
			return
		case scanError:
			r.fail(startLine, firstNL)
			return
		}
	}
}

// finishValue queues the complete value in r.val. A value alone on its line
// is kept byte for byte; any other value is compacted. A value that shares
// its line is held in the line's group until the line parses to its end.
func (r *Reader) finishValue(line int, firstOnOneLine bool) {
	r.midLine = true
	if firstOnOneLine && r.restOfLineBlank() {
		r.queue = append(r.queue, r.record(r.val, line))
		return
	}
	rec := r.compact(line)
	if line != r.line {
		// The value spanned lines: it and the group before it are final.
		r.releaseGroup()
		r.queue = append(r.queue, rec)
		return
	}
	if !firstOnOneLine {
		r.restOfLineBlank() // collect the whitespace into r.ws
	}
	r.group = append(r.group, rec)
	r.groupRaw = append(append(r.groupRaw, r.val...), r.ws...)
	if len(r.groupRaw) > bufSize {
		r.releaseGroup()
	}
}

// compact returns the record of the valid value in r.val without
// insignificant whitespace.
func (r *Reader) compact(line int) Record {
	return Record{Data: appendCompact(make([]byte, 0, len(r.val)), r.val), File: r.name, Line: line}
}

// appendCompact appends src, a valid JSON text, without its insignificant
// whitespace: the same bytes as encoding/json's Compact, faster, because
// src is known to be valid.
func appendCompact(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if isSpace(c) {
			continue
		}
		if c != '"' {
			dst = append(dst, c)
			continue
		}
		// Copy the string through its closing quote.
		j := i + 1
		for j < len(src) && src[j] != '"' {
			if src[j] == '\\' {
				j++
			}
			j++
		}
		j = min(j, len(src)-1)
		dst = append(dst, src[i:j+1]...)
		i = j
	}
	return dst
}

// releaseGroup queues the values held for the current line.
func (r *Reader) releaseGroup() {
	r.queue = append(r.queue, r.group...)
	r.group = r.group[:0]
	r.groupRaw = r.groupRaw[:0]
}

// restOfLineBlank reports whether only whitespace follows on the current
// line. It consumes that whitespace, keeping it in r.ws, but not the line
// break.
func (r *Reader) restOfLineBlank() bool {
	r.ws = r.ws[:0]
	for {
		c, err := r.readByte()
		if err != nil {
			return true // the error is reported by the next read
		}
		if c == '\n' || !isSpace(c) {
			r.unreadByte()
			return c == '\n'
		}
		r.ws = append(r.ws, c)
	}
}

// fail handles a value that did not parse. firstNL < 0 means the failure is
// on the value's first line: the values held for the line, the value's text
// and the rest of the line become one record. Otherwise the line where the
// value started becomes a record and the following lines are scanned again,
// so a broken line never swallows the records after it.
func (r *Reader) fail(startLine, firstNL int) {
	if len(r.group) > 0 {
		startLine = r.group[0].Line
		r.val = append(r.groupRaw, r.val...)
		if firstNL >= 0 {
			firstNL += len(r.groupRaw)
		}
		r.groupRaw = r.val[:0:0] // r.val now owns the old array
		r.group = r.group[:0]
	}
	if firstNL < 0 {
		if r.readRestOfLine(startLine) {
			r.queue = append(r.queue, r.record(trimSpace(r.val), startLine))
		}
		return
	}
	r.queue = append(r.queue, r.record(trimSpace(r.val[:firstNL]), startLine))
	tail := r.val[firstNL+1:]
	r.midLine = false
	if int64(len(tail)) <= r.budget {
		r.budget -= int64(len(tail))
		r.pushBack(tail)
		r.line = startLine + 1
		return
	}
	// Out of backtracking budget (pathological input): pass the complete
	// lines on as they are and resume at the line where the failure is.
	lastNL := bytes.LastIndexByte(tail, '\n')
	if lastNL >= 0 {
		for i, l := range bytes.Split(tail[:lastNL], []byte{'\n'}) {
			if t := trimSpace(l); len(t) > 0 {
				r.queue = append(r.queue, r.record(t, startLine+1+i))
			}
		}
	}
	r.pushBack(tail[lastNL+1:])
}

// readRestOfLine appends the rest of the current line to r.val and consumes
// the line break. It reports false when the line is too long (r.err is set).
func (r *Reader) readRestOfLine(startLine int) bool {
	for {
		if err := r.fill(); err != nil {
			if !errors.Is(err, io.EOF) {
				r.readFailed(err)
			}
			return true
		}
		rest := r.pend[r.pi:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			r.val = append(r.val, rest...)
			r.pi = len(r.pend)
		} else {
			r.val = append(r.val, rest[:i]...)
			r.pi += i + 1
			r.line++
			r.midLine = false
		}
		if len(r.val) > MaxLineBytes {
			r.tooLong(startLine)
			return false
		}
		if i >= 0 {
			return true
		}
	}
}

func (r *Reader) tooLong(line int) {
	r.err = fmt.Errorf("%s:%d: more than %d bytes without a line break that are not a sequence of JSON values", r.name, line, MaxLineBytes)
}
