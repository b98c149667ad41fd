package browser

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// countyEditor makes, through the API, an editor limited to 青田 (331121)
// with a password of its own; it is disabled when the test ends (users
// are never deleted).
func countyEditor(t *testing.T, admin *api, counties []string) (name, password string) {
	t.Helper()
	name, password = "county"+randomHex(3), "pw-"+randomHex(8)
	admin.must(t, http.StatusCreated, "POST", "/api/v1/users", map[string]any{"name": name, "role": "editor", "password": password, "counties": counties}, 0, nil)
	t.Cleanup(func() { admin.do("PATCH", "/api/v1/users/"+name, map[string]any{"disabled": true}, 0) })
	return name, password
}

// loginAs signs in through the sign-in page with a password the suite
// does not know.
func (p *page) loginAs(user, password string) {
	p.t.Helper()
	p.do(chromedp.Navigate(suite.base + "/"))
	p.waitJS("the sign-in page", `location.pathname === '/login.html' && !!document.getElementById('login-form')`)
	p.setValue("#username", user)
	p.setValue("#password", password)
	p.click("#login-submit")
	p.waitReady()
}

// countyZone stores a square zone of a county through the API.
func countyZone(t *testing.T, a *api, name, county string, lng, lat float64) zoneFeature {
	t.Helper()
	var f zoneFeature
	a.must(t, http.StatusCreated, "POST", "/api/v1/zones", map[string]any{
		"type": "Feature", "geometry": square(lng, lat, 300),
		"properties": map[string]any{"kind": "township", "name": name, "county_adcode": county, "disposition": "待定"},
		"reason":     "browser test",
	}, 0, &f)
	return f
}

