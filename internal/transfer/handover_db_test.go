package transfer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/xuri/excelize/v2"

	"wanmu/geodata"
	"wanmu/internal/exchange"
	"wanmu/internal/geodesy"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/synth"
	"wanmu/internal/testdb"
	"wanmu/internal/testenv"
)

func hoRequireGDAL(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ogr2ogr", "ogrinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "%s not found: install gdal-bin", tool)
		}
	}
}

// hoOgrLayer is what ogrinfo says of one layer.
type hoOgrLayer struct {
	Name  string
	Count int
	EPSG  int
}

var (
	hoCountRE = regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)
	hoEPSGRE  = regexp.MustCompile(`(?m)^    ID\["EPSG",(\d+)\]\]$`) // the CRS's own code, not its parts'
)

// hoOgrLayers opens a data source with the real ogrinfo and lists its layers.
func hoOgrLayers(t *testing.T, src string) []hoOgrLayer {
	t.Helper()
	out, err := exec.Command("ogrinfo", "-ro", "-so", "-al", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", src, err, out)
	}
	var ls []hoOgrLayer
	for _, block := range strings.Split(string(out), "\nLayer name: ")[1:] {
		l := hoOgrLayer{Name: strings.TrimSpace(strings.SplitN(block, "\n", 2)[0]), Count: -1}
		if m := hoCountRE.FindStringSubmatch(block); m != nil {
			l.Count, _ = strconv.Atoi(m[1])
		}
		if m := hoEPSGRE.FindStringSubmatch(block); m != nil {
			l.EPSG, _ = strconv.Atoi(m[1])
		}
		ls = append(ls, l)
	}
	return ls
}

