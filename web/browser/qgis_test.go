package browser

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestExportQGISProject: the export dialog offers the QGIS project; with
// it the format and encoding disappear, the note says the file holds no
// credential, and the download is a .qgz in the Gauss-Kruger CRS chosen.
func TestExportQGISProject(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	p.click(`#btn-export`)
	p.waitJS("the export dialog", `!!document.querySelector('dialog[open] select[name="layer"] option[value="qgis"]')`)
	p.setValue(`dialog[open] select[name="layer"]`, "qgis")
	p.setValue(`dialog[open] select[name="crs"]`, "EPSG:4549")
	p.waitJS("the project's form", `(function () {
		var d = document.querySelector('dialog[open]');
		var hidden = function (name) { return d.querySelector('select[name="' + name + '"]').closest('.field').hidden; };
		return hidden('format') && hidden('encoding') && /认证配置/.test(d.querySelector('.field-hint').textContent);
	})()`)
	p.screenshot("95-export-qgis")
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the project downloaded", `!document.querySelector('dialog[open]') && Array.prototype.some.call(document.querySelectorAll('.toast-ok'), function (x) { return /EPSG4549\.qgz/.test(x.textContent); })`)
}

// TestExportPlanQGISProject: in a plan, the project is the plan's: the note
// says editing it in QGIS changes the plan only, and the file is named
// after the plan.
func TestExportPlanQGISProject(t *testing.T) {
	viewer := mustAPI(t, viewerUser)
	var plans struct {
		Scenarios []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"scenarios"`
	}
	viewer.must(t, http.StatusOK, "GET", "/api/v1/scenarios", nil, 0, &plans)
	if len(plans.Scenarios) == 0 {
		t.Fatal("the sample has no plans")
	}
	plan := plans.Scenarios[0]
	p := newPage(t)
	p.login(viewerUser)
	p.do(chromedp.Navigate(fmt.Sprintf("%s/?scenario=%d", suite.base, plan.ID)))
	p.waitReady()
	p.waitJS("the page in the plan", `!!wanmu.app.scenarios.current`)
	p.click(`#btn-export`)
	p.waitJS("the export dialog", `!!document.querySelector('dialog[open] select[name="layer"] option[value="qgis"]')`)
	p.setValue(`dialog[open] select[name="layer"]`, "qgis")
	p.waitJS("the plan's note", fmt.Sprintf(`Array.prototype.some.call(document.querySelectorAll('dialog[open] *'), function (e) { return e.children.length === 0 && e.textContent.indexOf('方案「%s」') >= 0 && /只改本方案/.test(e.textContent); })`, plan.Name))
	p.screenshot("97-export-qgis-plan")
	p.click(`dialog[open] footer .btn-primary`)
	p.waitJS("the plan's project downloaded", fmt.Sprintf(`!document.querySelector('dialog[open]') && Array.prototype.some.call(document.querySelectorAll('.toast-ok'), function (x) { return /方案%d_EPSG\d+\.qgz/.test(x.textContent); })`, plan.ID))
}
