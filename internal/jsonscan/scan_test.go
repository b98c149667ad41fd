package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// decode reads one JSON text with a Scanner, as a json.Decoder would.
func decode(b []byte, useNumber bool) (any, error) {
	s := New(b)
	s.UseNumber = useNumber
	v, err := s.Value()
	if err == nil {
		err = s.End()
	}
	return v, err
}

// check is json.Valid done with a Scanner.
func check(b []byte) error {
	s := New(b)
	if err := s.Skip(); err != nil {
		return err
	}
	return s.End()
}

// compare checks that the Scanner accepts what encoding/json accepts and
// decodes it to the same values, with and without UseNumber.
func compare(t *testing.T, b []byte) {
	t.Helper()
	ok := json.Valid(b)
	if err := check(b); (err == nil) != ok {
		t.Fatalf("%q: error %v, encoding/json says valid %v", b, err, ok)
	} else if err != nil && !errors.Is(err, ErrSyntax) {
		t.Fatalf("%q: error %v is not ErrSyntax", b, err)
	}
	for _, useNumber := range []bool{false, true} {
		got, err := decode(b, useNumber)
		if !ok {
			if err == nil {
				t.Fatalf("%q: decoded invalid JSON to %#v", b, got)
			}
			continue
		}
		var want any
		d := json.NewDecoder(bytes.NewReader(b))
		if useNumber {
			d.UseNumber()
		}
		werr := d.Decode(&want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q (UseNumber %v): error %v, encoding/json %v", b, useNumber, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (UseNumber %v): %#v, encoding/json %#v", b, useNumber, got, want)
		}
	}
}

var samples = []string{
	// Valid.
	`null`, `true`, `false`, ` 0 `, `-0`, `-0.0`, `1`, `-12`, `3.25`, `1e3`, `1E+3`, `2.5e-3`, `-1.5E-300`,
	`1e309`, `-1e309`, `1e-400`, `12345678901234567890`, `0.1e1`,
	`""`, `"abc"`, `"丽水 經開區"`, `"a\"b\\c\/d\be\ff\ng\rh\ti"`, `"\u00e9\u4E3D"`, `"\u0000"`,
	`"\ud83d\ude00"`, `"\uD83D\uDE00x"`, `"\ud83d"`, `"\ude00"`, `"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`,
	`"\ude00\ud83d"`, `"\ud83d\n"`, "\"\xff\"", "\"a\xe4\xb8\"", "\"\xed\xa0\x80\"", "\"\xf0\x9f\x98\x80\"", "\"\\n\xff\"",
	"\"\u2028\"", `[]`, `{}`, ` [ 1 , "2" , [ ] , { } ] `, `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`,
	`{"a":1,"a":2}`, `{"\u0061":1,"a\nb":2}`, "\t\r\n[\n1\r]\t", `[1e309]`, `{"k":[1,{"x":-0}]}`,
	// Invalid.
	``, ` `, `01`, `-01`, `+1`, `.5`, `1.`, `1.e3`, `1e`, `1e+`, `-`, `--1`, `0x10`, `1_000`, `Infinity`, `NaN`,
	`tru`, `truex`, `nul`, `nulll`, `True`, `"abc`, `"\"`, `"\x"`, `"\'"`, `"\u12"`, `"\u12g4"`, `"\U0041"`,
	"\"a\nb\"", "\"\x00\"", "\"\x1f\"", `[`, `]`, `[1,]`, `[,1]`, `[1 2]`, `{`, `}`, `{"a"}`, `{"a":}`, `{"a" 1}`,
	`{"a":1,}`, `{,"a":1}`, `{a:1}`, `{1:1}`, `{"a":1 "b":2}`, `[1]]`, `{}}`, `1 2`, `"a" "b"`, "\x00", "[\x00]",
	"\f1", `'a'`, `[1}`, `{"a":1]`, `[1e700`,
}

func TestAgainstEncodingJSON(t *testing.T) {
	for _, s := range samples {
		compare(t, []byte(s))
	}
}

