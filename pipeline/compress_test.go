package pipeline

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/sesctl/sesctl/schema"
)

func TestEncodePayload(t *testing.T) {
	content := strings.Repeat(`{"eventType":"Send","mail":{}}`+"\n", 1000)
	p := newMemPayload()
	p.Append([]byte(content))
	var plain, gz1, gz2 bytes.Buffer
	if err := encodePayload(&plain, p, CompressionNone); err != nil {
		t.Fatal(err)
	}
	if plain.String() != content {
		t.Error("uncompressed payload changed")
	}
	for _, b := range []*bytes.Buffer{&gz1, &gz2} {
		if err := encodePayload(b, p, CompressionGZIP); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(gz1.Bytes(), gz2.Bytes()) {
		t.Error("gzip output is not deterministic")
	}
	zr, err := gzip.NewReader(&gz1)
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q / mtime %v", zr.Name, zr.ModTime)
	}
	back, err := io.ReadAll(zr)
	if err != nil || string(back) != content {
		t.Fatalf("decompressed %d bytes, err %v", len(back), err)
	}
}

// TestGzipLevelSize keeps the objects within 1.15x of the bytes gzip -6
// produces (the standard library's level 6 stands in for GNU gzip, whose
// output it matches within a few percent) on the events `sesctl generate`
// writes, both for one large object and for small ones.
func TestGzipLevelSize(t *testing.T) {
	g, err := schema.NewGenerator(schema.GeneratorConfig{Seed: 1, Events: 3000})
	if err != nil {
		t.Fatal(err)
	}
	var gen bytes.Buffer
	if err := g.WriteN(&gen, 3000, nil); err != nil {
		t.Fatal(err)
	}
	data := gen.Bytes()
	for _, size := range []int{len(data), 20000, 3000} {
		var ours, ref int
		for off := 0; off < len(data); off += size {
			part := data[off:min(off+size, len(data))]
			p := newMemPayload()
			p.Append(part)
			var b bytes.Buffer
			if err := encodePayload(&b, p, CompressionGZIP); err != nil {
				t.Fatal(err)
			}
			ours += b.Len()
			b.Reset()
			zw, _ := gzip.NewWriterLevel(&b, 6)
			zw.Write(part)
			zw.Close()
			ref += b.Len()
		}
		if r := float64(ours) / float64(ref); r > 1.15 {
			t.Errorf("objects of %d bytes: %d compressed bytes, %.3fx gzip -6 (%d)", size, ours, r, ref)
		} else {
			t.Logf("objects of %d bytes: %.3fx gzip -6", size, r)
		}
	}
}
