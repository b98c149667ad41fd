package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"wanmu/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestTwoInstancesShareEdits runs two wanmu serve processes on one database:
// they load the sample once between them, an edit made through one is in
// the next tile the other serves (cache invalidated via LISTEN/NOTIFY), an
// import started on one is followed, committed and cancelled through the
// other, and the imports held by a stopping instance fail.
func TestTwoInstancesShareEdits(t *testing.T) {
	url := testdb.ConnString(t)
	bin := filepath.Join(t.TempDir(), "wanmu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := enterableTempDir(t)
	t.Setenv("DATABASE_URL", url)
	a, b := startServeURL(t, bin, data, url), startServeURL(t, bin, data, url)
	token := a.token(t)
	if n := len(b.platforms(t, token)); n != 10 {
		t.Fatalf("two instances starting together loaded %d platforms, want the sample's 10 once", n)
	}

	var zone struct {
		ID         int64          `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Coordinates [][][][]float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	get(t, a.url+"/api/v1/zones/1", token, &zone)
	first := zone.Geometry.Coordinates[0][0][0]
	tile := maptile.At(orb.Point{first[0], first[1]}, 13)
	tileURL := fmt.Sprintf("%s/tiles/zones/%d/%d/%d.geojson", b.url, tile.Z, tile.X, tile.Y)
	before := fetch(t, tileURL, token)
	if again := fetch(t, tileURL, token); again != before {
		t.Fatal("the same tile differs between two reads without an edit")
	}
	if !strings.Contains(before, fmt.Sprint(zone.Properties["name"])) {
		t.Fatalf("tile %s does not hold zone 1 (%v)", tileURL, zone.Properties["name"])
	}

	newName := "改名后的园区"
	r, _ := http.NewRequest("PATCH", a.url+"/api/v1/zones/1", strings.NewReader(`{"type":"Feature","properties":{"name":"`+newName+`"}}`))
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("If-Match", fmt.Sprintf(`"%v"`, zone.Properties["version"]))
	res, err := http.DefaultClient.Do(r)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("edit through instance A: %v %v", err, res.Status)
	}
	res.Body.Close()

	// NOTIFY reaches B within milliseconds; allow a generous bound.
	deadline := time.Now().Add(10 * time.Second)
	for {
		after := fetch(t, tileURL, token)
		if strings.Contains(after, newName) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance B still serves the old tile after the edit through A:\n%s", after)
		}
		time.Sleep(20 * time.Millisecond)
	}

	t.Run("import across instances", func(t *testing.T) { importAcrossInstances(t, a, b, token) })

	// A stopping instance fails the imports it holds: the other says so.
	id := upload(t, a.url, token, "stays.geojson", zonesGeoJSON("留在实例一"))
	waitImport(t, b.url, token, id, "waiting")
	a.stop(t)
	var lost struct {
		State string
		Error map[string]string
	}
	get(t, b.url+"/api/v1/imports/"+id, token, &lost)
	if lost.State != "failed" || !strings.Contains(lost.Error["english"], "upload it again") {
		t.Errorf("import held by the stopped instance, seen on the other: %+v", lost)
	}
	b.stop(t)
}

// importAcrossInstances uploads a file to instance a, follows and commits
// the import through instance b (the load balancer sends each request
// anywhere), finds the zones on both, and cancels another import through a
// that b holds.
func importAcrossInstances(t *testing.T, a, b *serveProcess, token string) {
	id := upload(t, a.url, token, "zones.geojson", zonesGeoJSON("跨实例园区甲", "跨实例园区乙"))
	preview := waitImport(t, b.url, token, id, "waiting")
	if p := preview["result"].(map[string]any); p["features"] != 2.0 {
		t.Fatalf("preview seen through instance 2: %v", p)
	}
	status, body := send(t, "POST", b.url+"/api/v1/imports/"+id+"/commit", token,
		`{"mapping":{"name_field":"name","default_kind":"park","default_county":"331102"},"reason":"分实例导入"}`)
	if status != 202 {
		t.Fatalf("commit through instance 2: %d %s", status, body)
	}
	done := waitImport(t, b.url, token, id, "done")
	var onA map[string]any
	get(t, a.url+"/api/v1/imports/"+id, token, &onA)
	if onA["state"] != "done" || fmt.Sprint(onA["result"]) != fmt.Sprint(done["result"]) {
		t.Errorf("instance 1 sees %v, instance 2 %v", onA, done)
	}
	if status, body := send(t, "POST", b.url+"/api/v1/imports/"+id+"/commit", token, `{"reason":"again"}`); status != 409 {
		t.Errorf("second commit: %d %s", status, body)
	}
	for _, p := range []*serveProcess{a, b} {
		zones := fetch(t, p.url+"/api/v1/zones", token)
		for _, name := range []string{"跨实例园区甲", "跨实例园区乙"} {
			if !strings.Contains(zones, name) {
				t.Errorf("%s: imported zone %s missing", p.url, name)
			}
		}
	}

	other := upload(t, b.url, token, "cancel.geojson", zonesGeoJSON("取消的园区"))
	waitImport(t, a.url, token, other, "waiting")
	if status, body := send(t, "DELETE", a.url+"/api/v1/imports/"+other, token, ""); status != 204 {
		t.Fatalf("cancel through instance 1: %d %s", status, body)
	}
	waitImport(t, b.url, token, other, "cancelled")
	if status, _ := send(t, "POST", a.url+"/api/v1/imports/"+other+"/commit", token, `{"reason":"too late"}`); status != 409 {
		t.Errorf("commit of a cancelled import: %d", status)
	}
}

// zonesGeoJSON is a FeatureCollection of small squares near 丽水, one per name.
func zonesGeoJSON(names ...string) []byte {
	var features []string
	for i, name := range names {
		w, s := 119.95+0.01*float64(i), 28.55
		features = append(features, fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon",`+
			`"coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`, name, w, s, w+0.005, s, w+0.005, s+0.005, w, s+0.005, w, s))
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

// upload starts an import of a file on the instance at base and returns its id.
func upload(t *testing.T, base, token, name string, file []byte) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("layer", "zones")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	mw.Close()
	r, _ := http.NewRequest("POST", base+"/api/v1/imports", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var j struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&j); err != nil || res.StatusCode != 202 || j.ID == "" {
		t.Fatalf("upload %s to %s: %d %v", name, base, res.StatusCode, err)
	}
	return j.ID
}

// waitImport polls an import on the instance at base until it leaves
// "running", and wants it in state want.
func waitImport(t *testing.T, base, token, id, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var j map[string]any
		get(t, base+"/api/v1/imports/"+id, token, &j)
		if j["state"] != "running" {
			if j["state"] != want {
				t.Fatalf("import %s on %s: %v, want %s", id, base, j, want)
			}
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still running on %s: %v", id, base, j)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// send makes a request with an optional JSON body.
func send(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	r, _ := http.NewRequest(method, url, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func startServeURL(t *testing.T, bin, data, url string) *serveProcess {
	t.Helper()
	t.Setenv("DATABASE_URL", url)
	return startServe(t, bin, data)
}

func fetch(t *testing.T, url, token string) string {
	t.Helper()
	r, _ := http.NewRequest("GET", url, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 && res.StatusCode != 204 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return string(b)
}

func get(t *testing.T, url, token string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(fetch(t, url, token)), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
