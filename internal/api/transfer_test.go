package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// postUpload posts a file to /api/v1/imports and returns the answer.
func (e *env) postUpload(role, name string, body []byte, fields map[string]string) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(body)
	mw.Close()
	hr, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/imports", &buf)
	hr.Header.Set("Content-Type", mw.FormDataContentType())
	hr.Header.Set("Authorization", "Bearer "+e.tokens[role])
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, b
}

// upload posts a file to /api/v1/imports and waits for the job to stop running.
func (e *env) upload(role, name string, body []byte, fields map[string]string) map[string]any {
	e.t.Helper()
	status, b := e.postUpload(role, name, body, fields)
	if status != 202 {
		e.t.Fatalf("upload %s: %d %s", name, status, b)
	}
	var j map[string]any
	_ = json.Unmarshal(b, &j)
	return e.waitJob(role, j["id"].(string))
}

func (e *env) waitJob(role, id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := e.do(req{method: "GET", path: "/api/v1/imports/" + id, role: role})
		j := r.json(e.t)
		if j["state"] != "running" || time.Now().After(deadline) {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func requireGDAL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Fatalf("GDAL (Debian gdal-bin) is required: %v", err)
	}
}

// TestExportImportRoundTrip exports zones as a GeoPackage in EPSG:4528,
// imports the file back through a preview and a commit, and finds the same
// names and areas; a corrupt file and an unsafe zip write nothing.
func TestExportImportRoundTrip(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	for i, name := range []string{"碧湖园区", "白桥园区"} {
		w := 119.80 + float64(i)*0.05
		g := square()
		for _, r := range g[0] {
			for k := range r {
				r[k][0] += w - 119.86
			}
		}
		if _, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"), Geom: g}, store.Change{}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := e.st.ListZones(ctx, store.ZoneFilter{})
	r := e.do(req{method: "GET", path: "/api/v1/exports?layer=zones&format=gpkg&crs=EPSG:4528", role: "viewer"})
	if r.status != 200 || len(r.body) < 1000 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, ".gpkg") {
		t.Errorf("Content-Disposition = %q", cd)
	}

	j := e.upload("editor", "zones.gpkg", r.body, map[string]string{"layer": "zones"})
	if j["state"] != "waiting" {
		t.Fatalf("import preview: %v", j)
	}
	p := j["result"].(map[string]any)
	if int(p["features"].(float64)) != 2 || !strings.Contains(p["source_crs"].(string), "4528") {
		t.Fatalf("preview = %v", p)
	}
	total := p["total_area"].(map[string]any)["mu"].(float64)
	if want := store.AreaOf(before[0].AreaM2 + before[1].AreaM2).Mu; total < want-0.01 || total > want+0.01 {
		t.Errorf("preview total %.4f mu, want %.4f", total, want)
	}
	if len(p["overlaps"].([]any)) != 2 {
		t.Errorf("re-importing the same zones should show 2 overlaps: %v", p["overlaps"])
	}
	if zs, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(zs) != 2 {
		t.Fatalf("the preview wrote zones: %d", len(zs))
	}
	c := e.do(req{method: "POST", path: "/api/v1/imports/" + j["id"].(string) + "/commit", role: "editor",
		body: `{"mapping":{"name_field":"name","default_kind":"park","default_county":"331102"},"reason":"round trip"}`})
	if c.status != 202 {
		t.Fatalf("commit: %d %s", c.status, c.body)
	}
	done := e.waitJob("editor", j["id"].(string))
	if done["state"] != "done" {
		t.Fatalf("commit job: %v", done)
	}
	after, _ := e.st.ListZones(ctx, store.ZoneFilter{})
	if len(after) != 4 {
		t.Fatalf("%d zones after the import, want 4", len(after))
	}
	for i := range 2 {
		a, b := before[i], after[i+2]
		if a.Name != b.Name || (a.AreaM2-b.AreaM2) > 0.01*2/3 || (b.AreaM2-a.AreaM2) > 0.01*2/3 {
			t.Errorf("round trip: %s %.3f m² → %s %.3f m²", a.Name, a.AreaM2, b.Name, b.AreaM2)
		}
	}

	// A corrupt file and a zip with ../ in a name fail and write nothing.
	bad := e.upload("editor", "broken.gpkg", []byte("this is not a GeoPackage"), nil)
	if bad["state"] != "failed" || bad["error"] == nil {
		t.Errorf("corrupt file: %v", bad)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	f, _ := zw.Create("../../etc/zones.shp")
	_, _ = f.Write([]byte("x"))
	zw.Close()
	evil := e.upload("editor", "evil.zip", zb.Bytes(), nil)
	if evil["state"] != "failed" || !strings.Contains(toJSON(evil["error"]), "unsafe") {
		t.Errorf("zip with ../: %v", evil)
	}
	if zs, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(zs) != 4 {
		t.Fatalf("failed imports wrote zones: %d", len(zs))
	}
	// Constraint layers need an administrator.
	if r := e.do(req{method: "GET", path: "/api/v1/exports?layer=zones&format=geojson", role: "viewer"}); r.status != 200 {
		t.Fatalf("geojson export: %d", r.status)
	}
}

// TestExportFormats checks that every export format of the API answers with
// a file, including the XLSX area table and the handover package.
func TestExportFormats(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	z, _ := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr("缙云经济开发区"), CountyAdcode: ptr("331122"), Geom: square()}, store.Change{})
	if _, err := e.st.CreatePlatform(ctx, store.PlatformFields{Name: ptr("缙云产业平台"), Role: ptr("两翼")}, []int64{z.ID}, store.Change{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"layer=zones&format=shp&crs=EPSG:4549&encoding=GBK", "layer=zones&format=filegdb", "layer=zones&format=kml",
		"layer=zones&format=kmz", "layer=zones&format=dxf&crs=EPSG:4528", "layer=zones&format=csv",
		"layer=platforms&format=gpkg&crs=EPSG:4528", "layer=platforms&format=xlsx", "layer=platforms&format=geojson",
	} {
		r := e.do(req{method: "GET", path: "/api/v1/exports?" + q, role: "viewer"})
		if r.status != 200 || len(r.body) < 100 {
			t.Errorf("%s: %d %.300s", q, r.status, r.body)
		}
	}
	r := e.do(req{method: "GET", path: "/api/v1/exports/handover?crs=EPSG:4528", role: "viewer"})
	if r.status != 200 {
		t.Fatalf("handover: %d %s", r.status, r.body)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	all := strings.Join(names, " ")
	for _, want := range []string{".shp", ".gpkg", ".xlsx", "README.txt"} {
		if !strings.Contains(all, want) {
			t.Errorf("handover package lacks %s: %v", want, names)
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestImportFailureNamesTheFeature: when one feature of a file stops an
// import, the job's error says which one, by its number in the file.
func TestImportFailureNamesTheFeature(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}},
		{"type":"Feature","properties":{"名称":"乙"},"geometry":{"type":"Polygon","coordinates":[[[119.92,28.40],[119.93,28.40],[119.93,28.41],[119.92,28.40]]]}},
		{"type":"Feature","properties":{"名称":"丙"},"geometry":{"type":"LineString","coordinates":[[119.94,28.40],[119.95,28.41]]}}]}`
	j := e.upload("editor", "zones.geojson", []byte(file), nil)
	if j["state"] != "failed" {
		t.Fatalf("import with a line among polygons: %v", j)
	}
	e0 := j["error"].(map[string]any)
	detail, _ := e0["detail"].(string)
	english, _ := e0["english"].(string)
	if !strings.HasPrefix(detail, "第 3 个要素") || !strings.HasPrefix(english, "feature 3") || e0["feature"] != float64(3) {
		t.Errorf("the error does not name feature 3: %s", toJSON(j["error"]))
	}
}

// TestLayerImportNameTaken: a constraint layer import under a name in use is
// refused at the upload, before the planner waits for a preview.
func TestLayerImportNameTaken(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	if _, _, err := e.st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "test", nil, nil); err != nil {
		t.Fatal(err)
	}
	status, b := e.postUpload("admin", "farm.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[119.9,28.4],[119.91,28.4],[119.91,28.41],[119.9,28.4]]]}}]}`),
		map[string]string{"layer": "constraint:永久基本农田"})
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), "exists already") {
		t.Errorf("import into a taken layer name: %d %s, want 422 saying the name is taken", status, b)
	}
}

