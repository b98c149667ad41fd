// Package jsonscan reads JSON text (RFC 8259) in one pass over its bytes,
// without reflection. It exists for the hot paths where encoding/json is
// several times too slow: importing layers of 200,000 GeoJSON features and
// decoding the attributes of every feature of a vector tile. A caller walks
// the structure it expects and takes what it needs; the rest is skipped.
//
// The grammar is RFC 8259's, checked as strictly as json.Valid checks it,
// nesting included. Strings, numbers and generic values decode as
// encoding/json decodes them into an any: invalid UTF-8 and lone
// surrogates become U+FFFD, numbers out of float64 range are errors.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrSyntax is wrapped by every error about malformed JSON.
var ErrSyntax = errors.New("invalid JSON")

// maxDepth is encoding/json's nesting limit, so both accept the same text.
const maxDepth = 10000

// Scanner reads JSON from a byte slice. After an error its position is
// unspecified: callers give up on the text.
type Scanner struct {
	data  []byte
	pos   int
	depth int

	// UseNumber makes Value return numbers as json.Number, like
	// json.Decoder.UseNumber, for callers that tell integers apart.
	UseNumber bool
}

// New returns a Scanner at the start of data.
func New(data []byte) *Scanner { return &Scanner{data: data} }

func (s *Scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at byte %d", ErrSyntax, fmt.Sprintf(format, args...), s.pos)
}

var space = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// SkipSpace passes over whitespace.
func (s *Scanner) SkipSpace() {
	data, i := s.data, s.pos
	for i < len(data) && space[data[i]] {
		i++
	}
	s.pos = i
}

