package templates

import (
	"fmt"
	"strings"
)

// hiveType is a parsed Hive/Glue column type: string, bigint,
// array<string>, map<string,array<string>>, struct<a:string,b:int>, ...
type hiveType struct {
	Kind   string // primitive name, or "array", "map", "struct"
	Elem   *hiveType
	Key    *hiveType
	Fields []hiveField
}

type hiveField struct {
	Name string // as written, without backticks
	Type *hiveType
}

func (h *hiveType) complex() bool { return h.Kind == "array" || h.Kind == "map" || h.Kind == "struct" }

// parseHiveType parses a Glue column type string.
func parseHiveType(s string) (*hiveType, error) {
	p := &hiveParser{s: s}
	t, err := p.typ(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("type %q: unexpected %q at offset %d", s, p.s[p.i:], p.i)
	}
	return t, nil
}

type hiveParser struct {
	s string
	i int
}

const maxHiveDepth = 100

func (p *hiveParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *hiveParser) expect(c byte) error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != c {
		return fmt.Errorf("type %q: expected %q at offset %d", p.s, c, p.i)
	}
	p.i++
	return nil
}

func (p *hiveParser) ident() (string, error) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '`' {
		end := strings.IndexByte(p.s[p.i+1:], '`')
		if end < 0 {
			return "", fmt.Errorf("type %q: unclosed backtick at offset %d", p.s, p.i)
		}
		name := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return name, nil
	}
	start := p.i
	for p.i < len(p.s) && isIdentByte(p.s[p.i]) {
		p.i++
	}
	if start == p.i {
		return "", fmt.Errorf("type %q: expected a name at offset %d", p.s, p.i)
	}
	return p.s[start:p.i], nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *hiveParser) typ(depth int) (*hiveType, error) {
	if depth > maxHiveDepth {
		return nil, fmt.Errorf("type %q: nested too deeply", p.s)
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	t := &hiveType{Kind: strings.ToLower(name)}
	switch t.Kind {
	case "array":
		err = p.array(t, depth)
	case "map":
		err = p.mapType(t, depth)
	case "struct":
		err = p.structType(t, depth)
	default:
		err = p.params()
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (p *hiveParser) array(t *hiveType, depth int) error {
	if err := p.expect('<'); err != nil {
		return err
	}
	elem, err := p.typ(depth + 1)
	if err != nil {
		return err
	}
	t.Elem = elem
	return p.expect('>')
}

func (p *hiveParser) mapType(t *hiveType, depth int) error {
	if err := p.expect('<'); err != nil {
		return err
	}
	k, err := p.typ(depth + 1)
	if err != nil {
		return err
	}
	if err := p.expect(','); err != nil {
		return err
	}
	v, err := p.typ(depth + 1)
	if err != nil {
		return err
	}
	t.Key, t.Elem = k, v
	return p.expect('>')
}

func (p *hiveParser) structType(t *hiveType, depth int) error {
	if err := p.expect('<'); err != nil {
		return err
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '>' {
		p.i++
		return nil
	}
	for {
		name, err := p.ident()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		ft, err := p.typ(depth + 1)
		if err != nil {
			return err
		}
		t.Fields = append(t.Fields, hiveField{Name: name, Type: ft})
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return p.expect('>')
	}
}

// params skips decimal(10,2), varchar(255) and the like.
func (p *hiveParser) params() error {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil
	}
	end := strings.IndexByte(p.s[p.i:], ')')
	if end < 0 {
		return fmt.Errorf("type %q: unclosed ( at offset %d", p.s, p.i)
	}
	p.i += end + 1
	return nil
}
