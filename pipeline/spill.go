package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// Bounded memory. Firehose buffers up to the size hint (128 MiB by
// default) for each of up to 500 active partitions; a replay cannot hold
// that in memory. The partitioner keeps the in-memory bytes of its open
// buffers under Options.BufferMemory: past it, the largest buffers move
// their bytes to temporary files (uncompressed, appended in order), and a
// delivered object whose in-memory part is large is moved to disk before a
// writer gets it. Writers stream the file, then the in-memory tail, so the
// object's bytes, and therefore its compressed form, are exactly those of
// an all-memory buffer.

// DefaultBufferMemory is the default in-memory budget of open buffers.
const DefaultBufferMemory = 64 << 20

// spillPolicy is the partitioner's memory bound.
type spillPolicy struct {
	dir        string // where spill files go ("" = os.TempDir())
	openLimit  int64  // in-memory bytes of open buffers before spilling (<= 0: never)
	deliverMax int64  // a delivered object keeps at most this much in memory
	openMem    int64  // in-memory bytes of open buffers now
	partsRaw   int64  // raw size of the compressed chunks open buffers hold in memory
	spills     int64  // files written to (for tests and the summary)
}

func newSpillPolicy(dir string, limit int64) spillPolicy {
	return spillPolicy{dir: dir, openLimit: limit, deliverMax: limit / 8}
}

// spillPayload is a memPayload whose earlier bytes may live in a file.
type spillPayload struct {
	mem    memPayload
	file   string // "" until the first spill
	onDisk int64
}

func newSpillPayload() *spillPayload { return &spillPayload{} }

func (s *spillPayload) Append(p []byte) { s.mem.Append(p) }

func (s *spillPayload) Len() int64 { return s.onDisk + s.mem.n }

// memLen is the part of the payload held in memory.
func (s *spillPayload) memLen() int64 { return s.mem.n }

// spill appends the in-memory bytes to the payload's file and frees them.
func (s *spillPayload) spill(dir string) error {
	if s.mem.n == 0 {
		return nil
	}
	var (
		f   *os.File
		err error
	)
	if s.file == "" {
		f, err = os.CreateTemp(dir, "sesctl-buffer-*")
		if err == nil {
			s.file = f.Name()
		}
	} else {
		f, err = os.OpenFile(s.file, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return fmt.Errorf("spill buffer to disk: %w", err)
	}
	n, err := s.mem.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spill buffer to %s: %w", s.file, err)
	}
	s.onDisk += n
	s.mem.Release()
	return nil
}

// WriteTo writes the spilled bytes, then the in-memory ones.
func (s *spillPayload) WriteTo(w io.Writer) (int64, error) {
	var total int64
	if s.file != "" {
		n, err := copyFile(w, s.file)
		total += n
		if err != nil {
			return total, err
		}
	}
	n, err := s.mem.WriteTo(w)
	return total + n, err
}

// copyFile writes a spill file to w through a pooled chunk.
func copyFile(w io.Writer, name string) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, fmt.Errorf("read spilled buffer: %w", err)
	}
	defer f.Close()
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := (*bp)[:chunkSize]
	var total int64
	for {
		n, rerr := f.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if errors.Is(rerr, io.EOF) {
			return total, nil
		}
		if rerr != nil {
			return total, fmt.Errorf("read spilled buffer: %w", rerr)
		}
	}
}

// Release frees the memory and removes the spill file.
func (s *spillPayload) Release() {
	s.mem.Release()
	if s.file != "" {
		_ = os.Remove(s.file) // a leftover temporary file is harmless
		s.file, s.onDisk = "", 0
	}
}

// appendData appends to an open buffer, keeping the in-memory total, and
// hands a full chunk of a compressed buffer to the pool.
func (p *partitioner) appendData(b *partBuf, data []byte) {
	b.data.Append(data)
	switch d := b.data.(type) {
	case *spillPayload:
		p.spill.openMem += int64(len(data))
	case *gzPayload:
		p.spill.openMem += int64(len(data))
		if d.full() {
			p.spill.openMem -= d.cur.n
			p.spill.partsRaw += d.cur.n
			d.cut()
		}
	}
}

// leaveOpen accounts for a buffer leaving the open set.
func (p *partitioner) leaveOpen(b *partBuf) {
	switch d := b.data.(type) {
	case *spillPayload:
		p.spill.openMem -= d.memLen()
	case *gzPayload:
		p.spill.openMem -= d.cur.n
		p.spill.partsRaw -= d.partsRaw()
	}
}

// spillDelivered moves a large in-memory part of a delivered object to
// disk, so objects waiting for a writer stay small.
func (p *partitioner) spillDelivered(b *partBuf) error {
	s, ok := b.data.(*spillPayload)
	if !ok || p.spill.openLimit <= 0 || s.memLen() <= p.spill.deliverMax {
		return nil
	}
	p.spill.spills++
	return s.spill(p.spill.dir)
}

// enforceBudget spills the largest open buffers once their in-memory
// bytes pass the budget, down to half of it (so spills come in batches):
// raw bytes past the budget, compressed chunks past gzPartsFactor times it
// (counted in raw bytes).
func (p *partitioner) enforceBudget() error {
	if err := p.spillLargest(true); err != nil {
		return err
	}
	return p.spillLargest(false)
}

// spiller is a payload that can move part of its memory to disk; held is
// that part, counted as its budget counts it.
type spiller interface {
	held(compressed bool) int64
	spill(dir string) error
}

func (s *spillPayload) held(compressed bool) int64 {
	if compressed {
		return 0
	}
	return s.memLen()
}

func (g *gzPayload) held(compressed bool) int64 {
	if compressed {
		return g.partsRaw()
	}
	return 0 // the raw bytes since the last chunk cannot spill
}

// spillLargest spills the open buffers holding the most compressed
// chunks (or raw bytes) until their total is at most half its limit, when
// it is over the limit (a limit <= 0: never).
func (p *partitioner) spillLargest(compressed bool) error {
	total, limit := &p.spill.openMem, p.spill.openLimit
	if compressed {
		total, limit = &p.spill.partsRaw, p.spill.openLimit*gzPartsFactor
	}
	if limit <= 0 || *total <= limit {
		return nil
	}
	var bufs []spiller
	for _, m := range []map[string]*partBuf{p.open, p.errOpen} {
		for _, b := range m {
			if s, ok := b.data.(spiller); ok && s.held(compressed) > 0 {
				bufs = append(bufs, s)
			}
		}
	}
	sort.Slice(bufs, func(i, j int) bool { return bufs[i].held(compressed) > bufs[j].held(compressed) })
	for _, s := range bufs {
		if *total <= limit/2 {
			break
		}
		n := s.held(compressed)
		if err := s.spill(p.spill.dir); err != nil {
			return err
		}
		*total -= n
		p.spill.spills++
	}
	return nil
}

// discard releases the buffers still open (a run that stopped early): no
// spill file outlives the replay.
func (p *partitioner) discard() {
	for _, m := range []map[string]*partBuf{p.open, p.errOpen} {
		for id, b := range m {
			p.leaveOpen(b)
			b.data.Release()
			delete(m, id)
		}
	}
	p.heap = nil
	p.lru = lruList{}
}

// gzPartsFactor bounds the compressed chunks open buffers keep in memory:
// at most this many times the budget in raw bytes (about half the budget
// in compressed bytes on SES events), beyond which the buffers holding the
// most move theirs to disk. Raw sizes keep the decision independent of how
// far the pool has got.
const gzPartsFactor = 4
