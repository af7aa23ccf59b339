package pipeline

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
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
