package ogc_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/geodesy"
	"wanmu/internal/ogc"
	"wanmu/internal/store"
)

// links maps rel to the links of a document.
func links(t *testing.T, doc map[string]any) map[string][]map[string]any {
	t.Helper()
	raw, ok := doc["links"].([]any)
	if !ok {
		t.Fatalf("no links in %v", doc)
	}
	out := map[string][]map[string]any{}
	for _, l := range raw {
		m := l.(map[string]any)
		out[m["rel"].(string)] = append(out[m["rel"].(string)], m)
	}
	return out
}

// href returns the one link of rel with the media type, or "".
func href(t *testing.T, doc map[string]any, rel, mediaType string) string {
	t.Helper()
	ls := links(t, doc)[rel]
	if len(ls) == 0 {
		return ""
	}
	if len(ls) != 1 || ls[0]["type"] != mediaType {
		t.Fatalf("links %q: %v, want one of type %s", rel, ls, mediaType)
	}
	return ls[0]["href"].(string)
}

func TestLandingConformanceAPI(t *testing.T) {
	e := newEnv(t, false)
	base := e.srv.URL + "/ogc"
	for _, path := range []string{"/ogc", "/ogc/", "/ogc?f=json"} {
		doc := e.get(path, "application/json")
		if title, _ := doc["title"].(string); !strings.HasPrefix(title, "万亩") {
			t.Errorf("%s: title %q", path, title)
		}
		for rel, want := range map[string][2]string{
			"self":         {base, "application/json"},
			"service-desc": {base + "/api", "application/vnd.oai.openapi+json;version=3.0"},
			"conformance":  {base + "/conformance", "application/json"},
			"data":         {base + "/collections", "application/json"},
		} {
			if got := href(t, doc, rel, want[1]); got != want[0] {
				t.Errorf("%s: link %s = %q, want %q", path, rel, got, want[0])
			}
		}
	}

	conf := e.get("/ogc/conformance", "application/json")
	var classes []string
	for _, c := range conf["conformsTo"].([]any) {
		classes = append(classes, c.(string))
	}
	for _, want := range []string{"core", "oas30", "geojson"} {
		if !slices.Contains(classes, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"+want) {
			t.Errorf("conformsTo %v lacks %s", classes, want)
		}
	}

	doc := e.get("/ogc/api", "application/vnd.oai.openapi+json;version=3.0")
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("openapi = %v", doc["openapi"])
	}
	paths := doc["paths"].(map[string]any)
	for _, p := range []string{"/", "/conformance", "/collections", "/collections/{collectionId}",
		"/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"} {
		if paths[p] == nil {
			t.Errorf("the API definition lacks %s", p)
		}
	}
	// Clients page by the limit's maximum: it must be the one enforced.
	var limit map[string]any
	for _, p := range paths["/collections/{collectionId}/items"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
		if p.(map[string]any)["name"] == "limit" {
			limit = p.(map[string]any)["schema"].(map[string]any)
		}
	}
	if limit["maximum"] != float64(ogc.MaxLimit) || limit["default"] != float64(ogc.DefaultLimit) || limit["minimum"] != 1.0 {
		t.Errorf("limit schema %v", limit)
	}
	if s := doc["servers"].([]any)[0].(map[string]any)["url"]; s != base {
		t.Errorf("server url %v, want %s", s, base)
	}
}

