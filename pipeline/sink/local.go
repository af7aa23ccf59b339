// Package sink is where delivered objects go: a local folder or S3.
//
// Objects are written in full and then published at once: Create returns an
// Object, the caller writes it, and Commit makes it visible under its final
// name (an atomic rename locally, a single PUT on S3). Abort, or a run that
// stops before Commit, leaves nothing under the final name.
package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Sink creates objects.
type Sink interface {
	Create(ctx context.Context, key string) (Object, error)
	Describe() string // "local folder lake/" or "s3://bucket/prefix"
}

// Object is an object being written. Commit publishes it; Abort discards
// it. After Commit, Abort is a no-op, so `defer obj.Abort()` is safe.
type Object interface {
	io.Writer
	Commit() error
	Abort() error
}

const (
	fileMode = 0o644
	dirMode  = 0o755
	// writeBuffer batches small writes into fewer system calls.
	writeBuffer = 256 << 10
)

// writeBuffers recycles the write buffers of objects: an object takes one
// when it is created and gives it back when it is committed or aborted, so
// a run of many small objects does not allocate (and fault in) a fresh
// buffer for each.
var writeBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBuffer) }}

// takeWriter returns a pooled write buffer writing to w.
func takeWriter(w io.Writer) *bufio.Writer {
	bw := writeBuffers.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

// giveWriter returns a write buffer to the pool; its data must be flushed
// or meant to be discarded.
func giveWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	writeBuffers.Put(bw)
}

var errClosed = errors.New("object already committed or aborted")

// Local writes objects to a folder. Keys map to paths as LocalPath
// describes.
type Local struct {
	root string

	mu    sync.Mutex
	known map[string]bool     // directories known to exist
	dirty map[string]struct{} // directories with entries not yet synced
	batch batch               // objects committed, not yet published (batch mode)
}

// Flusher is a sink that makes committed objects durable in a batch:
// Replay calls Flush once every object is committed, and reports
// success only after it.
type Flusher interface {
	Flush() error
}

// NewLocal returns a sink writing under root, which is created if needed.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("empty output folder")
	}
	root = filepath.Clean(root)
	if err := os.MkdirAll(root, dirMode); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("output folder %s is not a directory", root)
	}
	return &Local{root: root, known: map[string]bool{}, dirty: map[string]struct{}{}}, nil
}

// Describe returns "local folder <root>/".
func (l *Local) Describe() string {
	root := filepath.ToSlash(l.root)
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	return "local folder " + root
}

// Create starts the object key: a hidden temporary file next to its final
// path (".<name>.tmp-<random>"), renamed into place by Commit.
func (l *Local) Create(ctx context.Context, key string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	final, err := LocalPath(l.root, key)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(final)
	if err := l.mkdir(dir); err != nil {
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	f, err := os.CreateTemp(dir, tempPattern(filepath.Base(final)))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	if err := f.Chmod(fileMode); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, fmt.Errorf("create %s: %w", key, err)
	}
	return &localObject{f: f, w: takeWriter(f), final: final, key: key, sink: l}, nil
}

// mkdir creates dir and its parents once, and remembers the directories
// whose entries changed, up to the root.
func (l *Local) mkdir(dir string) error {
	l.mu.Lock()
	known := l.known[dir]
	l.mu.Unlock()
	if known {
		return nil
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.known[dir] = true
	for d := dir; ; d = filepath.Dir(d) {
		l.dirty[d] = struct{}{}
		if d == l.root || d == filepath.Dir(d) || !strings.HasPrefix(d, l.root) {
			break
		}
	}
	return nil
}

func (l *Local) markDirty(dir string) {
	l.mu.Lock()
	l.dirty[dir] = struct{}{}
	l.mu.Unlock()
}

// Flush publishes the objects of the batch, if any (see Batcher), then
// syncs every directory that gained an entry (a committed object, a new
// directory) since the last Flush, so the renames survive a crash. Each
// object's own bytes are synced before its rename: an object is never
// seen half-written, and after Flush none is lost.
func (l *Local) Flush() error {
	l.mu.Lock()
	ready := l.takePending()
	l.mu.Unlock()
	perr := l.publish(ready)
	return errors.Join(perr, l.syncDirty())
}

// syncDirty syncs the directories with entries not yet synced.
func (l *Local) syncDirty() error {
	l.mu.Lock()
	dirs := make([]string, 0, len(l.dirty))
	for d := range l.dirty {
		dirs = append(dirs, d)
	}
	clear(l.dirty)
	l.mu.Unlock()
	return syncDirs(dirs)
}

// flushWorkers bounds the directory syncs Flush has in flight: each waits
// on the device, so several at once overlap their latencies.
const flushWorkers = 16

// syncDirs makes the entries of dirs durable: with one syncfs per file
// system where the platform has it (syncDirsFS), otherwise with an fsync
// per directory, flushWorkers at a time, joining the errors.
func syncDirs(dirs []string) error {
	if len(dirs) == 0 {
		return nil
	}
	if done, err := syncDirsFS(dirs); done {
		return err
	}
	errs := make([]error, len(dirs))
	inParallel(len(dirs), func(i int) { errs[i] = syncDir(dirs[i]) })
	return errors.Join(errs...)
}

// inParallel calls fn(0) … fn(n-1), flushWorkers at a time, and returns
// when all have returned.
func inParallel(n int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(flushWorkers, n) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// tempPattern is the CreateTemp pattern for name, kept within the usual 255
// byte name limit.
func tempPattern(name string) string {
	const maxBase = 255 - len("..tmp-") - 20
	if len(name) > maxBase {
		name = name[:maxBase]
	}
	return "." + name + ".tmp-*"
}

type localObject struct {
	f     *os.File
	w     *bufio.Writer
	final string
	key   string
	done  bool
	sink  *Local
}

func (o *localObject) Write(p []byte) (int, error) {
	if o.done {
		return 0, errClosed
	}
	n, err := o.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", o.key, err)
	}
	return n, nil
}

// Commit flushes, fsyncs, closes and renames the file into place; Flush
// later syncs the directory so the rename survives a crash. In batch mode
// (see Batcher) the file waits, written and open, for its batch.
func (o *localObject) Commit() error {
	if o.done {
		return errClosed
	}
	o.done = true
	err := o.w.Flush()
	giveWriter(o.w)
	o.w = nil
	if err == nil && o.sink.batching() {
		return o.sink.enqueue(pendingObject{f: o.f, final: o.final, key: o.key})
	}
	if err == nil {
		err = o.f.Sync()
	}
	return o.sink.place(pendingObject{f: o.f, final: o.final, key: o.key}, err)
}

// place closes a written object's temporary file and, unless err (from
// writing or syncing it) or the close failed, renames it into place;
// otherwise it removes the file and returns the error with the key.
func (l *Local) place(p pendingObject, err error) error {
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.f.Name(), p.final)
	}
	if err != nil {
		_ = os.Remove(p.f.Name())
		return fmt.Errorf("commit %s: %w", p.key, err)
	}
	l.markDirty(filepath.Dir(p.final))
	return nil
}

// Abort removes the temporary file.
func (o *localObject) Abort() error {
	if o.done {
		return nil
	}
	o.done = true
	giveWriter(o.w)
	o.w = nil
	_ = o.f.Close()
	if err := os.Remove(o.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("abort %s: %w", o.key, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
