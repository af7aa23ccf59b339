package jq

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential test runs every query of testdata/queries.txt through
// Debian's jq 1.6 (the JQ-1.6 engine of Firehose) and through this package,
// and compares (a) whether the query compiles and (b) for each record of the
// official SES samples and testdata/records.txt, whether a partition key set
// is extracted and which.

// knownGateDifferences are queries on which the gate deliberately differs
// from jq 1.6. None: the gate agrees with jq 1.6 on the whole corpus.
var knownGateDifferences = map[string]string{}

// knownRuntimeDifferences are (query, record) pairs whose outcome differs
// from jq 1.6 for a documented reason. The record is "*" for all records.
var knownRuntimeDifferences = map[[2]string]string{
	{`{tags: (.mail.tags | to_entries | map(.key) | join(","))}`, "*"}: "object key order: jq 1.6 keeps the record's key order, gojq sorts keys",
}

// Records that are not one strict JSON value (encoding/json.Valid) are
// expected to fail with "Non JSON record provided", Firehose's own check,
// whatever jq 1.6 would make of them (it reads NaN, 01 and concatenated
// values).

func jq16(t testing.TB) string {
	path, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("jq is not on PATH: the differential test needs Debian's jq 1.6 (apt-get install jq)")
	}
	out, err := exec.Command(path, "--version").Output()
	if v := strings.TrimSpace(string(out)); err != nil || v != "jq-1.6" {
		t.Skipf("%s reports version %q, not jq-1.6: skipping the jq 1.6 differential test", path, v)
	}
	return path
}

type testRecord struct {
	name string
	data []byte
}

func loadQueries(t testing.TB) []string {
	data, err := os.ReadFile("testdata/queries.txt")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) != "" {
			qs = append(qs, line)
		}
	}
	return qs
}

func loadRecords(t testing.TB) []testRecord {
	var recs []testRecord
	official, err := os.ReadFile("../../testdata/samples/official.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range bytes.Split(bytes.TrimRight(official, "\n"), []byte("\n")) {
		var ev struct{ EventType string }
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("official sample %d: %v", i+1, err)
		}
		recs = append(recs, testRecord{name: "official:" + ev.EventType, data: line})
	}
	edge, err := os.ReadFile("testdata/records.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(string(edge), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, raw, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("records.txt: no tab in %q", line)
		}
		recs = append(recs, testRecord{name: name, data: []byte(raw)})
	}
	return recs
}

// jqCompiles reports whether jq 1.6 compiles the query (exit 3 = compile error).
func jqCompiles(jqPath, src string) (bool, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jqPath, "-n", src)
	cmd.Stdin = strings.NewReader("")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, "", nil
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return false, stderr.String(), nil
	case errors.As(err, &exit) && exit.ExitCode() == 5:
		return true, "", nil
	}
	return false, stderr.String(), fmt.Errorf("jq -n %q: %v: %s", src, err, stderr.String())
}

type jqOutcome struct {
	outputs []json.RawMessage
	err     string
}

var jqErrLine = regexp.MustCompile(`^jq: error \(at <stdin>:(\d+)\)(.*)$`)

// jqRun runs the query once over all records (one per line) as
// `[input_line_number, (query)]`, so each output and error is attributed to
// its record by line number.
func jqRun(jqPath, src string, recs [][]byte) (map[int]*jqOutcome, error) {
	var in bytes.Buffer
	for _, r := range recs {
		in.Write(r)
		in.WriteByte('\n')
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jqPath, "-c", "[input_line_number, ("+src+")]")
	cmd.Stdin = &in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 5) {
		return nil, fmt.Errorf("jq: %v: %s", err, stderr.String())
	}
	res := map[int]*jqOutcome{}
	get := func(n int) *jqOutcome {
		if res[n] == nil {
			res[n] = &jqOutcome{}
		}
		return res[n]
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var row []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || len(row) == 0 {
			return nil, fmt.Errorf("jq output %q: %v", sc.Text(), err)
		}
		n, err := strconv.Atoi(string(row[0]))
		if err != nil {
			return nil, err
		}
		get(n).outputs = append(get(n).outputs, row[1:]...)
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if m := jqErrLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			msg := strings.TrimPrefix(m[2], ": ")
			get(n).err = msg
		}
	}
	return res, nil
}

// oracle turns jq 1.6's outcome into Firehose's: one object whose keys are
// strings, numbers or booleans (sesctl's rule for arrays and objects).
func oracle(o *jqOutcome, keys []string) ([]string, string) {
	if o == nil {
		return nil, "no output"
	}
	if o.err != "" {
		return nil, o.err
	}
	if len(o.outputs) != 1 {
		return nil, fmt.Sprintf("%d outputs", len(o.outputs))
	}
	dec := json.NewDecoder(bytes.NewReader(o.outputs[0]))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, "output is not an object"
	}
	vals := make([]string, len(keys))
	for i, k := range keys {
		switch v := obj[k].(type) {
		case string:
			if v == "" {
				return nil, MsgNullEmpty
			}
			vals[i] = v
		case json.Number:
			vals[i] = string(v)
		case bool:
			vals[i] = strconv.FormatBool(v)
		case nil:
			return nil, MsgNullEmpty
		default:
			return nil, "array or object value"
		}
	}
	return vals, ""
}

