package jq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// knownBuiltinDifferences are expressions whose result differs from jq 1.6
// for a documented reason.
var knownBuiltinDifferences = map[string]string{}

// TestBuiltinsJQ16 evaluates testdata/expressions.txt with jq 1.6 and with
// this package (as {x: ([EXPR | tojson] | tojson)}) and compares results and
// error messages. jq runs once: input line N selects expression N.
func TestBuiltinsJQ16(t *testing.T) {
	jqPath := jq16(t)
	data, err := os.ReadFile("testdata/expressions.txt")
	if err != nil {
		t.Fatal(err)
	}
	var inputs, exprs []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		input, expr, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("no tab in %q", line)
		}
		inputs, exprs = append(inputs, input), append(exprs, expr)
	}
	want, err := jqEvalAll(jqPath, inputs, exprs)
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for i, expr := range exprs {
		got, gotErr := sesctlEval(inputs[i], expr)
		switch w := want[i+1]; {
		case w != nil && got == w.val && gotErr == w.err:
			same++
		case knownBuiltinDifferences[expr] != "":
			t.Logf("documented: %s: %s", expr, knownBuiltinDifferences[expr])
		case w == nil:
			t.Errorf("%s | %s: no result from jq 1.6", inputs[i], expr)
		default:
			t.Errorf("%s | %s:\n sesctl %s %q\n jq 1.6 %s %q", inputs[i], expr, got, gotErr, w.val, w.err)
		}
	}
	t.Logf("%d/%d expressions give the same result or error message as jq 1.6", same, len(exprs))
}

type evalResult struct{ val, err string }

var jqStderr = regexp.MustCompile(`^jq: error \(at <stdin>:(\d+)\): (.*)$`)

// jqEvalAll runs `[N, (if input_line_number == 1 then E1 elif ... end)]`.
func jqEvalAll(jqPath string, inputs, exprs []string) (map[int]*evalResult, error) {
	var prog strings.Builder
	prog.WriteString("[input_line_number, (")
	for i, e := range exprs {
		if i > 0 {
			prog.WriteString(" el")
		}
		fmt.Fprintf(&prog, "if input_line_number == %d then ([(%s) | tojson] | tojson)\n", i+1, e)
	}
	prog.WriteString(" else error(\"no expression\") end)]")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jqPath, "-c", prog.String())
	cmd.Stdin = strings.NewReader(strings.Join(inputs, "\n") + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 5) {
		return nil, fmt.Errorf("jq: %v: %s", err, stderr.String())
	}
	res := map[int]*evalResult{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var row []json.RawMessage
		if err := json.Unmarshal([]byte(line), &row); err != nil || len(row) != 2 {
			return nil, fmt.Errorf("jq output %q: %v", line, err)
		}
		var n int
		var s string
		if json.Unmarshal(row[0], &n) != nil || json.Unmarshal(row[1], &s) != nil {
			return nil, fmt.Errorf("jq output %q", line)
		}
		res[n] = &evalResult{val: s}
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if m := jqStderr.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			res[n] = &evalResult{err: m[2]}
		}
	}
	return res, nil
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
