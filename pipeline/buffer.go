package pipeline

import (
	"container/heap"
	"io"
	"sync"
	"time"
)

// payload accumulates the uncompressed bytes of one object. It is an
// interface so a later implementation can spill to disk or compress while
// buffering without touching the partitioner.
type payload interface {
	Append(p []byte)
	Len() int64
	WriteTo(w io.Writer) (int64, error)
	Release()
}

// chunkSize is the size of the memory chunks a payload grows by once it
// is past its first chunk (at most firstChunkMax). Small enough that the
// last, partly filled chunks of 500 open partitions waste at most 8 MiB,
// large enough that a chunk costs little to get and to write.
const chunkSize = 16 << 10

// firstChunkMax caps the first chunk, which is not pooled: past it a
// payload continues in pooled chunks, so short-lived buffers do not
// allocate (and collect) a doubling series of large first chunks.
const firstChunkMax = 8 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

// memPayload keeps the bytes in memory in chunks: the first grows by
// doubling (most objects of sparse partitions are small), later ones are
// pooled fixed-size chunks, so a large buffer is never copied to grow and
// its memory is reused once the object is written.
type memPayload struct {
	chunks [][]byte
	n      int64
}

func newMemPayload() payload { return &memPayload{} }

func (m *memPayload) Len() int64 { return m.n }

func (m *memPayload) Append(p []byte) {
	m.n += int64(len(p))
	for len(p) > 0 {
		last := len(m.chunks) - 1
		if last < 0 || len(m.chunks[last]) == cap(m.chunks[last]) && cap(m.chunks[last]) >= firstChunkMax {
			m.chunks = append(m.chunks, m.newChunk(len(p)))
			last++
		}
		c := m.chunks[last]
		room := cap(c) - len(c)
		if room == 0 { // the first chunk, still below firstChunkMax: double it
			c = growFirst(c, len(p))
			room = cap(c) - len(c)
		}
		k := min(room, len(p))
		m.chunks[last] = append(c, p[:k]...)
		p = p[k:]
	}
}

// newChunk returns the next chunk: the first is sized for need, the others
// come from the pool.
func (m *memPayload) newChunk(need int) []byte {
	if len(m.chunks) == 0 && need < firstChunkMax {
		// Room for the newline and a few more records before doubling.
		return make([]byte, 0, min(need+need/2+64, firstChunkMax))
	}
	return (*chunkPool.Get().(*[]byte))[:0]
}

// growFirst doubles the first chunk, up to firstChunkMax.
func growFirst(c []byte, need int) []byte {
	n := min(max(2*cap(c), len(c)+need), firstChunkMax)
	g := make([]byte, len(c), n)
	copy(g, c)
	return g
}

func (m *memPayload) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for _, c := range m.chunks {
		n, err := w.Write(c)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Release returns the pooled chunks; the payload must not be used after.
func (m *memPayload) Release() {
	for _, c := range m.chunks {
		if cap(c) == chunkSize {
			c = c[:0]
			chunkPool.Put(&c)
		}
	}
	m.chunks, m.n = nil, 0
}

// partBuf is the buffer of one active partition (or one error prefix).
type partBuf struct {
	identity  string    // evaluated prefix, random-string left as a placeholder
	errorType string    // "" for a data partition
	keys      []string  // key values of the first record (data partitions)
	at        time.Time // arrival of the first record, to re-evaluate the prefix
	oldest    time.Time // oldest arrival in the buffer: names the object
	deadline  time.Time // when the buffering interval runs out
	records   int
	count     *PrefixCount // the summary's row of this prefix
	data      payload
	seq       uint64 // creation order, breaks deadline ties
	index     int    // position in the deadline heap

	lruPrev, lruNext *partBuf // data buffers, least recently written first
	inLRU            bool
}

// deadlineHeap orders open buffers by deadline, then creation order, so the
// partitioner finds expired buffers without scanning them all.
type deadlineHeap []*partBuf

func (h deadlineHeap) Len() int { return len(h) }

func (h deadlineHeap) Less(i, j int) bool {
	if !h[i].deadline.Equal(h[j].deadline) {
		return h[i].deadline.Before(h[j].deadline)
	}
	return h[i].seq < h[j].seq
}

func (h deadlineHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *deadlineHeap) Push(x any) {
	b := x.(*partBuf)
	b.index = len(*h)
	*h = append(*h, b)
}

func (h *deadlineHeap) Pop() any {
	old := *h
	n := len(old)
	b := old[n-1]
	old[n-1] = nil
	b.index = -1
	*h = old[:n-1]
	return b
}

// peek returns the buffer with the earliest deadline, or nil.
func (h deadlineHeap) peek() *partBuf {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

func (h *deadlineHeap) remove(b *partBuf) {
	if b.index >= 0 {
		heap.Remove(h, b.index)
	}
}
