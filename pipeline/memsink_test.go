package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sesctl/sesctl/pipeline/sink"
)

// memSink keeps committed objects in memory. onCreate, when set, runs
// before each Create (to cancel a run or fail a write).
type memSink struct {
	mu       sync.Mutex
	objects  map[string][]byte
	aborted  []string
	onCreate func(n int) error
	creates  int
}

func newMemSink() *memSink { return &memSink{objects: map[string][]byte{}} }

func (m *memSink) Describe() string { return "memory" }

func (m *memSink) Create(ctx context.Context, key string) (sink.Object, error) {
	m.mu.Lock()
	m.creates++
	n := m.creates
	m.mu.Unlock()
	if m.onCreate != nil {
		if err := m.onCreate(n); err != nil {
			return nil, err
		}
	}
	return &memObject{s: m, key: key}, nil
}

type memObject struct {
	s    *memSink
	key  string
	buf  bytes.Buffer
	done bool
}

func (o *memObject) Write(p []byte) (int, error) {
	if o.done {
		return 0, errors.New("write after commit or abort")
	}
	return o.buf.Write(p)
}

func (o *memObject) Commit() error {
	if o.done {
		return errors.New("commit twice")
	}
	o.done = true
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	if _, dup := o.s.objects[o.key]; dup {
		return errors.New("object exists: " + o.key)
	}
	o.s.objects[o.key] = bytes.Clone(o.buf.Bytes())
	return nil
}

func (o *memObject) Abort() error {
	o.done = true
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	o.s.aborted = append(o.s.aborted, o.key)
	return nil
}

// keys returns the committed keys in order.
func (m *memSink) keys() []string {
	out := make([]string, 0, len(m.objects))
	for k := range m.objects {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// content returns an object's bytes, decompressed when its key ends in .gz.
func (m *memSink) content(t testing.TB, key string) []byte {
	t.Helper()
	return decodeObject(t, key, m.objects[key])
}

func decodeObject(t testing.TB, key string, b []byte) []byte {
	t.Helper()
	if !strings.HasSuffix(key, ".gz") {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return out
}
