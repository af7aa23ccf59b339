// Package schemas validates CloudFormation resource properties against the
// official CloudFormation registry resource schemas, offline.
//
// The schema files under aws/ are copied from github.com/aws-cloudformation/
// rain@v1.23.1 (internal/aws/cfn/schemas, Apache-2.0, see LICENSE and NOTICE
// here) by `go generate`; gen.go lists the resource types sesctl carries.
// Regular expressions in the schemas are ECMAScript (look-ahead, \uFFFF), so
// they are compiled with regexp2 in ECMAScript mode.
package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:generate go run gen.go

//go:embed aws LICENSE NOTICE
var files embed.FS

// Schema is one resource type's registry schema.
type Schema struct {
	TypeName string
	file     string

	once       sync.Once
	compiled   *jsonschema.Schema
	readOnly   []string // dotted property paths, e.g. "Arn", "Endpoint.Address"
	createOnly []string
	topProps   map[string]bool
	err        error
}

var (
	mu    sync.Mutex
	cache = map[string]*Schema{}
)

// Lookup returns the schema of a resource type such as "AWS::S3::Bucket";
// ok is false for a type sesctl does not carry.
func Lookup(typeName string) (*Schema, bool) {
	file, ok := fileFor(typeName)
	if !ok {
		return nil, false
	}
	mu.Lock()
	defer mu.Unlock()
	if s, ok := cache[typeName]; ok {
		return s, true
	}
	if _, err := fs.Stat(files, file); err != nil {
		return nil, false
	}
	s := &Schema{TypeName: typeName, file: file}
	cache[typeName] = s
	return s, true
}

// fileFor maps AWS::S3::Bucket to aws/s3/bucket.json.
func fileFor(typeName string) (string, bool) {
	parts := strings.Split(typeName, "::")
	if len(parts) != 3 || parts[0] != "AWS" || parts[1] == "" || parts[2] == "" {
		return "", false
	}
	for _, p := range parts[1:] {
		if strings.ContainsAny(p, "/.\\") {
			return "", false
		}
	}
	return path.Join("aws", strings.ToLower(parts[1]), strings.ToLower(parts[2])+".json"), true
}

// Types lists the resource types sesctl carries schemas for, sorted.
func Types() []string {
	var out []string
	_ = fs.WalkDir(files, "aws", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		var head struct{ TypeName string }
		if json.Unmarshal(b, &head) == nil && head.TypeName != "" {
			out = append(out, head.TypeName)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// License returns the Apache-2.0 license and NOTICE the schema files carry.
func License() string {
	l, _ := files.ReadFile("LICENSE")
	n, _ := files.ReadFile("NOTICE")
	return string(n) + "\n" + string(l)
}

func (s *Schema) load() error {
	s.once.Do(func() { s.err = s.compile() })
	return s.err
}

func (s *Schema) compile() error {
	b, err := files.ReadFile(s.file)
	if err != nil {
		return fmt.Errorf("schema %s: %w", s.TypeName, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("schema %s: %w", s.TypeName, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("schema %s: not an object", s.TypeName)
	}
	delete(m, "$schema") // the provider meta-schema URL is not resolvable offline
	s.readOnly = pointerList(m["readOnlyProperties"])
	s.createOnly = pointerList(m["createOnlyProperties"])
	s.topProps = map[string]bool{}
	if props, ok := m["properties"].(map[string]any); ok {
		for k := range props {
			s.topProps[k] = true
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseRegexpEngine(ecmaRegexp)
	url := "mem:///" + s.file
	if err := c.AddResource(url, m); err != nil {
		return fmt.Errorf("schema %s: %w", s.TypeName, err)
	}
	s.compiled, err = c.Compile(url)
	if err != nil {
		return fmt.Errorf("schema %s: %w", s.TypeName, err)
	}
	return nil
}

// pointerList turns ["/properties/Endpoint/Address"] into ["Endpoint.Address"].
func pointerList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		p, _ := x.(string)
		if rest, ok := strings.CutPrefix(p, "/properties/"); ok {
			out = append(out, strings.ReplaceAll(rest, "/", "."))
		}
	}
	return out
}

// Attributes returns the Fn::GetAtt attribute names: the schema's
// readOnlyProperties, dotted.
func (s *Schema) Attributes() ([]string, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	return s.readOnly, nil
}

// CreateOnly returns the properties whose change replaces the resource.
func (s *Schema) CreateOnly() ([]string, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	return s.createOnly, nil
}

// HasProperty reports whether name is a top-level property of the type.
func (s *Schema) HasProperty(name string) bool {
	if s.load() != nil {
		return false
	}
	return s.topProps[name]
}

type ecmaRE regexp2.Regexp

func (re *ecmaRE) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRE) String() string { return (*regexp2.Regexp)(re).String() }

func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = time.Second // schema patterns run on user input
	return (*ecmaRE)(re), nil
}
