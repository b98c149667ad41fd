package browser

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestTargets: the 目标与考核 section of the platform panel. An admin sets a
// 两翼 platform's targets from the policy defaults (after a rejected negative
// figure); an editor records a year's indicators and sees each figure met or
// not met against the targets, then corrects the year after someone else
// changed the platform (412, re-apply); keys the page does not know survive
// every write; a viewer sees the section without edit buttons.
func TestTargets(t *testing.T) {
	admin := mustAPI(t, adminUser)
	editor := mustAPI(t, editorUser)

	type platform struct {
		ID         int64          `json:"id"`
		Version    int            `json:"version"`
		Targets    map[string]any `json:"targets"`
		Indicators map[string]any `json:"indicators"`
	}
	var pl platform
	editor.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{
		"name": "目标测试平台" + randomHex(2), "role": "两翼", "counties": []string{"331122"},
		"indicators": map[string]any{
			"2022":   map[string]any{"value_added_per_mu": 90, "land_used_mu": 4100},
			"source": "统计年鉴",
		},
		"reason": "browser test",
	}, 0, &pl)
	pid := pl.ID
	t.Cleanup(func() {
		var cur platform
		admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &cur)
		admin.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/platforms/%d?reason=test", pid), nil, cur.Version, nil)
	})
	get := func() platform {
		t.Helper()
		var cur platform
		admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &cur)
		return cur
	}
	section := `#platform [data-section="targets"]`
	open := func(p *page) {
		t.Helper()
		eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, false), true)`, pid))
		p.waitJS("the targets section", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-section="targets"]')`, pid))
	}
	text := func(p *page, css string) string {
		t.Helper()
		return eval[string](p, fmt.Sprintf(`(function(){ var e = document.querySelector(%q); return e ? e.textContent : '<none>'; })()`, css))
	}

	// Admin: no targets yet, a quiet hint and a button prefilled with the
	// policy defaults of a 两翼 platform.
	pa := newPage(t)
	pa.login(adminUser)
	open(pa)
	if got := text(pa, section+` .targets-none`); !strings.Contains(got, "未设定目标") {
		t.Errorf("without targets the section says %q, want 未设定目标", got)
	}
	pa.click(section + ` [data-action="set-targets"]`)
	pa.waitJS("the targets dialog", `!!document.querySelector('dialog.targets[open]')`)
	for name, want := range map[string]string{"year": "2025", "value_added_per_mu": "120", "tax_per_mu": "30", "output_yi": "500"} {
		if got := eval[string](pa, fmt.Sprintf(`document.querySelector('dialog.targets[open] input[name=%q]').value`, name)); got != want {
			t.Errorf("the targets dialog prefills %s = %q, want %q", name, got, want)
		}
	}
	pa.setValue(`dialog.targets[open] input[name="tax_per_mu"]`, "-3")
	pa.click(`dialog.targets[open] footer .btn-primary`)
	pa.waitJS("the refusal", `(document.querySelector('dialog.targets[open] .dialog-error') || {}).textContent === '亩均税收须为不小于 0 的数字'`)
	pa.setValue(`dialog.targets[open] input[name="tax_per_mu"]`, "30")
	pa.setValue(`dialog.targets[open] input[name="reason"]`, "按55号文设定")
	pa.click(`dialog.targets[open] footer .btn-primary`)
	pa.waitJS("the targets row", `!document.querySelector('dialog[open]') && !!document.querySelector('#platform [data-row="target"]')`)
	pl = get()
	if want := map[string]any{"year": 2025.0, "value_added_per_mu": 120.0, "tax_per_mu": 30.0, "output_yi": 500.0}; !reflect.DeepEqual(pl.Targets, want) {
		t.Errorf("API targets %v, want %v", pl.Targets, want)
	}
	var hist struct {
		Revisions []struct {
			Reason string `json:"reason"`
		} `json:"revisions"`
	}
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d/history", pid), nil, 0, &hist)
	if n := len(hist.Revisions); n == 0 || hist.Revisions[n-1].Reason != "按55号文设定" {
		t.Errorf("the last revision does not carry the reason: %+v", hist.Revisions)
	}

	// Editor: records 2024 and sees each figure against the targets.
	pe := newPage(t)
	pe.login(editorUser)
	open(pe)
	for _, sel := range []string{`[data-action="set-targets"]`, `[data-action="edit-targets"]`} {
		if eval[bool](pe, fmt.Sprintf(`!!document.querySelector(%q)`, section+" "+sel)) {
			t.Errorf("an editor sees %s", sel)
		}
	}
	pe.click(section + ` [data-action="record-indicators"]`)
	pe.waitJS("the indicators dialog", `!!document.querySelector('dialog.indicators[open]')`)
	pe.setValue(`dialog.indicators[open] input[name="year"]`, "2024")
	pe.setValue(`dialog.indicators[open] input[name="value_added_per_mu"]`, "130.5")
	pe.setValue(`dialog.indicators[open] input[name="tax_per_mu"]`, "25")
	pe.setValue(`dialog.indicators[open] input[name="output_yi"]`, "")
	pe.click(`dialog.indicators[open] footer .btn-primary`)
	pe.waitJS("the 2024 row", `!document.querySelector('dialog[open]') && !!document.querySelector('#platform tr[data-year="2024"]')`)
	if got := eval[string](pe, `Array.prototype.map.call(document.querySelectorAll('#platform tr[data-year]'), function (r) { return r.dataset.year; }).join(',')`); got != "2024,2022" {
		t.Errorf("years shown %q, want newest first 2024,2022", got)
	}
	cell := func(p *page, year, field string) (met, txt string) {
		t.Helper()
		css := fmt.Sprintf(`#platform tr[data-year=%q] td[data-field=%q]`, year, field)
		return eval[string](p, fmt.Sprintf(`document.querySelector(%q).dataset.met || ''`, css)), text(p, css)
	}
	for _, c := range []struct{ year, field, met, text string }{
		{"2024", "value_added_per_mu", "true", "✓130.5"},
		{"2024", "tax_per_mu", "false", "!25"},
		{"2024", "output_yi", "", "—"},
		{"2022", "value_added_per_mu", "false", "!90"},
		{"2022", "tax_per_mu", "", "—"},
	} {
		if met, txt := cell(pe, c.year, c.field); met != c.met || txt != c.text {
			t.Errorf("%s %s shows %q (met=%q), want %q (met=%q)", c.year, c.field, txt, met, c.text, c.met)
		}
	}

	// Someone else records 2023 meanwhile; the editor's correction of 2024
	// meets 412 and, re-applied, is merged into their version.
	cur := get()
	ind := cur.Indicators
	ind["2023"] = map[string]any{"value_added_per_mu": 110, "tax_per_mu": 31, "output_yi": 420}
	admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/platforms/%d", pid), map[string]any{"indicators": ind, "reason": "test"}, cur.Version, nil)
	pe.click(section + ` [data-action="edit-indicators"][data-year="2024"]`)
	pe.waitJS("the indicators dialog", `document.querySelector('dialog.indicators[open] input[name="value_added_per_mu"]').value === '130.5'`)
	pe.setValue(`dialog.indicators[open] input[name="tax_per_mu"]`, "32")
	pe.click(`dialog.indicators[open] footer .btn-primary`)
	pe.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
	pe.click(`dialog.conflict[open] footer [data-value="reapply"]`)
	pe.waitJS("the corrected 2024", `!document.querySelector('dialog[open]') && document.querySelector('#platform tr[data-year="2024"] td[data-field="tax_per_mu"]').dataset.met === 'true' && !!document.querySelector('#platform tr[data-year="2023"]')`)
	pl = get()
	want := map[string]any{
		"2022":   map[string]any{"value_added_per_mu": 90.0, "land_used_mu": 4100.0},
		"2023":   map[string]any{"value_added_per_mu": 110.0, "tax_per_mu": 31.0, "output_yi": 420.0},
		"2024":   map[string]any{"value_added_per_mu": 130.5, "tax_per_mu": 32.0},
		"source": "统计年鉴",
	}
	if !reflect.DeepEqual(pl.Indicators, want) {
		t.Errorf("API indicators %v, want %v", pl.Indicators, want)
	}
	eval[bool](pe, `(document.querySelector('#platform [data-section="targets"]').scrollIntoView({block: 'center'}), true)`)
	pe.screenshot("18-targets")

	// Viewer: the same figures, no buttons.
	pv := newPage(t)
	pv.login(viewerUser)
	open(pv)
	if n := eval[int](pv, fmt.Sprintf(`document.querySelectorAll(%q).length`, section+" button")); n != 0 {
		t.Errorf("a viewer sees %d buttons in the targets section", n)
	}
	if met, _ := cell(pv, "2023", "output_yi"); met != "false" {
		t.Errorf("the viewer sees 2023's output met=%q, want false (420 < 500)", met)
	}
}
