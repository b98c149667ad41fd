package exchange

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wanmu/internal/geodesy"
)

// HandoverOptions choose the CRS, encoding and date of a handover package.
type HandoverOptions struct {
	CRS        string    // EPSG:4490 (default), 4326 or a CGCS2000 3° Gauss-Kruger code (4528, 4549, …)
	Encoding   string    // Shapefile DBF text: UTF-8 (default) or GBK
	Date       time.Time // zero means now
	Title      string    // "" means "产业平台整合成果"
	Definition string    // the developable-area definition in force, for README and table
	TempDir    string
	Progress   func(done, total int64)
}

// HandoverPackage is what a handover holds, built by the caller from the
// store. Layer names must be distinct.
type HandoverPackage struct {
	Platforms   ExportLayer   // dissolved platforms with their report figures
	Zones       ExportLayer   // every live zone, in a platform or not
	Developable ExportLayer   // each platform's developable land
	Deducted    ExportLayer   // each platform's deducted land, by reason
	Constraints []ExportLayer // the constraint layers the figures used, as Provenance.Layers
	Table       []PlatformRow
	Provenance  Provenance
}

// Provenance says which data and rules the figures come from.
type Provenance struct {
	Zones, MemberZones, Platforms      int   // live zones, those in a platform, live platforms
	ZoneRevision, PlatformRevision     int64 // last revision of any zone / platform, 0 if none
	ZonesChangedAt, PlatformsChangedAt time.Time
	Layers                             []LayerSource // constraint layers in force, in report order
	// IllustrativeZones counts the zones marked as illustrative (示例数据).
	IllustrativeZones int
}

// LayerSource describes one constraint layer the figures used.
type LayerSource struct {
	Name         string // e.g. "生态保护红线"
	Kind         string // include | exclude
	Source       string // where it was imported from
	Version      int
	Features     int
	ImportedAt   time.Time
	Illustrative bool // some feature is marked illustrative (示例数据)
}

// Illustrative says whether any zone or constraint layer is sample data.
func (p Provenance) Illustrative() bool {
	if p.IllustrativeZones > 0 {
		return true
	}
	for _, l := range p.Layers {
		if l.Illustrative {
			return true
		}
	}
	return false
}

// Handover file names inside the package folder.
const (
	handoverShpDir     = "shp/"
	handoverGPKG       = "gpkg/wanmu.gpkg"
	handoverTable      = "area_table.xlsx"
	handoverAttributes = "attributes.xlsx"
	handoverReadme     = "README.txt"
	handoverMetadata   = "metadata.xml"
	handoverGPKGDoc    = "wanmu"
)

// layers lists the package's layers in the order files and README show them.
func (p HandoverPackage) layers() []ExportLayer {
	return append([]ExportLayer{p.Platforms, p.Zones, p.Developable, p.Deducted}, p.Constraints...)
}

// beijing is China Standard Time.
var beijing = time.FixedZone("UTC+8", 8*3600)

