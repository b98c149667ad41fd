package browser

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestScenarioSwitcher: a planner starts a plan (方案) from the top bar; the
// page opens in it (the address says so, the frame is amber, the button
// names the plan), shows the plan's own copies of the zones, and a change
// made in the plan is seen there and not in the official data, which a
// second tab shows unchanged. Deleting the plan brings the page back to the
// official data.
func TestScenarioSwitcher(t *testing.T) {
	editor := mustAPI(t, editorUser)
	type zoneList struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	var official zoneList
	editor.must(t, http.StatusOK, "GET", "/api/v1/zones?kind=park&limit=1", nil, 0, &official)
	if len(official.Features) != 1 {
		t.Fatal("the sample data has no park")
	}
	z := official.Features[0]
	officialName := z.Properties["name"].(string)

	p := newPage(t)
	p.login(editorUser)
	p.waitJS("the switcher", `(document.querySelector('#scenario .scenario-button') || {}).textContent === '正式数据'`)
	p.click(`#scenario .scenario-button`)
	name := "测试方案" + randomHex(2)
	p.setValue(`#scenario input[name="scenario-name"]`, name)
	p.click(`#scenario .scenario-create button[type="submit"]`)
	p.waitJS("the page in the plan", fmt.Sprintf(`/[?&]scenario=\d+/.test(location.search) && document.body.classList.contains('in-scenario') &&
		(document.querySelector('#scenario .scenario-button') || {}).textContent === '方案：' + %q`, name))
	p.waitReady()
	sid := eval[int64](p, `wanmu.api.scenario()`)
	if !eval[bool](p, `document.getElementById('btn-import').disabled`) || eval[bool](p, `document.getElementById('btn-export').disabled`) {
		t.Error("in a plan the import button must be disabled (imports go to the official data) and the export button enabled")
	}
	t.Cleanup(func() {
		// The test's own plan goes, whatever happened.
		var sc struct {
			Version int `json:"version"`
		}
		if st, _, _ := editor.do("GET", fmt.Sprintf("/api/v1/scenarios/%d", sid), nil, 0); st == http.StatusOK {
			editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/scenarios/%d", sid), nil, 0, &sc)
			editor.do("DELETE", fmt.Sprintf("/api/v1/scenarios/%d", sid), nil, sc.Version)
		}
	})

	// The page's zones are the plan's copies, with ids of their own.
	p.waitJS("the plan's zones", fmt.Sprintf(`wanmu.app.zones.features().length > 0 && wanmu.app.zones.features().every(function (f) { return f.properties.id !== %d; })`, z.ID))
	var copies zoneList
	editor.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones?scenario=%d&q=%s", sid, officialName), nil, 0, &copies)
	if len(copies.Features) == 0 {
		t.Fatalf("the plan has no copy of %s", officialName)
	}
	cp := copies.Features[0]
	renamed := officialName + "（方案）"
	editor.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/zones/%d?scenario=%d", cp.ID, sid),
		map[string]any{"type": "Feature", "properties": map[string]any{"name": renamed}}, int(cp.Properties["version"].(float64)), nil)
	p.reloadData()
	p.waitJS("the renamed zone in the plan", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, renamed))
	p.click(`#scenario .scenario-button`)
	p.waitJS("the menu", `!!document.querySelector('#scenario .scenario-menu [data-scenario-id="0"]')`)
	p.screenshot("70-scenario-switcher")
	p.click(`#scenario .scenario-button`) // close

	// A second tab on the official data: the zone keeps its name.
	o := newPage(t)
	o.login(editorUser)
	o.waitJS("the official zone", fmt.Sprintf(`wanmu.app.zones.features().some(function (f) { return f.properties.id === %d && f.properties.name === %q; })`, z.ID, officialName))
	if eval[bool](o, `document.body.classList.contains('in-scenario')`) {
		t.Error("the official page is framed as a plan")
	}
	if got := eval[string](o, `document.querySelector('#scenario .scenario-button').textContent`); got != "正式数据" {
		t.Errorf("the official page's switcher says %q", got)
	}

	// Deleting the plan (its author may) returns to the official data.
	p.click(`#scenario .scenario-button`)
	p.click(`#scenario [data-action="retire-scenario"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog[open]')`)
	p.click(`dialog[open] footer .btn-danger, dialog[open] footer .btn-primary`)
	p.waitJS("back to the official data", `!/scenario=/.test(location.search) && !document.body.classList.contains('in-scenario')`)
	if st, b, _ := editor.do("GET", fmt.Sprintf("/api/v1/zones?scenario=%d", sid), nil, 0); st != http.StatusGone {
		t.Errorf("the deleted plan's zones answer %d, want 410: %s", st, strings.TrimSpace(string(b)))
	}
}

