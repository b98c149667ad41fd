package browser

import (
	"fmt"
	"strings"
	"testing"
)

// TestConflict: two planners have the same zone open. The first renames it;
// the second, still on the old version, saves and gets 412: the conflict
// dialog shows both versions on the map, and "re-apply mine" writes on top
// of the first planner's version. The first planner, now stale, chooses
// "reload" and sees the second planner's name.
func TestConflict(t *testing.T) {
	editor := mustAPI(t, editorUser)
	lng, lat := freeSpot(t, editor)
	z := createZone(t, editor, "冲突测试区"+randomHex(2), lng, lat, 700)
	id := z.Properties.ID

	p1 := newPage(t)
	p1.login(editorUser)
	p2 := newPage(t)
	p2.login(editor2User)
	for _, p := range []*page{p1, p2} {
		p.view(lng, lat, 15)
		x, y := p.px(lng, lat)
		p.clickAt(x, y, false)
		p.waitSelection(id)
	}

	rename := func(p *page, name string) {
		t.Helper()
		p.click(`[data-tool="attributes"]`)
		p.waitJS("the attributes dialog", `!!document.querySelector('dialog.attributes[open]')`)
		p.setValue(`dialog.attributes[open] input[name="name"]`, name)
		p.click(`dialog.attributes[open] footer .btn-primary`)
	}

	first := "甲方改名" + randomHex(2)
	rename(p1, first)
	p1.waitJS("the first rename", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 2`, id))

	second := "乙方改名" + randomHex(2)
	rename(p2, second)
	p2.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
	if n := eval[int](p2, `wanmu.app.compare.getLayers().length`); n < 1 {
		t.Errorf("the conflict shows %d layers on the map, want the other version drawn", n)
	}
	text := eval[string](p2, `document.querySelector('dialog.conflict[open]').textContent`)
	for _, want := range []string{first, editorUser} {
		if !strings.Contains(text, want) {
			t.Errorf("the conflict dialog does not mention %q: %s", want, text)
		}
	}
	p2.screenshot("11-conflict")
	p2.click(`dialog.conflict[open] footer [data-value="reapply"]`)
	p2.waitJS("the re-applied change", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.version === 3 && !document.querySelector('dialog[open]')`, id))

	var now zoneFeature
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &now)
	if now.Properties.Name != second || now.Properties.Version != 3 {
		t.Errorf("after re-applying: name %q version %d, want %q version 3", now.Properties.Name, now.Properties.Version, second)
	}

	// The first planner is stale now: reload shows the second planner's name.
	rename(p1, "甲方再改"+randomHex(2))
	p1.waitJS("the conflict dialog", `!!document.querySelector('dialog.conflict[open]')`)
	p1.click(`dialog.conflict[open] footer [data-value="reload"]`)
	p1.waitJS("the reloaded zone", fmt.Sprintf(`wanmu.app.zones.feature(%d).properties.name === %q && !document.querySelector('dialog[open]')`, id, second))
	editor.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", id), nil, 0, &now)
	if now.Properties.Name != second || now.Properties.Version != 3 {
		t.Errorf("after reloading: name %q version %d, want %q version 3 (nothing written)", now.Properties.Name, now.Properties.Version, second)
	}
}

// TestViewer: a viewer sees the map, the panels and the figures but no
// editing tool anywhere.
func TestViewer(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	if got := eval[string](p, `document.body.dataset.role`); got != "viewer" {
		t.Fatalf("role %q, want viewer", got)
	}
	for _, sel := range []string{
		`[data-tool="draw"]`, `[data-tool="vertex"]`, `[data-tool="merge"]`, `[data-tool="retire"]`, `[data-tool="undo"]`,
		`[data-tool="attributes"]`, `[data-tool="split"]`, `[data-tool="cut"]`, `[data-tool="drag"]`,
	} {
		if eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
			t.Errorf("a viewer sees %s", sel)
		}
	}
	if !eval[bool](p, `!!document.querySelector('[data-tool="select"]')`) {
		t.Error("a viewer has no select tool")
	}
	if eval[bool](p, `!document.getElementById('btn-import').hidden`) {
		t.Error("a viewer sees the import button")
	}
	// A zone's panel and a platform's panel without edit actions.
	id := eval[int64](p, `wanmu.app.zones.features()[0].properties.id`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, id))
	p.waitJS("the zone's panel", fmt.Sprintf(`!!document.querySelector('.detail[data-zone-id="%d"]')`, id))
	if eval[bool](p, `!!document.querySelector('#detail [data-action="edit-attributes"]')`) {
		t.Error("a viewer sees the attributes button")
	}
	pid := eval[int64](p, `wanmu.app.platforms[0].id`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, pid))
	p.waitJS("the platform's bar", `!!document.querySelector('.platform-detail .verdict')`)
	for _, sel := range []string{`[data-action="new-platform"]`, `[data-action="add-selected"]`, `[data-action="remove-member"]`, `[data-action="edit-platform"]`} {
		if eval[bool](p, fmt.Sprintf(`!!document.querySelector('#platform %s')`, sel)) {
			t.Errorf("a viewer sees %s in the platform panel", sel)
		}
	}
	p.screenshot("12-viewer")
}

// TestLanguage: the language switch turns the page into English and back,
// the choice survives a reload, and no message key is missing.
func TestLanguage(t *testing.T) {
	p := newPage(t)
	p.login(adminUser)
	pid := eval[int64](p, `wanmu.app.platforms[0].id`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(%d, true), true)`, pid))
	p.waitJS("the platform's bar", `!!document.querySelector('.platform-detail .verdict')`)
	p.screenshot("13-main-zh")

	p.click(`#lang [data-value="en"]`)
	p.waitJS("English", `document.documentElement.lang === 'en' && document.querySelector('[data-tab="platform"]').textContent === 'Platform'`)
	for sel, want := range map[string]string{
		`#btn-overview span`:               "Overview",
		`.overview-head h2 span`:           "Platforms overview",
		`.panel-title`:                     "Layers and legend",
		`.devbar-head .caption`:            "Developable area",
		`[data-tool="select"] .tool-label`: "Select",
	} {
		if got := eval[string](p, fmt.Sprintf(`document.querySelector(%q).textContent`, sel)); got != want {
			t.Errorf("%s says %q, want %q", sel, got, want)
		}
	}
	p.screenshot("14-main-en")

	p.do(chromedpNavigate(suite.base + "/"))
	p.waitReady()
	if got := eval[string](p, `document.documentElement.lang`); got != "en" {
		t.Errorf("after a reload the language is %q, want en", got)
	}
	p.click(`#lang [data-value="zh"]`)
	p.waitJS("Chinese", `document.documentElement.lang === 'zh-CN' && document.querySelector('[data-tab="platform"]').textContent === '平台'`)
}
