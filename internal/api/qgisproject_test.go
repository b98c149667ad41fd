package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestQGISProjectRoute: the project answers a .qgz in the CRS asked for
// (the region's zones only) and names no credential; a plan's project
// reads the plan's own OGC collections; the MapLibre style lists the
// layers' TileJSON (a plan's with ?scenario=). QGIS itself opens the project in cmd/wanmu's
// TestQGISProject.
func TestQGISProjectRoute(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	if _, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("甲区"), CountyAdcode: ptr("331102"), Geom: square()}, store.Change{}); err != nil {
		t.Fatal(err)
	}
	sc, err := e.st.CreateScenario(ctx, "方案", "", store.Change{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/api/v1/exports/qgis-project", 200},
		{"/api/v1/exports/qgis-project?crs=EPSG:4549", 200},
		{"/api/v1/exports/qgis-project?crs=4490", 200},
		{"/api/v1/exports/qgis-project?crs=EPSG:4529", 400}, // not the region's zone
		{"/api/v1/exports/qgis-project?crs=EPSG:3857", 400},
		{"/api/v1/exports/qgis-project?x=1", 400},
		{"/api/v1/exports/qgis-project?scenario=" + itoa(sc.ID), 200},
		{"/api/v1/exports/qgis-project?scenario=999", 404},
		{"/api/v1/exports/maplibre-style?scenario=" + itoa(sc.ID), 200},
		{"/api/v1/exports/maplibre-style", 200},
		{"/api/v1/exports/maplibre-style?crs=4528", 400},
	} {
		r := e.do(req{method: "GET", path: c.path, role: "viewer"})
		if r.status != c.status {
			t.Errorf("GET %s: %d, want %d: %.300s", c.path, r.status, c.status, r.body)
		}
	}
	r := e.do(req{method: "GET", path: "/api/v1/exports/qgis-project?crs=EPSG:4549", role: "viewer"})
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "EPSG4549.qgz") {
		t.Errorf("Content-Disposition %q", cd)
	}
	z, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil || len(z.File) != 1 {
		t.Fatalf("not a .qgz: %v", err)
	}
	f, _ := z.File[0].Open()
	qgs, _ := io.ReadAll(f)
	if !bytes.Contains(qgs, []byte("<authid>EPSG:4549</authid>")) || !bytes.Contains(qgs, []byte("typename=&#39;zones&#39;")) ||
		bytes.Contains(qgs, []byte(e.tokens["viewer"])) {
		t.Errorf("the project: %.2000s", qgs)
	}
	r = e.do(req{method: "GET", path: "/api/v1/exports/qgis-project?scenario=" + itoa(sc.ID), role: "viewer"})
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("方案"+itoa(sc.ID)+"_EPSG4528.qgz")) {
		t.Errorf("a plan's project: Content-Disposition %q", cd)
	}
	z, err = zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil || len(z.File) != 1 {
		t.Fatalf("a plan's project is not a .qgz: %v", err)
	}
	f, _ = z.File[0].Open()
	qgs, _ = io.ReadAll(f)
	for _, want := range []string{"typename=&#39;scenario-" + itoa(sc.ID) + "-zones&#39;", "typename=&#39;scenario-" + itoa(sc.ID) + "-platforms&#39;", "方案「方案」"} {
		if !bytes.Contains(qgs, []byte(want)) {
			t.Errorf("a plan's project lacks %s", want)
		}
	}
	if bytes.Contains(qgs, []byte("typename=&#39;zones&#39;")) {
		t.Error("a plan's project reads the official zones")
	}
	var style struct {
		Version int                       `json:"version"`
		Sources map[string]map[string]any `json:"sources"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/exports/maplibre-style", role: "viewer"})
	if err := json.Unmarshal(r.body, &style); err != nil || style.Version != 8 || !strings.HasSuffix(style.Sources["zones"]["url"].(string), "/tiles/zones.json") {
		t.Errorf("the MapLibre style: %v %s", err, r.body)
	}
	r = e.do(req{method: "GET", path: "/api/v1/exports/maplibre-style?scenario=" + itoa(sc.ID), role: "viewer"})
	if err := json.Unmarshal(r.body, &style); err != nil || !strings.HasSuffix(style.Sources["zones"]["url"].(string), "/tiles/zones.json?scenario="+itoa(sc.ID)) {
		t.Errorf("a plan's MapLibre style: %v %s", err, r.body)
	}
}