// TestCountyEditor: an editor limited to 青田 signs in. A zone of 青田 gets
// the edit tools; a zone of 莲都 shows why it is read-only, with the tools
// disabled and no edit button; imports are disabled with the reason; a
// write the server still refuses (outside-counties) reads as such.
func TestCountyEditor(t *testing.T) {
	admin := mustAPI(t, adminUser)
	user, pw := countyEditor(t, admin, []string{"331121"})
	lng, lat := freeSpot(t, admin)
	tag := randomHex(2)
	own := countyZone(t, admin, "青田测试"+tag, "331121", lng, lat)
	other := countyZone(t, admin, "莲都测试"+tag, "331102", lng+0.006, lat)

	p := newPage(t)
	p.loginAs(user, pw)
	if got := eval[string](p, `JSON.stringify(wanmu.app.user.counties)`); got != `["331121"]` {
		t.Fatalf("/auth/me counties in the page: %s", got)
	}
	if !eval[bool](p, `document.getElementById('btn-import').disabled && /青田县/.test(document.getElementById('btn-import').title)`) {
		t.Error("the import button must be disabled for a county editor, saying why")
	}

	// Their county's zone: the tools, the edit button, no note.
	eval[bool](p, fmt.Sprintf(`(wanmu.app.zoomToZones([%d, %d]), wanmu.app.selection.set([%d]), true)`, own.Properties.ID, other.Properties.ID, own.Properties.ID))
	p.waitSelection(own.Properties.ID)
	p.waitJS("the edit tools for 青田's zone", `!document.querySelector('[data-tool="vertex"]').disabled && !document.querySelector('[data-tool="attributes"]').disabled &&
		!!document.querySelector('#detail [data-action="edit-attributes"], .detail [data-action="edit-attributes"]') && !document.querySelector('.detail [data-readonly]')`)
	p.screenshot("county-1-own-zone")

	// Another county's zone: read-only, saying why.
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, other.Properties.ID))
	p.waitSelection(other.Properties.ID)
	p.waitJS("the read-only note", `(document.querySelector('.detail [data-readonly]') || {}).textContent === '只读：本账号只编辑 青田县 的功能区'`)
	for _, tool := range []string{"vertex", "drag", "cut", "split", "attributes", "retire"} {
		if !eval[bool](p, fmt.Sprintf(`document.querySelector('[data-tool=%q]').disabled`, tool)) {
			t.Errorf("tool %s is enabled for 莲都's zone", tool)
		}
	}
	if eval[bool](p, `!!document.querySelector('.detail [data-action="edit-attributes"]')`) {
		t.Error("the zone panel offers to edit 莲都's zone")
	}
	if !eval[bool](p, `/青田县/.test(document.querySelector('[data-tool="vertex"]').title)`) {
		t.Error("the disabled tool does not say why")
	}
	p.screenshot("county-2-other-zone")

	// A write that reaches the server anyway (a race) says what is wrong.
	got := evalPromise(p, fmt.Sprintf(`wanmu.api.send('PATCH', '/zones/%d', {type: 'Feature', properties: {name: 'x'}}, {ifMatch: %d})
		.then(function () { return 'written'; }, function (e) { return e.status + ' ' + e.describe(); })`, other.Properties.ID, other.Properties.Version))
	if got != "403 超出本账号可编辑的县域" {
		t.Errorf("a refused write reads %q", got)
	}

	// A new zone's county: theirs only, even drawn next to 莲都's zones.
	eval[bool](p, `(wanmu.AttributesDialog.open(null, {title: 'attr.newTitle', okLabel: 'action.create', county: '331102', submit: function () { return true; }}), true)`)
	p.waitJS("the new-zone form", `!!document.querySelector('dialog[open] select[name="county_adcode"]')`)
	if got := eval[string](p, `Array.prototype.map.call(document.querySelector('dialog[open] select[name="county_adcode"]').options, function (o) { return o.value; }).join(',') + '=' + document.querySelector('dialog[open] select[name="county_adcode"]').value`); got != "331121=331121" {
		t.Errorf("the new zone's county choices and default: %s, want 331121=331121", got)
	}
	p.click(`dialog[open] .dialog-x`)
	p.waitJS("the form closed", `!document.querySelector('dialog[open]')`)

	// Platforms: 青田's own is theirs; the city's, across three counties, is
	// the city's (not county_editable).
	showPlatform := func(name string) {
		eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(wanmu.app.platforms.filter(function (x) { return x.name === %q; })[0].id), true)`, name))
		p.waitJS("the platform "+name, fmt.Sprintf(`(document.querySelector('.platform-detail .detail-title') || {}).textContent === %q`, name))
	}
	showPlatform("青田产业平台")
	if !eval[bool](p, `!!document.querySelector('.platform-detail [data-action="edit-platform"]') && !document.querySelector('.platform-detail [data-readonly]')`) {
		t.Error("青田's platform is not editable for 青田's editor")
	}
	showPlatform("丽水市级产业平台")
	if got := eval[string](p, `(document.querySelector('.platform-detail [data-readonly]') || {}).textContent || ''`); got != "只读：跨县平台由市级编辑，管理员可允许所跨各县编辑（本账号只编辑 青田县）" {
		t.Errorf("the cross-county platform's note reads %q", got)
	}
	if eval[bool](p, `!!document.querySelector('.platform-detail [data-action="edit-platform"], .platform-detail [data-action="add-selected"]')`) {
		t.Error("the city's cross-county platform offers edits to 青田's editor")
	}
	p.screenshot("county-3-cross-platform")

	// Plans: the city's draft is read-only for them, their county's is theirs.
	var city struct {
		ID int64 `json:"id"`
	}
	admin.must(t, http.StatusCreated, "POST", "/api/v1/scenarios", map[string]any{"name": "市级方案" + tag}, 0, &city)
	mine := evalPromise(p, `wanmu.api.request('POST', '/scenarios', {body: {name: '青田方案`+tag+`'}, query: {scenario: 0}}).then(function (r) { return String(r.data.id); })`)
	t.Cleanup(func() {
		for _, id := range []string{fmt.Sprint(city.ID), mine} {
			var sc struct {
				Version int `json:"version"`
			}
			if st, _, _ := admin.do("GET", "/api/v1/scenarios/"+id, nil, 0); st == http.StatusOK {
				admin.must(t, http.StatusOK, "GET", "/api/v1/scenarios/"+id, nil, 0, &sc)
				admin.do("DELETE", "/api/v1/scenarios/"+id, nil, sc.Version)
			}
		}
	})
	inPlan := func(id string) {
		p.do(chromedp.Navigate(fmt.Sprintf("%s/?scenario=%s", suite.base, id)))
		p.waitReady()
		p.view(lng, lat, 15)
		p.waitJS("the plan's copy of 青田's zone", fmt.Sprintf(`!!wanmu.app.scenarios.current && wanmu.app.zones.features().some(function (f) { return f.properties.name === %q; })`, own.Properties.Name))
		eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set(wanmu.app.zones.features().filter(function (f) { return f.properties.name === %q; }).map(function (f) { return f.properties.id; })), true)`, own.Properties.Name))
	}
	inPlan(fmt.Sprint(city.ID))
	p.waitJS("the city's plan read-only", `(document.querySelector('.detail [data-readonly]') || {}).textContent === '只读：此方案不属于 青田县；本账号只在正式数据和本县方案中编辑' &&
		document.querySelector('[data-tool="draw"]').disabled && document.querySelector('[data-tool="vertex"]').disabled`)
	p.screenshot("county-4-city-plan")
	inPlan(mine)
	p.waitJS("their own plan editable", `!document.querySelector('.detail [data-readonly]') && !document.querySelector('[data-tool="draw"]').disabled && !document.querySelector('[data-tool="vertex"]').disabled`)
	if got := eval[string](p, `document.querySelector('#scenario .scenario-button').textContent`); got != "方案：青田方案"+tag+"（青田县方案）" {
		t.Errorf("the switcher reads %q, want the plan's owner", got)
	}
	p.click(`#scenario .scenario-button`)
	p.waitJS("the plans listed with their owners", fmt.Sprintf(`(document.querySelector('#scenario [data-scenario-id="%s"] .scenario-name') || {}).textContent === '青田方案%s（青田县方案）' &&
		(document.querySelector('#scenario [data-scenario-id="%d"] .scenario-name') || {}).textContent === '市级方案%s'`, mine, tag, city.ID, tag))
	p.screenshot("county-5-own-plan")
}

