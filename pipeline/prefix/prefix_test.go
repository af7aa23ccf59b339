package prefix

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t testing.TB, s string) *Prefix {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

func ruleOf(t *testing.T, err error) string {
	t.Helper()
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *RuleError", err, err)
	}
	return re.Rule
}

func TestRuleErrorText(t *testing.T) {
	err := &RuleError{Rule: "prefix.bang-brace", Msg: "bad"}
	if got, want := err.Error(), "bad [rule: prefix.bang-brace]"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, rule, inMsg string
	}{
		{"a/!{foo:bar}/", RuleUnknownNamespace, "column 3"},
		{"!{Timestamp:yyyy}", RuleUnknownNamespace, `unknown namespace "Timestamp"`},
		{"!{ timestamp:yyyy}", RuleUnknownNamespace, `" timestamp"`},
		{"x/!{partitionKeyFromLambda:id}/", RuleLambdaUnsupported, "partitionKeyFromQuery:id"},
		{"a/!{timestamp:yyyy", RuleBangBrace, "column 3"},
		{"a!{", RuleBangBrace, "column 2"},
		{"!{!{timestamp:yyyy}}", RuleBangBrace, "column 1"},
		{"!{timestamp}", RuleBangBrace, "no ':'"},
		{"!{}", RuleBangBrace, "no ':'"},
		{"!{timestamp:}", RuleEmptyValue, "empty value"},
		{"!{partitionKeyFromQuery:}", RuleEmptyValue, "empty value"},
		{"!{firehose:random}", RuleUnknownFirehoseValue, "random-string"},
		{"!{firehose:Random-String}", RuleUnknownFirehoseValue, "random-string"},
		{"ab/!{timestamp:yyyy/MM/DD}", RuleBadPattern, "column 24"}, // the DD
		{"!{timestamp:yyyy-bb}", RuleBadPattern, `unknown pattern letter 'b'`},
		{"!{timestamp:'open}", RuleBadPattern, "not closed"},
		{"é/!{timestamp:#}", RuleBadPattern, "column 15"}, // columns count characters
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want rule %s", tc.in, tc.rule)
			continue
		}
		if got := ruleOf(t, err); got != tc.rule {
			t.Errorf("Parse(%q) rule = %s, want %s (%v)", tc.in, got, tc.rule, err)
		}
		if !strings.Contains(err.Error(), tc.inMsg) {
			t.Errorf("Parse(%q) error %q does not mention %q", tc.in, err, tc.inMsg)
		}
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		in       string
		parts    []Part // Time is checked separately
		keys     []string
		expr, ts bool
	}{
		{"", nil, nil, false, false},
		{"legacy/", []Part{{Literal: "legacy/"}}, nil, false, false},
		{"a}b!c{d/", []Part{{Literal: "a}b!c{d/"}}, nil, false, false},
		{"!{firehose:random-string}/", []Part{{Namespace: "firehose", Value: "random-string"}, {Literal: "/", Offset: 25}}, nil, true, false},
		{"id=!{partitionKeyFromQuery:id}/t=!{partitionKeyFromQuery:t}/!{partitionKeyFromQuery:id}", []Part{
			{Literal: "id="}, {Namespace: NamespaceQuery, Value: "id", Offset: 3}, {Literal: "/t=", Offset: 30},
			{Namespace: NamespaceQuery, Value: "t", Offset: 33}, {Literal: "/", Offset: 59}, {Namespace: NamespaceQuery, Value: "id", Offset: 60},
		}, []string{"id", "t"}, true, false},
		{"!{timestamp:HH:mm}", []Part{{Namespace: "timestamp", Value: "HH:mm"}}, nil, true, true},
	}
	for _, tc := range tests {
		p := mustParse(t, tc.in)
		got := p.Parts()
		for i := range got {
			got[i].Time = nil
		}
		if !reflect.DeepEqual(got, tc.parts) {
			t.Errorf("Parse(%q).Parts() = %+v, want %+v", tc.in, got, tc.parts)
		}
		if p.Raw() != tc.in || !reflect.DeepEqual(p.QueryKeys(), tc.keys) || p.HasExpressions() != tc.expr || p.HasTimestamp() != tc.ts {
			t.Errorf("Parse(%q): raw %q keys %v expr %v ts %v", tc.in, p.Raw(), p.QueryKeys(), p.HasExpressions(), p.HasTimestamp())
		}
	}
	if p := mustParse(t, "!{timestamp:yyyy}"); p.Parts()[0].Time == nil || p.Parts()[0].Time.Pattern() != "yyyy" {
		t.Error("timestamp part has no compiled TimeFormat")
	}
}

