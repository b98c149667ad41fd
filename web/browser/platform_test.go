package browser

import (
	"fmt"
	"math"
	"net/http"
	"testing"
)

// TestPlatform: an editor creates a platform from a selected zone, sees it
// short of 10,000 mu, adds a second zone from the selection and sees the bar
// and the flag turn to "meets" at once. Constraint layers are switched off
// for the test so that developable = gross and the sizes are known.
func TestPlatform(t *testing.T) {
	admin := mustAPI(t, adminUser)
	editor := mustAPI(t, editorUser)
	withoutConstraints(t, admin)

	lng, lat := freeSpot(t, editor)
	// 7,000 mu and 5,000 mu squares, 300 m apart: two parts.
	sideA := math.Sqrt(7000 * 2000.0 / 3)
	sideB := math.Sqrt(5000 * 2000.0 / 3)
	dLng := func(m float64) float64 { return m / (111320 * math.Cos(lat*math.Pi/180)) }
	aLng := lng - dLng(sideA/2+150)
	bLng := lng + dLng(sideB/2+150)
	a := createZone(t, editor, "平台测试甲"+randomHex(2), aLng, lat, sideA)
	b := createZone(t, editor, "平台测试乙"+randomHex(2), bLng, lat, sideB)

	p := newPage(t)
	p.login(editorUser)
	p.view(lng, lat, 13)
	ax, ay := p.px(aLng, lat)
	p.clickAt(ax, ay, false)
	p.waitSelection(a.Properties.ID)

	p.click(`.tabs [data-tab="platform"]`)
	p.click(`#platform [data-action="new-platform"]`)
	p.waitJS("the platform dialog", `!!document.querySelector('dialog[open] input[name="name"]')`)
	name := "测试平台" + randomHex(2)
	p.setValue(`dialog[open] input[name="name"]`, name)
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the new platform's bar", `!!document.querySelector('.platform-detail .verdict')`)
	if got := eval[string](p, `document.querySelector('.platform-detail .verdict').dataset.meets`); got != "false" {
		t.Errorf("with %.0f mu the verdict says meets=%s, want false", a.Properties.AreaMu, got)
	}
	devBefore := eval[string](p, `document.querySelector('.platform-detail [data-field="developable"]').textContent`)
	if want := formatMu(a.Properties.AreaMu); devBefore != want {
		t.Errorf("developable shows %q, want %q", devBefore, want)
	}
	p.screenshot("09-platform-short")

	// Select the second zone (the platform tab stays) and add it.
	bx, by := p.px(bLng, lat)
	p.clickAt(bx, by, false)
	p.waitSelection(b.Properties.ID)
	p.click(`#platform [data-action="add-selected"]`)
	p.waitJS("the verdict to turn", `document.querySelector('.platform-detail .verdict[data-meets="true"]') !== null`)
	var pl struct {
		ID            int64   `json:"id"`
		DevelopableMu float64 `json:"developable_mu"`
		Meets         bool    `json:"meets"`
		Parts         int     `json:"parts"`
	}
	pid := eval[int64](p, `wanmu.app.activePlatformId`)
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &pl)
	if !pl.Meets || pl.Parts != 2 {
		t.Errorf("API: meets=%v parts=%d, want meets and 2 parts", pl.Meets, pl.Parts)
	}
	if got, want := eval[string](p, `document.querySelector('.platform-detail [data-field="developable"]').textContent`), formatMu(pl.DevelopableMu); got != want {
		t.Errorf("developable shows %q, want the API's %q", got, want)
	}
	if got := eval[string](p, `document.querySelector('.platform-detail [data-field="parts"]').textContent`); got != "2" {
		t.Errorf("parts shows %q, want 2", got)
	}
	// The overview lists it as meeting the threshold.
	p.waitJS("the overview row", fmt.Sprintf(`(function(){ var r = document.querySelector('#overview tr[data-platform-id="%d"] td.ok'); return !!r; })()`, pid))
	p.screenshot("10-platform-meets")

	// Removing the big zone brings it back under the line.
	ax, ay = p.px(aLng, lat)
	p.clickAt(ax, ay, false)
	p.waitSelection(a.Properties.ID)
	p.click(`#platform [data-action="remove-selected"]`)
	p.waitJS("the verdict to turn back", `document.querySelector('.platform-detail .verdict[data-meets="false"]') !== null`)
	// Undo the removal: the membership is written back and the bar turns again.
	p.undo()
	p.waitJS("the undone removal", `document.querySelector('.platform-detail .verdict[data-meets="true"]') !== null`)
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &pl)
	if !pl.Meets {
		t.Error("after undoing the removal the API says the platform does not meet the threshold")
	}

	// Deleting the platform and undoing it brings it back with its members.
	p.click(`#platform [data-action="retire-platform"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-danger`)
	p.waitJS("the platform gone from the overview", fmt.Sprintf(`!document.querySelector('#overview tr[data-platform-id="%d"]')`, pid))
	p.undo()
	p.waitJS("the platform back", fmt.Sprintf(`!!document.querySelector('#overview tr[data-platform-id="%d"]')`, pid))
	admin.must(t, http.StatusOK, "GET", fmt.Sprintf("/api/v1/platforms/%d", pid), nil, 0, &pl)
	if !pl.Meets || pl.Parts != 2 {
		t.Errorf("after undoing the delete: meets=%v parts=%d, want the platform back with both zones", pl.Meets, pl.Parts)
	}
}

// withoutConstraints switches every constraint layer off for the
// calculation and back on when the test ends.
func withoutConstraints(t *testing.T, admin *api) {
	t.Helper()
	var ls struct {
		Layers []struct {
			ID      int64  `json:"id"`
			Kind    string `json:"kind"`
			Enabled bool   `json:"enabled"`
			Version int    `json:"version"`
		} `json:"layers"`
	}
	admin.must(t, http.StatusOK, "GET", "/api/v1/layers", nil, 0, &ls)
	for _, l := range ls.Layers {
		if l.Kind == "reference" || !l.Enabled {
			continue
		}
		var after struct {
			Version int `json:"version"`
		}
		admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/layers/%d", l.ID), map[string]bool{"enabled": false}, l.Version, &after)
		id, v := l.ID, after.Version
		t.Cleanup(func() {
			admin.must(t, http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/layers/%d", id), map[string]bool{"enabled": true}, v, nil)
		})
	}
}