// TestCountyUserDialog: an administrator limits an editor to 青田 in the
// user dialog; the list shows it and so does the API.
func TestCountyUserDialog(t *testing.T) {
	admin := mustAPI(t, adminUser)
	user, _ := countyEditor(t, admin, []string{})

	p := newPage(t)
	p.login(adminUser)
	p.click(`#user summary`)
	p.click(`#user [data-action="new-user"]`)
	row := fmt.Sprintf(`tr[data-user=%q]`, user)
	p.waitJS("the user in the list", fmt.Sprintf(`(document.querySelector('.user-dialog %s [data-field="counties"]') || {}).textContent === '全市'`, row))
	p.click(fmt.Sprintf(`.user-dialog %s [data-action="edit-counties"]`, row))
	p.click(fmt.Sprintf(`.user-dialog %s input[value="331121"]`, row))
	p.click(fmt.Sprintf(`.user-dialog %s [data-action="save-counties"]`, row))
	p.waitJS("the county in the list", fmt.Sprintf(`(document.querySelector('.user-dialog %s [data-field="counties"]') || {}).textContent === '青田县'`, row))
	p.screenshot("county-6-user-dialog")

	var users struct {
		Users []struct {
			Name     string   `json:"name"`
			Counties []string `json:"counties"`
		} `json:"users"`
	}
	admin.must(t, http.StatusOK, "GET", "/api/v1/users", nil, 0, &users)
	found := false
	for _, u := range users.Users {
		if u.Name == user {
			found = true
			if len(u.Counties) != 1 || u.Counties[0] != "331121" {
				t.Errorf("the API shows %s limited to %v, want [331121]", user, u.Counties)
			}
		}
	}
	if !found {
		t.Errorf("%s is not in GET /users", user)
	}

	// The platform dialog offers county_editable for a cross-county platform only.
	p.click(`.user-dialog .dialog-x`)
	for name, shown := range map[string]bool{"遂松产业平台": true, "青田产业平台": false} {
		eval[bool](p, fmt.Sprintf(`(wanmu.app.showPlatform(wanmu.app.platforms.filter(function (x) { return x.name === %q; })[0].id), true)`, name))
		p.waitJS("the platform "+name, fmt.Sprintf(`(document.querySelector('.platform-detail .detail-title') || {}).textContent === %q`, name))
		p.click(`.platform-detail [data-action="edit-platform"]`)
		p.waitJS("the platform dialog", `!!document.querySelector('dialog[open] [data-field="county_editable"]')`)
		if got := eval[bool](p, `!document.querySelector('dialog[open] [data-field="county_editable"]').hidden`); got != shown {
			t.Errorf("%s: the county_editable box shown %v, want %v", name, got, shown)
		}
		if shown {
			p.screenshot("county-7-platform-dialog")
		}
		p.click(`dialog[open] .dialog-x`)
		p.waitJS("the dialog closed", `!document.querySelector('dialog[open]')`)
	}
}

// evalPromise is the string a promise of the page resolves to.
func evalPromise(p *page, expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}
