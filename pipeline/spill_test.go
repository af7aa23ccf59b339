package pipeline

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSpillPayloadMatchesAppend(t *testing.T) {
	dir := t.TempDir()
	rnd := rand.New(rand.NewPCG(5, 6))
	for round := range 60 {
		p := newSpillPayload()
		var want bytes.Buffer
		for range rnd.IntN(30) {
			b := make([]byte, rnd.IntN(3*chunkSize))
			for i := range b {
				b[i] = byte(i*7 + round)
			}
			p.Append(b)
			want.Write(b)
			if rnd.IntN(3) == 0 {
				if err := p.spill(dir); err != nil {
					t.Fatal(err)
				}
				if p.memLen() != 0 {
					t.Fatalf("round %d: %d bytes still in memory after a spill", round, p.memLen())
				}
			}
		}
		var got bytes.Buffer
		n, err := p.WriteTo(&got)
		if err != nil || n != int64(want.Len()) || p.Len() != int64(want.Len()) || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("round %d: wrote %d of %d bytes (Len %d), equal %v, err %v", round, n, want.Len(), p.Len(), bytes.Equal(got.Bytes(), want.Bytes()), err)
		}
		p.Release()
		if p.Len() != 0 {
			t.Fatal("Len after Release")
		}
	}
	assertEmptyDir(t, dir)
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d spill files left in %s", len(left), dir)
	}
}

// TestReplaySpillIsInvisible replays the same input with everything in
// memory and with a budget so small that buffers keep moving to disk: the
// objects (keys and compressed bytes) must be identical, and no spill file
// may remain.
func TestReplaySpillIsInvisible(t *testing.T) {
	input := genInput(11, 3000, true)
	for _, format := range []string{CompressionGZIP, CompressionNone, FormatParquet} {
		t.Run(format, func(t *testing.T) {
			spec := DefaultSpec()
			spec.Compression = format
			if format == FormatParquet {
				spec = parquetSpec()
			}
			c := mustCompile(t, spec)
			run := func(budget int64, dir string) (*memSink, *Summary) {
				return replayWithBudget(t, c, input, 256<<10, budget, dir)
			}
			ref, refSum := run(-1, "")
			dir := t.TempDir()
			got, sum := run(4<<10, dir)
			if refSum.spills != 0 || sum.spills < 10 {
				t.Fatalf("spills: %d without a budget, %d with a 4 KiB budget", refSum.spills, sum.spills)
			}
			if len(got.objects) != len(ref.objects) || len(ref.objects) < 10 {
				t.Fatalf("%d objects with spilling, %d without", len(got.objects), len(ref.objects))
			}
			for k, v := range ref.objects {
				if !bytes.Equal(got.objects[k], v) {
					t.Fatalf("object %s differs when buffers spill", k)
				}
			}
			assertEmptyDir(t, dir)
		})
	}
}

func TestReplaySpillDirUnusable(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	opt := testOptions(1)
	opt.Limits = Limits{Bytes: 1 << 20, Interval: time.Hour, MaxActive: 40}
	opt.BufferMemory, opt.SpillDir = 1024, filepath.Join(t.TempDir(), "missing")
	_, err := Replay(context.Background(), c, []Input{ReaderInput("in", strings.NewReader(genInput(2, 500, false)))}, newMemSink(), opt)
	if err == nil || !strings.Contains(err.Error(), "spill buffer") {
		t.Fatalf("err = %v, want a spill error", err)
	}
}

func TestReplayCanceledRemovesSpillFiles(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newMemSink()
	out.onCreate = func(n int) error {
		if n == 3 {
			cancel()
		}
		return nil
	}
	dir := t.TempDir()
	opt := testOptions(1)
	opt.Writers = 1
	opt.Limits = Limits{Bytes: 64 << 10, Interval: time.Hour, MaxActive: 50}
	opt.BufferMemory, opt.SpillDir = 2048, dir
	_, err := Replay(ctx, c, []Input{ReaderInput("in", strings.NewReader(genInput(3, 3000, false)))}, out, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertEmptyDir(t, dir)
}

// replayWithBudget replays input into memory with buffers of up to
// bufBytes, an hour's interval, 40 active partitions and the given spill
// budget and directory.
func replayWithBudget(t *testing.T, c *Compiled, input string, bufBytes, budget int64, dir string) (*memSink, *Summary) {
	t.Helper()
	opt := testOptions(9)
	opt.Limits = Limits{Bytes: bufBytes, Interval: time.Hour, MaxActive: 40}
	opt.BufferMemory, opt.SpillDir = budget, dir
	out := newMemSink()
	sum := replayInto(t, c, []Input{ReaderInput("in", strings.NewReader(input))}, out, opt)
	return out, sum
}
