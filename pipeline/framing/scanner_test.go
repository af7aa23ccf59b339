package framing

import "testing"

func TestSingleValue(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{}`, true},
		{`[1,2]`, true},
		{`{"a":{"b":[1]}}`, true},
		{`{"a":"}"}`, true},
		{`{"a":"\\"}`, true},         // escaped backslash, then the closing quote
		{`{"a":"\"}{\""}`, true},     // escaped quotes keep the braces inside
		{`{"a":"\\\"}{"}`, true},     // three backslashes: the quote is escaped
		{`{"a":"\\"}{"b":1}`, false}, // two values
		{`{"a":1}{"b":2}`, false},
		{`{"a":1} x`, false},
		{`{"a":1`, false},
		{`{"a":"1}`, false}, // unterminated string
		{`"s"`, false},      // scalars take the slow path
		{`1`, false},
		{`{]`, true}, // bracket kinds are not matched: the extractor rejects it
		{`{`, false},
		{`}`, false},
	}
	for _, tt := range tests {
		if got := singleValue([]byte(tt.in)); got != tt.want {
			t.Errorf("singleValue(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
