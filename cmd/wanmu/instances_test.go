package main

import (
	"encoding/json"
	"fmt"
	"io"
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
// they load the sample once between them, and an edit made through one is
// in the next tile the other serves (cache invalidated via LISTEN/NOTIFY).
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
	a.stop(t)
	b.stop(t)
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
