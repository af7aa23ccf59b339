package pipeline

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// gzipLevel is the level Firehose-like objects are written at: gzip's
// default (-6). The output is deterministic: no name, no modification time.
const gzipLevel = 6

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzipLevel) // level 6 is always valid
	return zw
}}

// encodePayload writes p to w, GZIP-compressed when compression says so.
func encodePayload(w io.Writer, p payload, compression string) error {
	if compression != CompressionGZIP {
		if _, err := p.WriteTo(w); err != nil {
			return fmt.Errorf("write object: %w", err)
		}
		return nil
	}
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(w)
	zw.ModTime = time.Unix(0, 0) // the zero Time would be written as a date in 2042
	if _, err := p.WriteTo(zw); err != nil {
		return fmt.Errorf("compress object: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress object: %w", err)
	}
	return nil
}
