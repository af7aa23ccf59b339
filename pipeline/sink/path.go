package sink

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Local path mapping.
//
// S3 keys are literal strings: "a/../b", "a//b" and "/x" are three ordinary
// keys. A local folder must store every key without ever writing outside its
// root, and the mapping must be reversible. Each "/"-separated segment of
// the key becomes one path element, encoded as follows:
//
//	%           -> %25   (always, so every other escape is unambiguous)
//	\           -> %5C   (a path separator on Windows)
//	NUL         -> %00   (not allowed in file names)
//	leading "." -> %2E   (so ".", ".." and hidden names never appear:
//	                      "." -> %2E, ".." -> %2E., ".x" -> %2Ex)
//	empty       -> %     (from "a//b", a leading "/" or a trailing "/")
//
// Every other byte is kept, so ordinary keys map to the same path:
// "events/Bounce/2026/11/22/x.gz" is lake/events/Bounce/2026/11/22/x.gz.
// Because no element is ever empty, "." or "..", and none contains a
// separator, the joined path cannot leave the root; LocalPath checks that
// anyway. KeyFromLocalPath accepts exactly the names this encoding produces.

// LocalPath returns the file path of key under root.
func LocalPath(root, key string) (string, error) {
	if key == "" {
		return "", errors.New("empty object key")
	}
	segs := strings.Split(key, "/")
	elems := make([]string, 0, len(segs)+1)
	elems = append(elems, root)
	for _, s := range segs {
		elems = append(elems, encodeSegment(s))
	}
	p := filepath.Join(elems...)
	rel, err := filepath.Rel(filepath.Clean(root), p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("object key %q maps outside %s", key, root)
	}
	return p, nil
}

// KeyFromLocalPath returns the object key of a file path relative to the
// root (as filepath.Rel gives it). It is the inverse of LocalPath.
func KeyFromLocalPath(rel string) (string, error) {
	if rel == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(rel) {
		return "", fmt.Errorf("path %s is not relative to the folder", rel)
	}
	elems := strings.Split(filepath.ToSlash(rel), "/")
	segs := make([]string, len(elems))
	for i, e := range elems {
		s, err := decodeSegment(e)
		if err != nil {
			return "", fmt.Errorf("path %s: %w", rel, err)
		}
		segs[i] = s
	}
	key := strings.Join(segs, "/")
	if key == "" {
		return "", fmt.Errorf("path %s: the empty object key", rel)
	}
	return key, nil
}

func encodeSegment(s string) string {
	if s == "" {
		return "%"
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%25")
		case c == '\\':
			b.WriteString("%5C")
		case c == 0:
			b.WriteString("%00")
		case c == '.' && i == 0:
			b.WriteString("%2E")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeSegment inverts encodeSegment and rejects names it cannot produce.
func decodeSegment(e string) (string, error) {
	switch {
	case e == "%":
		return "", nil
	case e == "":
		return "", errors.New("empty path element")
	case e[0] == '.':
		return "", fmt.Errorf("%q is a hidden or relative name, not an object", e)
	case strings.ContainsAny(e, "\\\x00"):
		return "", fmt.Errorf("%q contains a character the encoding escapes", e)
	}
	var b strings.Builder
	for i := 0; i < len(e); i++ {
		if e[i] != '%' {
			b.WriteByte(e[i])
			continue
		}
		c, ok := escapes[e[min(i+1, len(e)):min(i+3, len(e))]]
		if !ok || (c == '.' && i != 0) {
			return "", fmt.Errorf("%q has an escape sesctl does not write at byte %d", e, i)
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), nil
}

var escapes = map[string]byte{"25": '%', "5C": '\\', "00": 0, "2E": '.'}
