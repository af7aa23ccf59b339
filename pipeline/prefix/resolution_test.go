package prefix

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTimeResolution(t *testing.T) {
	tests := []struct {
		prefix string
		want   Resolution
	}{
		{"events/!{partitionKeyFromQuery:a}/", ResolutionConstant},
		{"e/!{timestamp:yyyy/MM/dd}/", ResolutionDay},
		{"e/!{timestamp:YYYY-'W'ww-e}/", ResolutionDay},
		{"e/!{timestamp:yyyy}/!{timestamp:HH}/", ResolutionHour},
		{"e/!{timestamp:yyyy-MM-dd hh a}/", ResolutionHour},
		{"e/!{timestamp:yyyyMMddHHmm}/", ResolutionMinute},
		{"e/!{timestamp:yyyy/MM/dd}/!{timestamp:ss}/", ResolutionSecond},
		{"e/!{timestamp:yyyy/MM/dd/HH/mm/ss.SSS}/", ResolutionNone},
		{"e/!{timestamp:yyyy-MM-dd'T'HHXXX}/", ResolutionNone},
	}
	for _, tt := range tests {
		p, err := Parse(tt.prefix)
		if err != nil {
			t.Fatalf("%s: %v", tt.prefix, err)
		}
		if got := p.TimeResolution(); got != tt.want {
			t.Errorf("%s: resolution %d, want %d", tt.prefix, got, tt.want)
		}
	}
}

// TestBucketImpliesSameText: two instants in one bucket format alike, in
// zones with daylight saving time and half-hour offsets too.
func TestBucketImpliesSameText(t *testing.T) {
	patterns := []string{"yyyy/MM/dd", "YYYY-'W'ww-e EEE", "yyyy-MM-dd hh a", "yyyyMMddHH", "yyyyMMddHHmm", "yyyy-MM-dd HH:mm:ss", "D uuuu QQQ"}
	zones := []string{"UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC).Unix()
	for _, pat := range patterns {
		f, err := CompileTimeFormat(pat)
		if err != nil {
			t.Fatal(err)
		}
		res := f.Resolution()
		for _, zone := range zones {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Skipf("time zone data: %v", err)
			}
			seen := map[int64]string{}
			for range 20000 {
				// Around two daylight-saving transitions, a few hours apart.
				at := time.Unix(base+rnd.Int64N(240*86400), 0).In(loc)
				b, ok := res.Bucket(at)
				if !ok {
					t.Fatalf("%s: no bucket", pat)
				}
				text := f.Format(at)
				if prev, ok := seen[b]; ok && prev != text {
					t.Fatalf("%s in %s: bucket %d prints %q and %q", pat, zone, b, prev, text)
				}
				seen[b] = text
			}
		}
	}
}
