package exchange

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wanmu/internal/geodesy"
	"wanmu/internal/region"
)

// ExportLayer is one layer to export: features with geometry in EPSG:4490
// lon/lat and properties written in the order of Fields (properties not in
// Fields are left out). Areas are not recomputed: pass the ellipsoidal
// area_m2/area_mu the report computed as properties.
type ExportLayer struct {
	// Name is the ASCII name, letters, digits, _ and - (e.g. "zones",
	// "layer_7"): the layer and file name where a format needs ASCII
	// (Shapefile), and the fallback when Title is empty or not unique.
	Name string
	// Title is the layer's own name (e.g. "生态保护红线"): its layer and file
	// name in GPKG, FileGDB, GeoJSON, CSV and KML, its XLSX sheet, and the
	// download name, made safe as a file name (sanitizeFileName).
	Title    string
	Fields   []Field
	Features []Feature
}

// ExportOptions choose the format, CRS and encoding of an export.
type ExportOptions struct {
	// Format is a Format constant: geojson, shp, gpkg, filegdb, kml, kmz,
	// dxf, csv or xlsx.
	Format string
	// CRS is EPSG:4490 (default), EPSG:4326 or a CGCS2000 3-degree
	// Gauss-Kruger code (EPSG:4513–4554; 丽水's zone 40 is EPSG:4528 with
	// the zone prefix, EPSG:4549 without). KML/KMZ are always EPSG:4326; DXF
	// must be Gauss-Kruger, by default the region's zone with its prefix.
	CRS string
	// Region gives DXF's default zone (nil: 丽水, EPSG:4528).
	Region *region.Region
	// Encoding of Shapefile DBF and CSV text: UTF-8 (default) or GBK.
	// Other formats are always UTF-8.
	Encoding string
	// Name is the download's base name; "" uses the layer's Title (or
	// Name) when there is one layer, else "wanmu".
	Name string
	// NameField is the field shown as the label in KML and DXF; "" picks
	// "name" or "名称" if present.
	NameField string
	// Date stamps the files in archives; zero means now.
	Date time.Time
	// TempDir is where scratch files go; "" means os.TempDir().
	TempDir string
	// Progress, if set, is called with done/ProgressTotal as work proceeds.
	Progress func(done, total int64)
}

// exportJob is an export with its options checked.
type exportJob struct {
	spec      *formatSpec
	layers    []ExportLayer
	fields    [][]Field // per layer, types resolved
	names     []string  // per layer, the layer and file name this format gets (see layerNames)
	epsg      int       // target CRS of the coordinates
	enc       string
	base      string // download base name, safe as a file name
	nameField string
	date      time.Time
	tmp       string // scratch folder of this export

	fieldTable []fieldTableRow // Shapefile field names, for fields.csv
	outNames   [][]string      // per layer, the field names as written
}

// ExportTarget returns the file name and media type Export will produce,
// so an HTTP handler can set its headers first. It checks the options.
func ExportTarget(layers []ExportLayer, opts ExportOptions) (filename, contentType string, err error) {
	j, err := newExportJob(layers, opts)
	if err != nil {
		return "", "", err
	}
	name, ct := j.target()
	return name, ct, nil
}

