package exchange

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

func TestCheckZipName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      string // substring of the error, "" for accepted
	}{
		{"zones.shp", "zones.shp", ""},
		{"数据/分区.shp", "数据/分区.shp", ""},
		{"./a//b/./c.dbf", "a/b/c.dbf", ""},
		{`folder\zones.shp`, "folder/zones.shp", ""},
		{"a..b/c..shp", "a..b/c..shp", ""},
		{"../../etc/passwd", "", "zip 内条目 ../../etc/passwd 含有路径穿越"},
		{"a/../../b", "", "路径穿越"},
		{`..\evil.shp`, "", "路径穿越"},
		{"a/..", "", "路径穿越"},
		{"/etc/passwd", "", "绝对路径"},
		{`\\server\share\x`, "", "绝对路径"},
		{"C:/Windows/x.shp", "", "盘符"},
		{"c:evil", "", "盘符"},
		{"a/b:stream", "", "冒号"},
		{"", "", "名称为空"},
		{"./", "", "名称为空"},
		{"a\x00b", "", "NUL"},
		{strings.Repeat("a/", 40) + "x", "", "层级过深"},
		{strings.Repeat("x", 2000), "", "过长"},
	} {
		got, err := checkZipName(tc.in)
		switch {
		case tc.bad == "" && (err != nil || got != tc.want):
			t.Errorf("checkZipName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad) || !errors.Is(err, ErrUnsafeArchive)):
			t.Errorf("checkZipName(%q) error %v; want unsafe_archive with %q", tc.in, err, tc.bad)
		}
	}
}

