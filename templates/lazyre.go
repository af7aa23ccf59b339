package templates

import (
	"regexp"
	"sync"
)

// lazyRegexp is a regular expression compiled on first use. Every sesctl
// command links this package, and compiling its patterns at start-up
// (counted repetitions such as {1,512} expand into long programs) took
// about 10 ms of every run, replay's included, before any command began.
type lazyRegexp struct {
	expr string
	get  func() *regexp.Regexp // compiles once, on the first call
}

// lazyRegexps lists every pattern, so a test can compile them all.
var lazyRegexps []*lazyRegexp

func lazyRE(expr string) *lazyRegexp {
	l := &lazyRegexp{expr: expr, get: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
	lazyRegexps = append(lazyRegexps, l)
	return l
}

func (l *lazyRegexp) String() string { return l.expr }

func (l *lazyRegexp) MatchString(s string) bool { return l.get().MatchString(s) }

func (l *lazyRegexp) FindStringSubmatch(s string) []string { return l.get().FindStringSubmatch(s) }

func (l *lazyRegexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.get().FindAllStringSubmatch(s, n)
}

func (l *lazyRegexp) ReplaceAllStringFunc(s string, f func(string) string) string {
	return l.get().ReplaceAllStringFunc(s, f)
}