func TestCollections(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	doc := e.get("/ogc/collections", "application/json")
	if got := href(t, doc, "self", "application/json"); got != e.srv.URL+"/ogc/collections" {
		t.Errorf("self = %q", got)
	}
	want := []struct {
		id, title string
		bbox      [4]float64
	}{
		{"zones", "Zones 园区与乡镇工业功能区", [4]float64{119.86, 28.40, 120.09, 28.66}},
		{"platforms", "Platforms 产业平台", [4]float64{119.86, 28.40, 119.90, 28.42}},
		{layerID(f.farmland), "永久基本农田", [4]float64{gridLon, gridLat,
			gridLon + (gridNX-1)*gridStep + gridSide, gridLat + (gridNY-1)*gridStep + gridSide}},
		{layerID(f.counties), "县界 <参考>", [4]float64{119.0, 27.5, 120.5, 28.9}},
	}
	cs := doc["collections"].([]any)
	if len(cs) != len(want) {
		t.Fatalf("%d collections, want %d: %s", len(cs), len(want), doc)
	}
	for i, w := range want {
		c := cs[i].(map[string]any)
		if c["id"] != w.id || c["title"] != w.title || c["itemType"] != "feature" || c["description"] == "" {
			t.Errorf("collection %d: %v", i, c)
		}
		self := e.srv.URL + "/ogc/collections/" + w.id
		if got := href(t, c, "self", "application/json"); got != self {
			t.Errorf("%s: self %q", w.id, got)
		}
		if got := href(t, c, "items", "application/geo+json"); got != self+"/items" {
			t.Errorf("%s: items %q", w.id, got)
		}
		sp := c["extent"].(map[string]any)["spatial"].(map[string]any)
		if sp["crs"] != ogc.CRS84 {
			t.Errorf("%s: extent crs %v", w.id, sp["crs"])
		}
		b := sp["bbox"].([]any)[0].([]any)
		for k := range 4 {
			if d := b[k].(float64) - w.bbox[k]; d > 1e-9 || d < -1e-9 {
				t.Errorf("%s: bbox %v, want %v", w.id, b, w.bbox)
				break
			}
		}
		// The collection on its own is the same document.
		one := e.get("/ogc/collections/"+w.id, "application/json")
		a, _ := json.Marshal(one)
		bb, _ := json.Marshal(c)
		if string(a) != string(bb) {
			t.Errorf("%s on its own:\n%s\nin the list:\n%s", w.id, a, bb)
		}
	}
}

// page is a decoded items response.
type page struct {
	Type     string
	Features []struct {
		ID         int64
		Geometry   json.RawMessage
		Properties map[string]any
	}
	Links          []struct{ Href, Rel, Type string }
	TimeStamp      string
	NumberMatched  *int64
	NumberReturned int
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func (p page) ids() []int64 {
	var out []int64
	for _, f := range p.Features {
		out = append(out, f.ID)
	}
	return out
}

func (e *env) page(path string) page {
	e.t.Helper()
	r := e.do("GET", path, "viewer")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" {
		e.t.Fatalf("GET %s: %d %s %s", path, r.status, r.header.Get("Content-Type"), r.body)
	}
	var p page
	if err := json.Unmarshal(r.body, &p); err != nil {
		e.t.Fatal(err)
	}
	if p.Type != "FeatureCollection" || p.NumberReturned != len(p.Features) {
		e.t.Fatalf("GET %s: type %q, numberReturned %d of %d features", path, p.Type, p.NumberReturned, len(p.Features))
	}
	if ts, err := time.Parse(time.RFC3339, p.TimeStamp); err != nil || time.Since(ts) > time.Minute {
		e.t.Fatalf("GET %s: timeStamp %q (%v)", path, p.TimeStamp, err)
	}
	return p
}