// Handover writes the package a land-use planner receives: one zip holding
// a folder with every layer (platforms, zones, developable and deducted land,
// the constraint layers used) as Shapefiles (with fields.csv) and as one
// GeoPackage in the chosen CRS, the XLSX area table and attribute tables,
// an ISO 19139 metadata.xml and a Chinese README.txt stating provenance,
// definition, threshold, CRS, area method and units.
func Handover(ctx context.Context, w io.Writer, pkg HandoverPackage, opts HandoverOptions) error {
	if opts.Date.IsZero() {
		opts.Date = time.Now()
	}
	// Times in the README and metadata are read in China: Beijing time
	// (UTC+8, no daylight saving), whatever the server's zone.
	opts.Date = opts.Date.In(beijing)
	if opts.Title == "" {
		opts.Title = "产业平台整合成果"
	}
	if len(pkg.Constraints) != len(pkg.Provenance.Layers) {
		// The caller's mistake, not the user's: a plain error (a 500).
		return fmt.Errorf("handover: %d constraint layers but %d provenance entries; each constraint layer needs one (Provenance.Layers), in the same order",
			len(pkg.Constraints), len(pkg.Provenance.Layers))
	}
	layers := pkg.layers()
	base := ExportOptions{CRS: opts.CRS, Encoding: opts.Encoding, Name: handoverGPKGDoc, Date: opts.Date, TempDir: opts.TempDir}
	shpOpts, gpkgOpts, xlsxOpts := base, base, base
	shpOpts.Format, gpkgOpts.Format, xlsxOpts.Format = FormatShp, FormatGPKG, FormatXLSX
	job, err := newExportJob(layers, shpOpts)
	if err != nil {
		return err
	}
	gpkgJob, err := newExportJob(layers, gpkgOpts)
	if err != nil {
		return err
	}
	prog := newProgress(opts.Progress)
	tmp, err := os.MkdirTemp(opts.TempDir, "wanmu-handover-")
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	defer os.RemoveAll(tmp)

	sub := func(from, to float64) func(done, total int64) {
		s := prog.span(from, to)
		return func(done, total int64) { s(float64(done) / float64(max(total, 1))) }
	}
	shpPath := filepath.Join(tmp, "shp.zip")
	shpOpts.Progress = sub(0, 400)
	if err := exportToFile(ctx, shpPath, layers, shpOpts); err != nil {
		return fmt.Errorf("handover shapefile: %w", err)
	}
	gpkgPath := filepath.Join(tmp, "wanmu.gpkg")
	gpkgOpts.Progress = sub(400, 800)
	if err := exportToFile(ctx, gpkgPath, layers, gpkgOpts); err != nil {
		return fmt.Errorf("handover geopackage: %w", err)
	}
	attrPath := filepath.Join(tmp, handoverAttributes)
	xlsxOpts.Progress = sub(800, 900)
	if err := exportToFile(ctx, attrPath, layers, xlsxOpts); err != nil {
		return fmt.Errorf("handover attribute tables: %w", err)
	}
	crsLabel := crsDescription(job.epsg)
	xlsxPath := filepath.Join(tmp, handoverTable)
	xf, err := os.Create(xlsxPath)
	if err != nil {
		return err
	}
	err = AreaTable(xf, pkg.Table, AreaTableOptions{Title: opts.Title + " 可开发空间面积表", Definition: opts.Definition, CRS: crsLabel, Date: opts.Date,
		Illustrative: pkg.Provenance.Illustrative()})
	if cerr := xf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("handover area table: %w", err)
	}
	prog.set(950)

	shpFiles, err := zipEntryNames(shpPath)
	if err != nil {
		return fmt.Errorf("handover shapefile: %w", err)
	}
	doc := handoverDoc{opts: opts, pkg: pkg, epsg: job.epsg, enc: job.enc, crs: crsLabel, shpFiles: shpFiles,
		shpNames: job.names, gpkgNames: gpkgJob.names}
	folder := "wanmu-handover-" + opts.Date.Format("20060102") + "/"
	zw := newZipWriter(w, opts.Date)
	if err := zw.addReader(folder+handoverReadme, strings.NewReader(doc.readme())); err != nil {
		return err
	}
	if err := zw.addReader(folder+handoverMetadata, strings.NewReader(doc.metadata())); err != nil {
		return err
	}
	if err := copyZipEntries(zw, shpPath, folder+handoverShpDir); err != nil {
		return fmt.Errorf("handover shapefile: %w", err)
	}
	for _, f := range []struct{ name, path string }{{handoverGPKG, gpkgPath}, {handoverTable, xlsxPath}, {handoverAttributes, attrPath}} {
		if err := zw.addFile(folder+f.name, f.path); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	prog.set(ProgressTotal)
	return nil
}

// zipEntryNames lists the names in the zip at path.
func zipEntryNames(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names, nil
}

// exportToFile runs Export into a file.
func exportToFile(ctx context.Context, path string, layers []ExportLayer, opts ExportOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, _, err = Export(ctx, f, layers, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyZipEntries copies every entry of the zip at path into zw under prefix.
func copyZipEntries(zw *zipWriter, path, prefix string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = zw.addReader(prefix+f.Name, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// crsDescription says in Chinese what an export CRS is.
func crsDescription(epsg int) string {
	if k, ok := lookupCRS(epsg); ok && k.Kind == kindGK {
		if k.Prefix != 0 {
			zone := int(k.Prefix / 1e6)
			return fmt.Sprintf("%s（CGCS2000 国家大地坐标系 3 度带高斯-克吕格投影第 %d 带，中央经线 %g°E，东坐标带 %d 带号，单位米；X 为北坐标，Y 为东坐标）", k.label(), zone, k.CM, zone)
		}
		return fmt.Sprintf("%s（CGCS2000 国家大地坐标系 3 度带高斯-克吕格投影，中央经线 %g°E，东坐标不带带号，单位米；X 为北坐标，Y 为东坐标）", k.label(), k.CM)
	}
	switch epsg {
	case geodesy.EPSGWGS84:
		return "EPSG:4326 WGS 84 经纬度（与 CGCS2000 相差厘米级）"
	}
	return "EPSG:4490 CGCS2000 经纬度（CGCS2000 国家大地坐标系，单位度）"
}