func TestParseCRS(t *testing.T) {
	for in, want := range map[string]int{
		"": 0, "EPSG:4528": 4528, " epsg:4549 ": 4549, "4490": 4490, "EPSG::4326": 4326,
		"urn:ogc:def:crs:EPSG::4528": 4528, "http://www.opengis.net/def/crs/EPSG/0/4549": 4549, "CRS84": 4326, "CGCS2000": 4490,
	} {
		if got, err := parseCRS(in); err != nil || got != want {
			t.Errorf("parseCRS(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"EPSG:", "EPSG:45x", "ESRI:102100", "4528; DROP", "12", "EPSG:99999999", "+proj=tmerc"} {
		if _, err := parseCRS(in); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("parseCRS(%q) error %v, want invalid_option", in, err)
		}
	}
}

func TestClassifyPoint(t *testing.T) {
	// 丽水 city: 119.922°E 28.451°N ↔ EPSG:4528 X 3148425.44, Y 40492359.95.
	for _, tc := range []struct {
		x, y    float64
		epsg    int
		swapped bool
		ok      bool
	}{
		{119.922, 28.451, 4490, false, true},
		{40492359.95, 3148425.44, 4528, false, true},
		{3148425.44, 40492359.95, 4528, true, true},
		{492359.95, 3148425.44, 4549, false, true},
		{3148425.44, 492359.95, 4549, true, true},
		{39500000, 3300000, 4527, false, true}, // 3-degree zone 39
		{20400000, 3150000, 4498, false, true}, // 6-degree zone 20
		{0, 0, 0, false, false},
		{100, 100, 0, false, false},      // local CAD coordinates
		{-73.98, 40.75, 0, false, false}, // New York: lon/lat, but not a Chinese file
		{1234567, 7654321, 0, false, false},
		{math.NaN(), 28, 0, false, false},
		{math.Inf(1), 28, 0, false, false},
		{40950000, 3148425, 0, false, false}, // 450 km east of the meridian: no zone that wide
	} {
		c, ok := classifyPoint(tc.x, tc.y, unprefixedEPSG(40))
		if ok != tc.ok || (ok && (c.EPSG != tc.epsg || c.Swapped != tc.swapped)) {
			t.Errorf("classifyPoint(%v, %v) = %+v, %v; want %d swapped %v ok %v", tc.x, tc.y, c, ok, tc.epsg, tc.swapped, tc.ok)
		}
	}
}

func TestGuessCRSOutliers(t *testing.T) {
	var samples []coordSample
	for i := range 20 {
		samples = append(samples, coordSample{orb.Point{40492359.95 + float64(i), 3148425.44}, i})
	}
	samples = append(samples, coordSample{orb.Point{0, 0}, 20}) // a stray CAD entity at the origin
	g, ok := guessCRS(samples, unprefixedEPSG(40))
	if !ok || g.EPSG != 4528 || len(g.Outliers) != 1 || g.Outliers[0] != 20 {
		t.Errorf("guess %+v ok %v", g, ok)
	}
	if _, ok := guessCRS(samples[19:], unprefixedEPSG(40)); ok {
		t.Error("one good point against one bad one must not decide")
	}
}

func TestKnownCRSRoundTrip(t *testing.T) {
	// The reference points of the design: 丽水 city and 丽水机场 in EPSG:4528.
	for _, tc := range []struct{ lon, lat, x, y float64 }{
		{119.922, 28.451, 3148425.44, 40492359.95},
		{119.84333, 28.37806, 3140349.28, 40484643.75},
	} {
		k, _ := lookupCRS(4528)
		p := k.toLonLat(orb.Point{tc.y, tc.x})
		if d := metres(math.Hypot(p[0]-tc.lon, p[1]-tc.lat)); d > 0.02 {
			t.Errorf("EPSG:4528 (%v, %v) → %v, %.3f m from %v, %v", tc.x, tc.y, p, d, tc.lon, tc.lat)
		}
		k, _ = lookupCRS(4549)
		p = k.toLonLat(orb.Point{tc.y - 40e6, tc.x})
		if d := metres(math.Hypot(p[0]-tc.lon, p[1]-tc.lat)); d > 0.02 {
			t.Errorf("EPSG:4549 → %v, %.3f m off", p, d)
		}
	}
	// Every CGCS2000 GK code inverts its own forward projection.
	for code := 4491; code <= 4554; code++ {
		k, ok := lookupCRS(code)
		if !ok || k.Kind != kindGK {
			t.Fatalf("EPSG:%d not known", code)
		}
		lon, lat := k.CM+0.7, 30.0
		n, e := geodesy.ToGaussKruger(lon, lat, k.CM)
		p := k.toLonLat(orb.Point{e + k.Prefix, n})
		if math.Abs(p[0]-lon) > 1e-9 || math.Abs(p[1]-lat) > 1e-9 {
			t.Errorf("EPSG:%d %s: %v, want %v, %v", code, k.Name, p, lon, lat)
		}
		if c, ok := classifyPoint(e+k.Prefix, n, unprefixedEPSG(40)); !ok || (k.Prefix != 0 && c.EPSG != code) {
			t.Errorf("EPSG:%d coordinates classified as %+v %v", code, c, ok)
		}
	}
}

func TestShortFieldNames(t *testing.T) {
	in := []string{"name", "disposition", "dispositions", "area_m2", "名称", "面积_亩", "developable_mu", "Developable_mu_2", "1st", "NAME", "a-b c"}
	got := shortFieldNames(in)
	want := []string{"name", "dispositio", "disposit_2", "area_m2", "F5", "F6", "developabl", "Developa_2", "F1st", "NAME_2", "a_b_c"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("shortFieldNames = %q\nwant %q", got, want)
	}
	seen := map[string]bool{}
	for _, s := range got {
		if len(s) > 10 || !isASCII([]byte(s)) || seen[strings.ToLower(s)] {
			t.Errorf("bad or repeated DBF name %q", s)
		}
		seen[strings.ToLower(s)] = true
	}
}

func TestSniffText(t *testing.T) {
	gbk, _ := gbkBytes("丽水经济技术开发区")
	utf := []byte("丽水经济技术开发区")
	for _, tc := range []struct {
		name   string
		chunks [][]byte
		want   textVerdict
	}{
		{"ascii", [][]byte{[]byte("abc")}, textASCII},
		{"utf8", [][]byte{utf}, textUTF8},
		{"utf8 cut mid-character", [][]byte{utf[:len(utf)-1]}, textUTF8},
		{"gbk", [][]byte{gbk}, textGBK},
		{"gbk cut mid-character", [][]byte{gbk[:len(gbk)-1]}, textGBK},
		{"latin1", [][]byte{{0x41, 0xE9, 0x20, 0xFF, 0xFF}}, textUnknown},
	} {
		if got := sniffText(tc.chunks); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseOgrinfo(t *testing.T) {
	out := "INFO: Open of `x.shp'\n      using driver `ESRI Shapefile' successful.\n\n" +
		"Layer name: 地块\nGeometry: Polygon\nFeature Count: 4\n" +
		"Extent: (40490000.000000, 3140000.500000) - (40500000.000000, 3150000.000000)\n" +
		"Layer SRS WKT:\nPROJCRS[\"CGCS2000 / 3-degree Gauss-Kruger zone 40\",\n    BASEGEOGCRS[\"China Geodetic Coordinate System 2000\"],\n    ID[\"EPSG\",4528]]\n" +
		"Data axis to CRS axis mapping: 1,2\nNAME: String (80.0)\n" +
		"Layer name: second\nGeometry: None\nFeature Count: 2\nLayer SRS WKT:\n(unknown)\n"
	driver, layers := parseOgrinfo(out)
	if driver != "ESRI Shapefile" || len(layers) != 2 {
		t.Fatalf("driver %q layers %+v", driver, layers)
	}
	l := layers[0]
	if l.Name != "地块" || l.Geometry != "Polygon" || l.Count != 4 || l.EPSG != 4528 || l.SRSName != "CGCS2000 / 3-degree Gauss-Kruger zone 40" ||
		l.Extent == nil || l.Extent.Min[1] != 3140000.5 || l.Geographic() {
		t.Errorf("layer %+v", l)
	}
	if layers[1].WKT != "" || layers[1].Geometry != "None" {
		t.Errorf("layer 2 %+v", layers[1])
	}
}

func TestCleanMText(t *testing.T) {
	for in, want := range map[string]string{
		`{\fSimSun|b0|i0|c134|p2;丽水}经开区`: "丽水经开区",
		`第一行\P第二行`:                       "第一行 第二行",
		`\H2.5;\C1;空港园`:                  "空港园",
		"  plain  ":                      "plain",
	} {
		if got := cleanMText(in); got != want {
			t.Errorf("cleanMText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseProgress(t *testing.T) {
	var got []float64
	parseProgress(strings.NewReader("0...10...20...30...40...50...60...70...80...90...100 - done.\n"), func(p float64) { got = append(got, p) })
	if len(got) == 0 || got[len(got)-1] != 100 {
		t.Fatalf("progress %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("progress goes back: %v", got)
		}
	}
}

func TestSniffBytes(t *testing.T) {
	for _, tc := range []struct {
		head   string
		format string
		other  string
	}{
		{"PK\x03\x04rest", formatZip, ""},
		{"SQLite format 3\x00", FormatGPKG, ""},
		{"\x00\x00\x27\x0a" + strings.Repeat("\x00", 96), FormatShp, ""},
		{"\xEF\xBB\xBF  {\"type\":\"FeatureCollection\"}", FormatGeoJSON, ""},
		{"<?xml version=\"1.0\"?><kml xmlns=\"http://www.opengis.net/kml/2.2\">", FormatKML, ""},
		{"  0\r\nSECTION\r\n  2\r\nHEADER", FormatDXF, ""},
		{"\x89PNG\r\n\x1a\n", "", "PNG"},
		{"AC1027\x00\x00", "", "DWG"},
		{"Rar!\x1a\x07", "", "RAR"},
		{"<OGRVRTDataSource><OGRVRTLayer>", "", "VRT"},
		{"名称,WKT\n", "text", ""},
	} {
		m := sniffBytes([]byte(tc.head))
		if m.format != tc.format || !strings.Contains(m.other, tc.other) {
			t.Errorf("sniffBytes(%q) = %+v, want %q / %q", tc.head, m, tc.format, tc.other)
		}
	}
}

func TestListFormats(t *testing.T) {
	ids := map[string]bool{}
	for _, f := range ListFormats() {
		ids[f.ID] = true
		if f.Name == "" || f.Notes == "" || (f.Export && f.ContentType == "") {
			t.Errorf("format %+v incomplete", f)
		}
	}
	for _, id := range []string{FormatGeoJSON, FormatShp, FormatGPKG, FormatFileGDB, FormatKML, FormatKMZ, FormatDXF, FormatCSV, FormatXLSX} {
		if !ids[id] {
			t.Errorf("ListFormats lacks %s", id)
		}
	}
	if l := ListCRS(nil); len(l) != 4 || l[2].Code != CRS4549 || l[3].Code != CRS4528 || l[3].Note != "CGCS2000 3 度带高斯-克吕格 40 带，东坐标带 40 带号" {
		t.Errorf("ListCRS: %v", l)
	}
}

// TestGDALDetailHidesWorkPaths: GDAL's messages name the files wanmu works
// on in its temporary directories; the planner is told only the file's name.
func TestGDALDetailHidesWorkPaths(t *testing.T) {
	for in, want := range map[string]string{
		"`/tmp/wanmu-import-1571380703/upload.dxf' not recognized as a supported file format.": "`upload.dxf' not recognized as a supported file format.",
		"Failed to open /var/tmp/wanmu-export-99/out/zones.shp: Permission denied":             "Failed to open zones.shp: Permission denied",
		"/tmp/wanmu-handover-3/out/城镇 开发边界.shp: No such file or directory":                     "城镇 开发边界.shp: No such file or directory",
		"Layer 甲 has no geometry column":                                                       "Layer 甲 has no geometry column",
		"Cannot open /tmp/wanmu-uploads-1000/4242-a1b2/wanmu-import-77/upload.gpkg: disk I/O":  "Cannot open upload.gpkg: disk I/O",
		os.TempDir() + "/wanmu-import-5/unzip/a.shp: x":                                        "a.shp: x",
	} {
		if got := gdalDetail(&gdalError{Tool: "ogr2ogr", Messages: []string{in}}); got != want {
			t.Errorf("gdalDetail(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadSiblingIsBounded: a .cpg is read only as far as a code page name
// can go, however long the upload made it.
func TestReadSiblingIsBounded(t *testing.T) {
	base := t.TempDir() + "/zones"
	if err := os.WriteFile(base+".CPG", []byte("UTF-8"+strings.Repeat(" ", 1<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := readSibling(base, ".cpg")
	if err != nil || len(b) != maxSidecar || !strings.HasPrefix(string(b), "UTF-8") {
		t.Errorf("readSibling: %d bytes, %v", len(b), err)
	}
}
