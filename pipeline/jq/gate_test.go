package jq

import (
	"errors"
	"strings"
	"testing"
)

// DefaultQuery is sesctl's default MetadataExtractionQuery (pipeline.DefaultQuery).
const defaultQuery = `{sender_identity: (.mail.source | split("@") | .[-1] | rtrimstr(">") | ascii_downcase), event_type: .eventType}`

func TestCompileRejects(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"unparenthesised if", `{event_type: .x, t: if .a then 1 else 2 end}`, 1, 21, "syntax error: unparenthesised if as an object value is rejected by jq 1.6 (write (if ... end))"},
		{"if after a pipe in a value", `{x: .eventType | if . == "Send" then "s" else "o" end}`, 1, 18, "unparenthesised if"},
		{"if without else", `{x: (if .a then 1 end)}`, 1, 19, "if without else is rejected by jq 1.6"},
		{"elif without else", `{x: (if .a then 1 elif .b then 2 end)}`, 1, 34, "if without else"},
		{"reduce as value", `{x: reduce .[] as $i (0; . + 1)}`, 1, 5, "unparenthesised reduce"},
		{"foreach as value", `{x: foreach .[] as $i (0; 1)}`, 1, 5, "unparenthesised foreach"},
		{"try as value", `{x: try .a}`, 1, 5, "unparenthesised try"},
		{"label as value", `{x: label $f | 1}`, 1, 5, "unparenthesised label"},
		{"def as value", `{x: def f: 1; f}`, 1, 5, "unparenthesised def"},
		{"alternative as value", `{sender: .a // "unknown"}`, 1, 13, "operator // in an object value is rejected by jq 1.6"},
		{"and as value", `{x: .a and .b}`, 1, 8, "operator and in an object value"},
		{"or as value", `{x: .a or .b}`, 1, 8, "operator or in an object value"},
		{"comparison as value", `{x: .a == 1}`, 1, 8, "operator == in an object value"},
		{"arithmetic as value", `{x: 1 + 2}`, 1, 7, "operator + in an object value"},
		{"as binding as value", `{x: .a as $v | $v}`, 1, 8, "an `as` binding as an object value"},
		{"optional after parentheses", `{x: (.a)?}`, 1, 9, "'?' after this object value"},
		{"optional after literal", `{x: 1?}`, 1, 6, "'?' after this object value"},
		{"?// lexes as one token", `{x: .a?//1}`, 1, 7, "?//"},
		{"pick is jq 1.7", `{x: pick(.eventType)}`, 1, 5, "pick/1 is not defined in jq 1.6 (it comes from jq 1.7"},
		{"debug/1 is jq 1.7", `{x: (.a | debug("msg"))}`, 1, 11, "debug/1 is not defined in jq 1.6"},
		{"scan/2 is jq 1.7", `{x: (.a | scan("a"; "g"))}`, 1, 11, "scan/2 is not defined in jq 1.6"},
		{"abs is jq 1.7.1", `{x: (.a | abs)}`, 1, 11, "abs/0 is not defined in jq 1.6"},
		{"toarray", `{x: (.a | toarray)}`, 1, 11, "toarray/0 is not defined in jq 1.6"},
		{"have_decnum", `{x: have_decnum}`, 1, 5, "have_decnum/0 is not defined in jq 1.6"},
		{"have_literal_numbers", `{x: have_literal_numbers}`, 1, 5, "have_literal_numbers/0 is not defined in jq 1.6"},
		{"trim", `{x: (.a | trim)}`, 1, 11, "trim/0 is not defined in jq 1.6"},
		{"unknown function", `{x: (.a | frobnicate)}`, 1, 11, "frobnicate/0 is not defined"},
		{"wrong arity", `{x: (.a | split)}`, 1, 11, "split/0 is not defined"},
		{"binding key", `"a" as $k | {$k: 1}`, 1, 16, "{$k: value} is rejected by jq 1.6"},
		{"loc key", `{$__loc__}`, 1, 3, "{$__loc__} is rejected by jq 1.6"},
		{"keyword shorthand", `{if}`, 1, 2, "{if} shorthand is rejected by jq 1.6"},
		{"dot bracket", `{x: .a.["b"]}`, 1, 8, ".a.[...] is rejected by jq 1.6"},
		{"undefined variable", `{x: $nope}`, 1, 5, "$nope is not defined"},
		{"reduce variable not in init", `{x: (reduce .[] as $i ($i; .))}`, 1, 24, "$i is not defined"},
		{"function defined later", `{x: (def f: g; def g: 1; f)}`, 1, 13, "g/0 is not defined"},
		{"break without label", `{x: (label $a | break $b)}`, 1, 23, "$*label-b is not defined"},
		{"constant number key", `{(1): 2}`, 1, 2, "Cannot use number (1) as object key"},
		{"folded constant key", `{(1 + 1): 2}`, 1, 2, "Cannot use number (2) as object key"},
		{"constant object key", `{({"a":1,"b":[2]}): 2}`, 1, 2, `Cannot use object ({"a":1,"b":...) as object key`},
		{"division by constant zero", `{x: (1 / 0)}`, 1, 8, "Division by zero?"},
		{"malformed number", `{x: .e17}`, 1, 5, "Invalid numeric literal"},
		{"dots", `{x: ...}`, 1, 5, "Invalid numeric literal"},
		{"non-associative comparison", `{x: (1 == 2 == 3)}`, 1, 13, "syntax error, unexpected '=='"},
		{"invalid escape", `{x: "\q"}`, 1, 6, "Invalid escape"},
		{"lone surrogate", `{x: "\ud800"}`, 1, 6, `Invalid \uXXXX escape`},
		{"carriage return", "{x: .a}\r", 1, 8, "invalid character"},
		{"unterminated string", `{x: "abc}`, 1, 10, "unterminated string"},
		{"unbalanced", `{x: (.a]}`, 1, 8, "invalid character"},
		{"multi-line position", "{\n  a: .a,\n  b: if .b then 1 else 2 end\n}", 3, 6, "unparenthesised if"},
		{"columns count characters", `{"é": 1, b: try .b}`, 1, 13, "unparenthesised try"},
		{"import", `import "x" as x; {a: 1}`, 1, 1, "modules cannot be loaded"},
		{"input", `{x: input}`, 1, 5, "input/0 is valid jq 1.6 but not supported by sesctl"},
		{"inputs", `{x: ([inputs] | length)}`, 1, 7, "inputs/0 is valid jq 1.6 but not supported"},
		{"env", `{x: $ENV.HOME}`, 1, 5, "$ENV is valid jq 1.6 but not supported"},
		{"env function", `{x: env.HOME}`, 1, 5, "env/0 is valid jq 1.6 but not supported"},
		{"loc", `{x: $__loc__.line}`, 1, 6, "$__loc__ is valid jq 1.6 but not supported"},
		{"halt_error", `{x: ("x" | halt_error)}`, 1, 12, "halt_error/0 is valid jq 1.6 but not supported"},
		{"reserved function name", `def _sesctl_index($k): 1; {a: .b[0]}`, 1, 5, "reserved by sesctl"},
		{"reserved variable name", `{a: (.b as $__sesctl_k1 | .c[.d])}`, 1, 13, "reserved by sesctl"},
		{"not an object", `.eventType`, 1, 1, "must construct one object"},
		{"object piped further", `{x: .eventType} | .x`, 1, 1, "must construct one object"},
		{"only definitions", `def f: 1;`, 1, 1, "must construct one object"},
		{"binding around object", `.a as $x | {x: $x}`, 1, 1, "must construct one object"},
		{"computed key", `{(.k): 1}`, 1, 2, "partition keys must be static"},
		{"interpolated key", `{"k\(.a)": 1}`, 1, 2, "partition keys must be static"},
		{"empty object", `{}`, 1, 1, "no keys"},
		{"blank", "  \n ", 1, 1, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.src)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("Compile(%q) = %v, want a *QueryError", tt.src, err)
			}
			if qe.Line != tt.line || qe.Column != tt.col || !strings.Contains(qe.Msg, tt.msg) {
				t.Errorf("Compile(%q):\n got %d:%d %s\nwant %d:%d containing %q", tt.src, qe.Line, qe.Column, qe.Msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestQueryErrorFormat(t *testing.T) {
	_, err := Compile(`{event_type: .x, t: if .a then 1 else 2 end}`)
	want := "query:1:21: syntax error: unparenthesised if as an object value is rejected by jq 1.6 (write (if ... end))"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestCompileLimits(t *testing.T) {
	long := "{a: " + strings.Repeat(" ", MaxQueryLength) + ".a}"
	_, err := Compile(long)
	var qe *QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "at most 5120") {
		t.Errorf("long query: %v", err)
	}
	var keys []string
	for i := 0; i <= MaxKeys; i++ {
		keys = append(keys, "k"+strings.Repeat("x", i)+": .a")
	}
	_, err = Compile("{" + strings.Join(keys, ", ") + "}")
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "at most 50") {
		t.Errorf("51 keys: %v", err)
	}
	deep := strings.Repeat("(", 2000) + strings.Repeat(")", 2000)
	if _, err := Compile("{a: " + deep + "}"); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestCompileAccepts(t *testing.T) {
	tests := []struct {
		src  string
		keys []string
	}{
		{defaultQuery, []string{"sender_identity", "event_type"}},
		{`{SenderIdentity: .mail.tags."ses:sender-identity"[0], EventType:.eventType}`, []string{"SenderIdentity", "EventType"}},
		{`{if: .a, then: .b, end: .c, __loc__: 1, label: 2, break: 3}`, []string{"if", "then", "end", "__loc__", "label", "break"}},
		{`{"event type": .eventType, "a": .a,}`, []string{"event type", "a"}},
		{`{("computed"): .a}`, []string{"computed"}},
		{`{a}`, []string{"a"}},
		{`{"a"}`, []string{"a"}},
		{`{b: 1, a: 2, b: 3}`, []string{"b", "a"}},
		{`({a: 1})`, []string{"a"}},
		{`def dom: split("@") | .[-1]; {d: (.mail.source | dom)}`, []string{"d"}},
		{`module {"a": 1}; {a: 1}`, []string{"a"}},
		{`{a: .b?, c: .d[0]?, e: .f[]?, g: .h[1:2]?}`, []string{"a", "c", "e", "g"}},
		{`{a: -1, b: - .c, c: .d | length, d: @base64, e: @base64 "x\(.y)"}`, []string{"a", "b", "c", "d", "e"}},
		{`{a: .b.c."d"[0], b: .a .b, c: . .d, e: 1., f: .5, g: 00}`, []string{"a", "b", "c", "e", "f", "g"}},
		{`{a: [.b], b: {c: .d}, c: "x", d: $__loc__ | 1}`, nil},
		{`{a: (.b | if . then 1 elif . == 2 then 2 else 3 end)}`, []string{"a"}},
		{`{a: (try error("x") catch .), b: (reduce .[] as $x (0; . + $x))}`, []string{"a", "b"}},
		{`{a: (label $out | 1, break $out), b: (1 as $x | 2 as $y | [$x, $y])}`, []string{"a", "b"}},
		{`{a: (.b as [$x] ?// $x | $x), b: (. as {c: $c, $d, "e": [$e]} | [$c, $d, $e])}`, []string{"a", "b"}},
		{`{a: (.a = 1 | .a), b: (.x |= 1), c: (del(.a) | length)}`, []string{"a", "b", "c"}},
		{`{a: ("abc" | test("B"; "i")), b: (.a | ltrimstr("x") | rtrimstr("y"))}`, []string{"a", "b"}},
		{`{a: (.a | keys_unsorted | length), b: ([leaf_paths] | length), c: (2.5 | lgamma_r | .[1])}`, []string{"a", "b", "c"}},
		{"{\n  a: .a, # a comment\n  b: .b\n}", []string{"a", "b"}},
		{`def a::b: 1; {a: a::b}`, []string{"a"}},
	}
	for _, tt := range tests {
		q, err := Compile(tt.src)
		if strings.Contains(tt.src, "$__loc__") {
			if err == nil {
				t.Errorf("Compile(%q) accepted $__loc__", tt.src)
			}
			if _, gerr := parseProgram(tt.src, ixNative); gerr != nil {
				t.Errorf("gate rejected %q: %v", tt.src, gerr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.src, err)
			continue
		}
		if got := strings.Join(q.Keys(), ","); got != strings.Join(tt.keys, ",") {
			t.Errorf("Keys(%q) = %s, want %s", tt.src, got, strings.Join(tt.keys, ","))
		}
		if q.Source() != tt.src {
			t.Errorf("Source() = %q", q.Source())
		}
	}
}
