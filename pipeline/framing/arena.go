package framing

const (
	slabSize = 256 << 10    // bytes of records per block
	slabMax  = slabSize / 8 // a larger record gets an allocation of its own
)

// carve copies p to the end of block, which is replaced by a new block
// when p does not fit, and returns the block and the copy. Many records
// share one allocation instead of one each, and each copy's capacity ends
// where it does, so an append to it never reaches its neighbour. A record
// larger than slabMax gets an allocation of its own.
func carve(block, p []byte) ([]byte, []byte) {
	n := len(p)
	if n > slabMax {
		return block, append([]byte(nil), p...)
	}
	if cap(block)-len(block) < n {
		block = make([]byte, 0, slabSize)
	}
	off := len(block)
	block = append(block, p...)
	return block, block[off : off+n : off+n]
}

// An Arena is memory that records are copied into (Reader.NextInto),
// in shared blocks as the reader's own copies are. Unlike those, the
// blocks are kept: after Reset they are filled again, so a caller that
// knows when its records are no longer used (a replay, once a batch is
// buffered) reads any amount of input in the same few blocks, without
// the garbage collector and without touching new memory. The zero value
// is ready to use; an Arena is not safe for concurrent use.
type Arena struct {
	blocks [][]byte // in use since the last Reset; the last one is being filled
	spare  [][]byte // emptied by Reset, filled again before new ones are made
}

// Copy returns a copy of p in the arena's memory, valid until Reset.
func (a *Arena) Copy(p []byte) []byte {
	if len(p) > slabMax {
		return append([]byte(nil), p...)
	}
	last := len(a.blocks) - 1
	if last < 0 || cap(a.blocks[last])-len(a.blocks[last]) < len(p) {
		a.blocks = append(a.blocks, a.block())
		last++
	}
	var rec []byte
	a.blocks[last], rec = carve(a.blocks[last], p)
	return rec
}

// block returns an empty block, a spare one if there is one.
func (a *Arena) block() []byte {
	if n := len(a.spare); n > 0 {
		b := a.spare[n-1]
		a.spare[n-1] = nil
		a.spare = a.spare[:n-1]
		return b
	}
	return make([]byte, 0, slabSize)
}

// Reset makes all of the arena's memory free for new copies. Records
// copied before must no longer be used: their bytes will be overwritten.
func (a *Arena) Reset() {
	for i, b := range a.blocks {
		a.spare = append(a.spare, b[:0])
		a.blocks[i] = nil
	}
	a.blocks = a.blocks[:0]
}
