package pipeline

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestMemPayloadMatchesAppend(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	sizes := []int{0, 1, 511, 512, 513, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17}
	for round := range 200 {
		p := newMemPayload()
		var want bytes.Buffer
		for range rnd.IntN(40) {
			n := sizes[rnd.IntN(len(sizes))]
			if rnd.IntN(2) == 0 {
				n = rnd.IntN(3000)
			}
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rnd.IntN(256))
			}
			p.Append(b)
			want.Write(b)
		}
		var got bytes.Buffer
		n, err := p.WriteTo(&got)
		if err != nil || n != int64(want.Len()) || p.Len() != int64(want.Len()) || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("round %d: wrote %d of %d bytes (Len %d), equal %v, err %v", round, n, want.Len(), p.Len(), bytes.Equal(got.Bytes(), want.Bytes()), err)
		}
		for _, c := range p.(*memPayload).chunks {
			if cap(c) > chunkSize {
				t.Fatalf("chunk of capacity %d", cap(c))
			}
		}
		p.Release()
		if p.Len() != 0 {
			t.Fatal("Len after Release")
		}
	}
}
