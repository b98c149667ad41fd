package browser

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wanmu/internal/testenv"
)

type assessedJSON struct {
	Platform  string  `json:"platform"`
	Name      string  `json:"name"`
	Score     float64 `json:"score"`
	Rank      int     `json:"rank"`
	Tier      int     `json:"tier"`
	LastTier  int     `json:"last_tier"`
	Move      int     `json:"move"`
	Interview bool    `json:"interview"`
}

type platformValueJSON struct {
	Code        string   `json:"code"`
	Value       *float64 `json:"value"`
	MeetsTarget *bool    `json:"meets_target"`
	Reporting   int      `json:"reporting"`
}

// TestPlatformIndicatorsPanel: a viewer opens a platform of the sample
// data; its 亩均效益 section shows the indicators computed from the
// enterprise figures as the API gives them (亩均税收 formatted as the page
// writes figures), the verdict against the 2025 target, the trend over the
// two stored years and the land by class; another year shows that year's.
func TestPlatformIndicatorsPanel(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	var as struct {
		Year      int            `json:"year"`
		Platforms []assessedJSON `json:"platforms"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/evaluation/assessment", nil, 0, &as)
	if len(as.Platforms) == 0 {
		t.Fatal("the sample's assessment has no platforms")
	}
	pid := as.Platforms[0].Platform
	indicators := func(year int) (vals map[string]platformValueJSON, classes int) {
		t.Helper()
		var res struct {
			Platform struct {
				Values    []platformValueJSON `json:"values"`
				ClassLand map[string]float64  `json:"class_land"`
			} `json:"platform"`
		}
		viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%s/indicators?year=%d", pid, year), nil, 0, &res)
		vals = map[string]platformValueJSON{}
		for _, v := range res.Platform.Values {
			vals[v.Code] = v
		}
		for _, l := range res.Platform.ClassLand {
			if l > 0 {
				classes++
			}
		}
		return vals, classes
	}
	want, classes := indicators(as.Year)
	tax := want["tax_per_mu"]
	if tax.Value == nil || tax.MeetsTarget == nil {
		t.Fatalf("the API gives no 亩均税收 or no verdict for platform %s: %+v", pid, tax)
	}

	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%s, true), true)`, pid))
	body := fmt.Sprintf(`#platform [data-section="indicators"] .indicators-body[data-platform-id="%s"]`, pid)
	p.waitJS("the platform's indicators", fmt.Sprintf(`!!document.querySelector('%s[data-year="%d"] [data-code="tax_per_mu"] [data-field="value"]')`, body, as.Year))
	cell := func(code, field string) string {
		t.Helper()
		return eval[string](p, fmt.Sprintf(`(function(){ var e = document.querySelector('%s [data-code="%s"] [data-field="%s"]'); return e ? e.textContent : '<none>'; })()`, body, code, field))
	}
	if got, w := cell("tax_per_mu", "value"), pageNumber(*tax.Value); got != w {
		t.Errorf("亩均税收 reads %q, the API's %v is %q", got, *tax.Value, w)
	}
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-code="tax_per_mu"] [data-field="target"]').dataset.met`, body)); got != strconv.FormatBool(*tax.MeetsTarget) {
		t.Errorf("亩均税收 against its target: the page says met=%s, the API %v", got, *tax.MeetsTarget)
	}
	if got, w := cell("tax_per_mu", "reporting"), pageNumber0(tax.Reporting); !strings.Contains(got, w) {
		t.Errorf("亩均税收's reporting enterprises read %q, want %s", got, w)
	}
	if rows := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s .ind-row').length`, body)); rows != len(want) {
		t.Errorf("%d indicator rows, the API has %d", rows, len(want))
	}
	// Two stored years: a trend line with its arrow; the doubling goal
	// against the base year.
	if n := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s [data-code="tax_per_mu"] .ind-trend svg polyline').length`, body)); n != 1 {
		t.Errorf("亩均税收 has %d trend lines, want 1", n)
	}
	prev := as.Year - 1
	old, _ := indicators(prev)
	trend := func() string {
		return eval[string](p, fmt.Sprintf(`document.querySelector('%s [data-code="tax_per_mu"] .ind-trend').dataset.trend`, body))
	}
	wantTrend := "up"
	if *old["tax_per_mu"].Value > *tax.Value {
		wantTrend = "down"
	}
	if got := trend(); got != wantTrend {
		t.Errorf("亩均税收's trend into %d is %q, want %q (%v → %v)", as.Year, got, wantTrend, *old["tax_per_mu"].Value, *tax.Value)
	}
	if got := cell("tax_per_mu", "doubling"); !strings.Contains(got, "翻番") {
		t.Errorf("亩均税收 against its base year reads %q", got)
	}
	if n := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s .class-bar .seg').length`, body)); n != classes {
		t.Errorf("the class bar has %d segments, the API %d classes with land", n, classes)
	}
	// The hand-typed targets section stays below.
	if !eval[bool](p, `(function(){ var a = document.querySelector('#platform [data-section="indicators"]'), b = document.querySelector('#platform [data-section="targets"]'); return !!a && !!b && !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING); })()`) {
		t.Error("the targets section is not below the indicators")
	}
	eval[bool](p, `(document.querySelector('#platform [data-section="indicators"]').scrollIntoView(), true)`)
	p.screenshot("120-platform-indicators")

	// The year before: its own figures, and no trend into the first year.
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('#platform [data-indicators-year]'); s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, prev))
	p.waitJS("the year before", fmt.Sprintf(`!!document.querySelector('%s[data-year="%d"]')`, body, prev))
	if got, w := cell("tax_per_mu", "value"), pageNumber(*old["tax_per_mu"].Value); got != w {
		t.Errorf("亩均税收 of %d reads %q, the API's is %q", prev, got, w)
	}
	if got := trend(); got != "none" {
		t.Errorf("亩均税收's trend into the first year %d is %q", prev, got)
	}
	eval[bool](p, `(document.querySelector('#platform [data-section="indicators"]').scrollIntoView(), true)`)
	p.screenshot("121-platform-indicators-year")

	// Another platform, in the year picked.
	other := as.Platforms[1].Platform
	var res struct {
		Platform struct {
			Values []platformValueJSON `json:"values"`
		} `json:"platform"`
	}
	viewer.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%s/indicators?year=%d", other, prev), nil, 0, &res)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%s, false), true)`, other))
	body = fmt.Sprintf(`#platform [data-section="indicators"] .indicators-body[data-platform-id="%s"]`, other)
	p.waitJS("the other platform's indicators", fmt.Sprintf(`!!document.querySelector('%s[data-year="%d"] [data-code="tax_per_mu"] [data-field="value"]')`, body, prev))
	for _, v := range res.Platform.Values {
		if v.Code == "tax_per_mu" && v.Value != nil {
			if got, w := cell("tax_per_mu", "value"), pageNumber(*v.Value); got != w {
				t.Errorf("platform %s's 亩均税收 of %d reads %q, the API's is %q", other, prev, got, w)
			}
		}
	}

	// In English: the page's words, the server's labels and definitions.
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	p.waitJS("the English section", `document.querySelector('#platform [data-section="indicators"] .section-title').textContent === 'Output per mu'`)
	eval[bool](p, `(document.querySelector('#platform [data-section="indicators"]').scrollIntoView(), true)`)
	// The server's Chinese names translated by code.
	if got := eval[string](p, `document.querySelector('#platform [data-section="indicators"] [data-code="tax_per_mu"] .ind-label').textContent`); got != "Tax per mu 10k yuan/mu" {
		t.Errorf("亩均税收 in English reads %q", got)
	}
	p.screenshot("128-platform-indicators-en")
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)
	p.waitJS("the Chinese names again", `document.querySelector('#platform [data-section="indicators"] [data-code="tax_per_mu"] .ind-label').textContent === '亩均税收 万元/亩'`)

	// A year whose figures fail (503) does not keep the panel loading: the
	// other year shows, without a trend; the failed year says so.
	eval[bool](p, fmt.Sprintf(`(function(){
		var f = window.fetch;
		window.fetch = function (u) {
			if (String(u).indexOf('/indicators') >= 0 && String(u).indexOf('year=%d') >= 0) {
				return Promise.resolve(new Response('{"title":"unavailable","status":503}', { status: 503, headers: { 'Content-Type': 'application/problem+json' } }));
			}
			return f.apply(this, arguments);
		};
		wanmu.app.showPlatform(%s, false);
		return true;
	})()`, prev, pid))
	// The year picked before is the one that fails: it says so, with a retry.
	p.waitJS("the failed year's note", fmt.Sprintf(`!!document.querySelector('#platform [data-indicators-failed="%d"] [data-action="indicators-retry"]')`, prev))
	dismissToasts(p)
	eval[bool](p, `(document.querySelector('#platform [data-section="indicators"]').scrollIntoView(), true)`)
	p.screenshot("129-platform-indicators-year-failed")
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('#platform [data-indicators-year]'); s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, as.Year))
	body = fmt.Sprintf(`#platform [data-section="indicators"] .indicators-body[data-platform-id="%s"]`, pid)
	p.waitJS("the indicators despite the failed year", fmt.Sprintf(`!!document.querySelector('%s[data-year="%d"] [data-code="tax_per_mu"] [data-field="value"]')`, body, as.Year))
	if n := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s [data-code="tax_per_mu"] .ind-trend svg').length`, body)); n != 0 {
		t.Errorf("with %d failed, 亩均税收 still draws %d trend lines", prev, n)
	}
}

