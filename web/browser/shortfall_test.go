package browser

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestShortfallSuggestions: a planner in a new plan opens 缺口补足建议 for
// the sample's 云和 platform (below 10,000 mu), sees the numbered candidates
// on the map and in the list, adds the suggested ones with "加入方案" one by
// one, and sees the platform's figure cross 10,000 mu. In the official data
// the same list says to create or switch to a plan first and adds nothing.
func TestShortfallSuggestions(t *testing.T) {
	editor := mustAPI(t, editorUser)
	var sc struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	editor.must(t, http.StatusCreated, "POST", "/api/v1/scenarios", map[string]any{"name": "补足测试" + randomHex(2)}, 0, &sc)
	t.Cleanup(func() { editor.do("DELETE", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, sc.Version) })
	platformNamed := func(name string, scenario int64) int64 {
		var list struct {
			Platforms []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"platforms"`
		}
		editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms?scenario=%d", scenario), nil, 0, &list)
		for _, p := range list.Platforms {
			if p.Name == name {
				return p.ID
			}
		}
		t.Fatalf("no %s in scenario %d", name, scenario)
		return 0
	}
	platformID := func(scenario int64) int64 { return platformNamed("云和产业平台", scenario) }
	pid := platformID(sc.ID)

	p := newPage(t)
	p.login(editorUser)
	p.do(chromedpNavigate(fmt.Sprintf("%s/?scenario=%d", suite.base, sc.ID)))
	p.waitReady()
	p.waitJS("the plan", `document.body.classList.contains('in-scenario')`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, pid))
	p.waitJS("the platform's report", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-action="shortfall"]')`, pid))
	developable := `wanmu.app.platformPanel.report.developable.mu`
	if v := eval[float64](p, developable); v >= 10000 {
		t.Fatalf("云和 has %.2f mu in the sample: not short", v)
	}
	p.click(`#platform [data-action="shortfall"]`)
	rows := `#platform tr.shortfall-row`
	p.waitJS("the candidates in the list and on the map", `(function () {
		var n = document.querySelectorAll('`+rows+`').length;
		return n > 0 && document.querySelectorAll('.leaflet-wanmuShortfall-pane .shortfall-marker').length === n &&
			document.querySelectorAll('.leaflet-wanmuShortfall-pane path').length >= n; })()`)
	if eval[int](p, `document.querySelectorAll('`+rows+`.suggested').length`) == 0 {
		t.Fatal("no suggested candidate is highlighted")
	}
	if !eval[bool](p, `/补足缺口/.test(document.querySelector('#platform .shortfall-summary').textContent)`) {
		t.Error("the summary does not say the suggested set closes the gap")
	}
	if got := eval[string](p, `Array.prototype.map.call(document.querySelectorAll('`+rows+`'), function (r) { return r.dataset.suggested; }).join(',')`); !strings.HasPrefix(got, "1,") {
		t.Errorf("the suggested set is not listed first: %s", got)
	}
	eval[bool](p, `(document.querySelector('#platform [data-section="shortfall"]').scrollIntoView(), true)`)
	p.screenshot("90-shortfall-suggestions")

	// Add the suggested candidates, the first of the set each time (the list
	// reloads after every addition), until the platform meets its threshold.
	for i := 0; i < 8 && !eval[bool](p, `wanmu.app.platformPanel.report.meets`); i++ {
		before := eval[int](p, `wanmu.app.platformPanel.platform.version`)
		p.click(`#platform tr.shortfall-row[data-suggested="1"] [data-action="shortfall-add"]`)
		p.waitJS("the platform after the addition", fmt.Sprintf(`(function () {
			var pp = wanmu.app.platformPanel, s = pp.shortfall;
			return pp.platform && pp.platform.version > %d && pp.report && pp.report.platform_version === pp.platform.version &&
				!!s.data && s.key === pp.platform.id + '@' + pp.platform.version + '@' + s.radius; })()`, before))
	}
	if v := eval[float64](p, developable); v < 10000 {
		t.Fatalf("after adding the suggestions 云和 has %.2f mu", v)
	}
	p.waitJS("the figure and the verdict", `(function () {
		var el = document.querySelector('#platform [data-field="developable"]');
		return !!el && parseFloat(el.textContent.replace(/[^0-9.]/g, '')) >= 10000 &&
			!!document.querySelector('#platform [data-shortfall="meets"]'); })()`)
	p.screenshot("91-shortfall-added")

	// 景宁 in the same plan: the whole suggested set at once.
	jingning := platformNamed("景宁产业平台", sc.ID)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, jingning))
	p.waitJS("景宁's report", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-action="shortfall"]')`, jingning))
	if !eval[bool](p, `!!document.querySelector('#platform [data-action="shortfall-add-all"]')`) {
		p.click(`#platform [data-action="shortfall"]`)
	}
	p.waitJS("the add-all button", `(function () { var b = document.querySelector('#platform [data-action="shortfall-add-all"]'); return !!b && !b.disabled; })()`)
	p.click(`#platform [data-action="shortfall-add-all"]`)
	p.waitJS("景宁 over its threshold", fmt.Sprintf(`(function () { var pp = wanmu.app.platformPanel;
		return pp.platform && pp.platform.id === %d && pp.report && pp.report.platform_version === pp.platform.version && pp.report.meets; })()`, jingning))
	p.screenshot("96-shortfall-added-all")

	// The official data: the suggestions show, but adding needs a plan.
	o := newPage(t)
	o.login(editorUser)
	off := platformID(0)
	eval[bool](o, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, off))
	o.waitJS("the official platform", fmt.Sprintf(`!!document.querySelector('.platform-detail[data-platform-id="%d"] [data-action="shortfall"]')`, off))
	o.click(`#platform [data-action="shortfall"]`)
	o.waitJS("the list with its note", `document.querySelectorAll('#platform tr.shortfall-row').length > 0 &&
		!!document.querySelector('#platform [data-shortfall="plan-first"]')`)
	// A wider search finds more land.
	n5 := eval[int](o, `document.querySelectorAll('#platform tr.shortfall-row').length`)
	o.click(`#platform .shortfall-radii [data-radius="20000"]`)
	o.waitJS("the 20 km search", fmt.Sprintf(`(function () { var s = wanmu.app.platformPanel.shortfall;
		return !!s.data && s.data.radius_m === 20000 && document.querySelectorAll('#platform tr.shortfall-row').length > %d &&
			document.querySelector('#platform .shortfall-radii .active').dataset.radius === '20000'; })()`, n5))
	if n := eval[int](o, `Array.prototype.filter.call(document.querySelectorAll('#platform [data-action="shortfall-add"]'), function (b) { return !b.disabled; }).length`); n != 0 {
		t.Errorf("%d add buttons are enabled in the official data", n)
	}
	eval[bool](o, `(document.querySelector('#platform [data-section="shortfall"]').scrollIntoView(), true)`)
	o.screenshot("92-shortfall-official")
	eval[bool](o, `(wanmu.i18n.setLang('en'), true)`)
	o.waitJS("the list in English", `/Add to plan/.test(document.querySelector('#platform [data-section="shortfall"]').textContent) &&
		/create or switch to a plan/.test(document.querySelector('#platform [data-shortfall="plan-first"]').textContent)`)
	o.screenshot("93-shortfall-official-en")
	eval[bool](o, `(wanmu.i18n.setLang('zh'), true)`)
}
