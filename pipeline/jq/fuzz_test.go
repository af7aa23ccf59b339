package jq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/itchyny/gojq"
)

var fuzzSeeds = []string{
	defaultQuery,
	`{SenderIdentity: .mail.tags."ses:sender-identity"[0], EventType:.eventType}`,
	`{a: if .a then 1 else 2 end}`, `{a: (if .a then 1 end)}`, `{a: .a // 1}`, `{$__loc__}`,
	`"a" as $k | {$k: 1}`, `.a.["b"]`, `{a: .e17}`, `{a: ...}`, `..5`, `.a?//1`, `{a: 1.}`,
	`{a: (label $f | break $g)}`, `{(1+1): 2}`, `{a: (1/0)}`, `def f: g; def g: 1; f`,
	`reduce .[] as [$a, {b: $c}] (0; . + $a + $c)`, `. as [$a] ?// $a | $a`,
	`try error("x") catch .`, `"\(1 + 2)x\("y")"`, `@base64 "x\(.)"`, `{"a\(1)"}`,
	`-1 + 2 * -3 | . as $x | $x`, `1 == 2 == 3`, `.a = 1 | .b |= 2`, `1 as $x | $ x`,
	`{if: 1, then: 2}`, `{if}`, `def a::b: 1; 1`, `$__loc__`, `module {a: 1}; .`,
	`include "x"; .`, "{a: .a}\r", `"\ud800"`, `"\u00e9"`, `. .a`, `1 .a`, `.[]?.a?`,
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	record := []byte(`{"eventType":"Send","mail":{"source":"a@b.c","destination":["x@y.z"],"timestamp":"2017-08-05T00:40:02.012Z","tags":{"t":["v"]}},"n":1}`)
	f.Fuzz(func(t *testing.T, src string) {
		prog, gateErr := parseProgram(src, ixNative)
		if gateErr == nil {
			checkGojqCompiles(t, src, prog)
		}
		q, err := Compile(src)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Line < 1 || qe.Column < 1 {
				t.Fatalf("Compile(%q) = %v, want a positioned *QueryError", src, err)
			}
			if strings.Contains(qe.Msg, "cannot compile") {
				t.Fatalf("gate accepted %q but gojq refused it: %v", src, err)
			}
			return
		}
		if len(q.Keys()) == 0 || len(q.Keys()) > MaxKeys {
			t.Fatalf("Compile(%q): %d keys", src, len(q.Keys()))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		vals, err := q.ExtractContext(ctx, record)
		var ee *ExtractError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("Extract: %T %v", err, err)
		}
		if err == nil && len(vals) != len(q.Keys()) {
			t.Fatalf("Extract: %d values for %d keys", len(vals), len(q.Keys()))
		}
	})
}

// checkGojqCompiles: whatever the gate accepts, gojq compiles (except the
// builtins sesctl refuses on purpose).
func checkGojqCompiles(t *testing.T, src string, prog *program) {
	for _, u := range prog.uses {
		if _, ok := unsupported[u.key]; ok {
			return
		}
	}
	q := &gojq.Query{FuncDefs: preludeDefs(), Term: &gojq.Term{Type: gojq.TermTypeQuery, Query: prog.query}}
	if _, err := gojq.Compile(q, compilerOptions...); err != nil {
		t.Fatalf("gate accepted %q but gojq refused it: %v", src, err)
	}
}

// FuzzGateJQ16 compares the gate with jq 1.6's compiler. Without jq 1.6 it
// only checks that the gate does not crash.
func FuzzGateJQ16(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	jqPath := ""
	if p, err := exec.LookPath("jq"); err == nil {
		if out, err := exec.Command(p, "--version").Output(); err == nil && strings.TrimSpace(string(out)) == "jq-1.6" {
			jqPath = p
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, gateErr := parseProgram(src, ixNative)
		if jqPath == "" || strings.ContainsRune(src, 0) || !utf8.ValidString(src) {
			return
		}
		jqOK, msg, err := jqCompilesQuick(jqPath, src)
		if err != nil {
			t.Skip(err)
		}
		if jqOK != (gateErr == nil) {
			t.Fatalf("%q: gate error %v, jq 1.6 compiles=%v %s", src, gateErr, jqOK, msg)
		}
	})
}

// jqCompilesQuick runs `jq -n` with a short timeout; a program still running
// when it expires has compiled.
func jqCompilesQuick(jqPath, src string) (bool, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jqPath, "-n", " "+src)
	cmd.Stdin = strings.NewReader("")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return true, "", nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return false, stderr.String(), nil
	}
	if errors.As(err, &exit) && exit.ExitCode() == 2 {
		return false, "", errors.New("jq usage error: " + stderr.String())
	}
	return true, "", nil
}

// FuzzDecodeRecord checks the record decoder against encoding/json.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[1,"x",null,true,false,{"b":[]}]`, `1e1000`, `-0`, `"\ud83d\ude00"`,
		`"\ud800"`, `{"a":1}{"b":2}`, `NaN`, `01`, "\"\xff\"", `{"a":"\u0000"}`, ` {} `, `[1,]`, `"\q"`} {
		f.Add([]byte(s))
	}
	trie := &pathTrie{kids: map[string]*pathTrie{"a": {all: true}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeRecord(data, nil)
		valid := json.Valid(data)
		if err == nil && !valid {
			t.Fatalf("decoded invalid JSON %q", data)
		}
		if err != nil {
			if valid && !strings.Contains(err.Error(), "depth") && !bytes.Contains(data, []byte(`\u`)) {
				t.Fatalf("rejected valid JSON %q: %v", data, err)
			}
			return
		}
		var ref any
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&ref); err == nil && dumpJSON(ref) != dumpJSON(v) {
			t.Fatalf("%q: decoded %s, encoding/json %s", data, dumpJSON(v), dumpJSON(ref))
		}
		pv, perr := decodeRecord(data, trie)
		if (perr == nil) != (err == nil) {
			t.Fatalf("%q: pruned decoding error %v, full %v", data, perr, err)
		}
		if m, ok := v.(map[string]any); ok {
			if dumpJSON(pv.(map[string]any)["a"]) != dumpJSON(m["a"]) {
				t.Fatalf("%q: pruned member differs", data)
			}
		}
	})
}
