package jq

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestSpecialBytes: a word is flagged exactly when it holds a byte that is
// not plainByte (with at most false flags after such a byte), so skipPlain
// stops where the byte loop would.
func TestSpecialBytes(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	interesting := []byte{0, 0x1f, 0x20, 0x21, '"', '#', '[', '\\', ']', 0x7f, 0x80, 0xc3, 0xff}
	for range 200000 {
		var w [8]byte
		for i := range w {
			if rnd.IntN(4) == 0 {
				w[i] = interesting[rnd.IntN(len(interesting))]
			} else {
				w[i] = byte(0x20 + rnd.IntN(0x5f))
			}
		}
		anySpecial := false
		for _, c := range w {
			anySpecial = anySpecial || !plainByte[c]
		}
		if got := specialBytes(binary.LittleEndian.Uint64(w[:])) != 0; got != anySpecial {
			t.Fatalf("% x: flagged %v, want %v", w, got, anySpecial)
		}
		buf := append(append([]byte("ab"), w[:]...), w[:]...)
		want := 0
		for want < len(buf) && plainByte[buf[want]] {
			want++
		}
		if got := skipPlain(buf, 0); got != want {
			t.Fatalf("skipPlain(%q) = %d, want %d", buf, got, want)
		}
	}
}
