package pipeline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// Compressing while buffering. A GZIP data object is compressed in chunks
// as its buffer fills, by a pool of goroutines, instead of all at once when
// it is delivered: compression overlaps with reading and key extraction,
// and an open buffer holds compressed bytes (about an eighth of the raw
// ones), so less of it moves to disk. Each chunk of gzChunk raw bytes is a
// run of deflate blocks ended by a sync flush, compressed with the previous
// 32 KiB as its dictionary, which is what an uninterrupted deflate stream
// would have in its window; the last chunk ends the stream. The object is
// one ordinary gzip member (header, the chunks, CRC-32 and size), and its
// bytes depend only on its records: chunk boundaries fall where the raw
// size first reaches a multiple of gzChunk, never where memory pressure or
// timing would put them.

const (
	gzChunk = 256 << 10 // raw bytes per compressed chunk
	gzDict  = 32 << 10  // deflate's window: the dictionary of the next chunk
)

// gzHeader is the gzip header encodePayload's writer produces: no name, no
// modification time, no extra flags, unknown OS.
var gzHeader = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

var flateWriters = sync.Pool{New: func() any {
	fw, _ := flate.NewWriter(io.Discard, gzipLevel) // a constant valid level
	return fw
}}

var dictPool = sync.Pool{New: func() any { b := make([]byte, 0, gzDict); return &b }}

// gzPart is one compressed chunk.
type gzPart struct {
	done chan struct{} // closed when out, crc and err are set
	out  []byte        // raw deflate, ending in a sync flush
	crc  uint32        // CRC-32 of the raw bytes
	n    int64         // raw bytes (set before the job starts)
	err  error
}

// gzJob asks the pool to compress raw after dict into part.
type gzJob struct {
	raw  memPayload
	dict *[]byte
	part *gzPart
}

// gzPool compresses chunks on its own goroutines. It runs every job it is
// given, so whoever waits on a part is never left waiting.
type gzPool struct {
	jobs chan gzJob
	wg   sync.WaitGroup
}

func newGzPool(workers int) *gzPool {
	p := &gzPool{jobs: make(chan gzJob, workers)}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			var scratch bytes.Buffer // reused: a chunk is compressed here, then copied out
			for j := range p.jobs {
				j.run(&scratch)
			}
		}()
	}
	return p
}

// close stops the pool once every job is done; nothing may be submitted
// after.
func (p *gzPool) close() {
	close(p.jobs)
	p.wg.Wait()
}

// run compresses the chunk into scratch, then keeps a copy of exactly its
// bytes: the part stays in memory until its object is written, and how
// well a chunk compresses is not known before.
func (j gzJob) run(scratch *bytes.Buffer) {
	defer close(j.part.done)
	defer j.raw.Release()
	defer dictPool.Put(j.dict)
	scratch.Reset()
	crc, err := deflateChunk(scratch, &j.raw, *j.dict, false)
	j.part.out, j.part.crc, j.part.err = bytes.Clone(scratch.Bytes()), crc, err
}

// deflateChunk compresses raw after dict into w: a sync flush ends it, or
// the end of the stream when last. It returns raw's CRC-32.
func deflateChunk(w io.Writer, raw *memPayload, dict []byte, last bool) (uint32, error) {
	fw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(fw)
	fw.ResetDict(w, dict)
	var crc uint32
	for _, c := range raw.chunks {
		crc = crc32.Update(crc, crc32.IEEETable, c)
		if _, err := fw.Write(c); err != nil {
			return 0, fmt.Errorf("compress object: %w", err)
		}
	}
	finish := fw.Flush
	if last {
		finish = fw.Close
	}
	if err := finish(); err != nil {
		return 0, fmt.Errorf("compress object: %w", err)
	}
	return crc, nil
}

// gzPayload is an open or delivered buffer compressed in chunks.
type gzPayload struct {
	pool  *gzPool
	cur   memPayload // raw bytes since the last chunk
	tail  *[]byte    // the last gzDict raw bytes before cur (nil at first)
	parts []*gzPart  // chunks whose compressed bytes are in memory
	n     int64      // raw bytes in all

	file    string   // compressed bytes of earlier chunks ("" = none)
	spilled []gzPart // their CRC and size (out is nil)
}

func newGzPayload(pool *gzPool) *gzPayload { return &gzPayload{pool: pool} }

func (g *gzPayload) Append(p []byte) {
	g.cur.Append(p)
	g.n += int64(len(p))
}

func (g *gzPayload) Len() int64 { return g.n }

// full reports whether the raw bytes since the last chunk make a chunk.
func (g *gzPayload) full() bool { return g.cur.n >= gzChunk }