// TestLayerImportReportsFeaturesWithoutArea: a layer import leaves out a
// feature that encloses no area and says which one in the job's result.
func TestLayerImportReportsFeaturesWithoutArea(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"dlbm":"0101"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}},
		{"type":"Feature","properties":{"dlbm":"0101"},"geometry":{"type":"Polygon","coordinates":[[[119.92,28.40],[119.93,28.40],[119.94,28.40],[119.92,28.40]]]}}]}`
	j := e.upload("admin", "farm.geojson", []byte(file), map[string]string{"layer": "constraint:永久基本农田"})
	if j["state"] != "waiting" {
		t.Fatalf("preview: %v", j)
	}
	if c := e.do(req{method: "POST", path: "/api/v1/imports/" + j["id"].(string) + "/commit", role: "admin", body: `{"reason":"导入"}`}); c.status != 202 {
		t.Fatalf("commit: %d %s", c.status, c.body)
	}
	done := e.waitJob("admin", j["id"].(string))
	res, _ := done["result"].(map[string]any)
	if done["state"] != "done" || res["written"] != float64(1) || toJSON(res["empty"]) != "[2]" {
		t.Errorf("the import of a polygon and a line: %v, want 1 written and feature 2 named as empty", done)
	}
}

// TestRefusedCommitKeepsTheImport: a commit refused for something the
// planner can change (here: features with no county and no default) writes
// nothing and leaves the import waiting with its preview and the reason, so
// that a second commit with a default county goes through without a new
// upload.
func TestRefusedCommitKeepsTheImport(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}}]}`
	j := e.upload("editor", "zones.geojson", []byte(file), nil)
	if j["state"] != "waiting" {
		t.Fatalf("preview: %v", j)
	}
	id := j["id"].(string)
	commit := func(mapping string) map[string]any {
		if c := e.do(req{method: "POST", path: "/api/v1/imports/" + id + "/commit", role: "editor", body: `{"mapping":` + mapping + `}`}); c.status != 202 {
			t.Fatalf("commit: %d %s", c.status, c.body)
		}
		return e.waitJob("editor", id)
	}
	refused := commit(`{"name_field":"名称","default_kind":"park","default_county":""}`)
	if refused["state"] != "waiting" || refused["error"] == nil || refused["result"].(map[string]any)["features"] != float64(1) {
		t.Fatalf("a commit with features lacking a county: %v, want the import waiting with its preview and the reason", refused)
	}
	if d := refused["error"].(map[string]any)["detail"].(string); !strings.HasPrefix(d, "feature 1: county") {
		t.Errorf("the reason %q does not name feature 1 once, then what is wrong", d)
	}
	if zs, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(zs) != 0 {
		t.Fatalf("the refused commit wrote %d zones", len(zs))
	}
	done := commit(`{"name_field":"名称","default_kind":"park","default_county":"331102"}`)
	if done["state"] != "done" || done["error"] != nil {
		t.Fatalf("the second commit: %v", done)
	}
	if zs, _ := e.st.ListZones(ctx, store.ZoneFilter{}); len(zs) != 1 || zs[0].Name != "甲" {
		t.Errorf("after the second commit: %d zones", len(zs))
	}
}