func TestDeepNesting(t *testing.T) {
	for _, n := range []int{100, maxDepth, maxDepth + 1} {
		arrays := strings.Repeat("[", n) + strings.Repeat("]", n)
		objects := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
		mixed := strings.Repeat(`[{"a":`, n/2) + strings.Repeat("[", n%2) + "1" + strings.Repeat("]", n%2) + strings.Repeat("}]", n/2)
		for _, s := range []string{arrays, objects, mixed} {
			compare(t, []byte(s))
		}
	}
	if check([]byte(strings.Repeat("[", maxDepth)+strings.Repeat("]", maxDepth))) != nil {
		t.Errorf("%d levels refused", maxDepth)
	}
}

func TestStr(t *testing.T) {
	for in, want := range map[string]string{
		`"x\u00e9\ud83d\ude00\""`: "xé😀\"",
		`"\ud83d\u0041"`:          "\uFFFDA", // a lone surrogate spares the next escape
		`"\ud83d\ud83d\ude00"`:    "\uFFFD😀",
		"\"a\xffb\"":              "a\uFFFDb",
		`"\/"`:                    "/",
	} {
		got, err := New([]byte(in)).Str()
		if err != nil || got != want {
			t.Errorf("Str(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNumber(t *testing.T) {
	for in, want := range map[string]float64{`0`: 0, `-0`: math.Copysign(0, -1), `2.5e3`: 2500, `-1E-2`: -0.01, ` 7 `: 7} {
		got, err := New([]byte(in)).Number()
		if err != nil || got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("Number(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := New([]byte(`1e309`)).Number(); err == nil {
		t.Error("1e309 read as a float64")
	}
	if b, err := New([]byte(`1e309,`)).NumberText(); err != nil || string(b) != "1e309" {
		t.Errorf("NumberText(1e309) = %s, %v", b, err)
	}
	s := New([]byte(`01`))
	if n, err := s.Number(); err != nil || n != 0 || s.End() == nil {
		t.Errorf("01 read whole: %v, %v", n, err)
	}
	for _, bad := range []string{`+1`, `.5`, `1.`, `1e`, `-`, `x`, ``} {
		if _, err := New([]byte(bad)).Number(); !errors.Is(err, ErrSyntax) {
			t.Errorf("Number(%q): %v", bad, err)
		}
	}
}

func TestWalk(t *testing.T) {
	s := New([]byte(` {"a\u0062": [1, null, {"x": "y"}], "skip": {"deep": [[], {}]}, "n": null, "r": [ 1 ,2 ]} `))
	var keys []string
	var items []any
	var raw []byte
	err := s.Object(func(key []byte) error {
		keys = append(keys, string(key))
		switch string(key) {
		case "ab":
			return s.Array(func() error {
				if s.Null() {
					items = append(items, nil)
					return nil
				}
				v, err := s.Value()
				items = append(items, v)
				return err
			})
		case "n":
			if !s.Null() {
				t.Error("null not seen")
			}
			return nil
		case "r":
			var err error
			raw, err = s.Raw()
			return err
		}
		return s.Skip()
	})
	if err != nil || s.End() != nil {
		t.Fatal(err, s.End())
	}
	if want := []string{"ab", "skip", "n", "r"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	if want := []any{1.0, nil, map[string]any{"x": "y"}}; !reflect.DeepEqual(items, want) {
		t.Errorf("items %#v, want %#v", items, want)
	}
	if string(raw) != "[ 1 ,2 ]" {
		t.Errorf("raw %q", raw)
	}

	s = New([]byte(` [ "a" ] `))
	if s.Peek() != '[' || s.Expect('[') != nil || s.Peek() != '"' || s.Expect('{') == nil {
		t.Error("Peek and Expect disagree")
	}
	if s.Null() {
		t.Error("a string read as null")
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"type":"Feature","properties":{"name":"地块1","n":12},"geometry":{"type":"Point","coordinates":[119.9,28.4]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		compare(t, b)
	})
}
