package templates

import (
	"regexp"
	"testing"
)

// TestLazyRegexpsCompile: the patterns compile only when first used, so
// a broken one would otherwise surface as a panic in whichever command
// happens to need it.
func TestLazyRegexpsCompile(t *testing.T) {
	if len(lazyRegexps) == 0 {
		t.Fatal("no patterns registered")
	}
	for _, l := range lazyRegexps {
		if _, err := regexp.Compile(l.expr); err != nil {
			t.Errorf("%s: %v", l.expr, err)
		}
		if l.get().String() != l.String() {
			t.Errorf("%s: compiled as %s", l.expr, l.get())
		}
	}
}
