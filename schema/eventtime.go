package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// FieldError is a problem with one field of a record, named by its JSON path
// (bounce.timestamp, mail.timestamp, ...).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// EventTime returns the time the event happened, by the event-time rule: the
// timestamp of the event's own object (bounce.timestamp, complaint.timestamp,
// delivery.timestamp, open/click/deliveryDelay/subscription.timestamp), or
// mail.timestamp for Send, Reject and Rendering Failure, which carry none.
// When the type object has no timestamp, or the type is missing or unknown,
// mail.timestamp is used. SNS feedback notifications (notificationType
// instead of eventType) follow the same rule.
//
// EventTime scans the record without decoding it; it is not a validator
// (Validate is). Errors are *FieldError naming the field.
func EventTime(record []byte) (time.Time, error) {
	var sc topScan
	if err := sc.scan(record); err != nil {
		return time.Time{}, err
	}
	idx := -1
	if sc.eventType != nil {
		idx = typeIndex(string(sc.eventType))
	}
	if idx >= 0 && eventTable[idx].TimeField != "mail.timestamp" && sc.objects[idx].found {
		return parseTimeField(eventTable[idx].TimeField, sc.objects[idx].raw)
	}
	if !sc.mail.found {
		return time.Time{}, missingTime(idx, sc.mail.isObject)
	}
	return parseTimeField("mail.timestamp", sc.mail.raw)
}

func missingTime(idx int, haveMail bool) error {
	field := "mail.timestamp"
	if idx >= 0 && eventTable[idx].TimeField != field {
		field = eventTable[idx].TimeField + " and mail.timestamp"
	}
	if !haveMail {
		return &FieldError{Field: "mail", Msg: "missing or not an object, so there is no " + field}
	}
	return &FieldError{Field: field, Msg: "missing"}
}

func parseTimeField(field string, raw []byte) (time.Time, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return time.Time{}, &FieldError{Field: field, Msg: fmt.Sprintf("is %s, not a string", raw)}
	}
	content := raw[1 : len(raw)-1]
	if t, ok := parseFast(content); ok {
		return t, nil
	}
	s, err := unquoteRaw(content)
	if err != nil {
		return time.Time{}, &FieldError{Field: field, Msg: err.Error()}
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}, &FieldError{Field: field, Msg: fmt.Sprintf("%q is %v", s, err)}
	}
	return t, nil
}

// tsSlot is what the scan keeps of an object member: whether it was an
// object and the raw JSON value of its "timestamp" member.
type tsSlot struct {
	isObject bool
	found    bool
	raw      []byte
}

// topScan collects, in one pass over a record, the eventType (or
// notificationType) string and the timestamps of mail and of each type
// object. Later duplicate keys win, as in encoding/json and jq.
type topScan struct {
	eventType []byte // string content, escapes resolved
	haveET    bool
	mail      tsSlot
	objects   [10]tsSlot // indexed like eventTable
}

func (sc *topScan) scan(b []byte) error {
	s := scanner{b: b}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return &FieldError{Msg: "record is not a JSON object"}
	}
	return s.members(func(rawKey []byte) error { return sc.member(&s, rawKey) })
}

// member consumes the value of one top-level member.
func (sc *topScan) member(s *scanner, rawKey []byte) error {
	if bytes.IndexByte(rawKey, '\\') >= 0 {
		k, err := unquoteRaw(rawKey)
		if err != nil {
			return s.skip()
		}
		return sc.named(s, k)
	}
	return sc.named(s, string(rawKey)) // short keys convert on the stack
}

func (sc *topScan) named(s *scanner, key string) error {
	switch key {
	case "eventType", "notificationType":
		start := s.i
		if err := s.skip(); err != nil {
			return err
		}
		if key == "eventType" {
			sc.eventType, sc.haveET = stringContent(s.b[start:s.i]), true
		} else if !sc.haveET {
			sc.eventType = stringContent(s.b[start:s.i])
		}
		return nil
	case "mail":
		return s.objectTimestamp(&sc.mail)
	}
	if i := keyIndex(key); i >= 0 {
		return s.objectTimestamp(&sc.objects[i])
	}
	return s.skip()
}

