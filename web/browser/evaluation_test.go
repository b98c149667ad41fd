package browser

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// apiAsk starts a request from the page (wanmu.api, the session cookie) and
// waits for its answer, kept in window[name] as JSON.
func (p *page) apiAsk(name, path, query string) map[string]any {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(window[%q] = null, wanmu.api.get(%q, %s).then(function (r) { window[%[1]q] = JSON.stringify(r); }), true)`, name, path, query))
	p.waitJS("the API's answer "+path, fmt.Sprintf(`!!window[%q]`, name))
	var out map[string]any
	if err := json.Unmarshal([]byte(eval[string](p, fmt.Sprintf(`window[%q]`, name))), &out); err != nil {
		p.t.Fatalf("%s: %v", path, err)
	}
	return out
}

// classSums adds up an /evaluation answer's class counts over its counties.
func classSums(res map[string]any) map[string]int {
	out := map[string]int{}
	for _, c := range res["class_counts"].(map[string]any) {
		for k, n := range c.(map[string]any) {
			out[k] += int(n.(float64))
		}
	}
	return out
}

// TestEvaluationPage: a reviewer (viewer) opens 亩均评价: the 2025 enterprises
// with their classes; the class D filter lists D only and the summary strip
// counts what the API counts; a row opens to its indicators with units; the
// filtered list downloads as XLSX with the same filters; the unplaced
// enterprises are counted; the schemes are read-only. At tablet width the
// table still fits.
func TestEvaluationPage(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	p.click(`#btn-evaluation`)
	p.waitJS("the evaluation table", `document.querySelectorAll('dialog.evaluation-dialog .eval-row').length > 0 && document.querySelector('[data-filter="year"]').value === '2025'`)
	classes := eval[[]string](p, `Array.prototype.map.call(document.querySelectorAll('.eval-row'), function (r) { return r.querySelector('.eval-class').textContent; })`)
	if len(classes) != 100 {
		t.Errorf("%d rows on the first page, want 100", len(classes))
	}
	for _, c := range classes {
		if !strings.Contains("ABCDT", c) || c == "" {
			t.Fatalf("a row's class %q", c)
		}
	}
	// As a county's office reads its list: 规上 before 规下 within the county.
	if first := eval[[]string](p, `Array.prototype.map.call(document.querySelector('.eval-row').cells, function (c) { return c.textContent; })`); first[4] != "规上" || first[0] != "1 / "+strings.Split(first[0], " / ")[1] {
		t.Errorf("the first row %v: want 规上 ranked 1", first)
	}
	all := p.apiAsk("evalAll", "/evaluation", `{scenario: 0, year: 2025, limit: 1}`)
	if got := eval[string](p, `document.querySelector('[data-eval="range"]').textContent`); !strings.Contains(got, fmt.Sprintf("共 %s 家", thousands(int(all["total"].(float64))))) {
		t.Errorf("range %q, want the API's total %v", got, all["total"])
	}
	p.screenshot("110-evaluation-table")

	// Class D only; the strip's counts are the API's (which count every class of the filter).
	p.click(`[data-class-filter="D"]`)
	p.waitJS("D rows only", `(function () {
		var rs = document.querySelectorAll('.eval-row');
		return rs.length > 0 && Array.prototype.every.call(rs, function (r) { return r.getAttribute('data-class') === 'D'; }) &&
			/第 1–/.test(document.querySelector('[data-eval="range"]').textContent) && !document.querySelector('.eval-table-wrap.loading');
	})()`)
	apiD := p.apiAsk("evalD", "/evaluation", `{scenario: 0, year: 2025, 'class': 'D', limit: 1}`)
	want := classSums(apiD)
	for _, c := range []string{"A", "B", "C", "D", "T"} {
		got := eval[string](p, fmt.Sprintf(`document.querySelector('[data-count-class=%q] .n').getAttribute('data-n')`, c))
		if got != fmt.Sprint(want[c]) {
			t.Errorf("summary of class %s: %s, the API says %d", c, got, want[c])
		}
	}
	if n := eval[int](p, `document.querySelectorAll('.eval-row').length`); n != min(100, int(apiD["total"].(float64))) || want["D"] != int(apiD["total"].(float64)) {
		t.Errorf("%d D rows shown; the API has %v of %d", n, apiD["total"], want["D"])
	}
	if !eval[bool](p, `document.querySelector('[data-count-class="D"]').classList.contains('on')`) {
		t.Error("the D count is not marked as the filter")
	}

	// A row opens to its indicators, each with its unit.
	p.click(`.eval-row`)
	p.waitJS("the row's indicators", `document.querySelectorAll('.eval-detail [data-indicator]').length >= 2`)
	units := eval[[]string](p, `Array.prototype.map.call(document.querySelectorAll('.eval-detail [data-unit]'), function (u) { return u.textContent; })`)
	known := map[string]bool{"万元/亩": true, "万元/吨标准煤": true, "万元/吨": true, "万元/人": true, "%": true, "万元/万千瓦时": true}
	for _, u := range units {
		if !known[u] {
			t.Errorf("indicator unit %q", u)
		}
	}
	if len(units) == 0 || units[0] != "万元/亩" {
		t.Errorf("units %v: the first (亩均税收) should be 万元/亩", units)
	}
	p.screenshot("111-evaluation-row")

	// XLSX of the filter, with the session (no credential in the address).
	p.catchDownloads()
	p.click(`[data-action="evaluation-xlsx"]`)
	p.waitJS("the workbook saved", `!!window.saved && window.saved.magic === 'PK'`)
	req := eval[string](p, `window.fetched.filter(function (u) { return u.indexOf('/api/v1/evaluation.xlsx?') >= 0; })[0] || ''`)
	if !strings.Contains(req, "year=2025") || !strings.Contains(req, "class=D") || strings.Contains(req, "token") {
		t.Errorf("the XLSX request %q: want year=2025 and class=D, no credential", req)
	}
	if name := eval[string](p, `window.saved.name`); !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("saved as %q", name)
	}

	// The unplaced enterprises: counted in the tab, listed.
	years := p.apiAsk("evalYears", "/enterprises/years", `{scenario: 0}`)
	unplaced := years["years"].([]any)[0].(map[string]any)["unplaced"].(float64)
	if got := eval[string](p, `document.querySelector('[data-eval-tab="unplaced"]').getAttribute('data-unplaced')`); got != fmt.Sprint(unplaced) {
		t.Errorf("unplaced tab says %s, the API %v", got, unplaced)
	}
	p.click(`[data-eval-tab="unplaced"]`)
	p.waitJS("the unplaced list", `document.querySelectorAll('.eval-unplaced tbody tr').length > 0`)
	p.screenshot("115-evaluation-unplaced")

	// The scheme read-only for a viewer.
	p.click(`[data-eval-tab="scheme"]`)
	p.waitJS("the scheme", `!!document.querySelector('.scheme-editor[data-scheme-kind="enterprise"] [data-readonly]') && document.querySelectorAll('.scheme-editor[data-scheme-kind="enterprise"] [data-indicator]').length >= 8`)
	if eval[bool](p, `!!document.querySelector('[data-action="save-scheme"]') || Array.prototype.some.call(document.querySelectorAll('.scheme-editor input, .scheme-editor select'), function (i) { return !i.disabled; })`) {
		t.Error("a viewer can edit the scheme")
	}

	// Tablet width: the table still fits the dialog (it scrolls inside, the dialog does not overflow).
	p.do(chromedp.EmulateViewport(820, 1180, chromedp.EmulatePortrait))
	p.click(`[data-eval-tab="results"]`)
	p.waitJS("the table at tablet width", `(function () {
		var d = document.querySelector('dialog.evaluation-dialog').getBoundingClientRect();
		return d.right <= window.innerWidth && d.width > 700 && document.querySelectorAll('.eval-row').length > 0;
	})()`)
	if w := eval[float64](p, `document.querySelector('.eval-grid').scrollWidth - document.querySelector('.eval-table-wrap').clientWidth`); w > 1 {
		t.Errorf("at tablet width the table is %v px wider than its box", w)
	}
	p.screenshot("117-evaluation-tablet")
}

