package browser

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// latin finds Latin words; numbers, coordinates and ids are digits.
var latin = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestGeometryMessages (issue 12): what the planner reads about a bad
// geometry is in their language and says where and what to do — the import
// preview of a bow-tie (self-intersecting) feature names the feature, the
// place, the nearest vertex and that it can be repaired automatically; a
// split line that misses the zone says to draw across it from outside to
// outside. In Chinese no Latin word is left (PostGIS's "Self-intersection",
// "ST_MakeValid", the server's English detail).
func TestGeometryMessages(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	d := 0.004
	// The edges cross at (lng+d/2, lat+d/2), nearest the second vertex.
	bowtie := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"蝴蝶地块"},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}]}`,
		lng, lat, lng+d*0.6, lat+d*0.6, lng+d, lat, lng, lat+d, lng, lat)
	file := filepath.Join(t.TempDir(), "bowtie.geojson")
	if err := os.WriteFile(file, []byte(bowtie), 0o600); err != nil {
		t.Fatal(err)
	}
	z := createZone(t, editor, "分割提示区"+randomHex(2), lng+0.03, lat, 600)

	for _, tc := range []struct {
		lang                string
		importWant, splitWs []string
	}{
		{"zh", []string{"第 1 个要素「蝴蝶地块」", "边界自相交", "经度", "最近的节点：外边界第 2 个节点", "可自动修复"},
			[]string{"分割线没有穿过区块", fmt.Sprintf("编号 %d", z.Properties.ID), "从区块外开始画线", "横穿整个区块"}},
		{"en", []string{"Feature #1 “蝴蝶地块”", "crosses itself", "longitude", "Nearest vertex: outer boundary, vertex 2", "repaired automatically"},
			[]string{"does not cross the zone", fmt.Sprintf("zone %d", z.Properties.ID), "Start the line outside the zone", "right across"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := newPage(t)
			p.login(editorUser)
			eval[bool](p, fmt.Sprintf(`(wanmu.i18n.setLang(%q), true)`, tc.lang))

			// The import preview of the bow-tie.
			p.click(`#btn-import`)
			p.waitJS("the import dialog", `!!document.querySelector('dialog.import[open]')`)
			p.do(setUploadFiles(`dialog.import[open] input[type="file"]`, file))
			p.click(`dialog.import[open] footer [data-value="preview"]`)
			p.waitJS("the invalid feature", `!!document.querySelector('dialog.import[open] [data-invalid="1"]')`)
			box := eval[string](p, `document.querySelector('dialog.import[open] [data-invalid="1"]').parentNode.parentNode.textContent`)
			row := eval[string](p, `document.querySelector('dialog.import[open] [data-invalid="1"]').textContent`)
			for _, w := range tc.importWant {
				if !strings.Contains(row, w) {
					t.Errorf("the import preview's row does not say %q: %s", w, row)
				}
			}
			if tc.lang == "zh" && latin.MatchString(box) {
				t.Errorf("the Chinese import warning has Latin words %q: %s", latin.FindAllString(box, -1), box)
			}
			if strings.Contains(box, "ST_MakeValid") || strings.Contains(box, "→") {
				t.Errorf("the import warning still speaks PostGIS: %s", box)
			}
			p.screenshot("m12-import-invalid-" + tc.lang)
			p.click(`dialog.import[open] .dialog-x`)
			p.waitJS("the import dialog closed", `!document.querySelector('dialog[open]')`)

			// A split line beside the zone, not across it.
			p.view(lng+0.03, lat, 15)
			x, y := p.px(lng+0.03, lat)
			p.clickAt(x, y, false)
			p.waitSelection(z.Properties.ID)
			dismissToasts(p)
			p.click(`[data-tool="split"]`)
			p.waitJS("line drawing", `wanmu.app.map.pm.globalDrawModeEnabled()`)
			p.clickAt(x+170, y-120, false)
			p.clickAt(x+170, y+120, false)
			p.clickAt(x+170, y+120, false)
			p.waitJS("the refusal", `!!document.querySelector('.wanmu-toasts .toast-error')`)
			toast := eval[string](p, `document.querySelector('.wanmu-toasts .toast-error .toast-text').textContent`)
			for _, w := range tc.splitWs {
				if !strings.Contains(toast, w) {
					t.Errorf("the split refusal does not say %q: %s", w, toast)
				}
			}
			if tc.lang == "zh" && latin.MatchString(toast) {
				t.Errorf("the Chinese split refusal has Latin words %q: %s", latin.FindAllString(toast, -1), toast)
			}
			p.screenshot("m12-split-missed-" + tc.lang)
			if f := eval[bool](p, fmt.Sprintf(`!!wanmu.app.zones.feature(%d)`, z.Properties.ID)); !f {
				t.Error("the zone is gone after a refused split")
			}
		})
	}
}

