package pipeline

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sesctl/sesctl/pipeline/prefix"
)

func ruleIDs(probs []*prefix.RuleError) []string {
	var ids []string
	for _, p := range probs {
		if !IsLint(p) {
			ids = append(ids, p.Rule)
		}
	}
	return ids
}

func TestSpecValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Spec)
		want []string // non-lint rule ids, in order
	}{
		{"default", func(*Spec) {}, nil},
		{"stream name charset", func(s *Spec) { s.StreamName = "my stream" }, []string{RuleStreamName}},
		{"stream name empty", func(s *Spec) { s.StreamName = "" }, []string{RuleStreamName}},
		{"stream name 65", func(s *Spec) { s.StreamName = strings.Repeat("a", 65) }, []string{RuleStreamName}},
		{"stream name 64 ok", func(s *Spec) { s.StreamName = strings.Repeat("a", 64) }, nil},
		{"stream version", func(s *Spec) { s.StreamVersion = 0 }, []string{RuleStreamVersion}},
		{"buffer size range", func(s *Spec) { s.BufferSizeMiB = 129 }, []string{RuleBufferSize}},
		{"buffer size below DP minimum", func(s *Spec) { s.BufferSizeMiB = 5 }, []string{RuleBufferSizeDynamic}},
		{"buffer size 64 ok", func(s *Spec) { s.BufferSizeMiB = 64 }, nil},
		{"interval range", func(s *Spec) { s.BufferIntervalSec = 901 }, []string{RuleBufferInterval}},
		{"interval below DP minimum", func(s *Spec) { s.BufferIntervalSec = 0 }, []string{RuleBufferIntervalDyn}},
		{"interval 60 ok", func(s *Spec) { s.BufferIntervalSec = 60 }, nil},
		{"compression", func(s *Spec) { s.Compression = "Snappy" }, []string{RuleCompression}},
		{"compression case", func(s *Spec) { s.Compression = "gzip" }, []string{RuleCompression}},
		{"parquet needs uncompressed", func(s *Spec) { s.Format = FormatParquet }, []string{RuleFormatCompression}},
		{"format", func(s *Spec) { s.Format = "csv" }, []string{RuleFormat}},
		{"time zone", func(s *Spec) { s.TimeZone = "Mars/Olympus" }, []string{RuleTimeZone}},
		{"time zone ok", func(s *Spec) { s.TimeZone = "Asia/Tokyo" }, nil},
		{"max active partitions", func(s *Spec) { s.MaxActivePartitions = 0 }, []string{RuleMaxActivePartitions}},
		{"max active partitions quota", func(s *Spec) { s.MaxActivePartitions = 5001 }, []string{RuleMaxActivePartitions}},
		{"retention", func(s *Spec) { s.RetentionDays = 0 }, []string{RuleRetention}},
		{"query jq 1.7 only", func(s *Spec) { s.Query = `{a: .a | abs}` }, []string{RuleQuerySyntax}},
		{"query too long", func(s *Spec) {
			s.Query = `{sender_identity: .a, event_type: .b` + strings.Repeat(" ", 5120) + `}`
		}, []string{RuleQuerySyntax}},
		{"several problems at once", func(s *Spec) { s.StreamName = ""; s.BufferSizeMiB = 0; s.Compression = "ZIP" },
			[]string{RuleStreamName, RuleBufferSize, RuleCompression}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSpec()
			c.edit(&s)
			got := ruleIDs(s.Validate())
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("rules %q, want %q (%v)", got, c.want, s.Validate())
			}
			_, err := s.Compile()
			var ve *ValidationError
			if (len(c.want) > 0) != errors.As(err, &ve) {
				t.Errorf("Compile err = %v", err)
			}
		})
	}
}

func TestSpecValidateIncludesPrefixRules(t *testing.T) {
	s := DefaultSpec()
	s.Prefix = "events/!{partitionKeyFromQuery:event_type}/" // sender_identity unused
	s.ErrorPrefix = "errors/!{timestamp:yyyy}/"              // no error-output-type
	got := ruleIDs(s.Validate())
	for _, want := range []string{prefix.RuleUnusedQueryKey, prefix.RuleErrorPrefixNoType} {
		if !strings.Contains(strings.Join(got, ","), want) {
			t.Errorf("rules %q lack %s", got, want)
		}
	}
}

