package browser

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestSnapConstraintLayers: while drawing, with 永久基本农田 shown, a click
// beside a parcel's corner places a vertex that is that corner exactly (read
// from /ogc, not from the simplified tiles); with tracing on, two clicks on
// the same parcel's boundary follow it round the corner in between. Zoomed
// out, or with the layer hidden, the popover says why nothing is read.
func TestSnapConstraintLayers(t *testing.T) {
	editor := mustAPI(t, editorUser)
	var layers struct {
		Layers []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"layers"`
	}
	editor.must(t, 200, "GET", "/api/v1/layers", nil, 0, &layers)
	var layerID int64
	for _, l := range layers.Layers {
		if strings.Contains(l.Name, "永久基本农田") {
			layerID = l.ID
		}
	}
	if layerID == 0 {
		t.Fatalf("the sample data has no 永久基本农田 layer: %+v", layers.Layers)
	}
	var items struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	editor.must(t, 200, "GET", fmt.Sprintf("/ogc/collections/layer-%d/items?limit=200&f=json", layerID), nil, 0, &items)

	p := newPage(t)
	p.login(editorUser)
	defer eval[bool](p, `(localStorage.removeItem('wanmu.snap'), true)`)
	const zoom = 17
	// A parcel whose first three corners lie well apart on the screen.
	var corner [3][2]float64
	found := false
	for _, f := range items.Features {
		ring := firstRing(t, f.Geometry.Type, f.Geometry.Coordinates)
		if len(ring) < 5 {
			continue
		}
		p.view(ring[1][0], ring[1][1], zoom)
		ok := true
		for i := 0; i < 2; i++ {
			x1, y1 := p.px(ring[i][0], ring[i][1])
			x2, y2 := p.px(ring[i+1][0], ring[i+1][1])
			if math.Hypot(x2-x1, y2-y1) < 40 {
				ok = false
			}
		}
		if ok {
			copy(corner[:], ring[:3])
			found = true
			break
		}
	}
	if !found {
		t.Fatal("no 永久基本农田 parcel with corners 40 px apart at z17 among the first 200")
	}
	p.click(fmt.Sprintf(`#layers input[data-layer="layer-%d"]`, layerID)) // 永久基本农田 is off at first (5,000 parcels)
	p.waitJS("永久基本农田 shown", fmt.Sprintf(`wanmu.app.map.hasLayer(wanmu.app.tileLayers[%d])`, layerID))

	p.click(`[data-tool="draw"]`)
	p.waitJS("draw mode", `wanmu.app.editor.mode === 'draw' && wanmu.app.map.pm.globalDrawModeEnabled()`)
	eval[bool](p, `(wanmu.app.editor.snap.set({ on: true, vertex: true, edge: true, px: 14, trace: false, layers: false }), true)`)
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`)
	p.click(`.snap-popover [data-snap="layers"]`)
	p.waitJS("the parcels in view read", `wanmu.app.editor.constraintSnap.status.state === 'ready' && wanmu.app.editor.constraintSnap.status.count > 0`)
	if got := eval[string](p, `document.querySelector('.snap-layers-status').textContent`); !strings.Contains(got, "可吸附") {
		t.Errorf("the popover says %q, want how many parcels can be snapped to", got)
	}
	p.screenshot("63-snap-constraint-layers")
	p.click(`.wanmu-sessionbar [data-action="snap-options"]`) // close the popover
	// Geoman's list of snap targets includes the parcels (it is rebuilt on
	// every layer added; undefined means it is built at the next move).
	p.waitJS("the snap list", `(function () { var d = wanmu.app.map.pm.Draw.Polygon, s = wanmu.app.editor.constraintSnap.layers();
		return !d._snapList || s.every(function (l) { return d._snapList.indexOf(l) >= 0; }); })()`)

	vertex := func(i int) [2]float64 {
		return eval[[2]float64](p, fmt.Sprintf(`(function () { var v = wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs()[%d]; return [v.lng, v.lat]; })()`, i))
	}
	count := func(n int) {
		p.waitJS(fmt.Sprintf("%d vertices", n), fmt.Sprintf(`wanmu.app.map.pm.Draw.Polygon._layer.getLatLngs().length === %d`, n))
	}
	x0, y0 := p.px(corner[0][0], corner[0][1])
	p.clickAt(x0+4, y0+3, false)
	count(1)
	if got := vertex(0); got != corner[0] {
		t.Errorf("the vertex placed beside the parcel's corner is %v, want the corner %v exactly", got, corner[0])
	}

	// Tracing: a point on the edge before corner 1 and one on the edge after
	// it; corner 1 is put in between, an exact copy.
	eval[bool](p, `(wanmu.app.editor.snap.set({ trace: true }), true)`)
	x1, y1 := p.px(corner[1][0], corner[1][1])
	x2, y2 := p.px(corner[2][0], corner[2][1])
	p.clickAt(x0+(x1-x0)*0.6, y0+(y1-y0)*0.6, false)
	count(2)
	p.clickAt(x1+(x2-x1)*0.5, y1+(y2-y1)*0.5, false)
	count(4)
	if got := vertex(2); got != corner[1] {
		t.Errorf("the vertex traced between two points on the parcel's boundary is %v, want its corner %v exactly", got, corner[1])
	}
	p.screenshot("64-trace-constraint-layer")

	// Zoomed out, nothing is read and the popover says why; hiding the layer
	// drops its parcels (the other layers shown stay).
	eval[bool](p, `(wanmu.app.map.setZoom(12, { animate: false }), true)`)
	p.waitJS("the zoom note", `wanmu.app.editor.constraintSnap.status.state === 'zoom' && /放大/.test(document.querySelector('.snap-layers-status').textContent)`)
	eval[bool](p, fmt.Sprintf(`(wanmu.app.map.setZoom(%d, { animate: false }), true)`, zoom))
	p.click(fmt.Sprintf(`#layers input[data-layer="layer-%d"]`, layerID))
	p.waitJS("the hidden layer's parcels dropped", fmt.Sprintf(`(function () { var c = wanmu.app.editor.constraintSnap;
		return c.status.state !== 'loading' && c.layers().every(function (l) { return l.constraintLayerId !== %d; }); })()`, layerID))
	p.click(`.wanmu-sessionbar [data-action="cancel"]`)
	p.waitJS("drawing ended", `wanmu.app.editor.mode === 'select' && !wanmu.app.editor.constraintSnap.active`)
}

// firstRing is the outer ring of a Polygon's or the first MultiPolygon
// part's coordinates.
func firstRing(t *testing.T, typ string, raw json.RawMessage) [][2]float64 {
	t.Helper()
	switch typ {
	case "Polygon":
		var rings [][][2]float64
		if err := json.Unmarshal(raw, &rings); err != nil {
			t.Fatal(err)
		}
		return rings[0]
	case "MultiPolygon":
		var parts [][][][2]float64
		if err := json.Unmarshal(raw, &parts); err != nil {
			t.Fatal(err)
		}
		return parts[0][0]
	}
	return nil
}
