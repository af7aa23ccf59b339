package pipeline

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// suffixTimeLayout is Firehose's object-name time: yyyy-MM-dd-HH-mm-ss.
const suffixTimeLayout = "2006-01-02-15-04-05"

// maxNameDraws bounds how often the namer redraws a UUID that collides with
// a name it already issued. Only a broken random source collides at all.
const maxNameDraws = 16

// ErrNameCollision is returned when the random source keeps producing
// object names that were already issued (for example a reader of zeros).
var ErrNameCollision = errors.New("random source repeats object names")

// namer issues object names and random strings from one random source. It
// is used by a single goroutine (the partitioner), so the sequence of names
// is a deterministic function of the input and the source.
type namer struct {
	rand    io.Reader
	stream  string
	version int
	ext     string // data objects
	errExt  string // error objects (JSON lines even when data is Parquet)
	loc     *time.Location
	issued  map[[16]byte]struct{} // every UUID handed out: 16 bytes per object
	err     error                 // first read error of the random source
}

func newNamer(rand io.Reader, stream string, version int, ext string, loc *time.Location) *namer {
	if loc == nil {
		loc = time.UTC
	}
	return &namer{rand: rand, stream: stream, version: version, ext: ext, errExt: ext, loc: loc, issued: map[[16]byte]struct{}{}}
}

// ObjectSuffix renders Firehose's fixed object-name suffix:
// <stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid><ext>, with the time in loc.
func ObjectSuffix(stream string, version int, oldest time.Time, loc *time.Location, uuid, ext string) string {
	if loc == nil {
		loc = time.UTC
	}
	return stream + "-" + strconv.Itoa(version) + "-" + oldest.In(loc).Format(suffixTimeLayout) + "-" + uuid + ext
}

// objectKey returns a fresh key prefix+suffix for an object whose oldest
// record arrived at oldest. Its UUID was never issued before in this run,
// so the key is unique whatever the prefix.
func (n *namer) objectKey(prefix string, oldest time.Time) (string, error) {
	return n.keyWithExt(prefix, oldest, n.ext)
}

// errorObjectKey is objectKey for an error-output object.
func (n *namer) errorObjectKey(prefix string, oldest time.Time) (string, error) {
	return n.keyWithExt(prefix, oldest, n.errExt)
}

func (n *namer) keyWithExt(prefix string, oldest time.Time, ext string) (string, error) {
	for range maxNameDraws {
		var b [16]byte
		if _, err := io.ReadFull(n.rand, b[:]); err != nil {
			return "", fmt.Errorf("read random source: %w", err)
		}
		setUUIDv4Bits(&b)
		if _, dup := n.issued[b]; dup {
			continue
		}
		n.issued[b] = struct{}{}
		return prefix + ObjectSuffix(n.stream, n.version, oldest, n.loc, formatUUID(b), ext), nil
	}
	return "", fmt.Errorf("name object under %q: %w", prefix, ErrNameCollision)
}

// setUUIDv4Bits sets the version (4) and variant (RFC 9562) bits.
func setUUIDv4Bits(b *[16]byte) {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
}

// formatUUID renders b in the canonical 8-4-4-4-12 form.
func formatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// randomString renders !{firehose:random-string}: 11 lowercase hex
// characters like the documented example "5abf82daaa5" (the alphabet
// prefix.NewRandomString uses too). Read errors are kept and reported by
// firstErr; the string is then all zeros so evaluation can continue to the
// point where the error is seen.
func (n *namer) randomString() string {
	var b [6]byte
	if _, err := io.ReadFull(n.rand, b[:]); err != nil && n.err == nil {
		n.err = fmt.Errorf("read random source: %w", err)
	}
	var s [12]byte
	hex.Encode(s[:], b[:])
	return string(s[:11])
}

// firstErr reports a read error of the random source seen by randomString.
func (n *namer) firstErr() error { return n.err }
