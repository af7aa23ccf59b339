package jq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// knownBuiltinDifferences are expressions whose result differs from jq 1.6
// for a documented reason.
var knownBuiltinDifferences = map[string]string{}

// TestBuiltinsJQ16 evaluates testdata/expressions.txt with jq 1.6 and with
// this package (as {x: ([EXPR | tojson] | tojson)}) and compares results and
// error messages.
func TestBuiltinsJQ16(t *testing.T) {
	jqPath := jq16(t)
	data, err := os.ReadFile("testdata/expressions.txt")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU()+1)
	n, same := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		input, expr, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("no tab in %q", line)
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			want, wantErr := jqEval(t, jqPath, input, expr)
			got, gotErr := sesctlEval(input, expr)
			mu.Lock()
			defer mu.Unlock()
			n++
			switch {
			case got == want && gotErr == wantErr:
				same++
			case knownBuiltinDifferences[expr] != "":
				t.Logf("documented: %s: %s", expr, knownBuiltinDifferences[expr])
			default:
				t.Errorf("%s | %s:\n sesctl %s %q\n jq 1.6 %s %q", input, expr, got, gotErr, want, wantErr)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d/%d expressions give the same result or error message as jq 1.6", same, n)
}

var jqStderr = regexp.MustCompile(`(?m)^jq: error \(at <stdin>:\d+\): (.*)$`)

func jqEval(t *testing.T, jqPath, input, expr string) (string, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jqPath, "-c", "[("+expr+") | tojson] | tojson")
	cmd.Stdin = strings.NewReader(input + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 5) {
		return "crash", strings.TrimSpace(stderr.String())
	}
	if m := jqStderr.FindStringSubmatch(stderr.String()); m != nil {
		return "", m[1]
	}
	var s string
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Errorf("jq output %q for %s: %v", stdout.String(), expr, err)
	}
	return s, ""
}

func sesctlEval(input, expr string) (string, string) {
	q, err := Compile("{x: ([(" + expr + ") | tojson] | tojson)}")
	if err != nil {
		return "", "compile: " + err.Error()
	}
	vals, err := q.Extract([]byte(input))
	if err != nil {
		return "", err.Error()
	}
	return vals[0], ""
}
