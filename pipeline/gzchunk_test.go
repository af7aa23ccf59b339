package pipeline

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// eventLike makes n bytes of JSON lines that compress like SES events.
func eventLike(seed uint64, n int) []byte {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, `{"eventType":"Delivery","mail":{"timestamp":"2024-02-16T05:%02d:%02d.%03dZ","source":"s%d@example.com","messageId":"%016x"},"delivery":{"processingTimeMillis":%d}}`+"\n",
			rnd.IntN(60), rnd.IntN(60), rnd.IntN(1000), rnd.IntN(50), rnd.Uint64(), rnd.IntN(5000))
	}
	return b.Bytes()[:n]
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(zr); len(rest) != 0 {
		t.Fatal("more than one gzip member")
	}
	return out
}

// TestGzPayloadMatchesWholeStream: an object compressed in chunks (and
// spilled part-way) reads back as the same bytes, as one gzip member with
// the plain encoder's header, about the same size.
func TestGzPayloadMatchesWholeStream(t *testing.T) {
	pool := newGzPool(2)
	defer pool.close()
	rnd := rand.New(rand.NewPCG(2, 3))
	for _, size := range []int{0, 1, 1000, gzChunk - 1, gzChunk, gzChunk + 1, 3*gzChunk + 77, 1 << 20} {
		for _, spill := range []bool{false, true} {
			raw := eventLike(uint64(size), size)
			g := newGzPayload(pool)
			for rest := raw; len(rest) > 0; {
				k := min(len(rest), 1+rnd.IntN(3000))
				g.Append(rest[:k])
				rest = rest[k:]
				if g.full() {
					g.cut()
				}
				if spill && rnd.IntN(50) == 0 {
					if err := g.spill(t.TempDir()); err != nil {
						t.Fatal(err)
					}
				}
			}
			var got bytes.Buffer
			if err := g.writeGzip(&got); err != nil {
				t.Fatal(err)
			}
			if back := gunzip(t, got.Bytes()); !bytes.Equal(back, raw) {
				t.Fatalf("size %d, spill %v: %d bytes read back, want %d", size, spill, len(back), len(raw))
			}
			var plain bytes.Buffer
			m := &memPayload{}
			m.Append(raw)
			if err := encodePayload(&plain, m, CompressionGZIP); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes()[:10], plain.Bytes()[:10]) {
				t.Errorf("header % x, plain encoder writes % x", got.Bytes()[:10], plain.Bytes()[:10])
			}
			if size < gzChunk && !bytes.Equal(got.Bytes(), plain.Bytes()) {
				t.Errorf("size %d: a one-chunk object differs from the plain encoder's", size)
			}
			if r := float64(got.Len()) / float64(plain.Len()); r > 1.01 {
				t.Errorf("size %d: chunked %d bytes, plain %d (%.3fx)", size, got.Len(), plain.Len(), r)
			}
			g.Release()
		}
	}
}

// TestReplayChunkedSpillIsInvisible: objects of several chunks are the
// same bytes whether their compressed chunks stay in memory or move to
// disk, and hold exactly the records of their partition, in order.
func TestReplayChunkedSpillIsInvisible(t *testing.T) {
	var in strings.Builder
	rnd := rand.New(rand.NewPCG(4, 5))
	for i := range 12000 {
		fmt.Fprintf(&in, `{"eventType":"Send","mail":{"timestamp":"2024-02-16T05:%02d:00.000Z","source":"s@d%d.example","messageId":"m%d"},"send":{},"pad":"%s"}`+"\n",
			rnd.IntN(60), rnd.IntN(2), i, strings.Repeat("ab", rnd.IntN(80)))
	}
	c := mustCompile(t, DefaultSpec())
	run := func(budget int64, dir string) (*memSink, *Summary) {
		return replayWithBudget(t, c, in.String(), 1<<20, budget, dir)
	}
	ref, refSum := run(-1, "")
	dir := t.TempDir()
	got, sum := run(8<<10, dir)
	if refSum.spills != 0 || sum.spills < 5 {
		t.Fatalf("spills: %d without a budget, %d with an 8 KiB budget", refSum.spills, sum.spills)
	}
	if len(ref.objects) < 4 || len(got.objects) != len(ref.objects) {
		t.Fatalf("%d objects with spilling, %d without", len(got.objects), len(ref.objects))
	}
	var lines int
	for k, v := range ref.objects {
		if !bytes.Equal(got.objects[k], v) {
			t.Fatalf("object %s differs when chunks spill", k)
		}
		content := got.content(t, k)
		if len(content) <= gzChunk {
			continue
		}
		lines += strings.Count(string(content), "\n")
	}
	if lines == 0 {
		t.Fatal("no object spans several chunks")
	}
	d := decodeAll(t, got, c)
	if len(d.data) != 12000 {
		t.Fatalf("%d records in objects, want 12000", len(d.data))
	}
	assertEmptyDir(t, dir)
}

// BenchmarkCompressObject: a 4 MiB object compressed whole at delivery
// (plain) against chunks on the pool as it fills (chunked, two workers).
func BenchmarkCompressObject(b *testing.B) {
	raw := eventLike(9, 4<<20)
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			m := &memPayload{}
			m.Append(raw)
			if err := encodePayload(io.Discard, m, CompressionGZIP); err != nil {
				b.Fatal(err)
			}
			m.Release()
		}
	})
	b.Run("chunked", func(b *testing.B) {
		pool := newGzPool(2)
		defer pool.close()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			g := newGzPayload(pool)
			for rest := raw; len(rest) > 0; {
				k := min(len(rest), 1500)
				g.Append(rest[:k])
				rest = rest[k:]
				if g.full() {
					g.cut()
				}
			}
			if err := g.writeGzip(io.Discard); err != nil {
				b.Fatal(err)
			}
			g.Release()
		}
	})
}
