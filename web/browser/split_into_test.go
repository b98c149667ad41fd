package browser

import (
	"fmt"
	"testing"
)

// TestSplitSourceNamesPieces: a split source's panel says 分割为 and links
// to every piece (not only the first); restoring it while the pieces are
// live is refused with the reason and what to do.
func TestSplitSourceNamesPieces(t *testing.T) {
	admin := mustAPI(t, adminUser)
	lng, lat := freeSpot(t, admin)
	z := createZone(t, admin, "分割来源"+randomHex(2), lng, lat, 500)
	var pieces struct {
		Features []zoneFeature `json:"features"`
	}
	admin.must(t, 201, "POST", fmt.Sprintf("/api/v1/zones/%d/split", z.Properties.ID), map[string]any{
		"line": map[string]any{"type": "LineString", "coordinates": [][2]float64{{lng, lat - 0.01}, {lng, lat + 0.01}}},
	}, 1, &pieces)
	if len(pieces.Features) != 2 {
		t.Fatalf("split into %d pieces", len(pieces.Features))
	}
	a, b := pieces.Features[0].Properties, pieces.Features[1].Properties

	p := newPage(t)
	p.login(adminUser)
	p.view(lng, lat, 15)
	p.waitJS("the pieces loaded", fmt.Sprintf(`!!wanmu.app.zones.feature(%d)`, b.ID))
	eval[bool](p, fmt.Sprintf(`(wanmu.app.selection.set([%d]), true)`, b.ID))
	p.waitJS("the piece's source link", fmt.Sprintf(`!!document.querySelector('#detail [data-field="sources"] [data-zone-link="%d"]')`, z.Properties.ID))
	p.click(fmt.Sprintf(`#detail [data-zone-link="%d"]`, z.Properties.ID))
	p.waitJS("the source names both pieces", fmt.Sprintf(`(function () {
		var d = document.querySelector('#detail .detail.retired [data-field="split-into"]');
		return !!d && d.querySelectorAll('a').length === 2 && !!d.querySelector('[data-zone-link="%d"]') && !!d.querySelector('[data-zone-link="%d"]')
			&& d.textContent.indexOf(%q) >= 0 && d.previousElementSibling.textContent === '分割为'; })()`, a.ID, b.ID, b.Name))
	if eval[bool](p, `!!document.querySelector('#detail [data-field="merged-into"]')`) {
		t.Error("the split source also says 已并入")
	}
	p.click(`#detail [data-action="restore-retired"]`)
	p.waitJS("the confirmation", `!!document.querySelector('dialog.confirm[open]')`)
	p.click(`dialog.confirm[open] footer .btn-primary`)
	p.waitJS("the refusal", fmt.Sprintf(`(function () { var e = document.querySelector('dialog.confirm[open] .dialog-error'); return !!e && !e.hidden && e.textContent.indexOf('已分割为') >= 0 && e.textContent.indexOf(%q) >= 0 && e.textContent.indexOf(%q) >= 0; })()`, a.Name, b.Name))
	p.screenshot("37c-split-source-refused")
	var src zoneFeature
	admin.must(t, 200, "GET", fmt.Sprintf("/api/v1/zones/%d", z.Properties.ID), nil, 0, &src)
	if src.Properties.RetiredAt == nil {
		t.Error("the split source was restored while its pieces are live")
	}
}
