package sink_test

import (
	"fmt"
	"path/filepath"

	"github.com/sesctl/sesctl/pipeline/sink"
)

func ExampleLocalPath() {
	for _, key := range []string{
		"events/example.com/Rendering Failure/2026/11/22/x.gz",
		"../../etc/passwd",
		"a//b/",
		"/abs/.hidden",
		"100%/x",
	} {
		p, _ := sink.LocalPath("lake", key)
		rel, _ := filepath.Rel("lake", p)
		back, _ := sink.KeyFromLocalPath(rel)
		fmt.Printf("%-22q -> %s (back: %q)\n", key, filepath.ToSlash(p), back)
	}
	// Output:
	// "events/example.com/Rendering Failure/2026/11/22/x.gz" -> lake/events/example.com/Rendering Failure/2026/11/22/x.gz (back: "events/example.com/Rendering Failure/2026/11/22/x.gz")
	// "../../etc/passwd"     -> lake/%2E./%2E./etc/passwd (back: "../../etc/passwd")
	// "a//b/"                -> lake/a/%/b/% (back: "a//b/")
	// "/abs/.hidden"         -> lake/%/abs/%2Ehidden (back: "/abs/.hidden")
	// "100%/x"               -> lake/100%25/x (back: "100%/x")
}