func TestItemsPaging(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	items := "/ogc/collections/" + layerID(f.farmland) + "/items"

	// The default page is 100 features, counted, with a next link.
	first := e.page(items)
	if len(first.Features) != 100 || first.NumberMatched == nil || *first.NumberMatched != gridNX*gridNY {
		t.Fatalf("first page: %d features of %v", len(first.Features), first.NumberMatched)
	}
	if first.link("self") != e.srv.URL+items+"?limit=100" || first.link("collection") != e.srv.URL+"/ogc/collections/"+layerID(f.farmland) || first.link("prev") != "" {
		t.Errorf("first page links: %+v", first.Links)
	}
	props := first.Features[0].Properties
	if props["地类"] != "水田" || props["编号"] != "0-0" || props["备注"] != "<b>田</b>" || len(props) != 6 {
		t.Errorf("parcel properties %v", props)
	}
	var g geojson.Geometry
	if err := json.Unmarshal(first.Features[0].Geometry, &g); err != nil || g.Geometry().GeoJSONType() != "MultiPolygon" {
		t.Fatalf("parcel geometry %s (%v)", first.Features[0].Geometry, err)
	}
	// Each feature carries its ellipsoidal area, as a zone does: the
	// survey formula on the vertices agrees with PostGIS's to a ppm here.
	want := geodesy.EllipsoidalAreaMulti(g.Geometry().(orb.MultiPolygon))
	m2, _ := props["area_m2"].(float64)
	mu, _ := props["area_mu"].(float64)
	ha, _ := props["area_ha"].(float64)
	if want <= 0 || math.Abs(m2-want) > want*1e-6 || math.Abs(mu-geodesy.Mu(m2)) > 1e-9*mu || math.Abs(ha-m2/10000) > 1e-9*ha {
		t.Errorf("parcel area: %v m², %v mu, %v ha; want %v m²", props["area_m2"], props["area_mu"], props["area_ha"], want)
	}

	// Walk the whole layer by the next links, 30 at a time.
	var all []int64
	var pages []page
	for next := e.srv.URL + items + "?limit=30"; next != ""; {
		p := e.page(next)
		if len(pages) == 0 {
			if p.NumberMatched == nil || *p.NumberMatched != 250 {
				t.Errorf("first page: numberMatched %v", p.NumberMatched)
			}
		} else if p.NumberMatched != nil {
			t.Errorf("page %d reached by a link counts again: %d", len(pages)+1, *p.NumberMatched)
		}
		if len(p.Features) > 30 {
			t.Fatalf("page of %d features, limit 30", len(p.Features))
		}
		pages = append(pages, p)
		all = append(all, p.ids()...)
		next = p.link("next")
		if next != "" && !strings.HasPrefix(next, e.srv.URL+items+"?limit=30&after=") {
			t.Fatalf("next link %q", next)
		}
		if len(pages) > 20 {
			t.Fatal("the next links do not end")
		}
	}
	if len(pages) != 9 || len(all) != 250 || !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != 250 {
		t.Fatalf("%d pages, %d features, sorted %v", len(pages), len(all), slices.IsSorted(all))
	}
	// And back by the prev links, from the last page.
	var back []int64
	p := pages[len(pages)-1]
	back = append(p.ids(), back...)
	for n := 0; p.link("prev") != ""; n++ {
		if n > 20 {
			t.Fatal("the prev links do not end")
		}
		p = e.page(p.link("prev"))
		back = append(p.ids(), back...)
		if p.link("next") == "" {
			t.Fatalf("page %v has no next link", p.ids())
		}
	}
	if !slices.Equal(back, all) {
		t.Fatalf("back by the prev links: %d features, %v…", len(back), back[:min(5, len(back))])
	}

	// By offset: the last 50, counted, with a prev link and no next.
	p = e.page(items + "?limit=100&offset=200")
	if !slices.Equal(p.ids(), all[200:]) || p.NumberMatched == nil || *p.NumberMatched != 250 || p.link("next") != "" {
		t.Fatalf("offset 200: %d features, matched %v, next %q", len(p.Features), p.NumberMatched, p.link("next"))
	}
	if prev := e.page(p.link("prev")); !slices.Equal(prev.ids(), all[100:200]) {
		t.Errorf("prev of offset 200: %v…", prev.ids()[:3])
	}
	// Past the end: empty, still counted, leading back.
	p = e.page(items + "?limit=100&offset=300")
	if len(p.Features) != 0 || *p.NumberMatched != 250 || p.link("prev") != e.srv.URL+items+"?limit=100&offset=200" {
		t.Fatalf("offset 300: %+v", p)
	}
	// limit=10000 is the whole layer at once.
	if p = e.page(items + "?limit=10000&f=json"); len(p.Features) != 250 || p.link("next") != "" || !strings.HasSuffix(p.link("self"), "&f=json") {
		t.Fatalf("limit 10000: %d features, links %+v", len(p.Features), p.Links)
	}
}

