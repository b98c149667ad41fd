package browser

import (
	"fmt"
	"net/http"
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
	if !eval[bool](p, `document.getElementById('btn-export').disabled`) {
		t.Error("the export button is enabled in a plan (exports refuse plans for now)")
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