func newExportJob(layers []ExportLayer, opts ExportOptions) (*exportJob, error) {
	spec := formatByID(opts.Format)
	if spec == nil || !spec.Export {
		return nil, errorf(CodeInvalidOption, "不支持的导出格式 %q；可选 %s", "unsupported export format %q; choose %s",
			opts.Format, exportFormatList())
	}
	j := &exportJob{spec: spec, layers: layers, date: opts.Date}
	if j.date.IsZero() {
		j.date = time.Now()
	}
	epsg, err := parseCRS(opts.CRS)
	if err != nil {
		return nil, err
	}
	switch {
	case spec.FixedEPSG != 0:
		epsg = spec.FixedEPSG // KML is WGS84 by its specification, whatever was asked
	case epsg == 0 && spec.Projected:
		epsg = DefaultProjectedEPSG(opts.Region)
	case epsg == 0 && spec.DefaultEPSG != 0:
		epsg = spec.DefaultEPSG
	case spec.Projected && !projectedEPSG(epsg):
		z := regionOrDefault(opts.Region).MainZone()
		return nil, errorf(CodeInvalidOption, "%s 需要平面坐标：请选择 CGCS2000 高斯-克吕格坐标，如 EPSG:%d（带 %d 带号）或 EPSG:%d",
			"%s needs projected coordinates: choose CGCS2000 Gauss-Kruger, such as EPSG:%d (zone prefix %d) or EPSG:%d",
			spec.Name, prefixedEPSG(z), z, unprefixedEPSG(z))
	case epsg == 0:
		epsg = geodesy.EPSGCGCS2000
	}
	if !ExportableEPSG(epsg) {
		return nil, errorf(CodeInvalidOption, "导出坐标系只能是 EPSG:4490、4326 或 CGCS2000 3 度带高斯-克吕格（EPSG:4513–4554，如 4528、4549），不能是 EPSG:%d",
			"the export CRS must be EPSG:4490, 4326 or CGCS2000 3-degree Gauss-Kruger (EPSG:4513–4554, such as 4528 or 4549), not EPSG:%d", epsg)
	}
	j.epsg = epsg
	enc, err := normalizeEncoding(opts.Encoding)
	if err != nil {
		return nil, err
	}
	if enc == "GB18030" {
		enc = EncodingGBK
	}
	if enc == "" || !spec.Encodings {
		enc = EncodingUTF8
	}
	j.enc = enc
	if len(layers) == 0 {
		return nil, newError(CodeInvalidInput, "没有要导出的图层", "no layers to export")
	}
	seen := map[string]bool{}
	for _, l := range layers {
		if !validLayerName(l.Name) {
			return nil, errorf(CodeInvalidInput, "图层名 %q 不可用：只能含英文字母、数字、_ 和 -（显示名称请用 Title）",
				"layer name %q is not usable: letters, digits, _ and - only (put display names in Title)", l.Name)
		}
		if seen[strings.ToLower(l.Name)] {
			return nil, errorf(CodeInvalidInput, "图层名 %q 重复", "layer name %q appears twice", l.Name)
		}
		seen[strings.ToLower(l.Name)] = true
		fs, err := resolveFields(l)
		if err != nil {
			return nil, err
		}
		if spec.CRSColumn {
			for _, f := range fs {
				if strings.EqualFold(f.Name, crsColumn) {
					return nil, errorf(CodeInvalidInput, "图层「%s」已有名为 %s 的字段，与 %s 的坐标系列同名；请改名后再导出",
						"layer %s already has a field named %s, the name of the CRS column of %s; rename it before exporting", displayName(l), f.Name, spec.Name)
				}
			}
		}
		if projectedEPSG(epsg) {
			if err := checkProjectable(l, epsg, pickNameField(fs)); err != nil {
				return nil, err
			}
		}
		j.fields = append(j.fields, fs)
		if spec.OneGeomType {
			if _, err := layerFamily(l, spec.Name); err != nil {
				return nil, err
			}
		}
	}
	j.names = exportLayerNames(layers, spec)
	j.base = opts.Name
	if j.base == "" {
		j.base = "wanmu"
		if len(layers) == 1 {
			j.base = displayName(layers[0])
		}
	}
	j.base = sanitizeFileName(j.base)
	j.nameField = opts.NameField
	if j.nameField == "" {
		j.nameField = pickNameField(j.fields[0])
	}
	return j, nil
}

// pickNameField is the field shown as a feature's label when none was
// chosen: the first of the usual name fields present.
func pickNameField(fields []Field) string {
	for _, cand := range []string{"name", "名称", "Name", "NAME", "title", "标题"} {
		for _, f := range fields {
			if f.Name == cand {
				return cand
			}
		}
	}
	return ""
}

// exportFormatList names the export formats for error messages.
func exportFormatList() string {
	var ids []string
	for _, f := range formats {
		if f.Export {
			ids = append(ids, f.ID)
		}
	}
	return strings.Join(ids, ", ")
}

// Export writes layers in the chosen format and CRS to w and returns the
// suggested file name and media type (the same as ExportTarget). Nothing is
// written to w unless the export succeeded. Formats with one file per layer
// (GeoJSON, CSV) and formats made of several files (Shapefile, FileGDB) are
// zipped; errors are *Error for anything wrong with the input or options.
func Export(ctx context.Context, w io.Writer, layers []ExportLayer, opts ExportOptions) (filename, contentType string, err error) {
	j, err := newExportJob(layers, opts)
	if err != nil {
		return "", "", err
	}
	filename, contentType = j.target()
	prog := newProgress(opts.Progress)
	prog.set(0)
	tmp, err := os.MkdirTemp(opts.TempDir, "wanmu-export-")
	if err != nil {
		return "", "", fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(tmp)
	j.tmp = tmp
	out := filepath.Join(tmp, "out")
	if j.spec.Zipped || j.spec.PerLayer {
		err = os.Mkdir(out, 0o700)
	} else {
		out = filepath.Join(tmp, "out"+j.spec.Ext)
	}
	if err == nil {
		err = j.spec.write(j, ctx, out, prog)
	}
	if err == nil && j.spec.finish != nil {
		err = j.spec.finish(j, ctx, out)
	}
	if err != nil {
		return "", "", err
	}
	prog.set(900)
	if err := j.deliver(w, out); err != nil {
		return "", "", err
	}
	prog.set(ProgressTotal)
	return filename, contentType, nil
}

// deliver copies the result to w: a single file as is, a folder as a zip
// of its content. A per-layer format with one layer is that layer's file.
func (j *exportJob) deliver(w io.Writer, out string) error {
	if j.spec.PerLayer && len(j.layers) == 1 {
		out = filepath.Join(out, j.names[0]+j.spec.Ext)
	}
	if j.spec.Zipped || (j.spec.PerLayer && len(j.layers) > 1) {
		zw := newZipWriter(w, j.date)
		if err := zw.addDir(out, ""); err != nil {
			return err
		}
		return zw.Close()
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