// TestCompareAndAdopt: an administrator compares a plan with the official
// data (the platform the plan shrank shows one zone less), then adopts it; a
// zone renamed on both sides since the plan began is asked about, the
// plan's name is kept, and the official data ends as the plan had it.
func TestCompareAndAdopt(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	a := createZone(t, admin, "比较甲"+randomHex(2), lng, lat, 500)
	b := createZone(t, admin, "比较乙"+randomHex(2), lng+0.01, lat, 500)
	var pl struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	platformName := "比较平台" + randomHex(2)
	admin.must(t, http.StatusCreated, "POST", "/api/v1/platforms", map[string]any{"name": platformName, "zone_ids": []int64{a.Properties.ID, b.Properties.ID}, "reason": "browser test"}, 0, &pl)
	var sc struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	admin.must(t, http.StatusCreated, "POST", "/api/v1/scenarios", map[string]any{"name": "比较方案" + randomHex(2)}, 0, &sc)
	copyOf := func(name string) zoneFeature {
		var fc struct {
			Features []zoneFeature `json:"features"`
		}
		admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones?scenario=%d&q=%s", sc.ID, name), nil, 0, &fc)
		if len(fc.Features) != 1 {
			t.Fatalf("the plan's copy of %s: %d found", name, len(fc.Features))
		}
		return fc.Features[0]
	}
	// The plan drops 乙 and renames 甲; the official data renames 甲 too.
	aName, bName := a.Properties.Name, b.Properties.Name
	cb := copyOf(bName)
	admin.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/zones/%d?scenario=%d&reason=test", cb.Properties.ID, sc.ID), nil, cb.Properties.Version, nil)
	ca := copyOf(aName)
	admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/zones/%d?scenario=%d", ca.Properties.ID, sc.ID),
		map[string]any{"type": "Feature", "properties": map[string]any{"name": aName + "（方案）"}}, ca.Properties.Version, nil)
	admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/zones/%d", a.Properties.ID),
		map[string]any{"type": "Feature", "properties": map[string]any{"name": aName + "（正式）"}}, a.Properties.Version, nil)

	p := newPage(t)
	p.login(adminUser)
	p.do(chromedpNavigate(fmt.Sprintf("%s/?scenario=%d", suite.base, sc.ID)))
	p.waitReady()
	p.waitJS("the plan", `document.body.classList.contains('in-scenario')`)
	p.click(`#scenario .scenario-button`)
	p.click(`#scenario [data-action="compare-scenarios"]`)
	p.waitJS("the comparison", fmt.Sprintf(`(function () {
		var th = Array.prototype.filter.call(document.querySelectorAll('.compare-grid tbody th'), function (e) { return e.textContent === %q; })[0];
		if (!th) { return false; }
		var td = th.parentNode.querySelectorAll('td');
		// The official data first, the plan open in the page last.
		return td.length >= 6 && /^2（/.test(td[2].textContent) && td[td.length - 1].textContent === '1';
	})()`, platformName))
	if n := eval[int](p, `document.querySelectorAll('.compare-grid thead th.scenario-col').length`); n < 2 {
		t.Errorf("the comparison has %d columns, want the official data and the plan at least", n)
	}
	p.screenshot("71-compare-plans")

	// The differences on the map: from the official data to the plan, 乙
	// removed and 甲 renamed; then back to the comparison.
	p.setValue(`dialog.compare-dialog select[data-diff-side="a"]`, "0")
	p.setValue(`dialog.compare-dialog select[data-diff-side="b"]`, strconv.FormatInt(sc.ID, 10))
	p.click(`dialog.compare-dialog [data-action="show-diff"]`)
	p.waitJS("the differences", fmt.Sprintf(`(function () {
		var card = document.querySelector('.diff-card[data-diff-a="0"][data-diff-b="%d"]');
		if (!card) { return false; }
		var items = Array.prototype.map.call(card.querySelectorAll('.diff-list li'), function (li) { return li.textContent; });
		return items.some(function (s) { return s.indexOf(%q) === 0 && s.indexOf('删除') > 0; }) &&
			items.some(function (s) { return s.indexOf(%q) === 0 && s.indexOf(%q) > 0; });
	})()`, sc.ID, bName, aName+"（方案）", aName+"（正式） → "+aName+"（方案）"))
	if n := eval[int](p, `wanmu.app.diff.group.getLayers().length`); n < 2 {
		t.Errorf("%d differences drawn on the map, want 乙 removed and 甲 renamed at least", n)
	}
	if !eval[bool](p, `!document.querySelector('dialog.compare-dialog[open]')`) {
		t.Error("the comparison stays open over the differences")
	}
	p.screenshot("73-plan-differences")
	p.click(`.diff-card [data-action="diff-back"]`)
	p.waitJS("the comparison again", `!!document.querySelector('dialog.compare-dialog[open]') && !document.querySelector('.diff-card')`)
	p.click(`dialog.compare-dialog .dialog-x`)

	p.click(`#scenario .scenario-button`)
	p.click(`#scenario [data-action="adopt-scenario"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-primary`)
	p.waitJS("the conflicts", `!!document.querySelector('dialog.scenario-conflicts-dialog[open] input[data-conflict]')`)
	p.screenshot("72-adopt-conflicts")
	// Both versions on the map, then back to the choice.
	p.click(`dialog.scenario-conflicts-dialog[open] footer button[data-value="map"]`)
	p.waitJS("the conflict on the map", fmt.Sprintf(`(function () {
		var card = document.querySelector('.diff-card');
		return !!card && !document.querySelector('dialog.scenario-conflicts-dialog[open]') &&
			card.querySelectorAll('.diff-list li').length === 1 && card.querySelector('.diff-list li').textContent.indexOf(%q) > 0;
	})()`, aName+"（正式） → "+aName+"（方案）"))
	p.screenshot("74-adopt-conflict-on-map")
	p.click(`.diff-card [data-action="diff-back"]`)
	p.waitJS("the conflicts again", `!!document.querySelector('dialog.scenario-conflicts-dialog[open] input[data-conflict]') && !document.querySelector('.diff-card')`)
	p.click(fmt.Sprintf(`dialog.scenario-conflicts-dialog[open] input[data-conflict="zone:%d"][value="scenario"]`, a.Properties.ID))
	p.click(`dialog.scenario-conflicts-dialog[open] footer .btn-primary`)
	p.waitJS("back in the official data", `!/scenario=/.test(location.search) && !document.body.classList.contains('in-scenario')`)
	p.waitReady()
	// The switcher keeps the record: this plan was adopted, by admin.
	p.click(`#scenario .scenario-button`)
	p.waitJS("the adopted plan on record", fmt.Sprintf(`(function () {
		var li = document.querySelector('#scenario .scenario-adopted li[data-adopted-id="%d"]');
		return !!li && li.textContent.indexOf(%q) >= 0 && !document.querySelector('#scenario .scenario-item[data-scenario-id="%d"]');
	})()`, sc.ID, adminUser, sc.ID))
	p.click(`#scenario .scenario-adopted summary`)
	p.screenshot("76-adopted-plans")

	var za, zb zoneFeature
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones/%d", a.Properties.ID), nil, 0, &za)
	if got := za.Properties.Name; got != aName+"（方案）" {
		t.Errorf("after adopting, 甲 is called %v, want the plan's name", got)
	}
	if st, _, _ := admin.do("GET", fmt.Sprintf("/api/v1/zones/%d", b.Properties.ID), nil, 0); st != http.StatusOK {
		t.Fatalf("zone 乙: %d", st)
	}
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/zones/%d", b.Properties.ID), nil, 0, &zb)
	if zb.Properties.RetiredAt == nil {
		t.Errorf("after adopting, 乙 is live; the plan had deleted it")
	}
	var after struct {
		ZoneIDs []int64 `json:"zone_ids"`
	}
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pl.ID), nil, 0, &after)
	if len(after.ZoneIDs) != 1 || after.ZoneIDs[0] != a.Properties.ID {
		t.Errorf("after adopting, the platform's members are %v, want only 甲 (%d)", after.ZoneIDs, a.Properties.ID)
	}
}

// TestGoneScenario: a link to a plan that no longer exists (deleted, or
// adopted and closed) opens the page, says so and shows the official data.
func TestGoneScenario(t *testing.T) {
	editor := mustAPI(t, editorUser)
	var sc struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	editor.must(t, http.StatusCreated, "POST", "/api/v1/scenarios", map[string]any{"name": "已删除方案" + randomHex(2)}, 0, &sc)
	editor.must(t, http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, sc.Version, nil)
	p := newPage(t)
	p.login(editorUser)
	p.do(chromedpNavigate(fmt.Sprintf("%s/?scenario=%d", suite.base, sc.ID)))
	p.waitJS("back on the official data", `!/scenario=/.test(location.search) && !document.body.classList.contains('in-scenario') &&
		(document.querySelector('#scenario .scenario-button') || {}).textContent === '正式数据'`)
	p.waitReady()
	if got := eval[string](p, `wanmu.app.user ? wanmu.app.user.name : ''`); got != editorUser {
		t.Errorf("the page signed in as %q, want %q", got, editorUser)
	}
}
