package sink

import (
	"errors"
	"os"
	"time"
)

// Batcher is a sink whose Commit can publish objects in batches. After
// BeginBatch, a committed object is closed but not yet synced or renamed:
// objects are made durable together and then renamed into place, when
// batchObjects are waiting, when the oldest has waited batchAge, and in any
// case by Flush, which whoever calls BeginBatch must call. Replay does both.
//
// The point is the cost of durability: syncing each object on its own
// waits for the device once per object (on a journaled ext4, a journal
// commit each), syncing a batch waits once per batch. An object is still
// never visible before its bytes are durable, so a crash leaves hidden
// temporary files at worst, never a half-written object.
type Batcher interface {
	BeginBatch()
}

const (
	batchObjects = 128
	batchAge     = 2 * time.Second
)

// pendingObject is a committed object of a batch: its temporary file,
// written and still open, and where it goes.
type pendingObject struct {
	f     *os.File
	final string
	key   string
}

// batch is the Local sink's state in batch mode.
type batch struct {
	on      bool
	pending []pendingObject
	oldest  time.Time
}

// BeginBatch switches Commit to batch publication (see Batcher).
func (l *Local) BeginBatch() {
	l.mu.Lock()
	l.batch.on = true
	l.mu.Unlock()
}

// batching reports whether Commit defers publication.
func (l *Local) batching() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.batch.on
}

// enqueue adds a committed object to the batch and publishes the batch
// when it is big or old enough.
func (l *Local) enqueue(p pendingObject) error {
	now := time.Now()
	l.mu.Lock()
	if len(l.batch.pending) == 0 {
		l.batch.oldest = now
	}
	l.batch.pending = append(l.batch.pending, p)
	var ready []pendingObject
	if len(l.batch.pending) >= batchObjects || now.Sub(l.batch.oldest) >= batchAge {
		ready = l.takePending()
	}
	l.mu.Unlock()
	return l.publish(ready)
}

// takePending empties the batch; l.mu is held.
func (l *Local) takePending() []pendingObject {
	ready := l.batch.pending
	l.batch.pending = nil
	return ready
}

// publish makes the objects' bytes durable, then renames each into place.
// An object that cannot be published is removed; the errors are joined.
func (l *Local) publish(objs []pendingObject) error {
	if len(objs) == 0 {
		return nil
	}
	errs := make([]error, len(objs))
	syncErr := syncFiles(objs, errs)
	for i, p := range objs {
		err := errs[i]
		if err == nil {
			err = syncErr
		}
		errs[i] = l.place(p, err)
	}
	return errors.Join(errs...)
}

// syncFiles makes the files' bytes durable: with one syncfs per file
// system where the platform has it (syncFS), otherwise with an fsync per
// file, flushWorkers at a time. Per-file errors go to errs; an error that
// concerns them all is returned.
func syncFiles(objs []pendingObject, errs []error) error {
	if done, err := syncFS(objs); done {
		return err
	}
	syncEach(objs, errs)
	return nil
}

// syncEach fsyncs each file, flushWorkers at a time.
func syncEach(objs []pendingObject, errs []error) {
	inParallel(len(objs), func(i int) { errs[i] = objs[i].f.Sync() })
}
