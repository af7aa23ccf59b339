package jq

import (
	_ "embed"
	"strings"
)

// jq16Builtins is the output of `jq -n -r 'builtins|.[]'` from Debian's jq
// 1.6 (the engine Firehose runs as JQ-1.6), captured once.
//
//go:embed testdata/jq16-builtins.txt
var jq16BuiltinsText string

var jq16Builtins = func() map[string]bool {
	m := make(map[string]bool)
	for _, line := range strings.Split(jq16BuiltinsText, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = true
		}
	}
	return m
}()

// newerBuiltins are jq 1.7+ (or gojq-only) functions that users reach for and
// that jq 1.6 does not define, with a hint for the error message.
var newerBuiltins = map[string]string{
	"pick/1":                 "jq 1.7",
	"debug/1":                "jq 1.7",
	"scan/2":                 "jq 1.7",
	"abs/0":                  "jq 1.7.1",
	"toarray/0":              "jq 1.7.1",
	"have_literal_numbers/0": "jq 1.7",
	"have_decnum/0":          "jq 1.7",
	"trim/0":                 "jq 1.7.1",
	"ltrim/0":                "jq 1.7.1",
	"rtrim/0":                "jq 1.7.1",
	"trimstr/1":              "jq 1.8",
	"add/1":                  "jq 1.7.1",
	"skip/2":                 "jq 1.8",
	"limit/3":                "jq 1.8",
	"getpath/2":              "no jq version",
	"splits/3":               "no jq version",
	"ascii/0":                "gojq",
	"todate/1":               "no jq version",
	"dateadd/2":              "jq 1.5 (removed in 1.6)",
	"datesub/2":              "jq 1.5 (removed in 1.6)",
	"date/0":                 "jq 1.5 (removed in 1.6)",
	"tojson/1":               "no jq version",
	"halt_error/2":           "no jq version",
	"getpath/0":              "no jq version",
	"to_number/0":            "no jq version",
	"@base32d":               "jq 1.7",
}

// scope is one lexical level of function, variable and label bindings.
type scope struct {
	parent *scope
	funcs  map[string]bool // "name/arity"
	vars   map[string]bool // without '$'
	labels map[string]bool
}

func (s *scope) child() *scope { return &scope{parent: s} }

func (s *scope) addFunc(key string) {
	if s.funcs == nil {
		s.funcs = make(map[string]bool)
	}
	s.funcs[key] = true
}

func (s *scope) addVar(name string) {
	if s.vars == nil {
		s.vars = make(map[string]bool)
	}
	s.vars[name] = true
}

func (s *scope) addLabel(name string) {
	if s.labels == nil {
		s.labels = make(map[string]bool)
	}
	s.labels[name] = true
}

func (s *scope) hasFunc(key string) bool {
	for ; s != nil; s = s.parent {
		if s.funcs[key] {
			return true
		}
	}
	return false
}

func (s *scope) hasVar(name string) bool {
	for ; s != nil; s = s.parent {
		if s.vars[name] {
			return true
		}
	}
	return false
}

func (s *scope) hasLabel(name string) bool {
	for ; s != nil; s = s.parent {
		if s.labels[name] {
			return true
		}
	}
	return false
}
