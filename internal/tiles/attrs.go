package tiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

var errAttrs = errors.New("attributes are not a JSON object")

// parseAttrs reads a JSON object of attributes into props, as scalar
// property values: strings, int64, float64 and bool; nested objects and
// arrays as their compact JSON text; nulls left out. It is a small
// special-purpose parser: tiles decode thousands of these per request.
// Keys are interned in keys.
func parseAttrs(data []byte, keys map[string]string, add func(key string, val any)) error {
	p := attrParser{data: data, keys: keys}
	p.space()
	if !p.eat('{') {
		return errAttrs
	}
	p.space()
	if p.eat('}') {
		return nil
	}
	for {
		p.space()
		key, ok := p.key()
		if !ok {
			return errAttrs
		}
		p.space()
		if !p.eat(':') {
			return errAttrs
		}
		p.space()
		val, ok := p.value()
		if !ok {
			return errAttrs
		}
		if val != nil {
			add(key, val)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return nil
		}
		return errAttrs
	}
}

type attrParser struct {
	data []byte
	i    int
	keys map[string]string
}

// key reads an object key, interned: the same few keys repeat on every
// feature of a layer.
func (p *attrParser) key() (string, bool) {
	if p.i < len(p.data) && p.data[p.i] == '"' {
		if end := bytes.IndexByte(p.data[p.i+1:], '"'); end >= 0 {
			raw := p.data[p.i+1 : p.i+1+end]
			if bytes.IndexByte(raw, '\\') < 0 {
				if k, ok := p.keys[string(raw)]; ok {
					p.i += end + 2
					return k, true
				}
			}
		}
	}
	k, ok := p.str()
	if ok && p.keys != nil && len(p.keys) < 1024 {
		p.keys[k] = k
	}
	return k, ok
}

func (p *attrParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *attrParser) eat(c byte) bool {
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *attrParser) value() (any, bool) {
	if p.i >= len(p.data) {
		return nil, false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		return p.str()
	case c == 't' && bytes.HasPrefix(p.data[p.i:], []byte("true")):
		p.i += 4
		return true, true
	case c == 'f' && bytes.HasPrefix(p.data[p.i:], []byte("false")):
		p.i += 5
		return false, true
	case c == 'n' && bytes.HasPrefix(p.data[p.i:], []byte("null")):
		p.i += 4
		return nil, true
	case c == '{' || c == '[':
		start := p.i
		if !p.skip() {
			return nil, false
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, p.data[start:p.i]); err != nil {
			return nil, false
		}
		return buf.String(), true
	default:
		start := p.i
		for p.i < len(p.data) {
			c := p.data[p.i]
			if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				p.i++
				continue
			}
			break
		}
		s := string(p.data[start:p.i])
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) && s != "" {
				return s, true // too large for a double: keep the digits
			}
			return nil, false
		}
		return f, true
	}
}

// skip passes over a nested object or array.
func (p *attrParser) skip() bool {
	depth := 0
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case '"':
			if _, ok := p.str(); !ok {
				return false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				return true
			}
		}
		p.i++
	}
	return false
}

// str reads a JSON string.
func (p *attrParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		if c == '"' {
			s := string(p.data[start:p.i])
			p.i++
			return s, true
		}
		if c == '\\' {
			break
		}
		p.i++
	}
	// Slow path: escapes.
	buf := append([]byte(nil), p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), true
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", false
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
						p.i += 2
						if lo, ok := p.hex4(); ok {
							r2 = lo
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return "", false
}

func (p *attrParser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}
