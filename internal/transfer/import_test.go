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
		{"constraint:闲置土地", "vacant", Target{LayerName: "闲置土地", LayerKind: "vacant"}, "", ""},
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
		{"constraint:农田", "delete", Target{}, "kind", "must be include, exclude, reference or vacant"},
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

// A wanmu export maps back onto the zone's own fields, and its computed
// columns are not kept as free attributes; a third party's id is kept.
func TestGuessMappingOfExports(t *testing.T) {
	var names []string
	for _, f := range zoneFields {
		names = append(names, f.Name)
	}
	m := guessMapping(append(names, "note"))
	if m.NameField != "name" || m.KindField != "kind" || m.CountyField != "adcode" || m.DispositionField != "disposition" ||
		m.DocumentNoField != "document_no" || m.ApprovedAreaField != "approved_area_ha" {
		t.Errorf("mapping of an export = %+v", m)
	}
	if got := strings.Join(m.Skip, ","); got != "id,county,platform,area_m2,area_mu,area_ha,version" {
		t.Errorf("skip = %s", got)
	}
	m = guessMapping([]string{"id", "名称", "批准文号", "核准面积（公顷）", "area_m2"})
	if m.DocumentNoField != "批准文号" || m.ApprovedAreaField != "核准面积（公顷）" || len(m.Skip) != 0 {
		t.Errorf("mapping of a third party's table = %+v", m)
	}
	// A bare 核准面积 may be in 亩: the planner maps it, knowing the unit.
	if m = guessMapping([]string{"名称", "核准面积"}); m.ApprovedAreaField != "" {
		t.Errorf("mapping of a third party's table = %+v", m)
	}
}

func TestApprovedArea(t *testing.T) {
	for _, c := range []struct {
		in   any
		want float64 // -1: none
		bad  bool
	}{
		{nil, -1, false}, {"", -1, false}, {12.5, 12.5, false}, {int64(3), 3, false}, {" 7.25 ", 7.25, false},
		{"7.25公顷", 7.25, false}, {"七公顷", 0, true}, {-1.0, 0, true}, {"NaN", 0, true}, {true, 0, true},
	} {
		got, err := approvedArea(c.in)
		switch {
		case c.bad && err == nil:
			t.Errorf("approvedArea(%#v) = %v, want an error", c.in, got)
		case !c.bad && err != nil:
			t.Errorf("approvedArea(%#v): %v", c.in, err)
		case !c.bad && c.want < 0 && got != nil:
			t.Errorf("approvedArea(%#v) = %v, want none", c.in, *got)
		case !c.bad && c.want >= 0 && (got == nil || *got != c.want):
			t.Errorf("approvedArea(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Attribute columns never collide with the known ones or with each other.
func TestAttributeColumns(t *testing.T) {
	a := newAttributeColumns(zoneFields)
	props := map[string]any{}
	a.add(map[string]any{"id": 1, "attr_id": 2, "note": 3, "attr_attr_id": 4}, props)
	seen := map[string]bool{}
	for _, f := range zoneFields {
		seen[f.Name] = true
	}
	for _, f := range a.fields() {
		if seen[f.Name] {
			t.Errorf("column %s appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	if props["attr_id"] != 1 || props["attr_attr_id"] != 2 || props["note"] != 3 || props["attr_attr_attr_id"] != 4 {
		t.Errorf("columns %v", props)
	}
}