type diffStats struct {
	mu                                  sync.Mutex
	gateAgree, gateAccept, gateReject   int
	compiled, pairs, pairsAgree, known  int
	valuePairs, errorPairs, sameMessage int
	notJSON                             int
	failures                            []string
	documented                          []string
}

func (s *diffStats) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, fmt.Sprintf(format, args...))
}

func TestDifferentialJQ16(t *testing.T) {
	jqPath := jq16(t)
	queries := loadQueries(t)
	recs := loadRecords(t)
	var valid [][]byte
	var validIdx []int
	for i, r := range recs {
		if json.Valid(r.data) {
			valid = append(valid, r.data)
			validIdx = append(validIdx, i)
		}
	}
	st := &diffStats{}
	sem := make(chan struct{}, runtime.NumCPU()+1)
	var wg sync.WaitGroup
	for _, src := range queries {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st.query(jqPath, src, recs, valid, validIdx)
		}()
	}
	wg.Wait()
	t.Logf("(a) gate vs jq 1.6 compile: %d/%d queries agree (%d accepted, %d rejected by both)",
		st.gateAgree, len(queries), st.gateAccept, st.gateReject)
	t.Logf("(b) extraction: %d compiled queries x %d records = %d pairs; %d agree with jq 1.6 (%d values, %d errors, %d of them with the same message), %d documented differences; %d records are not strict JSON (error by rule)",
		st.compiled, len(recs), st.pairs, st.pairsAgree, st.valuePairs, st.errorPairs, st.sameMessage, st.known, st.notJSON/max(st.compiled, 1))
	for _, d := range st.documented {
		t.Logf("documented: %s", d)
	}
	for _, f := range st.failures {
		t.Error(f)
	}
}

func (st *diffStats) query(jqPath, src string, recs []testRecord, valid [][]byte, validIdx []int) {
	_, gateErr := parseProgram(src, ixNative)
	q, compileErr := Compile(src)
	var res map[int]*jqOutcome
	var jqOK bool
	var jqMsg string
	var err error
	if compileErr == nil {
		// An object construction compiles the same inside the wrapper.
		res, err = jqRun(jqPath, src, valid)
		jqOK = err == nil
		if err != nil {
			jqMsg = err.Error()
		}
	} else {
		jqOK, jqMsg, err = jqCompiles(jqPath, src)
		if err != nil {
			st.fail("%v", err)
			return
		}
	}
	st.mu.Lock()
	switch {
	case (gateErr == nil) == jqOK:
		st.gateAgree++
		if jqOK {
			st.gateAccept++
		} else {
			st.gateReject++
		}
	case knownGateDifferences[src] != "":
		st.documented = append(st.documented, src+": "+knownGateDifferences[src])
	default:
		st.failures = append(st.failures, fmt.Sprintf("gate mismatch for %s: gate error %v; jq compiles=%v %s", src, gateErr, jqOK, strings.TrimSpace(jqMsg)))
	}
	st.mu.Unlock()
	if compileErr != nil || !jqOK {
		return // rejected by the gate or by sesctl's policy (shape, unsupported builtins)
	}
	line := map[int]int{} // record index -> jq input line
	for l, i := range validIdx {
		line[i] = l + 1
	}
	st.mu.Lock()
	st.compiled++
	st.mu.Unlock()
	for i, r := range recs {
		var want []string
		var wantErr string
		if l, ok := line[i]; ok {
			want, wantErr = oracle(res[l], q.Keys())
		} else {
			wantErr = MsgNonJSON
			st.mu.Lock()
			st.notJSON++
			st.mu.Unlock()
		}
		st.compare(src, r, q, want, wantErr)
	}
}

func (st *diffStats) compare(src string, r testRecord, q *Query, want []string, wantErr string) {
	got, err := q.Extract(r.data)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.pairs++
	agree := (err != nil) == (wantErr != "") && strings.Join(got, "\x00") == strings.Join(want, "\x00")
	if agree {
		st.pairsAgree++
		if err != nil {
			st.errorPairs++
			if err.Error() == wantErr {
				st.sameMessage++
			} else if os.Getenv("JQDIFF_MESSAGES") != "" {
				st.documented = append(st.documented, fmt.Sprintf("message: %s on %s: sesctl %q, jq %q", src, r.name, err, wantErr))
			}
		} else {
			st.valuePairs++
		}
		return
	}
	for _, key := range [][2]string{{src, r.name}, {src, "*"}} {
		if why, ok := knownRuntimeDifferences[key]; ok {
			st.known++
			st.documented = append(st.documented, fmt.Sprintf("%s on %s: %s", src, r.name, why))
			return
		}
	}
	var ee *ExtractError
	if err != nil && !errors.As(err, &ee) {
		st.failures = append(st.failures, fmt.Sprintf("%s on %s: error is %T, not *ExtractError", src, r.name, err))
	}
	st.failures = append(st.failures, fmt.Sprintf("%s on %s: sesctl %q, %v; jq 1.6 %q, %q", src, r.name, got, err, want, wantErr))
}