// hoUnzip unpacks the package into dir and returns its entries.
func hoUnzip(t *testing.T, b []byte, dir string) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		target := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// hoPackage makes the package of the service's data and unpacks it; it
// returns the package folder and its entries.
func hoPackage(t *testing.T, svc *Service) (string, []string) {
	t.Helper()
	var buf bytes.Buffer
	date := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := svc.Handover(context.Background(), &buf, exchange.HandoverOptions{CRS: "EPSG:4528", Date: date}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := hoUnzip(t, buf.Bytes(), dir)
	return filepath.Join(dir, "wanmu-handover-20250301"), names
}

// TestHandoverSample: the package of the sample data opens layer by layer
// in GDAL, its developable land adds up to the reports' figures, and it
// says it is sample data.
func TestHandoverSample(t *testing.T) {
	hoRequireGDAL(t)
	ctx := context.Background()
	st := store.New(testdb.New(t))
	data, err := synth.ReadFS(geodata.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := sample.Load(ctx, st, data); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: st, Reports: st}
	start := time.Now()
	base, names := hoPackage(t, svc)
	t.Logf("handover of the sample data: %v, %d entries", time.Since(start), len(names))

	ps, _ := st.ListPlatforms(ctx, false)
	zs, _ := st.ListZones(ctx, store.ZoneFilter{})
	ls, _ := st.ListLayers(ctx)
	var used []store.Layer
	for _, l := range ls {
		if l.Enabled && l.Kind != "reference" {
			used = append(used, l)
		}
	}
	// Every layer, in both formats, opens with its features in EPSG:4528.
	want := map[string]int{"platforms": len(ps), "zones": len(zs)}
	for _, l := range used {
		want[l.Name] = l.Features
	}
	gpkg := hoOgrLayers(t, filepath.Join(base, "gpkg", "wanmu.gpkg"))
	if len(gpkg) != 4+len(used) {
		t.Errorf("GeoPackage has %d layers, want %d: %+v", len(gpkg), 4+len(used), gpkg)
	}
	var shps []string
	for _, n := range names {
		if strings.HasSuffix(n, ".shp") {
			shps = append(shps, n)
		}
	}
	if len(shps) != len(gpkg) {
		t.Errorf("%d Shapefiles, want %d: %v", len(shps), len(gpkg), shps)
	}
	counts := map[int]int{} // feature count → layers with it, in both formats
	for _, l := range gpkg {
		if l.EPSG != 4528 || l.Count < 0 {
			t.Errorf("gpkg layer %+v", l)
		}
		counts[l.Count]++
	}
	for _, n := range shps {
		l := hoOgrLayers(t, filepath.Join(filepath.Dir(base), filepath.FromSlash(n)))
		if len(l) != 1 || l[0].EPSG != 4528 {
			t.Errorf("%s: %+v", n, l)
			continue
		}
		counts[l[0].Count]--
	}
	for c, n := range counts {
		if n != 0 {
			t.Errorf("Shapefiles and GeoPackage disagree on the layers with %d features", c)
		}
	}
	for _, n := range want {
		if counts[n] == 0 && !hoHasCount(gpkg, n) {
			t.Errorf("no layer has %d features (want %v, have %+v)", n, want, gpkg)
		}
	}

	// The developable land adds up to each report's figure.
	dev := hoReadLayer(t, filepath.Join(base, "gpkg", "wanmu.gpkg"), hoLayerNamed(t, gpkg, "可开发空间", "developable"))
	sums := map[int64]float64{}
	for _, f := range dev {
		sums[f.platform] += f.areaM2
		if math.Abs(f.geomM2-f.areaM2) > 1e-6*f.areaM2+0.01 {
			t.Errorf("platform %d: developable polygon measures %.2f m², attribute %.2f", f.platform, f.geomM2, f.areaM2)
		}
	}
	worst := 0.0
	for _, p := range ps {
		r, err := st.Report(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := sums[p.ID]
		rel := math.Abs(got-r.Developable.M2) / r.Developable.M2
		if rel > 1e-6 {
			t.Errorf("%s: developable polygons add to %.4f m², report %.4f (relative %.2g)", p.Name, got, r.Developable.M2, rel)
		}
		worst = max(worst, rel)
	}
	t.Logf("developable polygons against the reports: worst relative difference %.2g over %d platforms", worst, len(ps))

	readme := hoReadText(t, filepath.Join(base, "README.txt"))
	for _, s := range []string{exchange.IllustrativeNotice, "EPSG:4528", "2000/3", "可开发空间 = 平台范围", "10000 亩", "修订记录号"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	for _, l := range used {
		if line := l.Name + "（"; !strings.Contains(readme, line) || !strings.Contains(readme, strconv.Itoa(l.Features)+" 个要素，导入于 "+l.ImportedAt.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02")) { // the README dates in Beijing time
			t.Errorf("README lacks the provenance of %s (%d features, imported %v)", l.Name, l.Features, l.ImportedAt)
		}
	}
	hoCheckMetadata(t, filepath.Join(base, "metadata.xml"), true)
	hoCheckAreaTable(t, filepath.Join(base, "area_table.xlsx"), ps, st)
}

func hoHasCount(ls []hoOgrLayer, n int) bool {
	for _, l := range ls {
		if l.Count == n {
			return true
		}
	}
	return false
}

// hoLayerNamed finds a GeoPackage layer by its Chinese or ASCII name.
func hoLayerNamed(t *testing.T, ls []hoOgrLayer, names ...string) string {
	t.Helper()
	for _, l := range ls {
		for _, n := range names {
			if l.Name == n {
				return n
			}
		}
	}
	t.Fatalf("no layer named %v in %+v", names, ls)
	return ""
}

type hoFeature struct {
	platform       int64
	areaM2, geomM2 float64
}

// hoReadLayer reads a layer's platform_id, area_m2 and geometry (in EPSG:4490,
// measured by the Go geodesy package, independently of PostGIS) with
// ogr2ogr as CSV with WKT.
func hoReadLayer(t *testing.T, src, layer string) []hoFeature {
	t.Helper()
	out, err := exec.Command("ogr2ogr", "-f", "CSV", "-t_srs", "EPSG:4490", "-lco", "GEOMETRY=AS_WKT",
		"-select", "platform_id,area_m2", "/vsistdout/", src, layer).Output()
	if err != nil {
		t.Fatalf("read %s: %v", layer, err)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(recs) == 0 || len(recs[0]) != 3 {
		t.Fatalf("read %s: %v %q", layer, err, recs)
	}
	var fs []hoFeature
	for _, r := range recs[1:] {
		g, err := wkt.Unmarshal(r[0])
		if err != nil {
			t.Fatalf("%s: %v", layer, err)
		}
		id, _ := strconv.ParseInt(r[1], 10, 64)
		m2, _ := strconv.ParseFloat(r[2], 64)
		var area float64
		switch g := g.(type) {
		case orb.MultiPolygon:
			area = geodesy.EllipsoidalAreaMulti(g)
		case orb.Polygon:
			area = geodesy.EllipsoidalArea(g)
		default:
			t.Fatalf("%s: a %T", layer, g)
		}
		fs = append(fs, hoFeature{platform: id, areaM2: m2, geomM2: area})
	}
	return fs
}

func hoReadText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hoCheckMetadata(t *testing.T, path string, illustrative bool) {
	t.Helper()
	var m struct {
		EPSG       string   `xml:"referenceSystemInfo>MD_ReferenceSystem>referenceSystemIdentifier>RS_Identifier>code>CharacterString"`
		Limitation []string `xml:"identificationInfo>MD_DataIdentification>resourceConstraints>MD_Constraints>useLimitation>CharacterString"`
		Sources    []string `xml:"dataQualityInfo>DQ_DataQuality>lineage>LI_Lineage>source>LI_Source>sourceCitation>CI_Citation>title>CharacterString"`
	}
	if err := xml.Unmarshal([]byte(hoReadText(t, path)), &m); err != nil {
		t.Fatalf("metadata.xml: %v", err)
	}
	if m.EPSG != "4528" || len(m.Sources) == 0 && illustrative {
		t.Errorf("metadata %+v", m)
	}
	if got := strings.Contains(strings.Join(m.Limitation, ""), exchange.IllustrativeNotice); got != illustrative {
		t.Errorf("metadata disclaimer %v, want %v", got, illustrative)
	}
}

// hoCheckAreaTable: the summary's 合计 row adds up the reports.
func hoCheckAreaTable(t *testing.T, path string, ps []store.Platform, st *store.Store) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(exchange.SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	k := -1
	for i, h := range rows[2] {
		if h == "可开发面积（平方米）" {
			k = i
		}
	}
	total := rows[3+len(ps)]
	if k < 0 || total[1] != "合计" {
		t.Fatalf("summary header %q, total row %q", rows[2], total)
	}
	var want float64
	for _, p := range ps {
		r, _ := st.Report(context.Background(), p.ID)
		want += r.Developable.M2
	}
	if got, _ := strconv.ParseFloat(total[k], 64); math.Abs(got-want) > 1e-6*want {
		t.Errorf("合计 developable %.2f m², reports add to %.2f", got, want)
	}
}

// TestHandoverSurveyed: data nobody marked illustrative carries no
// disclaimer, zones outside any platform are counted as such, and a
// platform whose land is all excluded has no developable feature.
func TestHandoverSurveyed(t *testing.T) {
	hoRequireGDAL(t)
	ctx := context.Background()
	st := store.New(testdb.New(t))
	actor := store.Change{Actor: "test"}
	zone := func(name string, g orb.MultiPolygon) store.Zone {
		kind, county := "park", "331102"
		z, err := st.CreateZone(ctx, store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Geom: g}, actor)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	a := zone("甲园区", hoRect(119.80, 28.30, 119.84, 28.33))
	b := zone("乙园区", hoRect(119.90, 28.30, 119.92, 28.32))
	zone("丙功能区（不属于任何平台）", hoRect(119.95, 28.30, 119.96, 28.31))
	for _, p := range []struct {
		name string
		zone int64
	}{{"甲平台", a.ID}, {"乙平台", b.ID}} {
		name := p.name
		if _, err := st.CreatePlatform(ctx, store.PlatformFields{Name: &name}, []int64{p.zone}, actor); err != nil {
			t.Fatal(err)
		}
	}
	red, _ := wkb.Marshal(hoRect(119.81, 28.31, 119.82, 28.32))
	all, _ := wkb.Marshal(hoRect(119.89, 28.29, 119.93, 28.33))
	if _, _, err := st.CreateLayer(ctx, store.Change{}, "生态保护红线", "exclude", "红线.zip", []store.LayerFeature{{Geom: red}, {Geom: all}}, nil); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Store: st, Reports: st}
	base, _ := hoPackage(t, svc)
	gpkg := hoOgrLayers(t, filepath.Join(base, "gpkg", "wanmu.gpkg"))
	dev := hoReadLayer(t, filepath.Join(base, "gpkg", "wanmu.gpkg"), hoLayerNamed(t, gpkg, "可开发空间", "developable"))
	if len(dev) != 1 {
		t.Errorf("%d developable features, want 1 (乙平台 is all red line)", len(dev))
	}
	ded := hoLayerNamed(t, gpkg, "扣除用地", "deducted")
	for _, l := range gpkg {
		if l.Name == ded && l.Count != 2 {
			t.Errorf("deducted land has %d features, want one per platform", l.Count)
		}
	}
	// The DBF declares the areas with 2 (m²) and 4 (mu, ha) decimals.
	readme := hoReadText(t, filepath.Join(base, "README.txt"))
	m := regexp.MustCompile(`Shapefile shp/(\S+)\.shp；GeoPackage 图层 可开发空间`).FindStringSubmatch(readme)
	if m == nil {
		t.Fatalf("README does not name the developable land's Shapefile:\n%s", readme)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-so", "-al", filepath.Join(base, "shp", m[1]+".shp")).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`area_m2: Real \(\d+\.2\)`, `area_mu: Real \(\d+\.4\)`, `area_ha: Real \(\d+\.4\)`} {
		if !regexp.MustCompile(re).Match(out) {
			t.Errorf("developable.shp lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(readme, exchange.IllustrativeNotice) {
		t.Error("README of surveyed data carries the sample-data disclaimer")
	}
	for _, s := range []string{"3 个要素；其中 2 个属于某一平台", "1 个未纳入任何平台", "生态保护红线（扣除）：第 1 版，2 个要素", "来源：红线.zip"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	hoCheckMetadata(t, filepath.Join(base, "metadata.xml"), false)
}

func hoRect(w, s, e, n float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}}
}

// TestHandoverEmpty: an installation without data still hands over a
// package whose layers open (empty) and whose README says so.
func TestHandoverEmpty(t *testing.T) {
	hoRequireGDAL(t)
	st := store.New(testdb.New(t))
	base, _ := hoPackage(t, &Service{Store: st, Reports: st})
	gpkg := hoOgrLayers(t, filepath.Join(base, "gpkg", "wanmu.gpkg"))
	if len(gpkg) != 4 {
		t.Errorf("GeoPackage layers %+v, want platforms, zones, developable and deducted land", gpkg)
	}
	// Empty layers still state their CRS, in both formats.
	shps, _ := filepath.Glob(filepath.Join(base, "shp", "*.shp"))
	if len(shps) != 4 {
		t.Errorf("Shapefiles %v, want four", shps)
	}
	for _, shp := range shps {
		gpkg = append(gpkg, hoOgrLayers(t, shp)...)
	}
	for _, l := range gpkg {
		if l.Count != 0 || l.EPSG != 4528 {
			t.Errorf("layer %+v, want empty, in EPSG:4528", l)
		}
	}
	readme := hoReadText(t, filepath.Join(base, "README.txt"))
	for _, s := range []string{"0 个现状分区，最后修改 无修改记录", "计算时未启用任何约束图层"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	hoCheckMetadata(t, filepath.Join(base, "metadata.xml"), false)
}