// TestSchemeEditor: an administrator changes a weight of the 规上 group with
// a reason: a new version, in the history with the reason, and the
// evaluation is recomputed by it; a save on a stale version shows the
// conflict dialog and keeping theirs loads their version; a negative weight
// is refused with the message next to the field. The scheme is put back
// afterwards, for the other tests.
func TestSchemeEditor(t *testing.T) {
	admin, err := newAPI(adminUser)
	if err != nil {
		t.Fatal(err)
	}
	var start struct {
		Version int             `json:"current_version"`
		Default json.RawMessage `json:"default"`
		Scheme  json.RawMessage `json:"scheme"`
	}
	admin.must(t, 200, "GET", "/api/v1/evaluation/scheme", nil, 0, &start)
	t.Cleanup(func() {
		var now struct {
			Version int `json:"current_version"`
		}
		admin.must(t, 200, "GET", "/api/v1/evaluation/scheme", nil, 0, &now)
		admin.must(t, 200, "PUT", "/api/v1/evaluation/scheme", map[string]any{"scheme": start.Scheme, "from_year": nil, "reason": "browser test: put back"}, now.Version, nil)
	})

	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(adminUser)
	p.click(`#btn-evaluation`)
	p.waitJS("the evaluation table", `document.querySelectorAll('.eval-row').length > 0`)
	p.click(`[data-eval-tab="scheme"]`)
	ed := `.scheme-editor[data-scheme-kind="enterprise"]`
	p.waitJS("the scheme editor", fmt.Sprintf(`!!document.querySelector('%s .scheme-current[data-version="%d"]') && !!document.querySelector('[data-action="save-scheme"]')`, ed, start.Version))
	if g := eval[string](p, `document.querySelector('fieldset[data-group="规上"]').getAttribute('data-path')`); g != "scheme.groups[0]" {
		t.Fatalf("规上 is %s, want groups[0]", g)
	}
	set := func(path, value string) {
		t.Helper()
		eval[bool](p, fmt.Sprintf(`(function () {
			var i = document.querySelector('%s [data-path="%s"]');
			i.value = %q;
			i.dispatchEvent(new Event('input', { bubbles: true }));
			return true;
		})()`, ed, path, value))
	}
	weight := "scheme.groups[0].indicators[0].weight"
	set(weight, "35")
	set("reason", "浏览器测试：规上亩均税收权重 35")
	p.waitJS("the weight sum", `/权重合计 105/.test(document.querySelector('fieldset[data-group="规上"] .scheme-sum').textContent)`)
	if !eval[bool](p, `!!document.querySelector('fieldset[data-group="规上"] [data-scheme="sum-note"]') && !document.querySelector('fieldset[data-group="规下"] [data-scheme="sum-note"]')`) {
		t.Error("a sum of 105 has no note, or the 规下 sum of 100 has one")
	}
	set("from_year", "2025")
	p.screenshot("112-scheme-editor")
	p.click(`[data-action="save-scheme"]`)
	v1 := start.Version + 1
	p.waitJS("the new version", fmt.Sprintf(`!!document.querySelector('%s .scheme-current[data-version="%d"]')`, ed, v1))
	// The year stays what the version in force starts from (a blank would
	// make the next save apply to every year), and the history says who governs what.
	if y := eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-path="from_year"]').value`, ed)); y != "2025" {
		t.Errorf("after saving from 2025 the year field is %q", y)
	}
	if g := eval[string](p, fmt.Sprintf(`document.querySelector('[data-history-version="%d"] [data-governs]').textContent`, v1)); g != "2025 年起" {
		t.Errorf("version %d governs %q, want 2025 年起", v1, g)
	}
	if g := eval[string](p, fmt.Sprintf(`document.querySelector('[data-history-version="%d"] [data-governs]').textContent`, start.Version)); g != "2024 年及以前" && g != "2025 年以前" {
		t.Logf("version %d governs %q", start.Version, g)
	}
	if r := eval[string](p, fmt.Sprintf(`(document.querySelector('[data-history-version="%d"] .reason') || {}).textContent || ''`, v1)); r != "浏览器测试：规上亩均税收权重 35" {
		t.Errorf("history of version %d: reason %q", v1, r)
	}
	if w := eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-path="%s"]').value`, ed, weight)); w != "35" {
		t.Errorf("the weight read back is %s", w)
	}
	// The evaluation reloads by the new version.
	p.waitJS("the evaluation by the new version", fmt.Sprintf(`/第 %d 版/.test(document.querySelector('[data-eval="scheme"]').textContent)`, v1))

	// Someone else saves meanwhile: the page's save is stale (412).
	var cur struct {
		Scheme map[string]any `json:"scheme"`
	}
	admin.must(t, 200, "GET", "/api/v1/evaluation/scheme", nil, 0, &cur)
	admin.must(t, 200, "PUT", "/api/v1/evaluation/scheme", map[string]any{"scheme": cur.Scheme, "from_year": nil, "reason": "另一位管理员的修改"}, v1, nil)
	set(weight, "40")
	set("reason", "浏览器测试：过期的保存")
	p.click(`[data-action="save-scheme"]`)
	p.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
	if txt := eval[string](p, `document.querySelector('dialog.conflict').textContent`); !strings.Contains(txt, "另一位管理员的修改") || !strings.Contains(txt, fmt.Sprintf("第 %d 版", v1)) {
		t.Errorf("the conflict dialog says %q", txt)
	}
	p.screenshot("114-scheme-conflict")
	p.click(`dialog.conflict footer button[data-value="reload"]`)
	v2 := v1 + 1
	p.waitJS("their version loaded", fmt.Sprintf(`!document.querySelector('dialog.conflict[open]') && !!document.querySelector('%s .scheme-current[data-version="%d"]')`, ed, v2))
	if w := eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-path="%s"]').value`, ed, weight)); w != "35" {
		t.Errorf("after keeping theirs the weight is %s, want their 35", w)
	}
	if r := eval[string](p, fmt.Sprintf(`(document.querySelector('[data-history-version="%d"] .reason') || {}).textContent || ''`, v2)); r != "另一位管理员的修改" {
		t.Errorf("history of version %d: %q", v2, r)
	}

	// A negative weight: 422, the message next to the field.
	bad := "scheme.groups[0].indicators[1].weight"
	set(bad, "-5")
	set("reason", "浏览器测试：负权重")
	p.click(`[data-action="save-scheme"]`)
	p.waitJS("the field's error", fmt.Sprintf(`!!document.querySelector('%s .field-error[data-error-for="%s"]')`, ed, bad))
	if msg := eval[string](p, fmt.Sprintf(`document.querySelector('.field-error[data-error-for="%s"]').textContent`, bad)); !strings.Contains(msg, "> 0") {
		t.Errorf("the weight's error says %q", msg)
	}
	if !eval[bool](p, fmt.Sprintf(`document.querySelector('%s [data-path="%s"]').getAttribute('aria-invalid') === 'true'`, ed, bad)) {
		t.Error("the weight is not marked invalid")
	}
	var after struct {
		Version int `json:"current_version"`
	}
	admin.must(t, 200, "GET", "/api/v1/evaluation/scheme", nil, 0, &after)
	if after.Version != v2 {
		t.Errorf("a refused scheme was stored: version %d, want %d", after.Version, v2)
	}
	p.screenshot("113-scheme-error")

	// The assessment scheme in the same editor.
	p.click(`[data-eval-tab="assessment"]`)
	p.waitJS("the assessment scheme", `document.querySelectorAll('.scheme-editor[data-scheme-kind="assessment"] [data-criterion]').length >= 7`)
	p.screenshot("116-assessment-scheme")

	// In English the benchmark cells keep their text inside the cell.
	p.click(`[data-eval-tab="scheme"]`)
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	t.Cleanup(func() { eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`) })
	p.waitJS("the scheme in English", `/enterprises$/.test(document.querySelector('fieldset[data-group="规上"] legend span').textContent) && document.querySelector('fieldset[data-group="规上"] [data-indicator="tax_per_mu"] option:checked').textContent === 'Tax per mu'`)
	if w := eval[float64](p, `Math.max.apply(null, Array.prototype.map.call(document.querySelectorAll('fieldset[data-group="规上"] .bench'), function (b) {
		var td = b.parentNode.getBoundingClientRect(), r = 0;
		b.querySelectorAll('select, .unit, input').forEach(function (x) { r = Math.max(r, x.getBoundingClientRect().right - td.right); });
		return r;
	}))`); w > 0 {
		t.Errorf("in English a benchmark's text runs %v px past its cell", w)
	}
	if e := eval[string](p, `document.querySelector('.scheme-error').textContent`); strings.Contains(e, "输入有误") || !eval[bool](p, `!!document.querySelector('.field-error[data-error-for="scheme.groups[0].indicators[1].weight"]')`) {
		t.Errorf("after the switch the error box says %q, or the field's message is gone", e)
	}
	p.screenshot("185-evfix-scheme-english")
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)

	// At tablet width the scheme's rows fit their group.
	p.do(chromedp.EmulateViewport(820, 1180, chromedp.EmulatePortrait))
	p.click(`[data-eval-tab="scheme"]`)
	p.waitJS("the scheme at tablet width", `document.querySelector('fieldset[data-group="规上"]').getBoundingClientRect().width > 0`)
	if w := eval[float64](p, `(function () { var f = document.querySelector('fieldset[data-group="规上"]'); return f.scrollWidth - f.clientWidth; })()`); w > 1 {
		t.Errorf("at tablet width the 规上 group is %v px wider than its box", w)
	}
	p.screenshot("118-scheme-tablet")
}

// thousands formats n as the page does (zh-CN grouping).
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestEvaluationPageFixes: 2024 has no figures for 2023, so every benchmark
// is this year's county average: the page says so in one Chinese line (no
// English notes, no county codes); a class D card gives the class's rank
// range in its county and group from the scheme's cut-offs; switching to
// English redraws the open dialog, indicator names and units included; on
// a phone the class column is on screen.
func TestEvaluationPageFixes(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	t.Cleanup(func() { eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`) })
	p.click(`#btn-evaluation`)
	p.waitJS("the evaluation table", `document.querySelectorAll('.eval-row').length > 0 && document.querySelector('[data-filter="year"]').value === '2025'`)
	eval[bool](p, `(function () { var s = document.querySelector('[data-filter="year"]'); s.value = '2024'; s.dispatchEvent(new Event('change')); return true; })()`)
	p.waitJS("2024's table", `/2023/.test((document.querySelector('[data-eval="bench-note"]') || {}).textContent || '') && !document.querySelector('.eval-table-wrap.loading')`)
	api := p.apiAsk("eval2024", "/evaluation", `{scenario: 0, year: 2024, limit: 1}`)
	if n := len(api["notes"].([]any)); n < 2 {
		t.Logf("the API has %d notes for 2024", n)
	}
	notes := eval[[]string](p, `Array.prototype.map.call(document.querySelectorAll('.eval-summary .eval-note'), function (n) { return n.textContent; })`)
	if len(notes) != 1 || notes[0] != "2023 年无企业数据：各县（市、区）基准取本年县均值（标 *）" {
		t.Errorf("2024's notes %q: want one line saying every county fell back", notes)
	}
	if txt := eval[string](p, `document.querySelector('.eval-summary').textContent`); strings.Contains(txt, "benchmark") || strings.Contains(txt, "3311") {
		t.Errorf("the summary has English or county codes: %q", txt)
	}
	p.screenshot("180-evfix-2024-note")

	// A D card: the class's ranks among the row's "of".
	p.click(`[data-class-filter="D"]`)
	p.waitJS("D rows", `(function () { var rs = document.querySelectorAll('.eval-row'); return rs.length > 0 && Array.prototype.every.call(rs, function (r) { return r.getAttribute('data-class') === 'D'; }) && !document.querySelector('.eval-table-wrap.loading'); })()`)
	p.click(`.eval-row`)
	p.waitJS("the D card", `!!document.querySelector('.eval-detail [data-eval="class-range"]')`)
	var rank, of int
	fmt.Sscanf(eval[string](p, `document.querySelector('.eval-row').cells[0].textContent`), "%d / %d", &rank, &of)
	prev, from, to := 0.0, 0, 0
	for _, c := range api["classes"].([]any) {
		cut := c.(map[string]any)
		hi := int(cut["up_to"].(float64)*float64(of) + 1e-9)
		if cut["class"] == "D" {
			from, to = int(prev)+1, min(hi, of)
		}
		prev = float64(hi)
	}
	got := eval[string](p, `document.querySelector('.eval-detail [data-eval="class-range"]').textContent`)
	if want := fmt.Sprintf("D 类：第 %d–%d 名（后 ", from, to); !strings.HasPrefix(got, want) || rank < from || rank > to || to != of {
		t.Errorf("the D card says %q; want %q… with rank %d of %d inside", got, want, rank, of)
	}
	p.screenshot("181-evfix-d-card")

	// English: the open dialog redraws, the card stays open, names translated.
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	p.waitJS("the dialog in English", `document.querySelector('[data-eval-tab="results"]').textContent === 'Enterprises' && !!document.querySelector('.eval-detail [data-eval="class-range"]')`)
	checks := map[string]string{
		`document.querySelector('.eval-detail [data-indicator="tax_per_mu"] td').textContent`:       "Tax per mu",
		`document.querySelector('.eval-detail [data-indicator="tax_per_mu"] .unit').textContent`:    "10k yuan/mu",
		`document.querySelector('.eval-grid thead th:last-child').textContent`:                      eval[string](p, `wanmu.i18n.t('eval.col.class')`),
		`document.querySelector('[data-eval="bench-note"]').textContent.slice(0, 29)`:               "No enterprise figures for 202",
		`document.querySelector('.eval-detail [data-eval="class-range"]').textContent.slice(0, 15)`: "Class D: ranks ",
		`document.querySelector('.eval-row td.scale').textContent`:                                  "above size",
	}
	for js, want := range checks {
		if got := eval[string](p, js); got != want {
			t.Errorf("in English %s = %q, want %q", js, got, want)
		}
	}
	if txt := eval[string](p, `document.querySelector('.eval-detail .eval-ind').textContent + document.querySelector('[data-eval="class-ranges"]').textContent + document.querySelector('.eval-summary').textContent + Array.prototype.map.call(document.querySelectorAll('.eval-filters .field-label'), function (l) { return l.textContent; }).join()`); strings.ContainsAny(txt, "亩税规方案万元") {
		t.Errorf("Chinese left in the English card, summary or filters: %q", txt)
	}
	p.screenshot("182-evfix-english")
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)
	p.waitJS("back in Chinese", `document.querySelector('[data-eval-tab="results"]').textContent === '企业评价'`)

	// Out-of-order answers: 2024's unplaced list answers after 2025's; the
	// page keeps 2025's, and a year change drops the old year's "more".
	p.click(`[data-eval-tab="unplaced"]`)
	p.waitJS("2024's unplaced list", `document.querySelectorAll('.eval-unplaced tbody tr').length > 0 && !!document.querySelector('[data-action="unplaced-more"]')`)
	eval[bool](p, `(function () {
		var get = wanmu.api.get;
		window.slow2024 = false;
		wanmu.api.get = function (path, q) {
			var p = get.apply(this, arguments);
			if (path === '/enterprises/unplaced' && String(q.year) === '2024') {
				var done = p.then(function (r) { return new Promise(function (ok) { setTimeout(function () { ok(r); }, 800); }); });
				done.then(function () { setTimeout(function () { window.slow2024 = true; }, 0); });
				return done;
			}
			return p;
		};
		window.restoreGet = function () { wanmu.api.get = get; };
		var s = document.querySelector('[data-filter="year"]');
		s.value = '2025';
		s.dispatchEvent(new Event('change'));
		window.moreAfterChange = !!document.querySelector('[data-action="unplaced-more"]');
		s.value = '2024';
		s.dispatchEvent(new Event('change'));
		s.value = '2025';
		s.dispatchEvent(new Event('change'));
		return true;
	})()`)
	p.waitJS("the slow 2024 answer arrived", `window.slow2024 === true`)
	eval[bool](p, `(window.restoreGet(), true)`)
	up := p.apiAsk("unplaced2025", "/enterprises/unplaced", `{scenario: 0, year: 2025, limit: 100}`)
	first := up["enterprises"].([]any)[0].(map[string]any)["credit_code"].(string)
	if got := eval[string](p, `document.querySelector('.eval-unplaced tbody tr').getAttribute('data-credit-code')`); got != first {
		t.Errorf("after 2024 then 2025 the unplaced list starts with %s, 2025's starts with %s", got, first)
	}
	if note := eval[string](p, `document.querySelector('[data-pane="unplaced"] > p').textContent`); !strings.Contains(note, "2025") || strings.Contains(note, "2024") {
		t.Errorf("after 2024 then 2025 the unplaced list says %q", note)
	}
	if n := eval[int](p, `document.querySelectorAll('.eval-unplaced').length`); n != 1 {
		t.Errorf("%d unplaced tables", n)
	}
	if eval[bool](p, `window.moreAfterChange`) {
		t.Error("the old year's 'more' button stayed after the year changed")
	}
	p.click(`[data-eval-tab="results"]`)

	// Phone and tablet: the class column is on screen, nothing wider than its box.
	for _, s := range []struct {
		w, h int
		shot string
	}{{390, 844, "183-evfix-phone"}, {820, 1180, "184-evfix-tablet"}} {
		p.do(chromedp.EmulateViewport(int64(s.w), int64(s.h), chromedp.EmulatePortrait))
		p.waitJS("the table at "+s.shot, fmt.Sprintf(`window.innerWidth === %d && document.querySelectorAll('.eval-row').length > 0`, s.w))
		if r := eval[float64](p, `document.querySelector('.eval-row .eval-class').getBoundingClientRect().right - Math.min(window.innerWidth, document.querySelector('.eval-table-wrap').getBoundingClientRect().right)`); r > 0 {
			t.Errorf("at %d px the class badge is %v px off its box", s.w, r)
		}
		if w := eval[float64](p, `document.querySelector('.eval-grid').scrollWidth - document.querySelector('.eval-table-wrap').clientWidth`); w > 1 {
			t.Errorf("at %d px the table is %v px wider than its box", s.w, w)
		}
		p.screenshot(s.shot)
	}
}