func TestItemsBBox(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	items := "/ogc/collections/" + layerID(f.farmland) + "/items"
	w, s, east, n := testBox[0], testBox[1], testBox[2], testBox[3]
	want := parcelsIn(testBox)
	bbox := fmt.Sprintf("%v,%v,%v,%v", w, s, east, n)
	p := e.page(items + "?limit=7&bbox=" + bbox)
	if p.NumberMatched == nil || *p.NumberMatched != int64(want) || len(p.Features) != 7 {
		t.Fatalf("bbox: %d features, matched %v, want %d", len(p.Features), p.NumberMatched, want)
	}
	got := p.ids()
	for next := p.link("next"); next != ""; {
		if !strings.Contains(next, "&bbox="+bbox) {
			t.Fatalf("next link %q lost the bbox", next)
		}
		q := e.page(next)
		got = append(got, q.ids()...)
		next = q.link("next")
	}
	if len(got) != want {
		t.Fatalf("bbox: %d features by the links, want %d", len(got), want)
	}
	// Zones: the box around 缙云 only.
	z := e.page("/ogc/collections/zones/items?bbox=120.0,28.6,120.1,28.7")
	if *z.NumberMatched != 1 || len(z.Features) != 1 || z.Features[0].Properties["name"] != jinyunZone {
		t.Fatalf("zones in the box: %+v", z.Features)
	}
	// Platforms: a box on one member finds the platform; one elsewhere
	// finds nothing (and never the empty platform).
	pl := e.page("/ogc/collections/platforms/items?bbox=119.89,28.41,119.891,28.411")
	if *pl.NumberMatched != 1 || pl.Features[0].ID != f.platform.ID {
		t.Fatalf("platforms in the box: %+v", pl.Features)
	}
	if pl = e.page("/ogc/collections/platforms/items?bbox=120.0,28.6,120.1,28.7"); *pl.NumberMatched != 0 || len(pl.Features) != 0 {
		t.Fatalf("platforms beside the box: %+v", pl.Features)
	}
}

// testBox cuts through parcels of the farmland grid without touching any
// edge.
var testBox = [4]float64{119.7121, 28.2071, 119.7333, 28.2222}

// parcelsIn counts the parcels of the farmland grid that meet the box.
func parcelsIn(b [4]float64) int {
	n := 0
	for j := range gridNY {
		for i := range gridNX {
			x, y := gridLon+float64(i)*gridStep, gridLat+float64(j)*gridStep
			if x < b[2] && x+gridSide > b[0] && y < b[3] && y+gridSide > b[1] {
				n++
			}
		}
	}
	return n
}

