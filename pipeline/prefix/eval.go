package prefix

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"
)

// Values are what an evaluation substitutes: partition keys from the jq
// query, the instant for every timestamp expression (already in the
// stream's time zone), the error output type (error prefix only) and the
// random-string generator (nil: crypto/rand).
type Values struct {
	Keys            map[string]string
	Time            time.Time
	ErrorOutputType string
	RandomString    func() string
}

// Eval evaluates the prefix. Every timestamp expression formats the same
// instant, every random-string is a new value, partition keys are inserted
// literally (S3 keys are literal; path safety is the sink's job). A missing
// or empty key, a missing error output type, or a result longer than 512
// characters is an error.
func (p *Prefix) Eval(v Values) (string, error) {
	b, err := p.AppendEval(make([]byte, 0, p.size), v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendEval is Eval appending to dst.
func (p *Prefix) AppendEval(dst []byte, v Values) ([]byte, error) {
	start := len(dst)
	var fs fields
	haveFields := false
	for _, part := range p.parts {
		switch part.Namespace {
		case "":
			dst = append(dst, part.Literal...)
		case NamespaceTimestamp:
			if !haveFields {
				fs.init(v.Time)
				haveFields = true
			}
			dst = part.Time.appendFields(dst, &fs)
		case NamespaceQuery:
			val, ok := v.Keys[part.Value]
			if !ok {
				return dst[:start], ruleErr(RuleMissingKey, "prefix %q: no value for partition key %q", p.raw, part.Value)
			}
			if val == "" {
				return dst[:start], ruleErr(RuleEmptyKey, "prefix %q: partition key %q is empty (Firehose refuses null or empty keys)", p.raw, part.Value)
			}
			dst = append(dst, val...)
		case NamespaceFirehose:
			var err error
			if dst, err = p.appendFirehose(dst, part.Value, v); err != nil {
				return dst[:start], err
			}
		}
	}
	if n := evaluatedLength(dst[start:]); n > MaxEvaluatedLength {
		return dst[:start], ruleErr(RuleEvaluatedTooLong, "prefix %q evaluates to %d characters; Firehose allows at most %d", p.raw, n, MaxEvaluatedLength)
	}
	return dst, nil
}

func (p *Prefix) appendFirehose(dst []byte, value string, v Values) ([]byte, error) {
	if value == FirehoseErrorOutput {
		if v.ErrorOutputType == "" {
			return dst, ruleErr(RuleNoErrorOutputType, "prefix %q uses !{firehose:error-output-type} but no error output type was given (it exists only in the error prefix)", p.raw)
		}
		return append(dst, v.ErrorOutputType...), nil
	}
	gen := v.RandomString
	if gen == nil {
		gen = defaultRandom
	}
	return append(dst, gen()...), nil
}

// RandomStringLength is the length of !{firehose:random-string}.
const RandomStringLength = 11

var defaultRandom = NewRandomString(nil)

// NewRandomString returns a generator of 11-character lowercase hex strings,
// like the documentation's example "5abf82daaa5", read from r (nil:
// crypto/rand). If r fails, crypto/rand is used for that call. Firehose's
// exact alphabet is not documented (its other example, "046b6c7f-0b", has a
// hyphen). The generator is safe for concurrent use when r is (nil is).
func NewRandomString(r io.Reader) func() string {
	return func() string {
		var raw [6]byte
		if r == nil || readFull(r, raw[:]) != nil {
			_, _ = rand.Read(raw[:]) // never fails (Go 1.24+)
		}
		var out [12]byte
		hex.Encode(out[:], raw[:])
		return string(out[:RandomStringLength])
	}
}

func readFull(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	return err
}
