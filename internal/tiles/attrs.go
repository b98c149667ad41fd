package tiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"wanmu/internal/jsonscan"
)

var errAttrs = errors.New("attributes are not a JSON object")

// parseAttrs reads a JSON object of attributes into props, as scalar
// property values: strings, int64, float64 and bool; nested objects and
// arrays as their compact JSON text; nulls left out. It reads in one pass:
// tiles decode thousands of these per request. Keys are interned in keys.
func parseAttrs(data []byte, keys map[string]string, add func(key string, val any)) error {
	s := jsonscan.New(data)
	err := s.Object(func(raw []byte) error {
		key := intern(keys, raw)
		val, err := attrValue(s)
		if err == nil && val != nil {
			add(key, val)
		}
		return err
	})
	if err != nil {
		return errAttrs
	}
	return nil
}

// intern returns key as a string shared by every feature: the same few
// keys repeat on every feature of a layer.
func intern(keys map[string]string, key []byte) string {
	if k, ok := keys[string(key)]; ok {
		return k
	}
	k := string(key)
	if keys != nil && len(keys) < 1024 {
		keys[k] = k
	}
	return k
}

// attrValue reads one attribute value, as parseAttrs tells; nil for null.
func attrValue(s *jsonscan.Scanner) (any, error) {
	switch c := s.Peek(); {
	case c == '{' || c == '[':
		raw, err := s.Raw()
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.String(), nil
	case c == '-' || '0' <= c && c <= '9':
		b, err := s.NumberText()
		if err != nil {
			return nil, err
		}
		integer := bytes.IndexByte(b, '.') < 0 && bytes.IndexByte(b, 'e') < 0 && bytes.IndexByte(b, 'E') < 0
		if integer {
			if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
				return i, nil
			}
		}
		if f, err := strconv.ParseFloat(string(b), 64); err == nil {
			return f, nil
		}
		return string(b), nil // too large for a double: keep the digits
	}
	return s.Value()
}