func TestEffective(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "!{timestamp:yyyy/MM/dd/HH/}"},
		{"legacy", "legacy!{timestamp:yyyy/MM/dd/HH/}"},
		{"legacy/", "legacy/!{timestamp:yyyy/MM/dd/HH/}"},
		{"r/!{firehose:random-string}/", "r/!{firehose:random-string}/"},
		{"k=!{partitionKeyFromQuery:k}/", "k=!{partitionKeyFromQuery:k}/"},
		{"d=!{timestamp:yyyy}/", "d=!{timestamp:yyyy}/"},
	}
	for _, tc := range tests {
		if got := Effective(tc.in); got != tc.want {
			t.Errorf("Effective(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	at := time.Date(2026, 7, 13, 14, 5, 0, 0, time.UTC)
	for in, want := range map[string]string{"legacy": "legacy2026/07/13/14/", "": "2026/07/13/14/"} {
		got, err := mustParse(t, Effective(in)).Eval(Values{Time: at})
		if err != nil || got != want {
			t.Errorf("Eval(Effective(%q)) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, want := EffectiveError("logs/", ""), "logs/!{firehose:error-output-type}!{timestamp:yyyy/MM/dd/HH/}"; got != want {
		t.Errorf("EffectiveError = %q, want %q", got, want)
	}
	if got, want := EffectiveError("x", "e/!{firehose:error-output-type}/"), "e/!{firehose:error-output-type}/"; got != want {
		t.Errorf("EffectiveError = %q, want %q", got, want)
	}
}

func fixedRandom(vals ...string) func() string {
	i := 0
	return func() string { i++; return vals[(i-1)%len(vals)] }
}

// TestEvalDocExamples evaluates the examples of the Firehose guide pages
// "Understand custom prefixes for Amazon S3 objects" and "Dynamic
// partitioning" (expected strings copied from the pages).
func TestEvalDocExamples(t *testing.T) {
	jul6 := time.Date(2018, 7, 6, 23, 15, 0, 0, time.UTC)
	tests := []struct {
		prefix string
		at     time.Time
		v      Values
		want   string
	}{
		{"myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}", time.Date(2018, 8, 27, 10, 30, 0, 0, time.UTC),
			Values{RandomString: fixedRandom("5abf82daaa5")}, "myFirehose/DeliveredYear=2018/anyMonth/rand=5abf82daaa5"},
		{"myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}", time.Date(2018, 8, 10, 10, 30, 0, 0, time.UTC),
			Values{ErrorOutputType: "processing-failed"}, "myFirehoseFailures/processing-failed/2018/anyMonth/10"},
		{"myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", jul6,
			Values{}, "myPrefix/year=2018/month=07/day=06/hour=23/"},
		{"myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}", jul6,
			Values{ErrorOutputType: "processing-failed"}, "myErrorPrefix/year=2018/month=07/day=06/hour=23/processing-failed"},
		{"myPrefix/result=!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}", time.Date(2018, 8, 3, 1, 0, 0, 0, time.UTC),
			Values{ErrorOutputType: "processing-failed"}, "myPrefix/result=processing-failed/2018/08/03"},
		{"customer_id=!{partitionKeyFromQuery:customer_id}/device=!{partitionKeyFromQuery:device}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
			time.Date(2019, 8, 9, 20, 55, 9, 0, time.UTC), Values{Keys: map[string]string{"customer_id": "1234567890", "device": "mobile"}},
			"customer_id=1234567890/device=mobile/year=2019/month=08/day=09/hour=20/"},
	}
	for _, tc := range tests {
		tc.v.Time = tc.at
		got, err := mustParse(t, tc.prefix).Eval(tc.v)
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", tc.prefix, got, err, tc.want)
		}
	}
}

func TestEvalSemantics(t *testing.T) {
	at := time.Date(2024, 3, 8, 9, 7, 6, 0, time.UTC)
	// Every timestamp uses the same instant; every random-string is new.
	p := mustParse(t, "!{timestamp:HH}/!{firehose:random-string}/!{timestamp:HH:mm}/!{firehose:random-string}/")
	got, err := p.Eval(Values{Time: at, RandomString: fixedRandom("aaaaaaaaaaa", "bbbbbbbbbbb")})
	if want := "09/aaaaaaaaaaa/09:07/bbbbbbbbbbb/"; err != nil || got != want {
		t.Errorf("Eval = %q, %v; want %q", got, err, want)
	}
	// The instant is formatted in its own location: the caller converts.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	got, err = mustParse(t, "!{timestamp:yyyy/MM/dd/HH/}").Eval(Values{Time: time.Date(2024, 3, 8, 20, 0, 0, 0, time.UTC).In(tokyo)})
	if want := "2024/03/09/05/"; err != nil || got != want {
		t.Errorf("Eval in Asia/Tokyo = %q, %v; want %q", got, err, want)
	}
	// Keys go in literally, slashes and spaces included.
	got, err = mustParse(t, "t=!{partitionKeyFromQuery:t}/").Eval(Values{Keys: map[string]string{"t": "Rendering Failure/../x"}})
	if want := "t=Rendering Failure/../x/"; err != nil || got != want {
		t.Errorf("Eval = %q, %v; want %q", got, err, want)
	}
	// The default random string generator gives 11 hex characters.
	got, err = mustParse(t, "!{firehose:random-string}").Eval(Values{})
	if err != nil || len(got) != 11 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Errorf("random-string = %q, %v", got, err)
	}
}

func TestEvalErrors(t *testing.T) {
	long := strings.Repeat("x", 500)
	tests := []struct {
		prefix string
		v      Values
		rule   string
	}{
		{"k=!{partitionKeyFromQuery:k}/", Values{Keys: map[string]string{"other": "v"}}, RuleMissingKey},
		{"k=!{partitionKeyFromQuery:k}/", Values{}, RuleMissingKey},
		{"k=!{partitionKeyFromQuery:k}/", Values{Keys: map[string]string{"k": ""}}, RuleEmptyKey},
		{"e/!{firehose:error-output-type}/", Values{}, RuleNoErrorOutputType},
		{long + "!{partitionKeyFromQuery:k}", Values{Keys: map[string]string{"k": strings.Repeat("y", 13)}}, RuleEvaluatedTooLong},
		{long + "!{partitionKeyFromQuery:k}", Values{Keys: map[string]string{"k": strings.Repeat("é", 13)}}, RuleEvaluatedTooLong},
		{long + "!{partitionKeyFromQuery:k}", Values{Keys: map[string]string{"k": strings.Repeat("😀", 7)}}, RuleEvaluatedTooLong}, // 14 UTF-16 units
	}
	for _, tc := range tests {
		_, err := mustParse(t, tc.prefix).Eval(tc.v)
		if err == nil {
			t.Errorf("Eval(%.40q) succeeded, want %s", tc.prefix, tc.rule)
			continue
		}
		if got := ruleOf(t, err); got != tc.rule {
			t.Errorf("Eval(%.40q) rule %s, want %s (%v)", tc.prefix, got, tc.rule, err)
		}
	}
	// Exactly 512 characters is allowed.
	got, err := mustParse(t, long+"!{partitionKeyFromQuery:k}").Eval(Values{Keys: map[string]string{"k": strings.Repeat("é", 12)}})
	if err != nil || len([]rune(got)) != 512 {
		t.Errorf("512-character prefix: %d runes, %v", len([]rune(got)), err)
	}
}

func TestNewRandomString(t *testing.T) {
	gen := NewRandomString(strings.NewReader("\x5a\xbf\x82\xda\xaa\x5f\x01\x02\x03\x04\x05\x06"))
	if got := gen(); got != "5abf82daaa5" {
		t.Errorf("first = %q, want 5abf82daaa5", got)
	}
	if got := gen(); got != "01020304050" {
		t.Errorf("second = %q, want 01020304050", got)
	}
	// The reader is exhausted: crypto/rand takes over.
	if got := gen(); len(got) != 11 {
		t.Errorf("fallback = %q", got)
	}
}
