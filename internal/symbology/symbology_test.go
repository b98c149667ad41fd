package symbology

import (
	"regexp"
	"testing"

	"wanmu/internal/policy"
)

func TestLayer(t *testing.T) {
	for _, c := range []struct{ kind, name, want string }{
		{"include", "城镇开发边界", "#2f7d4a"},
		{"reference", "县域范围", "#98a3af"},
		{"vacant", "闲置土地", "#7048a8"},
		{"exclude", "生态保护红线", "#b8322a"},
		{"exclude", "Ecological RED line", "#b8322a"},
		{"exclude", "永久基本农田", "#a5861c"},
		{"exclude", "水域", "#3b7fb6"},
		{"exclude", "地质灾害区", "#7d5a50"},
	} {
		if got := Layer(c.kind, c.name).Stroke; got != c.want {
			t.Errorf("Layer(%s, %s) stroke %s, want %s", c.kind, c.name, got, c.want)
		}
	}
}

// The page compiles the rules' names as JavaScript regular expressions:
// only what means the same there as in Go is allowed.
func TestLayerRulesPortable(t *testing.T) {
	portable := regexp.MustCompile(`^[^\\(){}\[\]^$*+?.]*$`)
	for i, r := range LayerRules {
		if r.Name != "" && !portable.MatchString(r.Name) {
			t.Errorf("rule %d's name %q uses more than alternation of literals", i, r.Name)
		}
	}
	if last := LayerRules[len(LayerRules)-1]; last.Kind != "" || last.Name != "" {
		t.Error("the last rule must match every layer")
	}
}

func TestForPage(t *testing.T) {
	p := ForPage()
	if len(p.Township) != len(policy.Dispositions) {
		t.Fatalf("%d dispositions' symbols, want %d", len(p.Township), len(policy.Dispositions))
	}
	for i, d := range policy.Dispositions {
		if p.Township[i].Code != d.Code || p.Township[i].Style.Fill == "" {
			t.Errorf("township %d: %+v, want %s with a fill", i, p.Township[i], d.Code)
		}
	}
	if got := Township("并").Stroke; got != "#a36720" {
		t.Errorf("并's outline %s, want #a36720 (the fill #d9892b a quarter darker: 217, 137, 43 × 0.75)", got)
	}
}
