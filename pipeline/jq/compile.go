package jq

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/itchyny/gojq"
)

// unsupported are jq 1.6 builtins whose result depends on how Firehose runs
// its jq process (arguments, environment, input stream, files), which AWS
// does not document. sesctl refuses them instead of guessing.
var unsupported = map[string]string{
	"input/0":             "reads the next input, which depends on how Firehose feeds records to jq",
	"inputs/0":            "reads the remaining inputs, which depends on how Firehose feeds records to jq",
	"input_filename/0":    "depends on how Firehose runs jq",
	"input_line_number/0": "depends on how Firehose runs jq",
	"$__loc__":            "depends on how Firehose wraps the query (its errors show the query on line 2)",
	"$ENV":                "reads Firehose's process environment",
	"env/0":               "reads Firehose's process environment",
	"halt/0":              "stops Firehose's jq process",
	"halt_error/0":        "stops Firehose's jq process",
	"halt_error/1":        "stops Firehose's jq process",
	"get_search_list/0":   "depends on Firehose's jq installation",
	"get_jq_origin/0":     "depends on Firehose's jq installation",
	"get_prog_origin/0":   "depends on Firehose's jq installation",
	"modulemeta/0":        "needs jq modules, which Firehose cannot load",
}

// checkPolicy rejects builtins sesctl cannot reproduce faithfully.
func checkPolicy(src string, prog *program) *QueryError {
	for _, u := range prog.uses {
		if name, ok := strings.CutPrefix(u.key, "reserved:"); ok {
			line, col := position(src, u.pos)
			return &QueryError{Line: line, Column: col, Msg: fmt.Sprintf("%s: names starting with _sesctl_ or __sesctl_ are reserved by sesctl", name)}
		}
		if why, ok := unsupported[u.key]; ok {
			line, col := position(src, u.pos)
			return &QueryError{Line: line, Column: col, Msg: fmt.Sprintf("%s is valid jq 1.6 but not supported by sesctl: it %s", u.key, why)}
		}
	}
	return nil
}

// compileCodes compiles the per-key program with gojq: a fast one for
// Extract and, unless the query uses path expressions, a precise one that
// reproduces jq 1.6's wording of indexing errors.
func (q *Query) compileCodes(src string, prog *program, defs []*gojq.FuncDef, obj *objInfo) error {
	modes := []ixMode{ixBrackets, ixAll}
	if prog.paths {
		modes = []ixMode{ixNative}
	}
	for i, mode := range modes {
		p, qerr := parseProgram(src, mode)
		if qerr != nil {
			return qerr
		}
		o, d, qerr := topObject(src, p)
		if qerr != nil {
			return qerr
		}
		code, err := gojq.Compile(valuesQuery(d, o), compilerOptions...)
		if err != nil {
			return &QueryError{Line: 1, Column: 1, Msg: "valid jq 1.6 that sesctl's engine (gojq) cannot compile: " + err.Error()}
		}
		if i == 0 {
			q.fast = code
		} else {
			q.precise = code
		}
	}
	return nil
}

// valuesQuery builds `[[v1], [v2], ...]` with the prelude and the user's
// definitions in scope: every key value collected separately.
func valuesQuery(defs []*gojq.FuncDef, obj *objInfo) *gojq.Query {
	var list *gojq.Query
	for _, pair := range obj.pairs {
		item := &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeArray, Array: &gojq.Array{Query: pair.val}}}
		if list == nil {
			list = item
		} else {
			list = &gojq.Query{Left: list, Op: gojq.OpComma, Right: item}
		}
	}
	body := &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeArray, Array: &gojq.Array{Query: list}}}
	all := append(preludeDefs(), defs...)
	return &gojq.Query{FuncDefs: all, Term: &gojq.Term{Type: gojq.TermTypeQuery, Query: body}}
}

// prelude redefines, in the query's outermost scope, the jq 1.6 builtins
// whose gojq behaviour differs. User definitions still shadow them, and
// gojq's own string interpolation and @formats resolve to them as well.
const prelude = `
def tostring: _sesctl_tostring;
def tojson: _sesctl_tojson;
def format($f): _sesctl_format($f);
def _tohtml: _sesctl_format("html");
def _touri: _sesctl_format("uri");
def _tourid: _sesctl_format("urid");
def _tocsv: _sesctl_format("csv");
def _totsv: _sesctl_format("tsv");
def _tosh: _sesctl_format("sh");
def _tobase64: _sesctl_format("base64");
def _tobase64d: _sesctl_format("base64d");
def ltrimstr($x): _sesctl_ltrimstr($x);
def rtrimstr($x): _sesctl_rtrimstr($x);
def startswith($x): _sesctl_startswith($x);
def endswith($x): _sesctl_endswith($x);
def split($x): _sesctl_split($x);
def indices($i): _sesctl_indices($i);
def index($i): _sesctl_indices($i) | _sesctl_index(0);
def rindex($i): _sesctl_indices($i) | _sesctl_slice(-1; null) | _sesctl_index(0);
def join($x): _sesctl_join($x);
def ascii_downcase: _sesctl_ascii_downcase;
def ascii_upcase: _sesctl_ascii_upcase;
def strptime($f): _sesctl_strptime($f);
def mktime: _sesctl_mktime;
def gmtime: _sesctl_gmtime("gmtime");
def localtime: _sesctl_gmtime("localtime");
def strftime($f): _sesctl_strftime($f; "strftime");
def strflocaltime($f): _sesctl_strftime($f; "strflocaltime");
def todateiso8601: strftime("%Y-%m-%dT%H:%M:%SZ");
def todate: todateiso8601;
def fromdateiso8601: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime;
def fromdate: fromdateiso8601;
def limit($n; f): if $n < 0 then f else label $out | foreach f as $item (0; . + 1; $item, if . >= $n then break $out else empty end) end;
def keys_unsorted: keys;
def leaf_paths: paths(scalars);
def debug: .;
def stderr: .;
def builtins: _sesctl_builtins;
def tonumber: _sesctl_tonumber;
def error: if . == null then empty else _sesctl_error end;
def error($x): $x | error;
def lgamma_r: _sesctl_lgamma_r;
def pow10: _sesctl_pow10;
`

