package ogc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"wanmu/internal/testenv"
)

// requireOGR finds ogrinfo and ogr2ogr; without them the test is skipped,
// except under CI, where it fails.
func requireOGR(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "GDAL (Debian gdal-bin) is not installed: %v", err)
		}
	}
}

// gdal runs a GDAL tool against the server with token as the bearer token
// ("" for none) and returns its standard output and error.
func gdal(t testing.TB, token string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_MAX_RETRY=0", "GDAL_HTTP_TIMEOUT=60", "CPL_CURL_VERBOSE=NO",
		"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
	if token != "" {
		cmd.Env = append(cmd.Env, "GDAL_HTTP_HEADERS=Authorization: Bearer "+token)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// TestGDAL opens the OGC API with GDAL's OAPIF driver, as QGIS and scripts
// do: it lists the collections, reads the feature count that numberMatched
// gives, and copies the zones and the farmland layer (25 pages of GDAL's
// 10 features, by the next links) into GeoJSON files whose names and
// attributes come out intact.
func TestGDAL(t *testing.T) {
	requireOGR(t)
	e := newEnv(t, false)
	f := e.fixture()
	root := "OAPIF:" + e.srv.URL + "/ogc"
	token := e.tokens["viewer"]
	farmland := layerID(f.farmland)

	out, errOut, err := gdal(t, token, "ogrinfo", "-ro", "-so", root)
	t.Logf("ogrinfo -ro -so %s:\n%s%s", root, out, errOut)
	if err != nil {
		t.Fatalf("ogrinfo: %v", err)
	}
	for _, want := range []string{"1: zones", "2: platforms", "3: " + farmland, "4: " + layerID(f.counties)} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo lists no %q", want)
		}
	}

	out, errOut, err = gdal(t, token, "ogrinfo", "-ro", "-so", root, farmland)
	t.Logf("ogrinfo -ro -so %s %s:\n%s%s", root, farmland, out, errOut)
	if err != nil {
		t.Fatalf("ogrinfo %s: %v", farmland, err)
	}
	for _, want := range []string{"Feature Count: 250", "Extent: (119.700000, 28.200000) - (119.824000, 28.249000)", "地类: String"} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo %s says no %q", farmland, want)
		}
	}

	// Measures are real fields even where the first page holds round values.
	out, errOut, err = gdal(t, token, "ogrinfo", "-ro", "-so", root, "zones", "platforms")
	for _, want := range []string{"approved_area_ha: Real", "area_mu: Real", "threshold_mu: Real", "developable_mu: Real", "meets: Integer(Boolean)"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("ogrinfo zones platforms says no %q: %v\n%s%s", want, err, out, errOut)
		}
	}

	// A spatial filter travels as bbox; GDAL counts what comes back.
	out, errOut, err = gdal(t, token, "ogrinfo", "-ro", "-so", "-spat", fmt.Sprint(testBox[0]), fmt.Sprint(testBox[1]),
		fmt.Sprint(testBox[2]), fmt.Sprint(testBox[3]), root, farmland)
	if want := fmt.Sprintf("Feature Count: %d\n", parcelsIn(testBox)); err != nil || !strings.Contains(out, want) {
		t.Errorf("ogrinfo -spat: %v\n%s%s", err, out, errOut)
	}

	dir := t.TempDir()
	copyLayer := func(layer string) map[string]any {
		t.Helper()
		dst := filepath.Join(dir, layer+".geojson")
		start := time.Now()
		_, errOut, err := gdal(t, token, "ogr2ogr", "-f", "GeoJSON", dst, root, layer)
		if err != nil {
			t.Fatalf("ogr2ogr %s: %v\n%s", layer, err, errOut)
		}
		t.Logf("ogr2ogr -f GeoJSON of %s: %v", layer, time.Since(start).Round(time.Millisecond))
		b, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		var fc map[string]any
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatalf("%s: %v", dst, err)
		}
		return fc
	}
	zones := copyLayer("zones")
	var names []string
	for _, ft := range zones["features"].([]any) {
		names = append(names, ft.(map[string]any)["properties"].(map[string]any)["name"].(string))
	}
	if want := []string{cityZone, jinyunZone, hostileZone}; !slices.Equal(names, want) {
		t.Errorf("zones through GDAL: %q, want %q", names, want)
	}
	parcels := copyLayer(farmland)["features"].([]any)
	seen := map[string]bool{}
	for _, ft := range parcels {
		p := ft.(map[string]any)["properties"].(map[string]any)
		if p["地类"] != "水田" || p["备注"] != "<b>田</b>" {
			t.Fatalf("parcel attributes through GDAL: %v", p)
		}
		seen[p["编号"].(string)] = true
	}
	if len(parcels) != 250 || len(seen) != 250 {
		t.Errorf("GDAL read %d parcels (%d distinct), want 250", len(parcels), len(seen))
	}
	// The server saw GDAL's requests: 25 pages of 10 by the next links.
	pages := regexp.MustCompile(`path=/ogc/collections/`+farmland+`/items status=200`).FindAllString(e.logs.String(), -1)
	if len(pages) < 25 {
		t.Errorf("the server logged %d pages of %s", len(pages), farmland)
	}

	// GDAL asked for nothing the server could not answer.
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, "msg=request") && !strings.Contains(line, "status=200") {
			t.Errorf("a request of GDAL's failed: %s", line)
		}
	}

	// Without the token GDAL is refused.
	_, errOut, err = gdal(t, "", "ogrinfo", "-ro", "-so", root)
	if err == nil || !strings.Contains(errOut, "401") {
		t.Errorf("ogrinfo without a token: %v\n%s", err, errOut)
	}
}