func TestBadParameters(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	items := "/ogc/collections/" + layerID(f.farmland) + "/items"
	for _, c := range []struct{ path, detail string }{
		{items + "?limit=0", "limit must be a whole number from 1 to 10000, not \"0\""},
		{items + "?limit=10001", "limit must be a whole number from 1 to 10000, not \"10001\""},
		{items + "?limit=-5", "limit must be a whole number from 1 to 10000"},
		{items + "?limit=1e3", "limit must be a whole number from 1 to 10000"},
		{items + "?limit=", "limit must be a whole number from 1 to 10000"},
		{items + "?offset=-1", "offset must be a whole number from 0 to 1000000000"},
		{items + "?offset=abc", "offset must be a whole number"},
		{items + "?after=0", "after must be a feature id"},
		{items + "?before=x", "before must be a feature id"},
		{items + "?after=1&before=9", "give after or before, not both"},
		{items + "?offset=5&after=1", "give offset or after/before, not both"},
		{items + "?bbox=119,28,120", "bbox must be four numbers west,south,east,north"},
		{items + "?bbox=119,28,120,29,0,10", "west ≤ east"}, // six numbers are west,south,bottom,east,north,top
		{items + "?bbox=119,28,120,29,0", "bbox must be four numbers"},
		{items + "?bbox=120,28,119,29", "west ≤ east"},
		{items + "?datetime=yesterday", "datetime must be an RFC 3339 date-time or date"},
		{items + "?datetime=..", "datetime must be an RFC 3339 date-time or date"},
		{items + "?datetime=2026-11-01/2026-11-02/2026-11-03", "datetime must be"},
		{items + "?datetime=2026-11-02/2026-11-01", "ends before it starts"},
		{items + "?bbox=200,28,201,29", "outside longitude -180…180"},
		{items + "?bbox=NaN,28,120,29", "is not a number"},
		{items + "?bbox=", "bbox is empty"},
		{items + "?foo=bar", `unknown query parameter "foo": this resource takes limit, offset, after, before, bbox, bbox-crs, datetime, crs, f`},
		{items + "?bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4490"), "bbox-crs is given without a bbox"},
		{items + "?limit=1&limit=2", "is given 2 times: give it once"},
		{items + "?f=html", `f="html" is not served`},
		{"/ogc?foo=1", `unknown query parameter "foo": this resource takes f`},
		{"/ogc/collections?limit=5", `unknown query parameter "limit"`},
		{"/ogc/conformance?f=xml", `f="xml" is not served`},
		{"/ogc/collections/zones/items/1?bbox=1,2,3,4", `unknown query parameter "bbox"`},
	} {
		r := e.do("GET", c.path, "viewer")
		if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s", c.path, r.status, r.header.Get("Content-Type"), r.body)
			continue
		}
		body := r.json(t)
		if detail, _ := body["detail"].(string); !strings.Contains(detail, c.detail) {
			t.Errorf("%s: detail %q, want %q", c.path, detail, c.detail)
		}
		if body["status"] != 400.0 || body["request_id"] == "" || body["instance"] == "" {
			t.Errorf("%s: problem %v", c.path, body)
		}
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	countyItems := e.page("/ogc/collections/" + layerID(f.counties) + "/items")
	for _, c := range []struct{ path, detail string }{
		{"/ogc/collections/nosuch", `there is no collection "nosuch"`},
		{"/ogc/collections/nosuch/items", `there is no collection "nosuch"`},
		{"/ogc/collections/layer-999999", `there is no collection "layer-999999"`},
		{"/ogc/collections/layer-999999/items", `there is no collection "layer-999999"`},
		{"/ogc/collections/layer-999999/items/1", `there is no collection "layer-999999"`},
		{"/ogc/collections/layer-0/items", `there is no collection "layer-0"`},
		{"/ogc/collections/zones/items/999999", `collection zones has no feature "999999"`},
		{"/ogc/collections/zones/items/" + strconv.FormatInt(f.retired.ID, 10), `collection zones has no feature`},
		{"/ogc/collections/zones/items/abc", `collection zones has no feature "abc"`},
		{"/ogc/collections/zones/items/-1", `collection zones has no feature "-1"`},
		{"/ogc/collections/platforms/items/999999", `collection platforms has no feature "999999"`},
		// A feature of one layer is not one of another's.
		{"/ogc/collections/" + layerID(f.farmland) + "/items/" + strconv.FormatInt(countyItems.Features[0].ID, 10), "has no feature"},
		{"/ogc/nosuch", "there is no OGC API resource at /ogc/nosuch"},
		{"/ogc/collections/zones/items/1/more", "there is no OGC API resource"},
	} {
		r := e.do("GET", c.path, "viewer")
		if r.status != 404 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s", c.path, r.status, r.header.Get("Content-Type"), r.body)
			continue
		}
		if detail, _ := r.json(t)["detail"].(string); !strings.Contains(detail, c.detail) {
			t.Errorf("%s: detail %q, want %q", c.path, detail, c.detail)
		}
	}
	// Read-only: writes are 405 with Allow.
	r := e.do("POST", "/ogc/collections/zones/items", "admin")
	if r.status != 405 || r.header.Get("Allow") != "GET, HEAD, OPTIONS" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("POST items: %d %v %s", r.status, r.header, r.body)
	}
}