// Peek skips whitespace and returns the next byte without consuming it, or
// 0 at the end.
func (s *Scanner) Peek() byte {
	s.SkipSpace()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// Expect skips whitespace and consumes c.
func (s *Scanner) Expect(c byte) error {
	if s.Peek() != c {
		return s.errorf("want %q", c)
	}
	s.pos++
	return nil
}

// End checks that only whitespace is left.
func (s *Scanner) End() error {
	if s.SkipSpace(); s.pos < len(s.data) {
		return s.errorf("want end of input")
	}
	return nil
}

// eat consumes c if it comes next.
func (s *Scanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// word consumes w if it comes next.
func (s *Scanner) word(w string) bool {
	if bytes.HasPrefix(s.data[s.pos:], []byte(w)) {
		s.pos += len(w)
		return true
	}
	return false
}

func (s *Scanner) literal(w string) error {
	if !s.word(w) {
		return s.errorf("want %s", w)
	}
	return nil
}

// Null consumes a null if one comes next.
func (s *Scanner) Null() bool {
	return s.Peek() == 'n' && s.word("null")
}

// Str reads a string.
func (s *Scanner) Str() (string, error) {
	b, err := s.str()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// plain marks the bytes a string holds as they are: not the quote, the
// backslash or control characters.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= ' ' && c != '"' && c != '\\'
	}
	return t
}()

// str reads a string. Without escapes or invalid UTF-8, the common case,
// the result is a slice of the input and costs no copy.
func (s *Scanner) str() ([]byte, error) {
	if s.Peek() != '"' {
		return nil, s.errorf("want string")
	}
	s.pos++
	data, start, i := s.data, s.pos, s.pos
	var bits byte // the bytes ORed: below 0x80 if all are ASCII
	for i < len(data) && plain[data[i]] {
		bits |= data[i]
		i++
	}
	b := data[start:i]
	if i < len(data) && data[i] == '"' && (bits < utf8.RuneSelf || utf8.Valid(b)) {
		s.pos = i + 1
		return b, nil
	}
	return s.unquote(start)
}

// unescaped maps the byte after a backslash to what it stands for; 0 for
// \u and invalid escapes.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// unquote decodes the string whose contents begin at start into a new
// buffer, or fails on a malformed one: the slow path of str.
func (s *Scanner) unquote(start int) ([]byte, error) {
	s.pos = start
	var buf []byte
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; {
		case c == '"':
			s.pos++
			return buf, nil
		case c < ' ':
			return nil, s.errorf("control character in string")
		case c == '\\':
			var err error
			if buf, err = s.escape(buf); err != nil {
				return nil, err
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			s.pos++
		default:
			r, n := utf8.DecodeRune(s.data[s.pos:]) // U+FFFD, 1 if invalid
			buf = utf8.AppendRune(buf, r)
			s.pos += n
		}
	}
	return nil, s.errorf("unterminated string")
}

// escape decodes the escape sequence at s.pos onto buf.
func (s *Scanner) escape(buf []byte) ([]byte, error) {
	if s.pos+1 < len(s.data) {
		if c := unescaped[s.data[s.pos+1]]; c != 0 {
			s.pos += 2
			return append(buf, c), nil
		}
	}
	r := uescape(s.data[s.pos:])
	if r < 0 {
		return nil, s.errorf("bad escape")
	}
	s.pos += 6
	if utf16.IsSurrogate(r) {
		// A pair if the next escape completes it; else U+FFFD, and the
		// next escape stays, as in encoding/json.
		if r = utf16.DecodeRune(r, uescape(s.data[s.pos:])); r != unicode.ReplacementChar {
			s.pos += 6
		}
	}
	return utf8.AppendRune(buf, r), nil
}

// uescape decodes the \uXXXX escape that b starts with, or returns -1.
func uescape(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Number reads a number as a float64. Like encoding/json, it fails on
// numbers beyond float64's range rather than return an infinity.
func (s *Scanner) Number() (float64, error) {
	b, err := s.NumberText()
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(string(b), 64)
}

// NumberText reads a number and returns its text, a slice of the input,
// for callers that keep integers or digits beyond float64.
func (s *Scanner) NumberText() ([]byte, error) {
	s.SkipSpace()
	start := s.pos
	s.eat('-')
	if !s.eat('0') && s.digits() == 0 {
		return nil, s.errorf("want number")
	}
	if s.eat('.') && s.digits() == 0 {
		return nil, s.errorf("want digits after '.'")
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if s.digits() == 0 {
			return nil, s.errorf("want exponent digits")
		}
	}
	return s.data[start:s.pos], nil
}

// digits consumes decimal digits and counts them.
func (s *Scanner) digits() int {
	data, i := s.data, s.pos
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	n := i - s.pos
	s.pos = i
	return n
}

// Skip passes over a value, checking it.
func (s *Scanner) Skip() error {
	switch s.Peek() {
	case '"':
		_, err := s.str()
		return err
	case '{':
		return s.Object(func([]byte) error { return s.Skip() })
	case '[':
		return s.Array(s.Skip)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	_, err := s.NumberText()
	return err
}

// Raw passes over a value and returns its text, a slice of the input.
func (s *Scanner) Raw() ([]byte, error) {
	s.SkipSpace()
	start := s.pos
	if err := s.Skip(); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

// open consumes the bracket that starts an object or array, and the
// closing one too if it is empty; more reports items to read.
func (s *Scanner) open(c, end byte) (more bool, err error) {
	if err := s.Expect(c); err != nil {
		return false, err
	}
	if s.depth++; s.depth > maxDepth {
		return false, s.errorf("nesting deeper than %d", maxDepth)
	}
	if s.Peek() == end {
		s.pos++
		s.depth--
		return false, nil
	}
	return true, nil
}

// next consumes the comma after an item, or the closing bracket, and
// reports whether another item follows.
func (s *Scanner) next(end byte) (more bool, err error) {
	switch s.Peek() {
	case ',':
		s.pos++
		return true, nil
	case end:
		s.pos++
		s.depth--
		return false, nil
	}
	return false, s.errorf("want ',' or %q", end)
}

// Object reads an object, calling member with each key when the scanner
// stands before the member's value, which member must read. The key is a
// slice of the input when it holds no escapes: member must not modify it.
func (s *Scanner) Object(member func(key []byte) error) error {
	more, err := s.open('{', '}')
	for ; more; more, err = s.next('}') {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.Expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
	}
	return err
}

// Array reads an array, calling item before each element, which item must
// read.
func (s *Scanner) Array(item func() error) error {
	more, err := s.open('[', ']')
	for ; more; more, err = s.next(']') {
		if err := item(); err != nil {
			return err
		}
	}
	return err
}

// Value reads any value as json.Unmarshal into an any would:
// map[string]any, []any, float64 (or json.Number with UseNumber), string,
// bool or nil.
func (s *Scanner) Value() (any, error) {
	switch s.Peek() {
	case '"':
		return s.Str()
	case '{':
		m := map[string]any{}
		err := s.Object(func(key []byte) error {
			v, err := s.Value()
			m[string(key)] = v
			return err
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	case '[':
		a := []any{}
		err := s.Array(func() error {
			v, err := s.Value()
			a = append(a, v)
			return err
		})
		if err != nil {
			return nil, err
		}
		return a, nil
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	}
	if s.UseNumber {
		b, err := s.NumberText()
		if err != nil {
			return nil, err
		}
		return json.Number(b), nil
	}
	f, err := s.Number()
	if err != nil {
		return nil, err
	}
	return f, nil
}