// TestAssessment: a viewer opens 年度考核. The ranking is the API's, in its
// order, with the 约谈 flag on the last only; the chart has one line per
// platform assessed in any year; the year before shows its own ranking; the
// workbook answers 200 as XLSX; the printed report (A4 portrait PDF) has
// the ranking, the 约谈 note and the sample-data note.
func TestAssessment(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s (poppler-utils) is not installed", tool)
		}
	}
	viewer := mustAPI(t, viewerUser)
	var as struct {
		Year       int                     `json:"year"`
		Platforms  []assessedJSON          `json:"platforms"`
		Criteria   []struct{ Code string } `json:"criteria"`
		Indicators []struct {
			Platform string              `json:"platform"`
			Values   []platformValueJSON `json:"values"`
		} `json:"indicators"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/evaluation/assessment", nil, 0, &as)
	var years struct {
		Years []struct {
			Year      int            `json:"year"`
			Platforms []assessedJSON `json:"platforms"`
		} `json:"years"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/evaluation/assessment/years", nil, 0, &years)
	if len(as.Platforms) < 2 || len(years.Years) < 2 {
		t.Fatalf("the sample has %d platforms assessed and %d years", len(as.Platforms), len(years.Years))
	}
	ids := func(ps []assessedJSON) string {
		var s []string
		for _, a := range ps {
			s = append(s, a.Platform)
		}
		return strings.Join(s, ",")
	}
	every := map[string]bool{}
	for _, y := range years.Years {
		for _, a := range y.Platforms {
			every[a.Platform] = true
		}
	}

	p := newPage(t)
	p.do(chromedp.EmulateViewport(1440, 900))
	p.login(viewerUser)
	p.click("#btn-assessment")
	dlg := `dialog.assessment-dialog`
	p.waitJS("the ranking", fmt.Sprintf(`document.querySelectorAll('%s table.assessment-grid tbody tr').length === %d && document.querySelector('%s').dataset.year === '%d'`, dlg, len(as.Platforms), dlg, as.Year))
	rows := func() string {
		return eval[string](p, fmt.Sprintf(`Array.prototype.map.call(document.querySelectorAll('%s table.assessment-grid tbody tr'), function (r) { return r.dataset.platform; }).join(',')`, dlg))
	}
	if got, w := rows(), ids(as.Platforms); got != w {
		t.Errorf("the ranking's order is %s, the API's %s", got, w)
	}
	var interview []string
	for _, a := range as.Platforms {
		if a.Interview {
			interview = append(interview, a.Platform)
		}
	}
	if len(interview) != 1 || interview[0] != as.Platforms[len(as.Platforms)-1].Platform {
		t.Errorf("the API flags %v for 约谈, not the last", interview)
	}
	if got := eval[string](p, fmt.Sprintf(`Array.prototype.map.call(document.querySelectorAll('%s tbody tr .interview-flag'), function (e) { return e.closest('tr').dataset.platform; }).join(',')`, dlg)); got != strings.Join(interview, ",") {
		t.Errorf("the page flags %q for 约谈, the API %v", got, interview)
	}
	first := as.Platforms[0]
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s tbody tr[data-platform="%s"] [data-field="score"]').textContent`, dlg, first.Platform)); got != pageNumber(first.Score) {
		t.Errorf("%s's score reads %q, the API's %v", first.Name, got, first.Score)
	}
	wantMove := map[bool]string{true: "same", false: "new"}[first.LastTier == first.Tier && first.Move == 0]
	if first.Move > 0 {
		wantMove = "up"
	} else if first.Move < 0 {
		wantMove = "down"
	}
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s tbody tr[data-platform="%s"] [data-field="move"]').dataset.move`, dlg, first.Platform)); got != wantMove {
		t.Errorf("%s's move is %q, want %q (tier %d, last %d)", first.Name, got, wantMove, first.Tier, first.LastTier)
	}
	if n := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s .assessment-svg .assess-line').length`, dlg)); n != len(every) {
		t.Errorf("the chart has %d lines, %d platforms were assessed", n, len(every))
	}
	if n := eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s .assessment-svg .assess-line polyline').length`, dlg)); n != len(every) {
		t.Errorf("the chart has %d polylines for %d platforms", n, len(every))
	}
	// Each criterion's points with the indicator value behind them.
	if len(as.Criteria) == 0 {
		t.Fatal("the assessment has no criteria")
	}
	code := as.Criteria[0].Code
	for _, pi := range as.Indicators {
		if pi.Platform != first.Platform {
			continue
		}
		for _, v := range pi.Values {
			if v.Code == code && v.Value != nil {
				if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s tbody tr[data-platform="%s"] td.crit[data-code="%s"] [data-field="value"]').textContent`, dlg, first.Platform, code)); !strings.HasPrefix(got, pageNumber(*v.Value)+" ") {
					t.Errorf("%s's %s value reads %q, the API's %v", first.Name, code, got, *v.Value)
				}
			}
		}
	}
	p.screenshot("122-assessment")

	// A row picked: its line stands out, the others fade.
	last := as.Platforms[len(as.Platforms)-1]
	p.click(fmt.Sprintf(`%s tbody tr[data-platform="%s"] th`, dlg, last.Platform))
	p.waitJS("the focused line", fmt.Sprintf(`!!document.querySelector('%s .assess-line.focus[data-platform="%s"]')`, dlg, last.Platform))
	eval[bool](p, fmt.Sprintf(`(document.querySelector('%s .assessment-chart').scrollIntoView(), true)`, dlg))
	p.screenshot("123-assessment-chart")
	// By score: the same lines, the names kept apart.
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('%s [data-chart-mode]'); s.value = 'score'; s.dispatchEvent(new Event('change')); return true; })()`, dlg))
	p.waitJS("the score chart", fmt.Sprintf(`document.querySelectorAll('%s .assessment-svg .assess-line').length === %d && document.querySelector('%s [data-chart-mode]').value === 'score'`, dlg, len(every), dlg))
	if overlap := eval[int](p, fmt.Sprintf(`(function(){
		var r = Array.prototype.map.call(document.querySelectorAll('%s .assessment-svg text.name'), function (e) { return e.getBoundingClientRect(); });
		var n = 0;
		r.forEach(function (a, i) { r.slice(i + 1).forEach(function (b) { if (a.left < b.right && b.left < a.right && a.top < b.bottom - 3 && b.top < a.bottom - 3) { n++; } }); });
		return n;
	})()`, dlg)); overlap != 0 {
		t.Errorf("%d pairs of the chart's names overlap", overlap)
	}
	eval[bool](p, fmt.Sprintf(`(document.querySelector('%s .assessment-chart').scrollIntoView(), true)`, dlg))
	p.screenshot("124-assessment-chart-score")

	// The workbook, through the page's download path (session cookie).
	p.catchDownloads()
	p.click(dlg + ` footer button[data-i18n="assessment.xlsx"]`)
	p.waitJS("the workbook saved", `!!window.saved`)
	if got := eval[string](p, `window.saved.magic + ' ' + window.saved.type + ' ' + window.saved.name`); !strings.HasPrefix(got, "PK application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ") || !strings.HasSuffix(got, ".xlsx") {
		t.Errorf("the XLSX download saved %q", got)
	}

	// The year before, by the picker.
	prev := years.Years[len(years.Years)-2]
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('%s [data-assessment-year]'); s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, dlg, prev.Year))
	p.waitJS("the year before's ranking", fmt.Sprintf(`document.querySelector('%s').dataset.year === '%d'`, dlg, prev.Year))
	if got, w := rows(), ids(prev.Platforms); got != w {
		t.Errorf("%d's ranking is %s, the API's %s", prev.Year, got, w)
	}
	eval[bool](p, fmt.Sprintf(`(function(){ var s = document.querySelector('%s [data-assessment-year]'); s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, dlg, as.Year))
	p.waitJS("this year's ranking again", fmt.Sprintf(`document.querySelector('%s').dataset.year === '%d'`, dlg, as.Year))

	// Answers out of order: the year before's answer, held back until this
	// year's has come, is dropped (the picker moved on).
	eval[bool](p, fmt.Sprintf(`(function(){
		var f = window.fetch, s = document.querySelector('%s [data-assessment-year]');
		var release, held = new Promise(function (r) { release = r; });
		window.lateDone = false;
		window.fetch = function (u) {
			var r = f.apply(this, arguments);
			if (String(u).indexOf('/evaluation/assessment?') >= 0 && String(u).indexOf('year=%d') >= 0) {
				return held.then(function () { return r; }).then(function (x) { setTimeout(function () { window.lateDone = true; }, 0); return x; });
			}
			if (String(u).indexOf('/evaluation/assessment?') >= 0) {
				return r.then(function (x) { setTimeout(release, 50); return x; });
			}
			return r;
		};
		s.value = '%d'; s.dispatchEvent(new Event('change'));
		s.value = '%d'; s.dispatchEvent(new Event('change'));
		return true;
	})()`, dlg, prev.Year, prev.Year, as.Year))
	p.waitJS("the late answer", `window.lateDone`)
	p.waitJS("the ranking settled", fmt.Sprintf(`!document.querySelector('%s .assessment-table.loading')`, dlg))
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s').dataset.year`, dlg)); got != strconv.Itoa(as.Year) {
		t.Errorf("after a late answer for %d the dialog shows %s, not the %d chosen", prev.Year, got, as.Year)
	}
	if got, w := rows(), ids(as.Platforms); got != w {
		t.Errorf("after a late answer the ranking is %s, the API's %s", got, w)
	}

	// In English: the tiers, the 约谈 flag and the criteria by code.
	eval[bool](p, `(wanmu.i18n.setLang('en'), true)`)
	p.waitJS("the English ranking", fmt.Sprintf(`document.querySelector('%s tbody tr[data-platform="%s"] .tier-chip').textContent === 'Tier 1'`, dlg, first.Platform))
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s tbody .interview-flag').textContent`, dlg)); got != "Talk" {
		t.Errorf("the 约谈 flag in English reads %q", got)
	}
	if got := eval[string](p, fmt.Sprintf(`document.querySelector('%s thead th.crit span').textContent`, dlg)); regexp.MustCompile(`\p{Han}`).MatchString(got) {
		t.Errorf("the first criterion in English reads %q", got)
	}
	p.screenshot("135-assessment-en")
	eval[bool](p, `(wanmu.i18n.setLang('zh'), true)`)
	p.waitJS("the Chinese ranking", fmt.Sprintf(`document.querySelector('%s tbody tr[data-platform="%s"] .tier-chip').textContent === '第一档'`, dlg, first.Platform))

	// The report.
	dismissToasts(p)
	p.click(dlg + ` footer button[data-i18n="assessment.print"]`)
	p.waitJS("the report", `!!document.querySelector('#print-overlay.assessment-print .assessment-report table.assessment-grid') && !document.querySelector('dialog.assessment-dialog')`)
	p.screenshot("125-assessment-print-preview")

	file := p.printPDF("assessment")
	dir := filepath.Dir(file)
	info := runTool(t, "pdfinfo", file)
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(info)
	// A4 portrait: 210 × 297 mm = 595.3 × 841.9 pt.
	if m == nil || math.Abs(atof(m[1])-595.3) > 2 || math.Abs(atof(m[2])-841.9) > 2 {
		t.Errorf("page size %v, want A4 portrait:\n%s", m, info)
	}
	pages := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if pages == nil || atof(pages[1]) < 1 || atof(pages[1]) > 3 {
		t.Errorf("the report has %v pages, want 1 to 3:\n%s", pages, info)
	}
	runTool(t, "pdftoppm", "-png", "-r", "70", file, filepath.Join(dir, "page"))
	shots, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	sort.Strings(shots)
	for i, s := range shots {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(suite.artifacts, fmt.Sprintf("%d-assessment-print-page%d.png", 126+i, i+1)), b, 0o644); err != nil {
			t.Error(err)
		}
	}
	text := runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")
	for _, w := range []string{first.Name, last.Name, "年度产业平台考核报告", fmt.Sprintf("%d 年度排名", as.Year), "考核方案", "约谈", "示例数据，非测绘成果", "制图日期"} {
		if !strings.Contains(text, w) {
			t.Errorf("the report's text lacks %q:\n%s", w, text)
		}
	}
	if a, b := strings.Index(text, first.Name), strings.LastIndex(text, last.Name); a < 0 || b < a {
		t.Errorf("the report does not list %s before %s", first.Name, last.Name)
	}

	// Closing the report returns to the dialog.
	p.click(`#print-overlay [data-action="close-print"]`)
	p.waitJS("the dialog again", fmt.Sprintf(`!document.getElementById('print-overlay') && !document.body.classList.contains('print-mode') && document.querySelectorAll('%s table.assessment-grid tbody tr').length === %d`, dlg, len(as.Platforms)))
}

