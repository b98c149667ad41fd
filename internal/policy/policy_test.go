package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for _, c := range []struct {
		terms []Term
		in    string
		want  string
	}{
		{Kinds, "park", KindPark}, {Kinds, " Township ", KindTownship}, {Kinds, "开发区/园区", KindPark},
		{Kinds, "经济开发区", KindPark}, {Kinds, "乡镇工业功能区", KindTownship}, {Kinds, "工业功能区", KindTownship},
		{Kinds, "工业园", ""}, {Kinds, "", ""},
		{Dispositions, "并", "并"}, {Dispositions, "合并", "并"}, {Dispositions, "并（合并）", "并"},
		{Dispositions, "提档", "提"}, {Dispositions, "撤并", "撤"}, {Dispositions, "转型", "转"},
		{Dispositions, "待定", DispositionPending}, {Dispositions, "拆除", ""},
		{PlatformRoles, "三片区", "三片区"}, {PlatformRoles, "四片区", ""},
	} {
		if got := Normalise(c.terms, c.in); got != c.want {
			t.Errorf("Normalise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestValidAndCodes(t *testing.T) {
	if !Valid(Dispositions, "撤") || Valid(Dispositions, "撤销") || Valid(Kinds, "开发区") {
		t.Error("Valid accepts only codes")
	}
	if got := strings.Join(Codes(Dispositions), " "); got != "保留 并 提 撤 转 待定" {
		t.Errorf("dispositions in order: %q", got)
	}
}

func TestDefaultTargets(t *testing.T) {
	output := func(tg Targets) float64 {
		if tg.OutputYi == nil {
			return 0
		}
		return *tg.OutputYi
	}
	for _, c := range []struct {
		role     string
		counties []string
		output   float64
	}{
		{"一心", []string{"331102"}, 1000}, {"两翼", []string{"331122"}, 500},
		{"三片区", []string{"331123", "331124"}, 500}, {"三片区", []string{"331124"}, 500},
		{"三片区", []string{"331181"}, 0}, {"其他", nil, 0}, {"", nil, 0},
	} {
		tg := DefaultTargets(c.role, c.counties)
		if tg.Year != 2025 || tg.ValueAddedPerMu != 120 || tg.TaxPerMu != 30 || output(tg) != c.output || tg.Doubling != (c.output == 0) {
			t.Errorf("DefaultTargets(%q, %v) = %+v (output %v), want output %v", c.role, c.counties, tg, output(tg), c.output)
		}
	}
}

func TestMeetsAndUnits(t *testing.T) {
	if !Meets(ThresholdMu, ThresholdMu) || Meets(9999.995, ThresholdMu) {
		t.Error("Meets: the threshold itself meets, anything below does not")
	}
	if Units[0].Code != "mu" || Units[0].SquareMetres*3 != 2000 {
		t.Errorf("the first unit is the mu of 2000/3 m²: %+v", Units[0])
	}
}

// The page's copy carries every list, and no aliases (they are for reading
// files, not for offering).
func TestForPage(t *testing.T) {
	b, err := json.Marshal(ForPage())
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kinds", "dispositions", "platform_roles", "threshold_mu", "units", "target_rules"} {
		if c[k] == nil {
			t.Errorf("the page's vocabulary lacks %s: %s", k, b)
		}
	}
	if strings.Contains(string(b), "经济开发区") || strings.Contains(string(b), "aliases") {
		t.Errorf("aliases leak into the page's vocabulary: %s", b)
	}
}