// TestSameAsREST checks that a zone and a platform read through the OGC
// API carry what the REST API gives for them.
func TestSameAsREST(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	for _, z := range f.zones {
		id := strconv.FormatInt(z.ID, 10)
		rest := e.get("/api/v1/zones/"+id, "application/geo+json; charset=utf-8")
		feat := e.get("/ogc/collections/zones/items/"+id, "application/geo+json")
		if !reflect.DeepEqual(rest["properties"], feat["properties"]) {
			t.Errorf("zone %s properties:\nREST %v\nOGC  %v", id, rest["properties"], feat["properties"])
		}
		if !reflect.DeepEqual(rest["geometry"], feat["geometry"]) || feat["id"] != float64(z.ID) {
			t.Errorf("zone %s: id %v, geometry differs", id, feat["id"])
		}
		self := e.srv.URL + "/ogc/collections/zones/items/" + id
		if got := href(t, feat, "self", "application/geo+json"); got != self {
			t.Errorf("zone %s self %q", id, got)
		}
		if got := href(t, feat, "collection", "application/json"); got != e.srv.URL+"/ogc/collections/zones" {
			t.Errorf("zone %s collection %q", id, got)
		}
	}
	// In a page too.
	p := e.page("/ogc/collections/zones/items")
	if *p.NumberMatched != 3 || len(p.Features) != 3 || p.Features[0].Properties["name"] != cityZone {
		t.Fatalf("zones page: %+v", p.Features)
	}

	rest := e.get("/api/v1/platforms/"+strconv.FormatInt(f.platform.ID, 10), "application/json; charset=utf-8")
	feat := e.get("/ogc/collections/platforms/items/"+strconv.FormatInt(f.platform.ID, 10), "application/geo+json")
	props := feat["properties"].(map[string]any)
	for k, v := range rest {
		if !reflect.DeepEqual(props[k], v) {
			t.Errorf("platform %s: OGC %v, REST %v", k, props[k], v)
		}
	}
	for _, k := range []string{"developable_mu", "threshold_mu", "meets", "members"} {
		if _, ok := props[k]; !ok {
			t.Errorf("platform lacks %s", k)
		}
	}
	if props["members"] != 2.0 || props["threshold_mu"] != 10000.0 || props["meets"] != true || props["developable_mu"].(float64) < 13000 {
		t.Errorf("platform figures %v", props)
	}
	// The outline is the union of the two adjoining members: one polygon.
	var g geojson.Geometry
	raw, _ := json.Marshal(feat["geometry"])
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if b := g.Geometry().Bound(); g.Geometry().GeoJSONType() != "MultiPolygon" || b.Min[0] != 119.86 || b.Max[0] != 119.90 {
		t.Errorf("outline %s", raw)
	}
	// Round measures keep their decimal point, so that clients guessing
	// field types from a page do not make integer fields of them.
	for path, want := range map[string][]string{
		"/ogc/collections/platforms/items": {`"threshold_mu":10000.0`, `"deducted_mu":0.0`},
		"/ogc/collections/zones/items":     {`"approved_area_ha":100.0`},
	} {
		body := string(e.do("GET", path, "viewer").body)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s has no %s", path, w)
			}
		}
	}
	// A platform without members is listed, without geometry.
	p = e.page("/ogc/collections/platforms/items")
	if *p.NumberMatched != 2 || p.Features[1].ID != f.empty.ID || string(p.Features[1].Geometry) != "null" ||
		p.Features[1].Properties["developable_mu"] != 0.0 {
		t.Fatalf("platforms page: %+v", p.Features)
	}
}

// TestNamesAreData: names and attributes travel as JSON strings, never as
// markup, and come back unchanged.
func TestNamesAreData(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	for _, path := range []string{"/ogc/collections/zones/items", "/ogc/collections", "/ogc/collections/" + layerID(f.farmland) + "/items?limit=3",
		"/ogc/collections/zones/items/" + strconv.FormatInt(f.zones[2].ID, 10)} {
		r := e.do("GET", path, "viewer")
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		if s := string(r.body); strings.ContainsAny(s, "<>") {
			t.Errorf("%s: raw markup characters in %s", path, s[:min(len(s), 300)])
		}
	}
	feat := e.get("/ogc/collections/zones/items/"+strconv.FormatInt(f.zones[2].ID, 10), "application/geo+json")
	props := feat["properties"].(map[string]any)
	if props["name"] != hostileZone || props["attributes"].(map[string]any)["备注"] != "<i>示例</i>" {
		t.Errorf("hostile name came back as %v", props)
	}
	if r := e.do("GET", "/ogc/collections", "viewer"); r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", r.header)
	}
}

