package jq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

func officialSamples(t testing.TB) [][]byte {
	data, err := os.ReadFile("../../testdata/samples/official.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
}

func mustCompile(t testing.TB, src string) *Query {
	t.Helper()
	q, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return q
}

func TestDefaultQueryOnOfficialSamples(t *testing.T) {
	q := mustCompile(t, defaultQuery)
	samples := officialSamples(t)
	if len(samples) != 10 {
		t.Fatalf("%d official samples, want 10", len(samples))
	}
	for _, rec := range samples {
		var ev struct {
			EventType string
			Mail      struct{ Source string }
		}
		if err := json.Unmarshal(rec, &ev); err != nil {
			t.Fatal(err)
		}
		got, err := q.Extract(rec)
		if err != nil {
			t.Errorf("%s: %v", ev.EventType, err)
			continue
		}
		at := strings.LastIndexByte(ev.Mail.Source, '@')
		domain := strings.ToLower(strings.TrimSuffix(ev.Mail.Source[at+1:], ">"))
		if got[0] == "" || got[0] != domain || got[1] != ev.EventType {
			t.Errorf("%s: got %q, want [%q %q]", ev.EventType, got, domain, ev.EventType)
		}
	}
}

func TestBlogQueryFailsOnOfficialSamples(t *testing.T) {
	q := mustCompile(t, `{SenderIdentity: .mail.tags."ses:sender-identity"[0], EventType:.eventType}`)
	for _, rec := range officialSamples(t) {
		_, err := q.Extract(rec)
		var ee *ExtractError
		if !errors.As(err, &ee) || ee.Msg != MsgNullEmpty {
			t.Errorf("Extract = %v, want ExtractError %q", err, MsgNullEmpty)
		}
	}
}

const sesRecord = `{"eventType":"Bounce","bounce":{"bounceType":"Permanent"},"mail":{"timestamp":"2017-08-05T00:40:02.012Z","source":"\"Sender\" <Sender@Example.COM>","destination":["a@x.com","b@y.com"],"tags":{"ses:configuration-set":["cs"]}},"n":1.0,"big":12345678901234567890,"huge":1e1000,"t":true,"s":"","z":null,"arr":[1],"obj":{}}`

func TestExtract(t *testing.T) {
	tests := []struct {
		src, record string
		want        []string
		err         string
	}{
		{defaultQuery, sesRecord, []string{"example.com", "Bounce"}, ""},
		{`{a: .n, b: .big, c: .huge, d: .t, e: (.t | not)}`, sesRecord, []string{"1", "12345678901234567000", "1.7976931348623157e+308", "true", "false"}, ""},
		{`{a: (.big | tostring), b: "\(.huge)", c: (.n | tojson), d: ([.n, 1.5] | @csv)}`, sesRecord, []string{"12345678901234567000", "1.7976931348623157e+308", "1", "1,1.5"}, ""},
		{`{a: .z}`, sesRecord, nil, MsgNullEmpty},
		{`{a: .s}`, sesRecord, nil, MsgNullEmpty},
		{`{a: .missing.deeper}`, sesRecord, nil, MsgNullEmpty},
		{`{a: (.huge - .huge)}`, sesRecord, nil, MsgNullEmpty},
		{`{a: .arr}`, sesRecord, nil, `the value of key "a" is an array`},
		{`{a: .obj}`, sesRecord, nil, `the value of key "a" is an object`},
		{`{a: .mail.destination[]}`, sesRecord, nil, `produced 2 outputs`},
		{`{a: empty}`, sesRecord, nil, `produced no output`},
		{`{a: .eventType, a: .z}`, sesRecord, nil, MsgNullEmpty},
		{`{a: .z, a: .eventType}`, sesRecord, []string{"Bounce"}, ""},
		{`{a: .mail.destination.foo}`, sesRecord, nil, `Cannot index array with string "foo"`},
		{`{a: .mail.source[0]}`, sesRecord, nil, `Cannot index string with number`},
		{`{a: (.mail.destination | .["x"])}`, sesRecord, nil, `Cannot index array with string "x"`},
		{`{a: .mail.timestamp | strftime("%Y")}`, sesRecord, nil, `strftime/1 requires parsed datetime inputs`},
		{`{a: .mail.timestamp | fromdateiso8601}`, sesRecord, nil, `date "2017-08-05T00:40:02.012Z" does not match format "%Y-%m-%dT%H:%M:%SZ"`},
		{`{a: (.mail.timestamp | strptime("%Y-%m-%dT%H:%M:%S.%fZ"))}`, sesRecord, nil, `does not match format`},
		{`{a: (.mail.timestamp | sub("\\.[0-9]+Z$";"Z") | fromdateiso8601 | strftime("%Y/%m/%d"))}`, sesRecord, []string{"2017/08/05"}, ""},
		{`{a: .mail.timestamp[0:10]}`, sesRecord, []string{"2017-08-05"}, ""},
		{`{a: (.n | ltrimstr("1") | tostring), b: (.eventType | rtrimstr(1))}`, sesRecord, []string{"1", "Bounce"}, ""},
		{`{a: ([limit(0; .mail.destination[])] | length)}`, sesRecord, []string{"1"}, ""},
		{`{a: (.eventType | gsub("[^A-Za-z0-9_-]";"_") | ascii_downcase)}`, `{"eventType":"Rendering Failure"}`, []string{"rendering_failure"}, ""},
		{`{a: error("boom")}`, sesRecord, nil, "boom"},
		{`{a: error({"x":1})}`, sesRecord, nil, `{"x":1} (not a string)`},
		{`{a: (.eventType | ascii_downcase)}`, `{"eventType":3}`, nil, "explode input must be a string"},
		{`{a: (.x | split("@"))}`, `{"x":null}`, nil, "split input and separator must be strings"},
		{`{a: (.x - 1)}`, `{"x":{}}`, nil, "object ({}) and number (1) cannot be subtracted"},
		{`{a: (.x | keys)}`, `{"x":1}`, nil, "number (1) has no keys"},
		{`{a: .eventType}`, `{"eventType":"Send"}` + "\n", []string{"Send"}, ""},
		{`{a: .eventType}`, `not json`, nil, MsgNonJSON},
		{`{a: .eventType}`, `{"eventType":"Send"}{"eventType":"Open"}`, nil, MsgNonJSON},
		{`{a: .eventType}`, `{"eventType":"Send"`, nil, MsgNonJSON},
		{`{a: .eventType}`, ``, nil, MsgNonJSON},
		{`{a: .eventType}`, `{"eventType":NaN}`, nil, MsgNonJSON},
		{`{a: .eventType}`, `{"eventType":"\ud800"}`, nil, MsgNonJSON},
		{`{a: .eventType}`, strings.Repeat("[", 257) + strings.Repeat("]", 257), nil, "Exceeds depth limit for parsing"},
		{`{a: .eventType}`, `[1]`, nil, `Cannot index array with string "eventType"`},
		{`{a: (.x|tostring)}`, `{"x":"a\u00e9\ud83d\ude00"}`, []string{"aé😀"}, ""},
	}
	for _, tt := range tests {
		q := mustCompile(t, tt.src)
		got, err := q.Extract([]byte(tt.record))
		if tt.err != "" {
			var ee *ExtractError
			if !errors.As(err, &ee) || !strings.Contains(ee.Msg, tt.err) {
				t.Errorf("%s on %.40s: got %q, %v; want ExtractError containing %q", tt.src, tt.record, got, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("%s on %.40s: got %q, %v; want %q", tt.src, tt.record, got, err, tt.want)
		}
	}
}

// TestPrunedDecodingIsInvisible checks that decoding only the observed
// paths never changes a result, on the whole corpus.
func TestPrunedDecodingIsInvisible(t *testing.T) {
	recs := loadRecords(t)
	pruned := 0
	for _, src := range loadQueries(t) {
		q, err := Compile(src)
		if err != nil {
			continue
		}
		if q.prune != nil {
			pruned++
		}
		full := *q
		full.prune = nil
		for _, r := range recs {
			a, errA := q.Extract(r.data)
			b, errB := full.Extract(r.data)
			if fmt.Sprint(a, errA) != fmt.Sprint(b, errB) {
				t.Errorf("%s on %s: pruned %q %v, full %q %v", src, r.name, a, errA, b, errB)
			}
		}
	}
	if pruned < 20 {
		t.Errorf("only %d queries use pruned decoding", pruned)
	}
}

func TestPruneTrie(t *testing.T) {
	q := mustCompile(t, defaultQuery)
	if q.prune == nil || !q.prune.kids["eventType"].all || !q.prune.kids["mail"].kids["source"].all || len(q.prune.kids["mail"].kids) != 1 {
		t.Errorf("default query trie = %+v", q.prune)
	}
	for _, src := range []string{`{a: (. | tostring)}`, `{a: (.. | numbers)}`, `{a: (keys | first)}`, `def f: .a; {a: f}`, `{a: (.[] | first)}`} {
		if q := mustCompile(t, src); q.prune != nil {
			t.Errorf("%s: pruning enabled although the whole record is observed", src)
		}
	}
}

func TestExtractConcurrent(t *testing.T) {
	q := mustCompile(t, defaultQuery)
	samples := officialSamples(t)
	want := make([]string, len(samples))
	for i, rec := range samples {
		v, err := q.Extract(rec)
		want[i] = fmt.Sprint(v, err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := (n + g) % len(samples)
				v, err := q.Extract(samples[i])
				if got := fmt.Sprint(v, err); got != want[i] {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Extract gave %s", e)
	}
}

func TestFormatNumber(t *testing.T) {
	// Expected strings are what Debian's jq 1.6 prints for these inputs.
	tests := map[float64]string{
		1.0: "1", 1.1: "1.1", 12345678901234567890: "12345678901234567000", 0.1: "0.1",
		100000: "100000", 1000000: "1000000", 1e17: "1e+17", 1e16: "1e+16", 1e15: "1000000000000000",
		123456789012: "123456789012", 1e-5: "1e-05", 0.0001: "0.0001", 1.5e300: "1.5e+300",
		3.14159: "3.14159", 1e22: "1e+22", 123e-7: "1.23e-05", 0.30000000000000004: "0.30000000000000004",
		1.7976931348623157e308: "1.7976931348623157e+308", 123456789012345678901234567890: "123456789012345680000000000000",
	}
	for f, want := range tests {
		if got := formatNumber(f); got != want {
			t.Errorf("formatNumber(%v) = %s, want %s", f, got, want)
		}
	}
	if got := formatNumber(negZero); got != "-0" {
		t.Errorf("-0 printed as %s", got)
	}
}