func preludeDefs() []*gojq.FuncDef {
	q, err := gojq.Parse(prelude)
	if err != nil {
		panic("jq prelude: " + err.Error()) // a bug in a constant, caught by every test
	}
	return q.FuncDefs
}

var compilerOptions = func() []gojq.CompilerOption {
	var opts []gojq.CompilerOption
	for _, f := range goFuncs {
		opts = append(opts, gojq.WithFunction(f.name, f.min, f.max, f.fn))
	}
	return opts
}()

// jqError is an error raised with jq 1.6's message; try/catch sees the
// message string, as in jq.
type jqError string

func (e jqError) Error() string { return string(e) }
func (e jqError) Value() any    { return string(e) }

func jqErrorf(format string, args ...any) error { return jqError(fmt.Sprintf(format, args...)) }

// preview is jq's "kind (value)" used in type errors (value cut at 11 bytes).
func preview(v any) string { return kindName(v) + " (" + truncDump(v, 15) + ")" }

// jqMessage turns a gojq runtime error into jq 1.6's wording where the
// mapping is known.
func jqMessage(err error) string {
	if ve, ok := err.(gojq.ValueError); ok {
		if s, ok := ve.Value().(string); ok {
			return s
		}
		return dumpJSON(ve.Value()) + " (not a string)"
	}
	msg := err.Error()
	for _, t := range translations {
		if m := t.re.FindStringSubmatch(msg); m != nil {
			return t.fn(m)
		}
	}
	return msg
}

var translations = []struct {
	re *regexp.Regexp
	fn func([]string) string
}{
	{regexp.MustCompile(`^cannot iterate over: (.*)$`), func(m []string) string {
		return "Cannot iterate over " + jqPreview(m[1])
	}},
	{regexp.MustCompile(`^cannot (add|subtract|multiply|divide|modulo): (.*) and (.*)$`), func(m []string) string {
		verb := map[string]string{"add": "added", "subtract": "subtracted", "multiply": "multiplied",
			"divide": "divided", "modulo": "divided (remainder)"}[m[1]]
		return jqPreview(m[2]) + " and " + jqPreview(m[3]) + " cannot be " + verb
	}},
	{regexp.MustCompile(`^cannot (divide|modulo) (.*) by: (.*)$`), func(m []string) string {
		verb := map[string]string{"divide": "divided", "modulo": "divided (remainder)"}[m[1]]
		return jqPreview(m[2]) + " and " + jqPreview(m[3]) + " cannot be " + verb + " because the divisor is zero"
	}},
	{regexp.MustCompile(`^cannot negate: (.*)$`), func(m []string) string { return jqPreview(m[1]) + " cannot be negated" }},
	{regexp.MustCompile(`^expected a string for object key but got: (.*)$`), func(m []string) string {
		return "Cannot use " + jqPreview(m[1]) + " as object key"
	}},
	{regexp.MustCompile(`^expected an? (object|array) but got: (\w+)`), func(m []string) string {
		return "Cannot index " + m[2]
	}},
	{regexp.MustCompile(`^(test|match|capture|scan|split|splits|sub|gsub)\(.*\) cannot be applied to: (.*)$`), func(m []string) string {
		return jqPreview(m[2]) + " cannot be matched, as it is not a string"
	}},
	{regexp.MustCompile(`^length cannot be applied to: (.*)$`), func(m []string) string { return jqPreview(m[1]) + " has no length" }},
	{regexp.MustCompile(`^(keys|to_entries) cannot be applied to: (.*)$`), func(m []string) string { return jqPreview(m[2]) + " has no keys" }},
	{regexp.MustCompile(`^tonumber cannot be applied to: (.*)$`), func(m []string) string {
		return jqPreview(m[1]) + " cannot be parsed as a number"
	}},
}

// jqPreview adapts gojq's "type (value)" previews to jq's (null has one too).
func jqPreview(s string) string {
	if s == "null" {
		return "null (null)"
	}
	return strings.TrimSpace(s)
}