// TestLinksFollowTheMount: links name the prefix the router is mounted at
// and, behind a trusted proxy, the forwarded scheme and host.
func TestLinksFollowTheMount(t *testing.T) {
	e := newEnv(t, false)
	e.fixture()
	for _, trust := range []bool{false, true} {
		h := ogc.New(e.st, ogc.Options{TrustProxy: trust})
		r := chi.NewRouter()
		r.Mount("/gis/ogc", h.Routes())
		for _, path := range []string{"/gis/ogc", "/gis/ogc/", "/gis/ogc/collections"} {
			req := httptest.NewRequest("GET", "http://wanmu.test"+path, nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-Host", "gis.example.org, proxy.internal")
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 {
				t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
			want := "http://wanmu.test/gis/ogc"
			if trust {
				want = "https://gis.example.org/gis/ogc"
			}
			self := strings.TrimSuffix(want+strings.TrimPrefix(path, "/gis/ogc"), "/")
			if got := href(t, doc, "self", "application/json"); got != self {
				t.Errorf("trust %v, %s: self %q, want %q", trust, path, got, self)
			}
		}
	}
}

// TestHead: HEAD answers like GET, without a body.
func TestHead(t *testing.T) {
	e := newEnv(t, false)
	e.fixture()
	r := e.do("HEAD", "/ogc/collections/zones/items", "viewer")
	if r.status != 200 || r.header.Get("Content-Type") != "application/geo+json" || len(r.body) != 0 {
		t.Fatalf("HEAD items: %d %v %d bytes", r.status, r.header, len(r.body))
	}
	if r := e.do("HEAD", "/ogc/collections/zones/items?limit=0", "viewer"); r.status != 400 {
		t.Fatalf("HEAD with a bad limit: %d", r.status)
	}
}

// TestItemsDatetime: datetime keeps the features last changed at an instant
// or within an interval, open at either end; a constraint layer's features
// date from its import. The next links keep it.
func TestItemsDatetime(t *testing.T) {
	e := newEnv(t, false)
	f := e.fixture()
	zs := slices.Clone(f.zones)
	slices.SortFunc(zs, func(a, b store.Zone) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	mid := zs[len(zs)/2]
	at := mid.UpdatedAt.Format(time.RFC3339Nano)
	count := func(keep func(store.Zone) bool) int64 {
		n := int64(0)
		for _, z := range zs {
			if keep(z) {
				n++
			}
		}
		return n
	}
	zones := "/ogc/collections/zones/items?datetime="
	if p := e.page(zones + url.QueryEscape(at)); len(p.Features) != 1 || p.Features[0].ID != mid.ID {
		t.Errorf("zones changed at %s: %v, want zone %d", at, p.ids(), mid.ID)
	}
	for _, c := range []struct {
		datetime string
		want     int64
	}{
		{at + "/..", count(func(z store.Zone) bool { return !z.UpdatedAt.Before(mid.UpdatedAt) })},
		{"../" + at, count(func(z store.Zone) bool { return !z.UpdatedAt.After(mid.UpdatedAt) })},
		{at + "/", count(func(z store.Zone) bool { return !z.UpdatedAt.Before(mid.UpdatedAt) })},
		{"2000-01-01/..", int64(len(zs))},
		{"../2000-01-01", 0},
		{mid.UpdatedAt.UTC().Format(time.DateOnly), count(func(z store.Zone) bool {
			return z.UpdatedAt.UTC().Format(time.DateOnly) == mid.UpdatedAt.UTC().Format(time.DateOnly)
		})},
	} {
		p := e.page(zones + url.QueryEscape(c.datetime) + "&limit=1")
		if p.NumberMatched == nil || *p.NumberMatched != c.want {
			t.Errorf("datetime=%s: matched %v, want %d", c.datetime, p.NumberMatched, c.want)
			continue
		}
		n := int64(len(p.Features))
		for next := p.link("next"); next != ""; {
			if !strings.Contains(next, "datetime="+url.QueryEscape(c.datetime)) {
				t.Fatalf("next link %q lost the datetime %s", next, c.datetime)
			}
			q := e.page(next)
			n += int64(len(q.Features))
			next = q.link("next")
		}
		if n != c.want {
			t.Errorf("datetime=%s: %d features by the links, want %d", c.datetime, n, c.want)
		}
	}
	layer := "/ogc/collections/" + layerID(f.farmland) + "/items?datetime="
	if p := e.page(layer + "../2000-01-01"); *p.NumberMatched != 0 {
		t.Errorf("farmland imported before 2000: %d features", *p.NumberMatched)
	}
	if p := e.page(layer + url.QueryEscape(f.farmland.ImportedAt.Format(time.RFC3339Nano))); *p.NumberMatched != int64(f.farmland.Features) {
		t.Errorf("farmland at its import: %d features, want %d", *p.NumberMatched, f.farmland.Features)
	}
}
