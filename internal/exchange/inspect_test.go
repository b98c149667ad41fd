package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

// compareDataset checks a round trip: every exported feature comes back
// with its geometry (within tol degrees) and its text and numbers.
func compareDataset(t *testing.T, ds *Dataset, want ExportLayer, tol float64, nameKey string) {
	t.Helper()
	if len(ds.Features) != len(want.Features) {
		t.Fatalf("got %d features, want %d (warnings %v)", len(ds.Features), len(want.Features), ds.Warnings)
	}
	for i, w := range want.Features {
		g := ds.Features[i]
		name := w.Properties["name"].(string)
		if got := g.Properties[nameKey]; got != name {
			t.Errorf("feature %d: %s = %#v, want %q", i+1, nameKey, got, name)
		}
		for _, k := range []string{"kind", "county", "disposition"} {
			if got := fmt.Sprint(g.Properties[k]); got != fmt.Sprint(w.Properties[k]) {
				t.Errorf("%s: %s = %q, want %q", name, k, got, w.Properties[k])
			}
		}
		if got, ok := number(g.Properties["area_mu"]); !ok || math.Abs(got-w.Properties["area_mu"].(float64)) > 1e-6 {
			t.Errorf("%s: area_mu = %#v, want %v", name, g.Properties["area_mu"], w.Properties["area_mu"])
		}
		if d := maxVertexDistance(g.Geometry, w.Geometry); d > tol {
			t.Errorf("%s: vertices moved by %.3g° (%.4f m), tolerance %.3g°", name, d, metres(d), tol)
		}
	}
	if ds.Bounds.IsEmpty() || ds.Bounds.Min[0] < 119 || ds.Bounds.Max[0] > 121 {
		t.Errorf("bounds %v", ds.Bounds)
	}
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

func TestRoundTrip(t *testing.T) {
	requireGDAL(t)
	zones := testZones()
	const degreeTol = 1e-7      // lon/lat formats
	const gkTol = 0.01 / 111320 // 1 cm in GK formats
	for _, tc := range []struct {
		format, crs, enc string
		nameKey          string
		assumed          bool
	}{
		{FormatGeoJSON, CRS4490, "", "name", false},
		{FormatGeoJSON, CRS4326, "", "name", false},
		{FormatGeoJSON, CRS4528, "", "name", false},
		{FormatShp, CRS4490, EncodingUTF8, "name", false},
		{FormatShp, CRS4528, EncodingGBK, "name", false},
		{FormatShp, CRS4549, EncodingUTF8, "name", false},
		{FormatGPKG, CRS4490, "", "name", false},
		{FormatGPKG, CRS4549, "", "name", false},
		{FormatFileGDB, CRS4528, "", "name", false},
		{FormatKML, CRS4490, "", "Name", false},
		{FormatKMZ, CRS4490, "", "Name", false},
		// wanmu's CSV states its CRS in a crs column.
		{FormatCSV, CRS4490, EncodingUTF8, "name", false},
		{FormatCSV, CRS4528, EncodingGBK, "name", false},
	} {
		t.Run(tc.format+"/"+tc.crs+"/"+tc.enc, func(t *testing.T) {
			dir := t.TempDir()
			p := exportFile(t, dir, []ExportLayer{zones}, ExportOptions{Format: tc.format, CRS: tc.crs, Encoding: tc.enc})
			ds, err := Inspect(context.Background(), p, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tol := degreeTol
			if tc.crs == CRS4528 || tc.crs == CRS4549 {
				tol = gkTol
			}
			compareDataset(t, ds, zones, tol, tc.nameKey)
			wantCRS := tc.crs
			if tc.format == FormatKML || tc.format == FormatKMZ {
				wantCRS = CRS4326
			}
			if !strings.HasPrefix(ds.SourceCRS, wantCRS+" ") || ds.CRSAssumed != tc.assumed {
				t.Errorf("SourceCRS %q assumed %v, want %s assumed %v (note %q)", ds.SourceCRS, ds.CRSAssumed, wantCRS, tc.assumed, ds.CRSNote)
			}
			if ds.Format != tc.format {
				t.Errorf("Format %q, want %q", ds.Format, tc.format)
			}
			if tc.format == FormatCSV && contains(ds.Fields, "crs") {
				t.Errorf("fields %v: the crs column is kept as an attribute", ds.Fields)
			}
			if tc.format == FormatShp && !contains(ds.Fields, "disposition") {
				t.Errorf("fields %v: the 11-letter disposition was not restored from fields.csv", ds.Fields)
			}
			if tc.enc != "" && ds.Encoding != tc.enc {
				t.Errorf("Encoding %q, want %q", ds.Encoding, tc.enc)
			}
		})
	}
}

// gbkShapefile writes zones as a GBK Shapefile with ogr2ogr (as Chinese
// desktop GIS writes it) and returns the .shp path.
func gbkShapefile(t *testing.T, dir string, epsg int) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "src.geojson")
	var feats []map[string]any
	for _, f := range testZones().Features {
		feats = append(feats, map[string]any{"type": "Feature",
			"properties": map[string]any{"NAME": f.Properties["name"], "XZQDM": f.Properties["county"]},
			"geometry":   geometryJSON(f.Geometry)})
	}
	writeJSON(t, src, map[string]any{"type": "FeatureCollection", "features": feats})
	out := filepath.Join(dir, "shp")
	args := []string{"-f", "ESRI Shapefile", "-lco", "ENCODING=CP936", "-nln", "地块"}
	if epsg != 0 {
		args = append(args, "-s_srs", "EPSG:4490", "-t_srs", fmt.Sprintf("EPSG:%d", epsg))
	}
	runGDAL(t, "ogr2ogr", append(args, out, src)...)
	return filepath.Join(out, "地块.shp")
}