func TestCompile(t *testing.T) {
	s := DefaultSpec()
	s.TimeZone = "Asia/Tokyo"
	s.Prefix = "x/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{firehose:random-string}/"
	c := mustCompile(t, s)
	if c.Location.String() != "Asia/Tokyo" || !c.DataHasRandom() || c.ErrorHasRandom() {
		t.Errorf("compiled %+v", c)
	}
	if l := c.Limits(); l.Bytes != 128<<20 || l.Interval != 300*time.Second || l.MaxActive != 500 {
		t.Errorf("limits %+v", l)
	}
	if got := strings.Join(c.Query.Keys(), ","); got != "sender_identity,event_type" {
		t.Errorf("keys %q", got)
	}
	at := time.Date(2024, 2, 16, 20, 0, 0, 0, time.UTC) // 2024-02-17 in Tokyo
	ep, err := c.ErrorPrefixFor(ErrorTypeRecordTooLarge, at, nil)
	if err != nil || ep != "errors/record-too-large/2024/02/17/" {
		t.Errorf("error prefix %q, %v", ep, err)
	}
}

func TestRouteErrors(t *testing.T) {
	c := mustCompile(t, DefaultSpec())
	// sized returns a record of n bytes; with its newline it is n+1.
	sized := func(n int) string {
		head, tail := `{"eventType":"Send","mail":{"source":"a@b"},"pad":"`, `"}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	cases := []struct {
		name, rec, errType string
	}{
		{"not json", "hello", ErrorTypeMetadataExtraction},
		{"empty key", `{"eventType":"Send","mail":{"source":""}}`, ErrorTypeMetadataExtraction},
		{"null key", `{"eventType":null,"mail":{"source":"a@b"}}`, ErrorTypeMetadataExtraction},
		{"jq error", `{"eventType":"Send","mail":{"source":1}}`, ErrorTypeMetadataExtraction},
		{"one byte over the limit", sized(MaxRecordBytes), ErrorTypeRecordTooLarge},
		{"exactly at the limit", sized(MaxRecordBytes - 1), ""},
		{"ok", `{"eventType":"Send","mail":{"source":"a@B.example"}}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Route(Record{Data: []byte(tc.rec)}, t0)
			if r.ErrorType != tc.errType {
				t.Fatalf("error type %q (%s), want %q", r.ErrorType, r.ErrorMessage, tc.errType)
			}
			if tc.errType != "" && r.ErrorMessage == "" {
				t.Error("no error message")
			}
		})
	}
	if r := c.Route(Record{Data: []byte("hello")}, t0); r.ErrorMessage != MsgNonJSON {
		t.Errorf("not-JSON message %q, want %q", r.ErrorMessage, MsgNonJSON)
	}
}

// TestDefaultQueryOnJQ16 runs the default query through Debian's jq 1.6,
// the engine Firehose runs, and compares with the local extraction.
func TestDefaultQueryOnJQ16(t *testing.T) {
	jqPath, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("jq not on PATH (CI installs Debian's jq 1.6)")
	}
	ver, _ := exec.Command(jqPath, "--version").Output()
	if !strings.HasPrefix(string(ver), "jq-1.6") {
		t.Skipf("jq is %s, not 1.6", bytes.TrimSpace(ver))
	}
	data, err := os.ReadFile(samplesPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jqPath, "-c", DefaultQuery)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq 1.6 rejects the default query: %v", err)
	}
	c := mustCompile(t, DefaultSpec())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	recs := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i, rec := range recs {
		keys, err := c.Query.Extract([]byte(rec))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := `{"sender_identity":"` + keys[0] + `","event_type":"` + keys[1] + `"}`
		if lines[i] != want {
			t.Errorf("line %d: jq 1.6 %s, sesctl %s", i+1, lines[i], want)
		}
	}
}
