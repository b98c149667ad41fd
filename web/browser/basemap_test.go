package browser

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// tileStub stands in for 天地图: it serves a PNG for every GetTile request
// and counts them by layer and key (no network).
type tileStub struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int // "vec key" -> requests
}

func newTileStub(t *testing.T) *tileStub {
	s := &tileStub{hits: map[string]int{}}
	tiles := map[string][]byte{}
	// Base layers: a flat colour with a grid; annotations: a dark mark on
	// transparency, so that the screenshot shows both layers of each pair.
	for layer, c := range map[string]color.NRGBA{
		"vec": {0xf2, 0xee, 0xe2, 0xff}, "img": {0x5b, 0x7a, 0x4a, 0xff}, "ter": {0xd9, 0xcf, 0xb0, 0xff},
		"cva": {0x22, 0x22, 0x88, 0xff}, "cia": {0xff, 0xff, 0xff, 0xff}, "cta": {0x55, 0x33, 0x11, 0xff},
	} {
		img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
		for y := 0; y < 256; y++ {
			for x := 0; x < 256; x++ {
				annotation := strings.HasPrefix(layer, "c")
				switch {
				case annotation && x > 100 && x < 156 && y > 120 && y < 136:
					img.SetNRGBA(x, y, c)
				case annotation:
				case x < 2 || y < 2:
					img.SetNRGBA(x, y, color.NRGBA{0x99, 0x99, 0x99, 0xff})
				default:
					img.SetNRGBA(x, y, c)
				}
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		tiles[layer] = buf.Bytes()
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		layer := q.Get("LAYER")
		if q.Get("REQUEST") != "GetTile" || q.Get("TILEMATRIXSET") != "w" || !strings.HasPrefix(r.URL.Path, "/"+layer+"_w/") || tiles[layer] == nil {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.hits[layer+" "+q.Get("tk")]++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tiles[layer])
	}))
	t.Cleanup(s.Close)
	return s
}

// count returns the requests for layer with key.
func (s *tileStub) count(layer, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[layer+" "+key]
}

func (s *tileStub) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.hits {
		n += v
	}
	return n
}

// TestBasemapSwitcher: an administrator enters a 天地图 key in the switcher
// (a bad one is refused); 天地图 vector and imagery then fetch their base and
// annotation tiles with the key from the (stub) tile server; the choice is
// remembered; a viewer sees the switcher without the key form; "none", the
// default, fetches no tiles.
func TestBasemapSwitcher(t *testing.T) {
	stub := newTileStub(t)
	const key = "0123456789abcdef0123456789abcdef"
	admin := mustAPI(t, adminUser)
	tmpl := stub.URL + "/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default" +
		"&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
	admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": "", "tianditu_url": tmpl}, 0, nil)
	t.Cleanup(func() {
		admin.must(t, http.StatusOK, "PUT", "/api/v1/settings/basemap", map[string]string{"tianditu_key": "", "tianditu_url": ""}, 0, nil)
	})

	// The page's tiles from the stub.
	stubTiles := `document.querySelectorAll('img.leaflet-tile[src^="` + stub.URL + `"]').length`
	p := newPage(t)
	p.login(adminUser)
	p.waitJS("the switcher at 'none'", `wanmu.app.basemaps.current === 'none' && !!document.querySelector('[data-basemap-switcher] [data-basemap="none"]')`)
	if eval[bool](p, `!!document.querySelector('[data-basemap="tdt-vec"]')`) {
		t.Error("天地图 is offered before any key was entered")
	}
	if n := eval[int](p, stubTiles); n != 0 || stub.total() != 0 {
		t.Errorf("with no basemap the page shows %d tiles and asked the stub %d times", n, stub.total())
	}

	p.click(`[data-basemap-switcher] summary`)
	p.click(`[data-action="tdt-settings"]`)
	p.setValue(`.tdt-key`, "not-a-key")
	p.click(`[data-action="tdt-save"]`)
	p.waitJS("the bad key refused", `document.querySelector('.tdt-form .msg.error') && document.querySelector('.tdt-form .msg.error').textContent.length > 0`)
	p.setValue(`.tdt-key`, key)
	p.click(`[data-action="tdt-save"]`)
	p.waitJS("天地图 offered", `!!document.querySelector('[data-basemap="tdt-vec"]') && !!document.querySelector('[data-basemap="tdt-img"]') && !!document.querySelector('[data-basemap="tdt-ter"]')`)

	p.view(119.922, 28.451, 13)
	p.click(`[data-basemap="tdt-vec"]`)
	p.waitJS("vector tiles loaded", `wanmu.app.basemaps.current === 'tdt-vec' && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=vec&"]').length > 0 && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=cva&"]').length > 0`)
	if stub.count("vec", key) == 0 || stub.count("cva", key) == 0 {
		t.Errorf("天地图 vector asked the stub for vec %d and cva %d tiles with the key", stub.count("vec", key), stub.count("cva", key))
	}
	p.click(`[data-basemap="tdt-img"]`)
	p.waitJS("imagery tiles loaded", `wanmu.app.basemaps.current === 'tdt-img' && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=img&"]').length > 0 && document.querySelectorAll('img.leaflet-tile-loaded[src*="LAYER=cia&"]').length > 0`)
	if stub.count("img", key) == 0 || stub.count("cia", key) == 0 {
		t.Errorf("天地图 imagery asked the stub for img %d and cia %d tiles with the key", stub.count("img", key), stub.count("cia", key))
	}
	if a := eval[string](p, `document.querySelector('.leaflet-control-attribution').textContent`); !strings.Contains(a, "天地图") {
		t.Errorf("the attribution %q does not name 天地图", a)
	}
	p.screenshot("56-basemap")

	// Remembered across a reload.
	p.do(chromedpNavigate(suite.base + "/"))
	p.waitReady()
	p.waitJS("imagery remembered", `wanmu.app.basemaps.current === 'tdt-img'`)

	// A viewer: the switcher with 天地图, no key form, and 'none' fetches nothing.
	before := stub.total()
	v := newPage(t)
	v.login(viewerUser)
	v.waitJS("the viewer's switcher", `wanmu.app.basemaps.current === 'none' && !!document.querySelector('[data-basemap="tdt-vec"]')`)
	if eval[bool](v, `!!document.querySelector('[data-action="tdt-settings"]')`) {
		t.Error("a viewer sees the 天地图 key form")
	}
	v.view(119.922, 28.451, 14)
	if n := eval[int](v, stubTiles); n != 0 || stub.total() != before {
		t.Errorf("with 'none' the viewer's page shows %d tiles and asked the stub %d times", n, stub.total()-before)
	}
}
