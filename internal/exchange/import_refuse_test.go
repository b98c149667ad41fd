package exchange

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/region"
)

// squaresGeoJSON is a FeatureCollection of n small named squares, the
// k-th at (lon0 + 0.01k, lat0).
func squaresGeoJSON(n int, lon0, lat0 float64) string {
	var fs []string
	for k := range n {
		x := lon0 + 0.01*float64(k)
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"name":"分区%d","seq":%d},"geometry":{"type":"Polygon","coordinates":[[[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]}}`,
			k+1, k+1, num(x), num(lat0), num(x+0.005), num(lat0), num(x+0.005), num(lat0+0.005), num(x), num(lat0)))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",\n") + `]}`
}

// ogrShapefile writes n squares as a Shapefile with ogr2ogr (EPSG:4490
// .prj, UTF-8 .cpg) and returns the .shp's path.
func ogrShapefile(t *testing.T, dir string, n int) string {
	t.Helper()
	src := filepath.Join(dir, "src.geojson")
	if err := os.WriteFile(src, []byte(squaresGeoJSON(n, 119.90, 28.40)), 0o600); err != nil {
		t.Fatal(err)
	}
	shp := filepath.Join(dir, "zones.shp")
	runGDAL(t, "ogr2ogr", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490", "-lco", "ENCODING=UTF-8", shp, src)
	return shp
}

// setDBFRecords rewrites a DBF so that it holds n records: fewer are cut
// off the end, more are copies of the last one; the header says n.
func setDBFRecords(t *testing.T, dbf string, n int) {
	t.Helper()
	b, err := os.ReadFile(dbf)
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseDBFHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	body := b[h.HeaderLen : h.HeaderLen+h.Records*h.RecordLen]
	last := body[len(body)-int(h.RecordLen):]
	out := append([]byte{}, b[:h.HeaderLen]...)
	for k := range n {
		if int64(k) < h.Records {
			out = append(out, body[int64(k)*h.RecordLen:int64(k+1)*h.RecordLen]...)
		} else {
			out = append(out, last...)
		}
	}
	out = append(out, 0x1A)
	binary.LittleEndian.PutUint32(out[4:8], uint32(n))
	if err := os.WriteFile(dbf, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestShapefileRecordCountMismatch: a .dbf with fewer or more records than
// the .shp has shapes is refused, naming the first unmatched feature,
// instead of importing 80 of 86 zones.
func TestShapefileRecordCountMismatch(t *testing.T) {
	requireGDAL(t)
	for _, tc := range []struct {
		name    string
		rows    int
		noShx   bool
		cut     bool // the header still says 86, the file holds fewer
		feature int
		want    []string
	}{
		{"fewer records", 80, false, false, 81, []string{"zones.shp 有 86 个图形，zones.dbf 却只有 80 条属性记录：第 81 个要素起没有属性", "feature 81 onwards"}},
		{"more records", 90, false, false, 87, []string{"zones.dbf 有 90 条属性记录，zones.shp 却只有 86 个图形：第 87 条记录起没有图形", "record 87 onwards"}},
		{"fewer records, no .shx", 80, true, false, 81, []string{"只有 80 条属性记录"}},
		{"dbf cut short", 80, false, true, 81, []string{"只有 80 条属性记录（.dbf 文件被截断）", "(the .dbf file is cut short)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			shp := ogrShapefile(t, dir, 86)
			base := strings.TrimSuffix(shp, ".shp")
			setDBFRecords(t, base+".dbf", tc.rows)
			if tc.cut {
				b, _ := os.ReadFile(base + ".dbf")
				binary.LittleEndian.PutUint32(b[4:8], 86)
				os.WriteFile(base+".dbf", b, 0o600)
			}
			if tc.noShx {
				os.Remove(base + ".shx")
			}
			ds, err := Inspect(context.Background(), shp, ImportOptions{})
			var xe *Error
			if !errors.As(err, &xe) || xe.Code != CodeCorrupt || xe.Feature != tc.feature {
				t.Fatalf("Inspect = %v features, %v; want a corrupt error about feature %d", featureCount(ds), err, tc.feature)
			}
			for _, w := range tc.want {
				if !strings.Contains(xe.Message+" | "+xe.English, w) {
					t.Errorf("the error does not say %q:\n%s\n%s", w, xe.Message, xe.English)
				}
			}
		})
	}
	// The same file with matching counts imports whole.
	shp := ogrShapefile(t, t.TempDir(), 86)
	ds, err := Inspect(context.Background(), shp, ImportOptions{})
	if err != nil || len(ds.Features) != 86 || ds.Features[85].Properties["name"] != "分区86" {
		t.Fatalf("matching counts: %v features, %v", featureCount(ds), err)
	}
}

func featureCount(ds *Dataset) int {
	if ds == nil {
		return -1
	}
	return len(ds.Features)
}

// TestFarOutsideRegion: a feature the CRS puts hundreds of kilometres from
// 丽水 stops the import naming it; one just outside is a warning.
func TestFarOutsideRegion(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	square := func(name string, lon, lat float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon","coordinates":[[[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]}}`,
			name, num(lon), num(lat), num(lon+0.01), num(lat), num(lon+0.01), num(lat+0.01), num(lon), num(lat))
	}
	write := func(name string, features ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[`+strings.Join(features, ",")+`]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// 40 km east of the region's edge: a neighbour's data, imported with a warning.
	near := write("near.geojson", square("经开区", 119.9, 28.4), square("温州边界", 121.0, 28.5))
	ds, err := Inspect(context.Background(), near, ImportOptions{})
	if err != nil {
		t.Fatalf("near: %v", err)
	}
	if w := strings.Join(ds.Warnings, "\n"); !strings.Contains(w, "1 个要素（第 2 个）超出丽水市域范围") {
		t.Errorf("near: warnings %q", ds.Warnings)
	}
	// Beijing, 1,200 km away.
	far := write("far.geojson", square("经开区", 119.9, 28.4), square("北京", 116.4, 39.9))
	_, err = Inspect(context.Background(), far, ImportOptions{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeOutsideRegion || xe.Feature != 2 {
		t.Fatalf("far: %v; want outside_region about feature 2", err)
	}
	for _, w := range []string{"第 2 个要素（北京）按 EPSG:4326 WGS 84 读取后位于经度 116.4000°、纬度 39.9100°", "feature 2 (北京)"} {
		if !strings.Contains(xe.Message+" | "+xe.English, w) {
			t.Errorf("far: the error does not say %q:\n%s\n%s", w, xe.Message, xe.English)
		}
	}
	// Gauss-Kruger eastings of CM 120°E read with the wrong central
	// meridian (108°E, EPSG:4545): 1,200 km west.
	shp := gbkShapefile(t, filepath.Join(dir, "gk"), 4549)
	os.Remove(strings.TrimSuffix(shp, ".shp") + ".prj")
	_, err = Inspect(context.Background(), shp, ImportOptions{CRS: "EPSG:4545"})
	if !errors.As(err, &xe) || xe.Code != CodeOutsideRegion || xe.Feature != 1 || !strings.Contains(xe.Message, "第 1 个要素（丽水经济技术开发区）按 EPSG:4545") {
		t.Fatalf("wrong central meridian: %v", err)
	}
	// The same file with the right one imports.
	if _, err := Inspect(context.Background(), shp, ImportOptions{CRS: "EPSG:4549"}); err != nil {
		t.Fatalf("right central meridian: %v", err)
	}
}

func TestKmFromRegion(t *testing.T) {
	for _, tc := range []struct {
		p      orb.Point
		lo, hi float64
	}{
		{orb.Point{119.9, 28.4}, 0, 0},
		{orb.Point{120.6, 27.4}, 0, 0},
		{orb.Point{121.6, 28.0}, 97, 100},  // 1° of longitude at 28°N ≈ 98 km
		{orb.Point{119.5, 29.9}, 110, 112}, // 1° of latitude ≈ 111 km
		{orb.Point{116.4, 39.9}, 1200, 1300},
	} {
		if got := kmFromRegion(region.Default().Extent, tc.p); got < tc.lo || got > tc.hi {
			t.Errorf("kmFromRegion(%v) = %.1f, want %v–%v", tc.p, got, tc.lo, tc.hi)
		}
	}
}