// stringContent returns the content of a JSON string value with escapes
// resolved, or nil when val is not a string.
func stringContent(val []byte) []byte {
	if len(val) < 2 || val[0] != '"' {
		return nil
	}
	inner := val[1 : len(val)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	s, err := unquoteRaw(inner)
	if err != nil {
		return nil
	}
	return []byte(s)
}

// objectTimestamp consumes one value. When it is an object, slot records
// that and the raw value of its "timestamp" member, if any.
func (s *scanner) objectTimestamp(slot *tsSlot) error {
	*slot = tsSlot{}
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.skip()
	}
	slot.isObject = true
	return s.members(func(key []byte) error {
		start := s.i
		if err := s.skip(); err != nil {
			return err
		}
		if isTimestampKey(key) {
			slot.found, slot.raw = true, s.b[start:s.i]
		}
		return nil
	})
}

// members walks the object at s.i, calling member with each raw key while
// s is positioned at the value; member must consume the value.
func (s *scanner) members(member func(key []byte) error) error {
	s.i++ // '{'
	s.ws()
	if s.expect('}') {
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if !s.expect(':') {
			return s.syntax("expected ':'")
		}
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		if s.expect(',') {
			s.ws()
			continue
		}
		if s.expect('}') {
			return nil
		}
		return s.syntax("expected ',' or '}'")
	}
}

func isTimestampKey(k []byte) bool {
	if string(k) == "timestamp" {
		return true
	}
	if bytes.IndexByte(k, '\\') < 0 {
		return false
	}
	s, err := unquoteRaw(k)
	return err == nil && s == "timestamp"
}

// unquoteRaw resolves the escapes of a JSON string's content (no quotes).
func unquoteRaw(content []byte) (string, error) {
	if bytes.IndexByte(content, '\\') < 0 {
		return string(content), nil
	}
	buf := make([]byte, 0, len(content)+2)
	buf = append(buf, '"')
	buf = append(buf, content...)
	buf = append(buf, '"')
	var s string
	if err := json.Unmarshal(buf, &s); err != nil {
		return "", fmt.Errorf("bad string escape: %w", err)
	}
	return s, nil
}

// scanner walks JSON bytes just enough to find value boundaries. It checks
// structure (brackets, strings) but not every detail of number syntax.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) expect(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) syntax(msg string) error {
	if s.i >= len(s.b) {
		return &FieldError{Msg: "invalid JSON: unexpected end of record"}
	}
	return &FieldError{Msg: fmt.Sprintf("invalid JSON at byte %d: %s", s.i, msg)}
}

// str reads a JSON string and returns its raw content (escapes kept).
func (s *scanner) str() ([]byte, error) {
	if !s.expect('"') {
		return nil, s.syntax("expected a string")
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			s.i = len(s.b)
			return nil, s.syntax("unterminated string")
		}
		s.i += j + 1
		// The quote ends the string unless an odd number of backslashes
		// precede it.
		n := 0
		for k := s.i - 2; k >= start && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return s.b[start : s.i-1], nil
		}
	}
}

// skip moves past one JSON value.
func (s *scanner) skip() error {
	if s.i >= len(s.b) {
		return s.syntax("expected a value")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{' || c == '[':
		return s.skipNested()
	case c == '-' || (c >= '0' && c <= '9'):
		for s.i < len(s.b) && isNumberByte(s.b[s.i]) {
			s.i++
		}
		return nil
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return nil
			}
		}
		return s.syntax("expected a value")
	}
}

// skipNested skips an object or array, tracking only brackets and strings.
func (s *scanner) skipNested() error {
	var arr [32]byte
	stack := arr[:0]
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
			continue
		case '{', '[':
			stack = append(stack, c+2) // '{'+2 == '}', '['+2 == ']'
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return s.syntax("mismatched bracket")
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return s.syntax("unterminated object or array")
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
