package transfer

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"wanmu/internal/store"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		layer, kind string
		want        Target
		field, bad  string // the field at fault and part of the message; "" when accepted
	}{
		{"zones", "", Target{Zones: true}, "", ""},
		{"constraint:永久基本农田", "", Target{LayerName: "永久基本农田", LayerKind: "exclude"}, "", ""},
		{"constraint: 城镇开发边界 ", "include", Target{LayerName: "城镇开发边界", LayerKind: "include"}, "", ""},
		{"constraint:" + strings.Repeat("田", 200), "reference", Target{LayerName: strings.Repeat("田", 200), LayerKind: "reference"}, "", ""},
		{"constraint:a\x00b", "", Target{}, "layer", "control character (U+0000) at character 2"},
		{"constraint:农田\n", "", Target{}, "layer", "control character (U+000A) at character 3"},
		{"constraint:a\tb", "", Target{}, "layer", "U+0009"},
		{"constraint:a\u0085b", "", Target{}, "layer", "U+0085"},
		{"constraint:a\x7fb", "", Target{}, "layer", "U+007F"},
		{"constraint:\xff\xfe", "", Target{}, "layer", "not valid UTF-8"},
		{"constraint:" + strings.Repeat("田", 201), "", Target{}, "layer", "201 characters long; at most 200"},
		{"constraint:  ", "", Target{}, "layer", "empty"},
		{"constraint:", "", Target{}, "layer", "empty"},
		{"platforms", "", Target{}, "layer", "must be zones or constraint:NAME"},
		{"constraint:农田", "delete", Target{}, "kind", "must be include, exclude or reference"},
	} {
		got, err := ParseTarget(tc.layer, tc.kind)
		if tc.bad == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseTarget(%q, %q) = %+v, %v; want %+v", tc.layer, tc.kind, got, err, tc.want)
			}
			continue
		}
		var fe *store.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Message, tc.bad) {
			t.Errorf("ParseTarget(%q, %q) = %v; want a %s error saying %q", tc.layer, tc.kind, err, tc.field, tc.bad)
		}
	}
}

// FuzzParseTarget: an accepted layer name is text the database stores
// (valid UTF-8, no control characters, 1–200 characters), and refusals are
// field errors with short messages.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"zones", "constraint:永久基本农田", "constraint:a\x00b", "constraint:\xff", "constraint: ", "constraint:" + strings.Repeat("田", 201), "x"} {
		f.Add(s, "")
	}
	f.Add("constraint:农田", "include")
	f.Add("constraint:农田", "\x00")
	f.Fuzz(func(t *testing.T, layer, kind string) {
		got, err := ParseTarget(layer, kind)
		if err != nil {
			var fe *store.FieldError
			if !errors.As(err, &fe) || (fe.Field != "layer" && fe.Field != "kind") || len(fe.Message) > 300 {
				t.Fatalf("ParseTarget(%q, %q): %v", layer, kind, err)
			}
			return
		}
		if got.Zones {
			return
		}
		n := got.LayerName
		if !utf8.ValidString(n) || n == "" || utf8.RuneCountInString(n) > MaxLayerName || strings.IndexFunc(n, unicode.IsControl) >= 0 {
			t.Fatalf("ParseTarget(%q) accepted the layer name %q", layer, n)
		}
	})
}