// TestMergeLongDocumentNumbers (issue 12): when the sources' document
// numbers together exceed the 200 characters a zone holds, the merge dialog
// asks for them — prefilled with all of them, the count against the limit —
// refuses more than 200 in words, and merges with the planner's shortened
// numbers.
func TestMergeLongDocumentNumbers(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	side := 400.0
	dLng := side / (111320 * math.Cos(lat*math.Pi/180)) // side by side, touching
	a := createZone(t, admin, "长文号甲"+randomHex(2), lng-dLng/2, lat, side)
	b := createZone(t, admin, "长文号乙"+randomHex(2), lng+dLng/2, lat, side)
	nums := func(from int) string {
		var s []string
		for i := from; i < from+9; i++ {
			s = append(s, fmt.Sprintf("丽政发〔2010〕%d号", i))
		}
		return strings.Join(s, "；")
	}
	for _, z := range []struct {
		id   int64
		docs string
	}{{a.Properties.ID, nums(10)}, {b.Properties.ID, nums(20)}} {
		admin.must(t, 200, "PATCH", fmt.Sprintf("/api/v1/zones/%d", z.id), map[string]any{"type": "Feature",
			"properties": map[string]any{"document_no": z.docs}}, 1, nil)
	}
	joined := nums(10) + "；" + nums(20)
	n := len([]rune(joined))

	p := newPage(t)
	p.login(adminUser)
	p.view(lng, lat, 15)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d, %d]), true)`, a.Properties.ID, b.Properties.ID))
	p.click(`[data-tool="merge"]`)
	p.waitJS("the document numbers asked", `!!document.querySelector('dialog[open] [data-merge-document]') && !document.querySelector('dialog[open] [data-merge-document]').hidden`)
	if v := eval[string](p, `document.querySelector('dialog[open] textarea[name="document_no"]').value`); v != joined {
		t.Errorf("the field holds %q, want all the numbers %q", v, joined)
	}
	question := eval[string](p, `document.querySelector('dialog[open] [data-merge-document]').textContent`)
	for _, w := range []string{fmt.Sprintf("合计 %d 字", n), "200 字", fmt.Sprintf("%d / 200 字", n)} {
		if !strings.Contains(question, w) {
			t.Errorf("the question does not say %q: %s", w, question)
		}
	}
	// The dry run stood in the first 200 characters: it points to the field.
	p.waitJS("the dry run", `!!document.querySelector('dialog[open] [data-field="merged-area"]') && document.querySelector('dialog[open] [data-field="merged-document-no"]').textContent === '按下方“批复文号”填写'`)
	name := "长文号合并" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, name)
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the refusal in words", fmt.Sprintf(`(function () { var e = document.querySelector('dialog[open] .dialog-error'); return !!e && !e.hidden && e.textContent.indexOf('批复文号最多 200 字，现为 %d 字') >= 0; })()`, n))
	p.screenshot("m12-merge-document-no")
	short := "丽政发〔2010〕10–18号；丽政发〔2010〕20–28号"
	eval[bool](p, fmt.Sprintf(`(function () { var el = document.querySelector('dialog[open] textarea[name="document_no"]'); el.value = %q; el.dispatchEvent(new Event('input')); return true; })()`, short))
	if c := eval[string](p, `document.querySelector('dialog[open] [data-doc-count]').textContent`); c != fmt.Sprintf("%d / 200 字", len([]rune(short))) {
		t.Errorf("the count reads %q after shortening", c)
	}
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the merged zone", fmt.Sprintf(`!document.querySelector('dialog[open]') && wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, name))
	id := eval[int64](p, `wanmu.app.selection.ids()[0]`)
	var merged struct {
		Properties struct {
			DocumentNo string `json:"document_no"`
		} `json:"properties"`
	}
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &merged)
	if merged.Properties.DocumentNo != short {
		t.Errorf("the merged zone's document numbers are %q, want the planner's %q", merged.Properties.DocumentNo, short)
	}
}

// footerFits checks that the open conflict dialog's buttons lie within its
// box at 1440×900 and on a tablet (820×1180, screenshot shot), then goes
// back to the tests' 1600×1000.
func footerFits(p *page, shot string) {
	p.t.Helper()
	for _, vp := range [][2]int64{{1440, 900}, {820, 1180}} {
		p.do(chromedp.EmulateViewport(vp[0], vp[1]))
		p.waitJS(fmt.Sprintf("the viewport %d px wide", vp[0]), fmt.Sprintf(`window.innerWidth === %d`, vp[0]))
		out := eval[string](p, `(function () {
			var d = document.querySelector('dialog.conflict[open]'), r = d.getBoundingClientRect(), bad = [];
			if (r.left < 0 || r.right > window.innerWidth) { bad.push('the dialog ' + r.left + '..' + r.right); }
			d.querySelectorAll('footer button').forEach(function (b) {
				var q = b.getBoundingClientRect();
				if (q.left < r.left - 0.5 || q.right > r.right + 0.5 || q.top < r.top || q.bottom > r.bottom + 0.5) {
					bad.push(b.textContent + ' ' + q.left + '..' + q.right);
				}
			});
			return bad.join('; ');
		})()`)
		if out != "" {
			p.t.Errorf("at %d×%d the conflict dialog's buttons stick out: %s (dialog box)", vp[0], vp[1], out)
		}
		if vp[0] == 820 {
			p.screenshot(shot)
		}
	}
	p.do(chromedp.EmulateViewport(1600, 1000))
	p.waitJS("the viewport back", `window.innerWidth === 1600`)
}