// pageNumber is a figure as the page writes it (zh-CN, two decimals).
func pageNumber(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	whole, frac := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	if v < 0 {
		b.WriteString("-")
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + frac
}

// pageNumber0 is a whole number as the page writes it.
func pageNumber0(n int) string {
	s := pageNumber(float64(n))
	return s[:len(s)-3]
}

// TestAssessmentPhone: on a phone (390×844) 年度考核 from the layers sheet
// shows each platform's rank, name, score, tier, move and 约谈 within the
// width (the criteria and the county give way), the table near the top.
func TestAssessmentPhone(t *testing.T) {
	p := newPage(t)
	p.do(chromedp.EmulateViewport(390, 844))
	p.login(viewerUser)
	p.click(`.phone-tab[data-sheet="left"]`)
	p.waitJS("the 亩均评价 group's buttons", `!!document.querySelector('#layers [data-action="open-assessment"]')`)
	eval[bool](p, `(document.querySelector('#layers [data-action="open-assessment"]').scrollIntoView({ block: 'nearest' }), true)`)
	p.click(`#layers [data-action="open-assessment"]`)
	dlg := `dialog.assessment-dialog`
	p.waitJS("the ranking", fmt.Sprintf(`!!document.querySelector('%s table.assessment-grid tbody tr .interview-flag')`, dlg))
	out := eval[[]string](p, fmt.Sprintf(`(function () {
		var out = [], w = window.innerWidth;
		document.querySelectorAll('%s tbody tr').forEach(function (r) {
			['[data-field="score"]', '[data-field="tier"]', '[data-field="move"]', 'th'].forEach(function (s) {
				var b = r.querySelector(s).getBoundingClientRect();
				if (b.width === 0 || b.right > w + 0.5 || b.left < 0) { out.push(r.dataset.platform + ' ' + s); }
			});
		});
		var f = document.querySelector('%s .interview-flag').getBoundingClientRect();
		if (f.right > w + 0.5) { out.push('约谈'); }
		return out;
	})()`, dlg, dlg))
	if len(out) > 0 {
		t.Errorf("off-screen at 390 px: %v", out)
	}
	if top := eval[float64](p, fmt.Sprintf(`document.querySelector('%s table.assessment-grid').getBoundingClientRect().top - document.querySelector('%s').getBoundingClientRect().top`, dlg, dlg)); top > 140 {
		t.Errorf("the table starts %.0f px below the dialog's top", top)
	}
	p.screenshot("136-assessment-phone")
}