func geometryJSON(g orb.Geometry) map[string]any {
	switch g := g.(type) {
	case orb.Polygon:
		return map[string]any{"type": "Polygon", "coordinates": g}
	case orb.MultiPolygon:
		return map[string]any{"type": "MultiPolygon", "coordinates": g}
	}
	panic("unexpected geometry")
}

func TestInspectGBKShapefile(t *testing.T) {
	requireGDAL(t)
	want := testZones().Features[0].Properties["name"]
	for _, tc := range []struct {
		name     string
		prepare  func(shp string)
		enc      string
		wantWarn string
	}{
		{"with .cpg", func(string) {}, "", ""},
		{"without .cpg", func(shp string) { os.Remove(strings.TrimSuffix(shp, ".shp") + ".cpg") }, "", "按内容判断为 GBK"},
		{"without .cpg, told GBK", func(shp string) { os.Remove(strings.TrimSuffix(shp, ".shp") + ".cpg") }, "GBK", ""},
		{".cpg lies UTF-8", func(shp string) {
			os.WriteFile(strings.TrimSuffix(shp, ".shp")+".cpg", []byte("UTF-8"), 0o600)
		}, "", "实际是 GBK"},
		{".cpg says 936", func(shp string) {
			os.WriteFile(strings.TrimSuffix(shp, ".shp")+".cpg", []byte("936\r\n"), 0o600)
		}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			shp := gbkShapefile(t, dir, 4528)
			tc.prepare(shp)
			// Zip it as a Chinese Windows tool would: GBK entry names, no UTF-8 flag.
			zipPath := filepath.Join(dir, "upload.zip")
			zipFiles(t, zipPath, filepath.Dir(shp), true)
			ds, err := Inspect(context.Background(), zipPath, ImportOptions{Encoding: tc.enc})
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.Features[0].Properties["NAME"]; got != want {
				t.Errorf("NAME = %q, want %q", got, want)
			}
			if ds.Encoding != EncodingGBK {
				t.Errorf("Encoding %q, want GBK", ds.Encoding)
			}
			if ds.Layer != "地块" {
				t.Errorf("layer %q, want 地块 (GBK zip entry names)", ds.Layer)
			}
			if tc.wantWarn != "" && !strings.Contains(strings.Join(ds.Warnings, "\n"), tc.wantWarn) {
				t.Errorf("warnings %q lack %q", ds.Warnings, tc.wantWarn)
			}
			if !strings.HasPrefix(ds.SourceCRS, "EPSG:4528") || ds.CRSAssumed {
				t.Errorf("SourceCRS %q assumed %v", ds.SourceCRS, ds.CRSAssumed)
			}
		})
	}
}