// cut hands the raw bytes since the last chunk to the pool. It blocks
// while the pool is busy.
func (g *gzPayload) cut() {
	dict := g.tail
	if dict == nil {
		dict = dictPool.Get().(*[]byte)
		*dict = (*dict)[:0]
	}
	g.tail = dictPool.Get().(*[]byte)
	*g.tail = g.cur.appendTail((*g.tail)[:0], gzDict)
	part := &gzPart{done: make(chan struct{}), n: g.cur.n} // n is set here: the partitioner reads it
	g.parts = append(g.parts, part)
	g.pool.jobs <- gzJob{raw: g.cur, dict: dict, part: part}
	g.cur = memPayload{}
}

// partsRaw is the raw size of the chunks whose compressed bytes are in
// memory.
func (g *gzPayload) partsRaw() int64 {
	var n int64
	for _, p := range g.parts {
		n += p.n
	}
	return n
}

// writeGzip writes the object: header, chunks, the rest of the raw bytes
// as the end of the stream, trailer.
func (g *gzPayload) writeGzip(w io.Writer) error {
	if _, err := w.Write(gzHeader[:]); err != nil {
		return fmt.Errorf("write object: %w", err)
	}
	var crc uint32
	if g.file != "" {
		if _, err := copyFile(w, g.file); err != nil {
			return fmt.Errorf("write object: %w", err)
		}
	}
	for i := range g.spilled {
		crc = crcCombine(crc, g.spilled[i].crc, g.spilled[i].n)
	}
	for _, p := range g.parts {
		<-p.done
		if p.err != nil {
			return p.err
		}
		if _, err := w.Write(p.out); err != nil {
			return fmt.Errorf("write object: %w", err)
		}
		crc = crcCombine(crc, p.crc, p.n)
	}
	var dict []byte
	if g.tail != nil {
		dict = *g.tail
	}
	last, err := deflateChunk(w, &g.cur, dict, true)
	if err != nil {
		return err
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crcCombine(crc, last, g.cur.n))
	binary.LittleEndian.PutUint32(trailer[4:], uint32(g.n)) // ISIZE is the size modulo 2^32
	if _, err := w.Write(trailer[:]); err != nil {
		return fmt.Errorf("write object: %w", err)
	}
	return nil
}

// WriteTo writes the uncompressed bytes (tests and tools; objects are
// written with writeGzip).
func (g *gzPayload) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	if err := g.writeGzip(&buf); err != nil {
		return 0, err
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		return 0, fmt.Errorf("read back object: %w", err)
	}
	return io.Copy(w, zr)
}

// spill moves the compressed chunks in memory to the payload's file,
// waiting for those still being compressed.
func (g *gzPayload) spill(dir string) error {
	if len(g.parts) == 0 {
		return nil
	}
	f, err := openSpillFile(&g.file, dir)
	if err != nil {
		return err
	}
	for _, p := range g.parts {
		<-p.done
		if err = p.err; err == nil {
			_, err = f.Write(p.out)
		}
		if err != nil {
			break
		}
		g.spilled = append(g.spilled, gzPart{crc: p.crc, n: p.n})
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spill buffer to %s: %w", g.file, err)
	}
	g.parts = nil
	return nil
}

// Release frees the memory and removes the spill file. Chunks still
// being compressed are left to the pool, which frees their raw bytes.
func (g *gzPayload) Release() {
	g.cur.Release()
	if g.tail != nil {
		dictPool.Put(g.tail)
		g.tail = nil
	}
	g.parts, g.spilled, g.n = nil, nil, 0
	if g.file != "" {
		_ = os.Remove(g.file) // a leftover temporary file is harmless
		g.file = ""
	}
}

// appendTail appends the last n bytes of m to dst.
func (m *memPayload) appendTail(dst []byte, n int) []byte {
	skip := max(m.n-int64(n), 0)
	for _, c := range m.chunks {
		if skip >= int64(len(c)) {
			skip -= int64(len(c))
			continue
		}
		dst = append(dst, c[skip:]...)
		skip = 0
	}
	return dst
}

// openSpillFile opens *name for appending, creating it in dir first.
func openSpillFile(name *string, dir string) (*os.File, error) {
	if *name != "" {
		f, err := os.OpenFile(*name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, fmt.Errorf("spill buffer to disk: %w", err)
		}
		return f, nil
	}
	f, err := os.CreateTemp(dir, "sesctl-buffer-*")
	if err != nil {
		return nil, fmt.Errorf("spill buffer to disk: %w", err)
	}
	*name = f.Name()
	return f, nil
}
