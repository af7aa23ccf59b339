package framing

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unsafe"
)

func TestArenaCopyAndReset(t *testing.T) {
	var a Arena
	first := a.Copy([]byte(`{"a":1}`))
	second := a.Copy([]byte(`{"b":2}`))
	if string(first) != `{"a":1}` || string(second) != `{"b":2}` {
		t.Fatalf("copies %q %q", first, second)
	}
	if cap(first) != len(first) {
		t.Errorf("a copy's capacity %d reaches past its length %d", cap(first), len(first))
	}
	_ = append(first, "garbage"...)
	if string(second) != `{"b":2}` {
		t.Errorf("an append to the first copy changed the second: %q", second)
	}
	big := bytes.Repeat([]byte("x"), slabMax+1)
	if c := a.Copy(big); !bytes.Equal(c, big) || len(a.blocks) != 1 {
		t.Errorf("a copy larger than slabMax: equal %v, %d blocks (want its own allocation)", bytes.Equal(c, big), len(a.blocks))
	}
	for range 2 * slabSize / 1024 { // two blocks' worth
		a.Copy(make([]byte, 1024))
	}
	if len(a.blocks) < 2 {
		t.Fatalf("%d blocks after two blocks' worth of copies", len(a.blocks))
	}
	used := len(a.blocks)
	a.Reset()
	again := a.Copy([]byte(`{"c":3}`))
	if len(a.blocks) != 1 || len(a.spare) != used-1 {
		t.Errorf("after Reset: %d blocks in use, %d spare; want 1 and %d", len(a.blocks), len(a.spare), used-1)
	}
	for range 2 * slabSize / 1024 {
		a.Copy(make([]byte, 1024))
	}
	if len(a.blocks) != used || len(a.spare) != 0 {
		t.Errorf("refilled: %d blocks, %d spare; want the %d blocks again and none made", len(a.blocks), len(a.spare), used)
	}
	if string(again) != `{"c":3}` {
		t.Errorf("copy after Reset = %q", again)
	}
}

// TestArenaReusesMemory: after Reset the next copy lands in memory a
// copy before Reset had, which is the point of the arena.
func TestArenaReusesMemory(t *testing.T) {
	var a Arena
	old := a.Copy([]byte("0123456789"))
	a.Reset()
	reused := a.Copy([]byte("abcdefghij"))
	if unsafe.SliceData(old) != unsafe.SliceData(reused) {
		t.Error("the copy after Reset is in new memory")
	}
	if string(old) != "abcdefghij" {
		t.Errorf("old copy reads %q: Reset gave its memory away, so it must be overwritten", old)
	}
}

// readInto reads every record with NextInto, resetting the arena and
// scribbling over its memory after each one: a record that still pointed
// into the arena after it was returned would read as '#'.
func readInto(t testing.TB, input []byte) ([]Record, error) {
	t.Helper()
	r, err := NewReader("in.json", bytes.NewReader(input))
	if err != nil {
		return nil, err
	}
	var (
		a   Arena
		out []Record
	)
	scribble := bytes.Repeat([]byte("#"), 1024)
	for {
		rec, err := r.NextInto(&a)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec.Data = bytes.Clone(rec.Data)
		out = append(out, rec)
		a.Reset()
		for range 2 * slabSize / len(scribble) {
			a.Copy(scribble)
		}
		a.Reset()
	}
}

func sameRecords(t *testing.T, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Data, want[i].Data) || got[i].Line != want[i].Line || got[i].File != want[i].File {
			t.Fatalf("record %d = %q@%d, want %q@%d", i, got[i].Data, got[i].Line, want[i].Data, want[i].Line)
		}
	}
}

// TestNextIntoOnlyLendsTheFastPath: records the slow path queues (values
// sharing a line, a value spanning lines, and, past the backtracking
// budget, the lines of a broken value one record each) are returned by
// later calls, so they must not live in the arena of the call that framed
// them.
func TestNextIntoOnlyLendsTheFastPath(t *testing.T) {
	mixed := strings.Join([]string{
		`{"a":1}`,
		`{"b":2}{"c":3} {"d":4}`,
		`{`, `  "e": [5]`, `}`,
		`not json`,
		``,
		`[6]`,
	}, "\n") + "\n"
	for name, tc := range map[string]struct {
		input string
		n     int
	}{
		"mixed":             {mixed, 7},
		"past the budget":   {strings.Repeat("[\n", 200000), 200000},
		"one line per line": {strings.Repeat(`{"k":"v"}`+"\n", 3000), 3000},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := readAll(t, []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != tc.n {
				t.Fatalf("%d records, want %d", len(want), tc.n)
			}
			got, err := readInto(t, []byte(tc.input))
			if err != nil {
				t.Fatal(err)
			}
			sameRecords(t, got, want)
		})
	}
}
