package pipeline

import (
	"container/heap"
	"io"
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

// memPayload keeps the bytes in memory.
type memPayload struct{ b []byte }

func newMemPayload() payload { return &memPayload{} }

func (m *memPayload) Append(p []byte) { m.b = append(m.b, p...) }
func (m *memPayload) Len() int64      { return int64(len(m.b)) }
func (m *memPayload) Release()        { m.b = nil }

func (m *memPayload) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(m.b)
	return int64(n), err
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
	data      payload
	seq       uint64 // creation order, breaks deadline ties
	index     int    // position in the deadline heap
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
