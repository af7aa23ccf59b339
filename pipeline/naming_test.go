package pipeline

import (
	"bytes"
	"regexp"
	"testing"
	"time"
)

func TestObjectSuffix(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	at := time.Date(2019, 8, 9, 23, 55, 9, 999_000_000, time.UTC)
	cases := []struct {
		name    string
		stream  string
		version int
		loc     *time.Location
		ext     string
		want    string
	}{
		{"utc gzip", "my-delivery-stream", 1, nil, ".gz", "my-delivery-stream-1-2019-08-09-23-55-09-U.gz"},
		{"no extension", "s", 3, time.UTC, "", "s-3-2019-08-09-23-55-09-U"},
		{"custom time zone", "s", 1, tokyo, ".gz", "s-1-2019-08-10-08-55-09-U.gz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ObjectSuffix(c.stream, c.version, at, c.loc, "U", c.ext); got != c.want {
				t.Errorf("ObjectSuffix = %q, want %q", got, c.want)
			}
		})
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUIDv4(t *testing.T) {
	cases := [][16]byte{
		{},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef},
	}
	want := []string{
		"00000000-0000-4000-8000-000000000000",
		"ffffffff-ffff-4fff-bfff-ffffffffffff",
		"12345678-9abc-4ef0-8123-456789abcdef",
	}
	for i, b := range cases {
		setUUIDv4Bits(&b)
		got := formatUUID(b)
		if got != want[i] || !uuidV4.MatchString(got) {
			t.Errorf("UUID of %x = %q, want %q", b, got, want[i])
		}
	}
}

func TestRandomStringShape(t *testing.T) {
	n := newNamer(bytes.NewReader([]byte{0x5a, 0xbf, 0x82, 0xda, 0xaa, 0x5f}), "s", 1, "", nil)
	// The documented example value of !{firehose:random-string}.
	if got := n.randomString(); got != "5abf82daaa5" {
		t.Errorf("randomString = %q, want %q", got, "5abf82daaa5")
	}
}

func TestNamesAreUniqueAndDeterministic(t *testing.T) {
	a := newNamer(seeded(7), "s", 1, "", nil)
	b := newNamer(seeded(7), "s", 1, "", nil)
	seen := map[string]bool{}
	for range 1000 {
		ka, err := a.objectKey("p/", t0)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := b.objectKey("p/", t0)
		if ka != kb {
			t.Fatalf("same seed, different names %q %q", ka, kb)
		}
		if seen[ka] {
			t.Fatalf("duplicate name %q", ka)
		}
		seen[ka] = true
	}
}
