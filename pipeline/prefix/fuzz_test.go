package prefix

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "legacy", "!{", "!{}", "!{:}", "a!{b", "}{!", "!{timestamp:yyyy/MM/dd/HH/}",
		"events/!{partitionKeyFromQuery:sender_identity}/!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd}/",
		"errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/", "!{firehose:random-string}",
		"!{timestamp:'year='yyyy'/month='MM}", "!{partitionKeyFromLambda:k}", "!{timestamp:'}'}", "!{!{timestamp:yyyy}}",
		"é/!{timestamp:G yyyy QQQ EEEE a XXX}", "!{timestamp:#}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		_ = ValidateStream(s, s, []string{"k"}, len(s)%2 == 0)
		_ = Lint(s)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Rule == "" {
				t.Fatalf("Parse(%q) error %v is not a *RuleError with a rule", s, err)
			}
			return
		}
		if p.Raw() != s {
			t.Fatalf("Raw() = %q, want %q", p.Raw(), s)
		}
		var b strings.Builder
		for _, part := range p.Parts() {
			if part.IsExpression() {
				b.WriteString("!{" + part.Namespace + ":" + part.Value + "}")
			} else {
				b.WriteString(part.Literal)
			}
		}
		if b.String() != s {
			t.Fatalf("parts rebuild %q, want %q", b.String(), s)
		}
		keys := map[string]string{}
		for _, k := range p.QueryKeys() {
			keys[k] = "v"
		}
		_, _ = p.Eval(Values{Keys: keys, Time: time.Unix(int64(len(s))*1e7, 0).UTC(), ErrorOutputType: "processing-failed"})
		if Effective(s) != s && p.HasExpressions() {
			t.Fatalf("Effective changed %q, which has expressions", s)
		}
	})
}

func FuzzTimeFormat(f *testing.F) {
	for _, p := range []string{"yyyy/MM/dd/HH/", "yyyyMMdd", "YYYY-'W'ww-e", "''", "'a''b'", "G uuuu QQQQ MMMM EEEE a hh KK kk",
		"yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXXXX", "DDD D yy", "[yyyy]", "O OOOO ZZZZ x", "yMd", "AnN", "yyyy]", "p", "'x"} {
		f.Add(p, int64(1_700_000_000), uint32(123_456_789), int32(19800))
	}
	f.Fuzz(func(t *testing.T, pattern string, sec int64, nano uint32, offset int32) {
		tf, err := CompileTimeFormat(pattern)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Rule != RuleBadPattern {
				t.Fatalf("CompileTimeFormat(%q) error %v", pattern, err)
			}
			return
		}
		if tf.Pattern() != pattern {
			t.Fatalf("Pattern() = %q", tf.Pattern())
		}
		_ = tf.Unit()
		// Instants in 2001-2098 (two-digit years read as 20xx) with offsets
		// Java allows (within 18 hours).
		lo, hi := at(2001, 1, 2, 0, 0, 0, 0).Unix(), at(2098, 12, 30, 0, 0, 0, 0).Unix()
		ti := time.Unix(lo+floorMod64(sec, hi-lo), int64(nano%1e9)).In(time.FixedZone("", int(offset%(18*3600))))
		s := tf.Format(ti)
		if !tf.hasYear() {
			return
		}
		back, err := tf.ParseInLocation(s, ti.Location())
		if err != nil {
			if strings.Contains(err.Error(), "too ambiguous") {
				return
			}
			t.Fatalf("pattern %q: Parse(Format(%s) = %q): %v", pattern, ti, s, err)
		}
		if again := tf.Format(back); again != s {
			t.Fatalf("pattern %q: Parse(%q) = %s, which formats as %q", pattern, s, back, again)
		}
	})
}

func floorMod64(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