// zipFiles zips the files of dir; gbkNames writes entry names in GBK
// without the UTF-8 flag, as WinRAR and 360压缩 on Chinese Windows do.
func zipFiles(t *testing.T, zipPath, dir string, gbkNames bool) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name := e.Name()
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		if gbkNames {
			g, err := gbkBytes(name)
			if err != nil {
				t.Fatal(err)
			}
			hdr.Name = string(g)
			hdr.NonUTF8 = true
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestInspectShapefileWithoutPrj(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	shp := gbkShapefile(t, dir, 4528)
	os.Remove(strings.TrimSuffix(shp, ".shp") + ".prj")
	ds, err := Inspect(context.Background(), shp, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !ds.CRSAssumed || !strings.HasPrefix(ds.SourceCRS, "EPSG:4528") {
		t.Errorf("SourceCRS %q assumed %v", ds.SourceCRS, ds.CRSAssumed)
	}
	if !strings.Contains(ds.CRSNote, "无 .prj") || !strings.Contains(ds.CRSNote, "40 带号") {
		t.Errorf("CRSNote %q does not say what was assumed", ds.CRSNote)
	}
	compareGeometry(t, ds, testZones(), 0.01/111320)
}

// compareGeometry checks only the geometry of a round trip.
func compareGeometry(t *testing.T, ds *Dataset, want ExportLayer, tol float64) {
	t.Helper()
	if len(ds.Features) != len(want.Features) {
		t.Fatalf("%d features, want %d", len(ds.Features), len(want.Features))
	}
	for i, w := range want.Features {
		if d := maxVertexDistance(ds.Features[i].Geometry, w.Geometry); d > tol {
			t.Errorf("feature %d moved by %.3g° (%.3f m)", i+1, d, metres(d))
		}
	}
}

func TestInspectPrjDisagrees(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	shp := gbkShapefile(t, dir, 4528)
	// A common mistake: the .prj of EPSG:4549 beside eastings with the 40 prefix.
	runGDAL(t, "ogr2ogr", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4549", "-lco", "ENCODING=CP936", filepath.Join(dir, "wrong"), shp)
	ds, err := Inspect(context.Background(), filepath.Join(dir, "wrong", "地块.shp"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ds.SourceCRS, "EPSG:4528") {
		t.Errorf("SourceCRS %q, want the data's EPSG:4528", ds.SourceCRS)
	}
	if !strings.Contains(strings.Join(ds.Warnings, "\n"), "与坐标量级不符") {
		t.Errorf("no warning about the wrong .prj: %q", ds.Warnings)
	}
	compareGeometry(t, ds, testZones(), 0.01/111320)
}

// dxfText builds a minimal ASCII DXF: a header with a code page and the
// entities given as group-code/value pairs.
func dxfText(codepage string, entities ...[]string) []byte {
	var b strings.Builder
	b.WriteString("  0\nSECTION\n  2\nHEADER\n  9\n$ACADVER\n  1\nAC1015\n")
	if codepage != "" {
		b.WriteString("  9\n$DWGCODEPAGE\n  3\n" + codepage + "\n")
	}
	b.WriteString("  0\nENDSEC\n  0\nSECTION\n  2\nENTITIES\n")
	for _, e := range entities {
		for _, l := range e {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("  0\nENDSEC\n  0\nEOF\n")
	return []byte(b.String())
}

// lwpolyline is a closed LWPOLYLINE with the given (x, y) vertices as written.
func lwpolyline(layer string, closed bool, pts ...[2]float64) []string {
	flag := "0"
	if closed {
		flag = "1"
	}
	e := []string{"  0", "LWPOLYLINE", "  8", layer, " 90", strconv.Itoa(len(pts)), " 70", flag}
	for _, p := range pts {
		e = append(e, " 10", strconv.FormatFloat(p[0], 'f', 3, 64), " 20", strconv.FormatFloat(p[1], 'f', 3, 64))
	}
	return e
}

// text is a TEXT entity.
func text(layer string, x, y float64, s string) []string {
	return []string{"  0", "TEXT", "  8", layer, " 10", strconv.FormatFloat(x, 'f', 3, 64), " 20", strconv.FormatFloat(y, 'f', 3, 64), " 40", "5", "  1", s}
}

func TestInspectDXF(t *testing.T) {
	requireGDAL(t)
	// 丽水 city (119.922°E 28.451°N) is X 3148425.44, Y 40492359.95 in EPSG:4528.
	const north, east = 3148425.44, 40492359.95
	square := func(n0, e0 float64) [][2]float64 { // (northing, easting) corners, 200 m
		return [][2]float64{{n0, e0}, {n0, e0 + 200}, {n0 + 200, e0 + 200}, {n0 + 200, e0}}
	}
	gbkLabel, _ := gbkBytes("城区地块")
	for _, tc := range []struct {
		name     string
		swapped  bool
		offset   float64 // subtracted from eastings: 40e6 gives EPSG:4549
		codepage string
		label    string
		wantCRS  string
	}{
		{"prefixed, E/N", false, 0, "ANSI_936", string(gbkLabel), "EPSG:4528"},
		{"prefixed, survey X/Y swapped", true, 0, "ANSI_936", string(gbkLabel), "EPSG:4528"},
		{"no prefix", false, 40e6, "", string(gbkLabel), "EPSG:4549"},
		{"no prefix, swapped, UTF-8 text", true, 40e6, "", "城区地块", "EPSG:4549"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xy := func(n, e float64) [2]float64 {
				e -= tc.offset
				if tc.swapped {
					return [2]float64{n, e}
				}
				return [2]float64{e, n}
			}
			var pts [][2]float64
			for _, c := range square(north, east) {
				pts = append(pts, xy(c[0], c[1]))
			}
			lbl := xy(north+100, east+100)
			open := []([2]float64){xy(north-500, east), xy(north-500, east+300)}
			dxf := dxfText(tc.codepage,
				lwpolyline("ZONE", true, pts...),
				text("ZONE", lbl[0], lbl[1], tc.label),
				lwpolyline("ROAD", false, open...))
			p := filepath.Join(t.TempDir(), "zones.dxf")
			os.WriteFile(p, dxf, 0o600)
			ds, err := Inspect(context.Background(), p, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.Features) != 1 {
				t.Fatalf("%d features, want the one closed polyline (warnings %q)", len(ds.Features), ds.Warnings)
			}
			f := ds.Features[0]
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok {
				t.Fatalf("geometry %T, want Polygon", f.Geometry)
			}
			if !strings.HasPrefix(ds.SourceCRS, tc.wantCRS) || !ds.CRSAssumed {
				t.Errorf("SourceCRS %q assumed %v, want %s assumed", ds.SourceCRS, ds.CRSAssumed, tc.wantCRS)
			}
			if tc.swapped != strings.Contains(ds.CRSNote, "X/Y 互换") {
				t.Errorf("CRSNote %q (swapped %v)", ds.CRSNote, tc.swapped)
			}
			if f.Properties[dxfTextField] != "城区地块" || f.Properties[dxfLayerField] != "ZONE" {
				t.Errorf("properties %v", f.Properties)
			}
			// The corner is the reference point.
			best := math.Inf(1)
			for _, q := range poly[0] {
				best = min(best, math.Hypot(q[0]-119.922, q[1]-28.451))
			}
			if metres(best) > 0.01 {
				t.Errorf("reference corner is %.3f m from 119.922°E 28.451°N", metres(best))
			}
			// 200 m × 200 m = 60 mu on the plane; the ellipsoidal area is a bit less.
			mu := geodesy.Mu(areaOf(poly))
			if mu > 60 || mu < 59.95 {
				t.Errorf("area %.4f mu, want just under 60", mu)
			}
		})
	}
}

func TestInspectDXFNoCRS(t *testing.T) {
	requireGDAL(t)
	// Local CAD coordinates: fits nothing.
	dxf := dxfText("", lwpolyline("0", true, [2]float64{0, 0}, [2]float64{100, 0}, [2]float64{100, 100}, [2]float64{0, 100}))
	p := filepath.Join(t.TempDir(), "local.dxf")
	os.WriteFile(p, dxf, 0o600)
	_, err := Inspect(context.Background(), p, ImportOptions{})
	if !errors.Is(err, ErrNoCRS) {
		t.Fatalf("err %v, want no_crs", err)
	}
	if !strings.Contains(err.Error(), "EPSG:4528") {
		t.Errorf("message does not suggest a CRS: %v", err)
	}
	// No closed polylines at all.
	dxf = dxfText("", lwpolyline("0", false, [2]float64{40492359, 3148425}, [2]float64{40492459, 3148425}))
	os.WriteFile(p, dxf, 0o600)
	if _, err := Inspect(context.Background(), p, ImportOptions{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("err %v, want empty", err)
	}
}

// aoviKML writes a KML as 奥维 exports it: GCJ-02 coordinates, placemarks in
// folders, names and styles, no ExtendedData.
func aoviKML(t *testing.T, path string, rings map[string]orb.Ring) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><name>奥维互动地图</name>`)
	for _, folder := range []string{"经开区", "空港"} {
		b.WriteString("<Folder><name>" + folder + "</name>")
		for name, r := range rings {
			if !strings.HasPrefix(name, folder) {
				continue
			}
			b.WriteString("<Placemark><name>" + name + "</name><Style><LineStyle><color>ff0000ff</color><width>2</width></LineStyle></Style>" +
				"<Polygon><outerBoundaryIs><LinearRing><coordinates>")
			for _, p := range r {
				lon, lat := geodesy.WGS84ToGCJ02(p[0], p[1])
				fmt.Fprintf(&b, "%.8f,%.8f,0 ", lon, lat)
			}
			b.WriteString("</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>")
		}
		b.WriteString("</Folder>")
	}
	b.WriteString("</Document></kml>")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestInspectGCJ02KML(t *testing.T) {
	requireGDAL(t)
	truth := map[string]orb.Ring{
		"经开区一期": rect(119.9000, 28.4400, 119.9100, 28.4500),
		"空港园":   rect(119.8300, 28.3700, 119.8500, 28.3850),
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "aovi.kml")
	aoviKML(t, p, truth)
	// As KMZ too.
	kmz := filepath.Join(dir, "aovi.kmz")
	{
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("doc.kml")
		b, _ := os.ReadFile(p)
		w.Write(b)
		zw.Close()
		os.WriteFile(kmz, buf.Bytes(), 0o600)
	}
	for _, path := range []string{p, kmz} {
		for _, gcj := range []bool{true, false} {
			ds, err := Inspect(context.Background(), path, ImportOptions{GCJ02: gcj})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.Features) != 2 || !contains(ds.Fields, "folder") {
				t.Fatalf("%s: %d features, fields %v; want both folders merged", filepath.Base(path), len(ds.Features), ds.Fields)
			}
			for _, f := range ds.Features {
				name := f.Properties["Name"].(string)
				d := metres(maxVertexDistance(f.Geometry, orb.Polygon{truth[name]}))
				switch {
				case gcj && d > 5:
					t.Errorf("%s: GCJ-02 corrected position is %.2f m off, want ≤ 5 m", name, d)
				case !gcj && d < 300:
					t.Errorf("%s: uncorrected GCJ-02 is only %.1f m off; the test data is not offset", name, d)
				}
			}
			if gcj && !strings.Contains(ds.CRSNote, "GCJ-02") {
				t.Errorf("CRSNote %q does not mention GCJ-02", ds.CRSNote)
			}
		}
	}
}

func TestInspectGeoJSONWithProjectedCoordinates(t *testing.T) {
	requireGDAL(t)
	// No "crs" member, but Gauss-Kruger numbers: by RFC 7946 it would be
	// lon/lat, which these cannot be.
	n, e := geodesy.ToEPSG4528(119.922, 28.451)
	fc := map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{"type": "Feature",
		"properties": map[string]any{"name": "测试"},
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{e, n}, {e + 100, n}, {e + 100, n + 100}, {e, n + 100}, {e, n}}}}}}}
	p := filepath.Join(t.TempDir(), "gk.geojson")
	writeJSON(t, p, fc)
	ds, err := Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ds.SourceCRS, "EPSG:4528") || !strings.Contains(strings.Join(ds.Warnings, "\n"), "与坐标量级不符") {
		t.Errorf("SourceCRS %q warnings %q", ds.SourceCRS, ds.Warnings)
	}
	first := ds.Features[0].Geometry.(orb.Polygon)[0][0]
	if metres(math.Hypot(first[0]-119.922, first[1]-28.451)) > 0.01 {
		t.Errorf("first vertex %v, want 119.922, 28.451", first)
	}
}

func TestInspectUserCRS(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	shp := gbkShapefile(t, dir, 4549)
	os.Remove(strings.TrimSuffix(shp, ".shp") + ".prj")
	for _, crs := range []string{"EPSG:4549", "4549", "epsg:4549"} {
		ds, err := Inspect(context.Background(), shp, ImportOptions{CRS: crs})
		if err != nil {
			t.Fatal(err)
		}
		if ds.CRSAssumed || !strings.HasPrefix(ds.SourceCRS, "EPSG:4549") {
			t.Errorf("%s: SourceCRS %q assumed %v", crs, ds.SourceCRS, ds.CRSAssumed)
		}
		compareGeometry(t, ds, testZones(), 0.01/111320)
	}
	// A CRS this package does not transform itself goes through GDAL:
	// UTM zone 50N (CM 117°E) of the same numbers lands some 200 km west
	// of 丽水: near enough to be a neighbour's data, so only a warning.
	ds, err := Inspect(context.Background(), shp, ImportOptions{CRS: "EPSG:32650"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ds.CRSNote, "GDAL") || !strings.Contains(strings.Join(ds.Warnings, "\n"), "4 个要素（第 1、2、3、4 个）超出丽水市域范围") {
		t.Errorf("CRSNote %q, warnings %q", ds.CRSNote, ds.Warnings)
	}
	if _, err := Inspect(context.Background(), shp, ImportOptions{CRS: "4528x"}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("bad CRS: %v", err)
	}
}

func TestInspectCSV(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	csv := "名称,县,WKT\r\n经开区,331102,\"POLYGON ((119.9 28.44,119.91 28.44,119.91 28.45,119.9 28.45,119.9 28.44))\"\r\n"
	gbk, _ := gbkBytes(csv)
	p := filepath.Join(dir, "zones.csv")
	os.WriteFile(p, gbk, 0o600) // Excel on Chinese Windows saves CSV as GBK
	ds, err := Inspect(context.Background(), p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Features) != 1 || ds.Features[0].Properties["名称"] != "经开区" || ds.Features[0].Properties["县"] != "331102" {
		t.Fatalf("features %+v fields %v", ds.Features, ds.Fields)
	}
	if ds.Encoding != EncodingGBK || !ds.CRSAssumed || !strings.HasPrefix(ds.SourceCRS, "EPSG:4490") {
		t.Errorf("encoding %q SourceCRS %q assumed %v", ds.Encoding, ds.SourceCRS, ds.CRSAssumed)
	}
	if contains(ds.Fields, "WKT") {
		t.Errorf("the WKT column is kept as an attribute: %v", ds.Fields)
	}
}

func TestInspectLayers(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	p := exportFile(t, dir, []ExportLayer{testZones(), testPlatforms()}, ExportOptions{Format: FormatGPKG})
	// Two polygon layers and none named: the planner chooses from a list
	// with each layer's feature count, geometry type and CRS.
	_, err := Inspect(context.Background(), p, ImportOptions{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeChooseLayer || !strings.Contains(xe.Message, "请选择图层后重试") {
		t.Fatalf("two layers, none chosen: %v", err)
	}
	// Export names layers by their title where it can; find them by count.
	var z, pl LayerInfo
	for _, l := range xe.Layers {
		switch l.Count {
		case 4:
			z = l
		case 1:
			pl = l
		}
	}
	if len(xe.Layers) != 2 || !isZonesName(z.Name) || pl.Name == "" ||
		!strings.Contains(z.Geometry, "Polygon") || !strings.HasPrefix(z.CRS, "EPSG:4490") || !strings.HasPrefix(pl.CRS, "EPSG:4490") {
		t.Errorf("layers listed: %+v", xe.Layers)
	}
	// Imported as zones, the zones layer is read, and the preview says so.
	ds, err := Inspect(context.Background(), p, ImportOptions{Zones: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Layer != z.Name || len(ds.Layers) != 2 || len(ds.Features) != 4 {
		t.Errorf("layer %q layers %v features %d", ds.Layer, ds.Layers, len(ds.Features))
	}
	if !strings.Contains(strings.Join(ds.Warnings, "\n"), "按导入目标“分区”读取了图层 "+z.Name) {
		t.Errorf("no warning about the choice: %q", ds.Warnings)
	}
	ds, err = Inspect(context.Background(), p, ImportOptions{SourceLayer: pl.Name, Zones: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Layer != pl.Name || len(ds.Features) != 1 || ds.Features[0].Properties["name"] != "丽水市级产业平台" {
		t.Errorf("layer %q features %d", ds.Layer, len(ds.Features))
	}
	if _, ok := ds.Features[0].Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("platform geometry %T", ds.Features[0].Geometry)
	}
	_, err = Inspect(context.Background(), p, ImportOptions{SourceLayer: "parcels"})
	if !errors.As(err, &xe) || xe.Code != CodeLayerNotFound || !strings.Contains(err.Error(), z.Name) || len(xe.Layers) != 2 {
		t.Errorf("unknown layer: %v", err)
	}
	// Two Shapefiles in one zip are two layers.
	shpZip := exportFile(t, dir, []ExportLayer{testZones(), testPlatforms()}, ExportOptions{Format: FormatShp})
	_, err = Inspect(context.Background(), shpZip, ImportOptions{})
	if !errors.As(err, &xe) || xe.Code != CodeChooseLayer || len(xe.Layers) != 2 {
		t.Fatalf("two Shapefiles, none chosen: %v", err)
	}
	shpPlatforms := xe.Layers[0].Name
	if xe.Layers[1].Count == 1 {
		shpPlatforms = xe.Layers[1].Name
	}
	ds, err = Inspect(context.Background(), shpZip, ImportOptions{SourceLayer: shpPlatforms})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Layer != shpPlatforms || len(ds.Features) != 1 || ds.Features[0].Properties["developable_mu"] == nil {
		t.Errorf("layer %q features %v", ds.Layer, ds.Features)
	}
	// A polygon layer beside a point layer is read without asking.
	src := filepath.Join(dir, "points.geojson")
	os.WriteFile(src, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"井"},"geometry":{"type":"Point","coordinates":[119.9,28.4]}}]}`), 0o600)
	withPoints := filepath.Join(dir, "with-points.gpkg")
	runGDAL(t, "ogr2ogr", "-f", "GPKG", "-nln", "wells", withPoints, src)
	runGDAL(t, "ogr2ogr", "-update", "-nln", "zones", withPoints, exportFile(t, dir, []ExportLayer{testZones()}, ExportOptions{Format: FormatGeoJSON}))
	ds, err = Inspect(context.Background(), withPoints, ImportOptions{})
	if err != nil || ds.Layer != "zones" || len(ds.Features) != 4 || !strings.Contains(strings.Join(ds.Warnings, "\n"), "唯一的面图层 zones") {
		t.Errorf("polygons beside points: %v, %+v", err, ds)
	}
}

// TestInspectHandoverAsZones: a zip laid out as wanmu's handover (the
// platforms and zones as Shapefiles and in one GeoPackage) imports as
// zones from the GeoPackage's zones layer without choosing; as anything
// else the planner is asked, with all four layers listed.
func TestInspectHandoverAsZones(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	layers := []ExportLayer{testPlatforms(), testZones()}
	var entries []zipEntry
	files := filepath.Join(dir, "shp-files")
	for _, name := range unzipTo(t, exportFile(t, dir, layers, ExportOptions{Format: FormatShp}), files) {
		b, err := os.ReadFile(filepath.Join(files, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, zipEntry{name: "交付包/shp/" + name, body: string(b)})
	}
	gpkg, err := os.ReadFile(exportFile(t, dir, layers, ExportOptions{Format: FormatGPKG}))
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, zipEntry{name: "交付包/gpkg/wanmu.gpkg", body: string(gpkg)})
	zipPath := filepath.Join(dir, "handover.zip")
	writeZip(t, zipPath, entries)

	ds, err := Inspect(context.Background(), zipPath, ImportOptions{Zones: true})
	if err != nil {
		t.Fatal(err)
	}
	_, inside, _ := strings.Cut(ds.Layer, ".gpkg:")
	if !strings.HasPrefix(ds.Layer, "交付包/gpkg/") || !isZonesName(inside) || len(ds.Features) != 4 || ds.Features[1].Properties["name"] != "空港园（丽水机场）" {
		t.Errorf("read layer %q, %d features", ds.Layer, len(ds.Features))
	}
	if len(ds.Layers) != 4 {
		t.Errorf("layers %+v", ds.Layers)
	}
	_, err = Inspect(context.Background(), zipPath, ImportOptions{})
	var xe *Error
	if !errors.As(err, &xe) || xe.Code != CodeChooseLayer || len(xe.Layers) != 4 {
		t.Fatalf("as a constraint layer: %v", err)
	}
	ds, err = Inspect(context.Background(), zipPath, ImportOptions{SourceLayer: xe.Layers[0].Name})
	if err != nil || ds.Layer != xe.Layers[0].Name {
		t.Errorf("choosing %q from the list: %v", xe.Layers[0].Name, err)
	}
}

// writeZip writes entries given as name → content, as-is (no checks).
func writeZip(t *testing.T, path string, entries []zipEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			hdr.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if e.size > 0 {
			chunk := make([]byte, 1<<20)
			for n := int64(0); n < e.size; n += int64(len(chunk)) {
				w.Write(chunk[:min(int64(len(chunk)), e.size-n)])
			}
		} else {
			w.Write([]byte(e.body))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

type zipEntry struct {
	name string
	body string
	size int64 // zeros, instead of body
	mode os.FileMode
}

func TestInspectRejects(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	png := filepath.Join(dir, "zones.shp")
	os.WriteFile(png, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...), 0o600)
	garbage := filepath.Join(dir, "zones.gpkg")
	os.WriteFile(garbage, []byte("SQLite format 3\x00this is not a database at all, just bytes"), 0o600)
	dwgOnly := filepath.Join(dir, "dwg.zip")
	writeZip(t, dwgOnly, []zipEntry{{name: "图纸.dwg", body: "AC1027...."}})
	traversal := filepath.Join(dir, "traversal.zip")
	writeZip(t, traversal, []zipEntry{{name: "zones.shp", body: "x"}, {name: "../../etc/passwd", body: "root"}})
	absolute := filepath.Join(dir, "absolute.zip")
	writeZip(t, absolute, []zipEntry{{name: "/tmp/evil.shp", body: "x"}})
	windows := filepath.Join(dir, "windows.zip")
	writeZip(t, windows, []zipEntry{{name: `..\..\evil.shp`, body: "x"}})
	symlink := filepath.Join(dir, "symlink.zip")
	writeZip(t, symlink, []zipEntry{{name: "zones.shp", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}})
	missingDBF := filepath.Join(dir, "nodbf.zip")
	{
		src := gbkShapefile(t, filepath.Join(dir, "m"), 0)
		base := strings.TrimSuffix(src, ".shp")
		shpBytes, _ := os.ReadFile(src)
		shxBytes, _ := os.ReadFile(base + ".shx")
		writeZip(t, missingDBF, []zipEntry{{name: "a.shp", body: string(shpBytes)}, {name: "a.shx", body: string(shxBytes)}})
	}
	truncated := filepath.Join(dir, "truncated.zip")
	{
		p := exportFile(t, dir, []ExportLayer{testZones()}, ExportOptions{Format: FormatShp})
		b, _ := os.ReadFile(p)
		os.WriteFile(truncated, b[:len(b)/2], 0o600)
	}
	dashName := filepath.Join(dir, "dash.geojson")
	os.WriteFile(dashName, []byte(`{"type":"FeatureCollection","name":"--version","features":[
		{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.9,28.4],[119.91,28.4],[119.91,28.41],[119.9,28.4]]]}}]}`), 0o600)
	emptyFC := filepath.Join(dir, "empty.geojson")
	os.WriteFile(emptyFC, []byte(`{"type":"FeatureCollection","features":[]}`), 0o600)

	for _, tc := range []struct {
		name, path, code, msg string
	}{
		{"PNG renamed .shp", png, CodeUnsupportedFormat, "PNG"},
		{"not a GeoPackage", garbage, CodeCorrupt, "zones.gpkg"},
		{"only DWG", dwgOnly, CodeUnsupportedFormat, "DXF"},
		{"path traversal", traversal, CodeUnsafeArchive, "zip 内条目 ../../etc/passwd 含有路径穿越"},
		{"absolute path", absolute, CodeUnsafeArchive, "绝对路径"},
		{"backslash traversal", windows, CodeUnsafeArchive, "路径穿越"},
		{"symlink", symlink, CodeUnsafeArchive, "符号链接"},
		{"shp without dbf", missingDBF, CodeCorrupt, "a.dbf"},
		{"truncated zip", truncated, CodeCorrupt, "zip"},
		{"no features", emptyFC, CodeEmpty, ""},
		{"layer name read as an option", dashName, CodeCorrupt, `图层名 "--version" 以“-”开头`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Inspect(context.Background(), tc.path, ImportOptions{})
			if CodeOf(err) != tc.code || ds != nil {
				t.Fatalf("err %v, want code %s", err, tc.code)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("message %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestInspectZipBomb(t *testing.T) {
	dir := t.TempDir()
	// 256 MiB of zeros deflate to about 250 KiB: a ratio of about 1000:1.
	bomb := filepath.Join(dir, "bomb.zip")
	writeZip(t, bomb, []zipEntry{{name: "zones.shp", size: 256 << 20}})
	start := time.Now()
	_, err := Inspect(context.Background(), bomb, ImportOptions{})
	if !errors.Is(err, ErrUnsafeArchive) || !strings.Contains(err.Error(), "压缩炸弹") {
		t.Errorf("err %v, want unsafe_archive naming a zip bomb", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("rejecting the bomb took %v", d)
	}
	// Over the total limit, by the declared sizes alone.
	_, err = Inspect(context.Background(), bomb, ImportOptions{MaxUncompressed: 64 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want too_large", err)
	}
	// Headers that lie: declare a tiny size for a large entry.
	liar := filepath.Join(dir, "liar.zip")
	writeZip(t, liar, []zipEntry{{name: "zones.geojson", size: 4 << 20}})
	b, _ := os.ReadFile(liar)
	patchZipSizes(b, 4<<20, 1000)
	os.WriteFile(liar, b, 0o600)
	if _, err := Inspect(context.Background(), liar, ImportOptions{}); CodeOf(err) != CodeCorrupt {
		t.Errorf("err %v, want corrupt for an entry larger than declared", err)
	}
	// Over MaxBytes.
	if _, err := Inspect(context.Background(), bomb, ImportOptions{MaxBytes: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want too_large", err)
	}
}

// patchZipSizes rewrites every 32-bit uncompressed size equal to from
// (local headers, data descriptors and the central directory) to to.
func patchZipSizes(b []byte, from, to uint32) {
	var f, r [4]byte
	for i := range 4 {
		f[i] = byte(from >> (8 * i))
		r[i] = byte(to >> (8 * i))
	}
	for i := 0; i+4 <= len(b); i++ {
		if bytes.Equal(b[i:i+4], f[:]) {
			copy(b[i:i+4], r[:])
		}
	}
}

func TestInspectLimitsAndCancel(t *testing.T) {
	requireGDAL(t)
	dir := t.TempDir()
	p := exportFile(t, dir, []ExportLayer{testZones()}, ExportOptions{Format: FormatGPKG})
	if _, err := Inspect(context.Background(), p, ImportOptions{MaxFeatures: 3}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxFeatures: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Inspect(ctx, p, ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	var calls []int64
	if _, err := Inspect(context.Background(), p, ImportOptions{Progress: func(done, total int64) { calls = append(calls, done) }}); err != nil {
		t.Fatal(err)
	}
	checkMonotone(t, calls)
}

// isZonesName reports whether a layer name is one wanmu gives its zones.
func isZonesName(name string) bool {
	for _, n := range zonesNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	return false
}
