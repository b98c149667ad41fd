package browser

import "testing"

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
