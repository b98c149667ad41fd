package browser

import (
	"strings"
	"testing"
)

// catchDownloads records the page's requests (window.fetched) and the file
// it saves (window.saved: name, type, size and the first two bytes, PK for
// a workbook) instead of letting Chromium download it: the page's CSP
// keeps blob: addresses from fetch, so the blob is taken where it is made.
func (p *page) catchDownloads() {
	p.t.Helper()
	eval[bool](p, `(function () {
		var f = window.fetch;
		window.fetched = [];
		window.fetch = function (u) { window.fetched.push(String(u)); return f.apply(this, arguments); };
		var blob, make = URL.createObjectURL;
		URL.createObjectURL = function (b) { blob = b; return make.apply(URL, arguments); };
		HTMLAnchorElement.prototype.click = function () {
			var saved = { name: this.download, type: blob.type, size: blob.size };
			blob.arrayBuffer().then(function (buf) {
				var u = new Uint8Array(buf);
				saved.magic = String.fromCharCode(u[0], u[1]);
				window.saved = saved;
			});
		};
		return true;
	})()`)
}

// TestCompareXLSX: a reviewer (viewer) opens the comparison of the sample
// plans and saves it as XLSX: the page asks for compare.xlsx with the
// compared ids and its session (no credential in the address), and hands
// the browser an XLSX file (a zip, "PK") under the server's Chinese name.
func TestCompareXLSX(t *testing.T) {
	p := newPage(t)
	p.login(viewerUser)
	p.waitJS("the switcher", `(document.querySelector('#scenario .scenario-button') || {}).textContent === '正式数据'`)
	p.click(`#scenario .scenario-button`)
	p.click(`#scenario [data-action="compare-scenarios"]`)
	p.waitJS("the comparison", `document.querySelectorAll('.compare-grid thead th.scenario-col').length >= 2`)
	p.catchDownloads()
	p.screenshot("75-compare-xlsx")
	p.click(`dialog.compare-dialog footer button[data-i18n="compare.xlsx"]`)
	p.waitJS("the workbook saved", `!!window.saved && window.saved.magic === 'PK'`)
	got := eval[map[string]any](p, `window.saved`)
	if name, _ := got["name"].(string); len(name) < 6 || name[len(name)-5:] != ".xlsx" || name[:len("整合方案比较")] != "整合方案比较" {
		t.Errorf("saved as %q, want 整合方案比较_….xlsx", got["name"])
	}
	if typ, _ := got["type"].(string); typ != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("blob type %q", typ)
	}
	req := eval[string](p, `window.fetched.filter(function (u) { return u.indexOf('/api/v1/scenarios/compare.xlsx?') >= 0; })[0] || ''`)
	ids := eval[string](p, `Array.prototype.filter.call(document.querySelectorAll('.compare-picks input:checked'), function () { return true; }).map(function (b) { return b.getAttribute('data-compare'); }).join('%2C')`)
	if req == "" || !strings.Contains(req, "ids="+ids) || strings.Contains(req, "token") || strings.Contains(req, "access") {
		t.Errorf("the request %q: want compare.xlsx with ids=%s and no credential", req, ids)
	}
	p.waitJS("the toast naming the file", `Array.prototype.some.call(document.querySelectorAll('.toast-ok'), function (x) { return /整合方案比较.*\.xlsx/.test(x.textContent); })`)
	if !eval[bool](p, `!!document.querySelector('dialog.compare-dialog[open]')`) {
		t.Error("the comparison closed after saving the workbook; it should stay open")
	}
}
