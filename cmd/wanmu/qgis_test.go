package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wanmu/internal/testenv"
)

// qgisLayer is what testdata/qgis_project.py reports of one layer.
type qgisLayer struct {
	Name     string         `json:"name"`
	Valid    bool           `json:"valid"`
	Provider string         `json:"provider"`
	CRS      string         `json:"crs"`
	Renderer string         `json:"renderer"`
	Features int            `json:"features"`
	First    map[string]any `json:"first"`
	Rules    []string       `json:"rules"`
}

// TestQGISProject: QGIS itself (Debian's python3-qgis, headless) opens the
// project wanmu serves for the sample data: every layer is valid and
// connected to this server (OGC API – Features for the zones, platforms and
// small layers, vector tiles for 永久基本农田), the project is in EPSG:4528,
// the zones are drawn by disposition, and QGIS reads the same number of
// zones and platforms, with the same attributes, as the REST API lists.
// Then an outside OGC client (OWSLib) edits a zone through Part 4.
func TestQGISProject(t *testing.T) {
	requirePostgres(t)
	python := qgisPython()
	if python == "" {
		testenv.Missing(t, "QGIS's Python bindings are not installed (Debian: python3-qgis)")
	}
	bin := filepath.Join(t.TempDir(), "wanmu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Setenv("DATABASE_URL", "") // the embedded cluster
	// Public reading: the project leaves authentication to the user, and
	// this QGIS has no configuration to give it.
	srv := startServe(t, bin, enterableTempDir(t), "--public-read")
	defer srv.stop(t)

	get := func(path string) *http.Response {
		t.Helper()
		res, err := http.Get(srv.url + path)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		return res
	}
	download := func(path string) string {
		t.Helper()
		res := get(path)
		defer res.Body.Close()
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, ".qgz") {
			t.Errorf("%s: Content-Disposition %q", path, cd)
		}
		file := filepath.Join(t.TempDir(), "wanmu.qgz")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := io.Copy(f, res.Body); err != nil {
			t.Fatal(err)
		}
		return file
	}
	count := func(path, member string) int {
		t.Helper()
		res := get(path)
		defer res.Body.Close()
		var doc map[string]json.RawMessage
		var list []json.RawMessage
		if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(doc[member], &list); err != nil {
			t.Fatalf("%s: %s: %v", path, member, err)
		}
		return len(list)
	}
	got := qgisRead(t, python, download("/api/v1/exports/qgis-project?crs=EPSG:4528"))
	if !got.Read || got.CRS != "EPSG:4528" {
		t.Fatalf("project read %v in %s, want true in EPSG:4528", got.Read, got.CRS)
	}
	restZones, restPlatforms := count("/api/v1/zones?limit=1000", "features"), count("/api/v1/platforms", "platforms")
	byName := map[string]qgisLayer{}
	for _, l := range got.Layers {
		byName[l.Name] = l
		if !l.Valid {
			t.Errorf("layer %s (%s) is not valid in QGIS", l.Name, l.Provider)
		}
	}
	zones := byName["功能区（开发区/园区、乡镇工业功能区）"]
	if zones.Provider != "OAPIF" || zones.Features != restZones || zones.Renderer != "RuleRenderer" || zones.CRS == "" {
		t.Errorf("zones in QGIS: %+v; want OAPIF, %d features, drawn by rules", zones, restZones)
	}
	if zones.First["name"] == nil || zones.First["disposition"] == nil || zones.First["area_mu"] == nil {
		t.Errorf("a zone's attributes in QGIS: %v", zones.First)
	}
	if !slices.Contains(zones.Rules, `"kind" = 'park'`) || !slices.Contains(zones.Rules, `"disposition" = '并'`) {
		t.Errorf("the zones' rules: %v", zones.Rules)
	}
	if p := byName["产业平台"]; p.Provider != "OAPIF" || p.Features != restPlatforms {
		t.Errorf("platforms in QGIS: %+v; want %d", p, restPlatforms)
	}
	if l := byName["永久基本农田"]; l.Provider != "vectortile" {
		t.Errorf("永久基本农田 in QGIS: %+v; want the vector tiles (it has over 5,000 parcels)", l)
	}
	if l := byName["生态保护红线"]; l.Provider != "OAPIF" || l.Features == 0 {
		t.Errorf("生态保护红线 in QGIS: %+v; want its features through the OGC API", l)
	}

	// A plan's project: its zones and platforms are the plan's own
	// collections, as many as the REST API lists in the plan.
	var plans struct {
		Scenarios []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"scenarios"`
	}
	res := get("/api/v1/scenarios")
	_ = json.NewDecoder(res.Body).Decode(&plans)
	res.Body.Close()
	if len(plans.Scenarios) == 0 {
		t.Fatal("the sample has no plans")
	}
	plan := plans.Scenarios[0]
	in := fmt.Sprintf("scenario=%d", plan.ID)
	got = qgisRead(t, python, download("/api/v1/exports/qgis-project?crs=EPSG:4549&"+in))
	if !got.Read || got.CRS != "EPSG:4549" {
		t.Fatalf("the plan's project read %v in %s, want true in EPSG:4549", got.Read, got.CRS)
	}
	planZones, planPlatforms := count("/api/v1/zones?limit=1000&"+in, "features"), count("/api/v1/platforms?"+in, "platforms")
	byName = map[string]qgisLayer{}
	for _, l := range got.Layers {
		byName[l.Name] = l
	}
	suffix := "（方案：" + plan.Name + "）"
	if z := byName["功能区（开发区/园区、乡镇工业功能区）"+suffix]; !z.Valid || z.Features != planZones || z.First["area_mu"] == nil {
		t.Errorf("the plan's zones in QGIS: %+v; want %d features", z, planZones)
	}
	if p := byName["产业平台"+suffix]; !p.Valid || p.Features != planPlatforms {
		t.Errorf("the plan's platforms in QGIS: %+v; want %d", p, planPlatforms)
	}
	ogcClientCheck(t, python, srv.url, srv.token(t), plan.ID)
}

// qgisReport is what testdata/qgis_project.py prints.
type qgisReport struct {
	Read   bool        `json:"read"`
	CRS    string      `json:"crs"`
	Layers []qgisLayer `json:"layers"`
}

// qgisRead opens the project at path in QGIS (headless).
func qgisRead(t *testing.T, python, path string) qgisReport {
	t.Helper()
	script, _ := filepath.Abs("testdata/qgis_project.py")
	cmd := exec.Command(python, script, path)
	cmd.Env = append(os.Environ(), "QT_QPA_PLATFORM=offscreen", "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("QGIS: %v\n%s\n%s", err, out, stderr)
	}
	var got qgisReport
	// QGIS may print warnings before the JSON line.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("QGIS's report: %v\n%s", err, out)
	}
	t.Logf("QGIS read: %s", lines[len(lines)-1])
	return got
}

// qgisPython is a Python that imports QGIS: Debian's own first (another
// python3 first on the PATH, such as pyenv's, lacks the system's packages).
func qgisPython() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import qgis.core").Run() == nil {
			return p
		}
	}
	return ""
}

// ogcClientCheck: an outside client edits a zone through the OGC API
// (testdata/ogc_transactions.py: OWSLib reads, Part 4 writes with If-Match),
// a platform's attributes, and a zone in plan's collection.
func ogcClientCheck(t *testing.T, python, url, token string, plan int64) {
	t.Helper()
	if exec.Command(python, "-c", "import owslib, requests").Run() != nil {
		testenv.Missing(t, "OWSLib is not installed (Debian: python3-owslib)")
	}
	script, _ := filepath.Abs("testdata/ogc_transactions.py")
	out, err := exec.Command(python, script, url, token, strconv.FormatInt(plan, 10)).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("the OGC client: %v\n%s\n%s", err, out, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("the OGC client's report: %v\n%s", err, out)
	}
	t.Logf("OGC client: %s", lines[len(lines)-1])
	want := map[string]any{"conforms_part4": true, "options_allow": "GET, HEAD, OPTIONS, POST", "create": 201.0,
		"read_back_name": "OWSLib 测试区", "replace": 200.0, "replace_stale": 412.0, "update_without_if_match": 428.0,
		"update": 200.0, "after_update": "提", "delete": 204.0, "after_delete": 404.0,
		"platform_options_allow": "GET, HEAD, OPTIONS, PATCH", "platform_update": 200.0, "platform_update_stale": 412.0,
		"platform_after_update": "经 QGIS 复核", "plan_create": 201.0, "plan_zone_in_plan": true}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("OGC client %s = %v, want %v", k, got[k], v)
		}
	}
	if got["zones_before"] != got["zones_after"] || got["zones_before"] != got["zones_after_plan"] {
		t.Errorf("zones before %v, after creating and deleting one %v", got["zones_before"], got["zones_after"])
	}
}
