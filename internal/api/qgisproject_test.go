package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestQGISProjectRoute: the project answers a .qgz in the CRS asked for
// (the region's zones only), refuses a plan (the OGC API serves the
// official data) and names no credential; the MapLibre style lists the
// layers' TileJSON. QGIS itself opens the project in cmd/wanmu's
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
		{"/api/v1/exports/qgis-project?scenario=" + itoa(sc.ID), 409},
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
	var style struct {
		Version int                       `json:"version"`
		Sources map[string]map[string]any `json:"sources"`
	}
	r = e.do(req{method: "GET", path: "/api/v1/exports/maplibre-style", role: "viewer"})
	if err := json.Unmarshal(r.body, &style); err != nil || style.Version != 8 || !strings.HasSuffix(style.Sources["zones"]["url"].(string), "/tiles/zones.json") {
		t.Errorf("the MapLibre style: %v %s", err, r.body)
	}
}
