package exchange

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"wanmu/internal/geodesy"
)

// FieldType is the attribute type written for a field.
type FieldType string

// Field types. Integers are written from any integer Go type, reals from
// any number, dates from time.Time or "2006-01-02" strings.
const (
	FieldString  FieldType = "String"
	FieldInteger FieldType = "Integer64"
	FieldReal    FieldType = "Real"
	FieldDate    FieldType = "Date"
)

// Field is one attribute column of an export layer.
type Field struct {
	Name  string    // property key, e.g. "name", "area_m2", "名称"
	Type  FieldType // "" infers it from the values
	Title string    // description for the field table and XLSX header, e.g. "面积（亩）"
}

// ExportLayer is one layer to export: features with geometry in EPSG:4490
// lon/lat and properties written in the order of Fields (properties not in
// Fields are left out). Areas are not recomputed: pass the ellipsoidal
// area_m2/area_mu the report computed as properties.
type ExportLayer struct {
	Name     string // ASCII file and layer name: letters, digits, _ and -, e.g. "zones"
	Title    string // display name for KML folders and XLSX sheets, e.g. "分区"; defaults to Name
	Fields   []Field
	Features []Feature
}

// ExportOptions choose the format, CRS and encoding of an export.
type ExportOptions struct {
	// Format is a Format constant: geojson, shp, gpkg, filegdb, kml, kmz,
	// dxf, csv or xlsx.
	Format string
	// CRS is EPSG:4490 (default), EPSG:4326, EPSG:4549 or EPSG:4528. KML/KMZ
	// are always EPSG:4326; DXF must be EPSG:4528 (default) or EPSG:4549.
	CRS string
	// Encoding of Shapefile DBF and CSV text: UTF-8 (default) or GBK.
	// Other formats are always UTF-8.
	Encoding string
	// Name is the download's base name; "" uses the layer name, or "wanmu".
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
	layers    []ExportLayer
	fields    [][]Field // per layer, types resolved
	format    string
	epsg      int // target CRS of the coordinates
	enc       string
	base      string
	nameField string
	date      time.Time
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
	j := &exportJob{layers: layers, format: strings.ToLower(strings.TrimSpace(opts.Format)), date: opts.Date}
	if j.date.IsZero() {
		j.date = time.Now()
	}
	switch j.format {
	case FormatGeoJSON, FormatShp, FormatGPKG, FormatFileGDB, FormatKML, FormatKMZ, FormatDXF, FormatCSV, FormatXLSX:
	case "shapefile", "esri shapefile":
		j.format = FormatShp
	case "gdb", "fgdb", "openfilegdb":
		j.format = FormatFileGDB
	case "json":
		j.format = FormatGeoJSON
	default:
		return nil, errorf(CodeInvalidOption, "不支持的导出格式 %q；可选 geojson、shp、gpkg、filegdb、kml、kmz、dxf、csv、xlsx",
			"unsupported export format %q; choose geojson, shp, gpkg, filegdb, kml, kmz, dxf, csv or xlsx", opts.Format)
	}
	epsg, err := parseCRS(opts.CRS)
	if err != nil {
		return nil, err
	}
	switch {
	case j.format == FormatKML || j.format == FormatKMZ:
		epsg = geodesy.EPSGWGS84 // by the KML specification, whatever was asked
	case j.format == FormatDXF && epsg == 0:
		epsg = geodesy.EPSGGK3Zone40Prefixed
	case j.format == FormatDXF && epsg != geodesy.EPSGGK3Zone40Prefixed && epsg != geodesy.EPSGGK3Zone40:
		return nil, newError(CodeInvalidOption, "DXF 需要平面坐标：请选择 EPSG:4528（带 40 带号）或 EPSG:4549",
			"DXF needs projected coordinates: choose EPSG:4528 (zone prefix) or EPSG:4549")
	case epsg == 0:
		epsg = geodesy.EPSGCGCS2000
	}
	switch epsg {
	case geodesy.EPSGCGCS2000, geodesy.EPSGWGS84, geodesy.EPSGGK3Zone40, geodesy.EPSGGK3Zone40Prefixed:
	default:
		return nil, errorf(CodeInvalidOption, "导出坐标系只能是 EPSG:4490、4326、4549 或 4528，不能是 EPSG:%d",
			"the export CRS must be EPSG:4490, 4326, 4549 or 4528, not EPSG:%d", epsg)
	}
	j.epsg = epsg
	enc, err := normalizeEncoding(opts.Encoding)
	if err != nil {
		return nil, err
	}
	if enc == "GB18030" {
		enc = EncodingGBK
	}
	if enc == "" || (j.format != FormatShp && j.format != FormatCSV) {
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
		j.fields = append(j.fields, fs)
		if j.format == FormatShp || j.format == FormatFileGDB {
			if _, err := layerFamily(l); err != nil {
				return nil, err
			}
		}
	}
	j.base = opts.Name
	if j.base == "" {
		j.base = "wanmu"
		if len(layers) == 1 {
			j.base = layers[0].Name
		}
	}
	j.base = sanitizeFileName(j.base)
	j.nameField = opts.NameField
	if j.nameField == "" {
		for _, cand := range []string{"name", "名称", "Name", "NAME", "title", "标题"} {
			for _, f := range j.fields[0] {
				if f.Name == cand {
					j.nameField = cand
					break
				}
			}
			if j.nameField != "" {
				break
			}
		}
	}
	return j, nil
}

// validLayerName accepts ASCII identifiers of up to 64 characters.
func validLayerName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// sanitizeFileName keeps a download name free of path and shell trouble.
func sanitizeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" || s == "." || s == ".." {
		return "wanmu"
	}
	return s
}

// target is the download name and media type.
func (j *exportJob) target() (string, string) {
	tag := fmt.Sprintf("_EPSG%d", j.epsg)
	if j.format == FormatKML || j.format == FormatKMZ {
		tag = "_WGS84"
	}
	if j.format == FormatXLSX {
		tag = ""
	}
	name := j.base + tag
	multi := len(j.layers) > 1
	switch j.format {
	case FormatShp:
		return name + ".shp.zip", contentTypeZip
	case FormatFileGDB:
		return name + ".gdb.zip", contentTypeZip
	case FormatGeoJSON:
		if multi {
			return name + ".geojson.zip", contentTypeZip
		}
		return name + ".geojson", "application/geo+json"
	case FormatCSV:
		if multi {
			return name + ".csv.zip", contentTypeZip
		}
		if j.enc == EncodingGBK {
			return name + ".csv", "text/csv; charset=GBK"
		}
		return name + ".csv", "text/csv; charset=utf-8"
	}
	for _, f := range ListFormats() {
		if f.ID == j.format {
			return name + "." + j.format, f.ContentType
		}
	}
	return name, "application/octet-stream"
}

// resolveFields returns the layer's fields with every type decided.
func resolveFields(l ExportLayer) ([]Field, error) {
	fields := l.Fields
	if fields == nil {
		keys := map[string]bool{}
		for _, f := range l.Features {
			for k := range f.Properties {
				keys[k] = true
			}
		}
		for k := range keys {
			fields = append(fields, Field{Name: k})
		}
		sort.Slice(fields, func(a, b int) bool { return fields[a].Name < fields[b].Name })
	}
	out := make([]Field, len(fields))
	seen := map[string]bool{}
	for i, f := range fields {
		if f.Name == "" || seen[f.Name] {
			return nil, errorf(CodeInvalidInput, "图层 %s 的字段名 %q 为空或重复", "layer %s: field name %q is empty or repeated", l.Name, f.Name)
		}
		seen[f.Name] = true
		if f.Type == "" {
			f.Type = inferType(l.Features, f.Name)
		}
		switch f.Type {
		case FieldString, FieldInteger, FieldReal, FieldDate:
		case "Integer":
			f.Type = FieldInteger
		default:
			return nil, errorf(CodeInvalidInput, "图层 %s 的字段 %s 类型 %q 不支持", "layer %s: field %s has unsupported type %q", l.Name, f.Name, string(f.Type))
		}
		out[i] = f
	}
	return out, nil
}

// inferType decides a field's type from its values.
func inferType(features []Feature, name string) FieldType {
	t := FieldType("")
	for _, f := range features {
		var vt FieldType
		switch f.Properties[name].(type) {
		case nil:
			continue
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			vt = FieldInteger
		case float32, float64, json.Number:
			vt = FieldReal
		case time.Time:
			vt = FieldDate
		default:
			return FieldString
		}
		switch {
		case t == "":
			t = vt
		case t == vt:
		case (t == FieldInteger && vt == FieldReal) || (t == FieldReal && vt == FieldInteger):
			t = FieldReal
		default:
			return FieldString
		}
	}
	if t == "" {
		return FieldString
	}
	return t
}

// geometry families, for formats with one geometry type per layer.
const (
	familyNone    = ""
	familyPoint   = "point"
	familyLine    = "line"
	familyPolygon = "polygon"
)

func familyOf(g orb.Geometry) string {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return familyPoint
	case orb.LineString, orb.MultiLineString:
		return familyLine
	case orb.Polygon, orb.MultiPolygon, orb.Ring:
		return familyPolygon
	}
	return "collection"
}

// layerFamily returns the single geometry family of a layer.
func layerFamily(l ExportLayer) (string, error) {
	fam := familyNone
	for i, f := range l.Features {
		if f.Geometry == nil {
			continue
		}
		g := familyOf(f.Geometry)
		if g == "collection" {
			return "", errorf(CodeInvalidInput, "图层 %s 第 %d 个要素是几何集合，Shapefile/FileGDB 无法保存",
				"layer %s feature %d is a geometry collection, which Shapefile/FileGDB cannot hold", l.Name, i+1)
		}
		if fam == familyNone {
			fam = g
		} else if g != fam {
			return "", errorf(CodeInvalidInput, "图层 %s 混有点、线、面（第 %d 个要素），Shapefile/FileGDB 每个图层只能有一种几何类型",
				"layer %s mixes points, lines and polygons (feature %d); Shapefile/FileGDB hold one geometry type per layer", l.Name, i+1)
		}
	}
	return fam, nil
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
	var out string
	switch j.format {
	case FormatXLSX:
		out = filepath.Join(tmp, "out.xlsx")
		if err := j.writeXLSX(out); err != nil {
			return "", "", err
		}
	case FormatKML, FormatKMZ:
		out = filepath.Join(tmp, "out."+j.format)
		if err := j.writeKMLFile(ctx, out, prog); err != nil {
			return "", "", err
		}
	default:
		out, err = j.runGDAL(ctx, tmp, prog)
		if err != nil {
			return "", "", err
		}
	}
	prog.set(900)
	if err := j.deliver(w, out); err != nil {
		return "", "", err
	}
	prog.set(ProgressTotal)
	return filename, contentType, nil
}

// runGDAL writes the layers as GeoJSON, describes them in a VRT and lets
// ogr2ogr write the target. It returns the file or directory written.
func (j *exportJob) runGDAL(ctx context.Context, tmp string, prog *progress) (string, error) {
	src := filepath.Join(tmp, "src")
	if err := os.Mkdir(src, 0o700); err != nil {
		return "", err
	}
	var total, done int
	for _, l := range j.layers {
		total += len(l.Features)
	}
	var vrt strings.Builder
	vrt.WriteString("<OGRVRTDataSource>\n")
	var shpTable []fieldTableRow
	for i, l := range j.layers {
		fields := j.fields[i]
		outNames := make([]string, len(fields))
		for k, f := range fields {
			outNames[k] = f.Name
		}
		if j.format == FormatCSV {
			for k := range outNames {
				outNames[k] = neutralizeCell(outNames[k]) // the header row
			}
		}
		if j.format == FormatShp {
			outNames = shortFieldNames(outNames)
			for k, f := range fields {
				shpTable = append(shpTable, fieldTableRow{Layer: l.Name, Short: outNames[k], Name: f.Name, Title: f.Title, Type: string(f.Type)})
			}
		}
		path := filepath.Join(src, fmt.Sprintf("l%d.geojson", i))
		truncated, err := j.writeSourceGeoJSON(ctx, path, l, fields, func() {
			done++
			if done%1000 == 0 {
				prog.set(300 * float64(done) / float64(max(total, 1)))
			}
		})
		if err != nil {
			return "", err
		}
		for _, k := range truncated {
			for r := range shpTable {
				if shpTable[r].Layer == l.Name && shpTable[r].Name == fields[k].Name {
					shpTable[r].Title = strings.TrimSpace(shpTable[r].Title + " （部分值超过 DBF 的 254 字节上限，已截断）")
				}
			}
		}
		j.writeVRTLayer(&vrt, l, i, path, fields, outNames)
	}
	vrt.WriteString("</OGRVRTDataSource>\n")
	vrtPath := filepath.Join(tmp, "src.vrt")
	if err := os.WriteFile(vrtPath, []byte(vrt.String()), 0o600); err != nil {
		return "", err
	}
	prog.set(300)

	outDir := filepath.Join(tmp, "out")
	if err := os.Mkdir(outDir, 0o700); err != nil {
		return "", err
	}
	var result string
	var args, config []string
	tsrs := []string{}
	if j.epsg == geodesy.EPSGGK3Zone40 || j.epsg == geodesy.EPSGGK3Zone40Prefixed {
		tsrs = []string{"-t_srs", fmt.Sprintf("EPSG:%d", j.epsg)}
	}
	perLayer := false
	switch j.format {
	case FormatShp:
		result = filepath.Join(outDir, j.base)
		args = []string{"-f", "ESRI Shapefile", "-lco", "ENCODING=" + shpEncoding(j.enc), "-lco", "RESIZE=YES", "-nlt", "PROMOTE_TO_MULTI"}
	case FormatGPKG:
		result = filepath.Join(outDir, j.base+".gpkg")
		args = []string{"-f", "GPKG", "-nlt", "PROMOTE_TO_MULTI"}
	case FormatFileGDB:
		result = filepath.Join(outDir, j.base+".gdb")
		args = []string{"-f", "OpenFileGDB", "-nlt", "PROMOTE_TO_MULTI"}
	case FormatDXF:
		result = filepath.Join(outDir, j.base+".dxf")
		args = []string{"-f", "DXF"}
	case FormatGeoJSON:
		perLayer = true
		args = []string{"-f", "GeoJSON"}
		if j.epsg == geodesy.EPSGWGS84 {
			args = append(args, "-lco", "RFC7946=YES", "-lco", "COORDINATE_PRECISION=9")
		} else {
			args = append(args, "-lco", "RFC7946=NO")
		}
	case FormatCSV:
		perLayer = true
		args = []string{"-f", "CSV", "-lco", "GEOMETRY=AS_WKT", "-lco", "LINEFORMAT=CRLF", "-lco", "WRITE_BOM=YES"}
	}
	args = append(args, tsrs...)
	if perLayer {
		result = outDir
		for i, l := range j.layers {
			ext := ".geojson"
			if j.format == FormatCSV {
				ext = ".csv"
			}
			a := append(append([]string{}, args...), filepath.Join(outDir, l.Name+ext), vrtPath, l.Name)
			from := 300 + 600*float64(i)/float64(len(j.layers))
			cmd := gdalCmd{Tool: "ogr2ogr", Args: a, Config: config}
			if prog.enabled() {
				cmd.Progress = prog.percent(from, from+600/float64(len(j.layers)))
			}
			if err := j.checkRun(ctx, cmd); err != nil {
				return "", err
			}
		}
	} else {
		a := append(append([]string{}, args...), result, vrtPath)
		cmd := gdalCmd{Tool: "ogr2ogr", Args: a, Config: config}
		if prog.enabled() {
			cmd.Progress = prog.percent(300, 900)
		}
		if err := j.checkRun(ctx, cmd); err != nil {
			return "", err
		}
	}
	// Fix-ups GDAL leaves to us.
	switch j.format {
	case FormatShp:
		if err := finishShapefiles(result, j.enc); err != nil {
			return "", err
		}
		f, err := os.Create(filepath.Join(result, fieldTableName))
		if err != nil {
			return "", err
		}
		err = writeFieldTable(f, shpTable)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	case FormatDXF:
		if err := closeDXFPolylines(result); err != nil {
			return "", fmt.Errorf("export dxf: %w", err)
		}
	case FormatCSV:
		if j.enc == EncodingGBK {
			for _, l := range j.layers {
				if err := csvToGBK(filepath.Join(outDir, l.Name+".csv")); err != nil {
					return "", err
				}
			}
		}
	}
	return result, nil
}

// checkRun runs ogr2ogr for an export; a failure here is ours, not the
// user's, except for text the target encoding cannot hold.
func (j *exportJob) checkRun(ctx context.Context, cmd gdalCmd) error {
	res, err := cmd.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Code: CodeGDAL, Message: "GDAL 写出 " + formatName(j.format) + " 失败：" + gdalDetail(err),
			English: "GDAL failed to write " + formatName(j.format) + ": " + gdalDetail(err), Err: err}
	}
	for _, w := range res.Warnings {
		if strings.Contains(w, "couldn't be converted correctly") {
			return &Error{Code: CodeInvalidInput, Message: "有文字无法用 " + j.enc + " 编码保存：" + hidePaths(w),
				English: "some text cannot be encoded as " + j.enc + ": " + hidePaths(w)}
		}
	}
	return nil
}

// shpEncoding is the ENCODING layer option; GDAL copies it into the .cpg.
// "936" is the code-page number ArcGIS documents for GBK and GDAL/QGIS read
// as CP936.
func shpEncoding(enc string) string {
	if enc == EncodingGBK {
		return "936"
	}
	return "UTF-8"
}

// finishShapefiles stamps GBK DBFs with language driver id 0x4D (CP936), so
// that readers that ignore the .cpg (and ArcGIS, which prefers the LDID)
// decode them right.
func finishShapefiles(dir, enc string) error {
	if enc != EncodingGBK {
		return nil
	}
	dbfs, err := filepath.Glob(filepath.Join(dir, "*.dbf"))
	if err != nil {
		return err
	}
	for _, p := range dbfs {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteAt([]byte{0x4D}, 29)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeVRTLayer describes one source GeoJSON as a VRT layer with explicit
// field names and types, the CRS, and the geometry type.
func (j *exportJob) writeVRTLayer(b *strings.Builder, l ExportLayer, i int, path string, fields []Field, outNames []string) {
	name := l.Name
	srs := "EPSG:4490"
	if j.epsg == geodesy.EPSGWGS84 {
		srs = "EPSG:4326" // the same coordinates, declared as WGS84
	}
	fmt.Fprintf(b, "  <OGRVRTLayer name=\"%s\">\n", xmlEscape(name))
	fmt.Fprintf(b, "    <SrcDataSource relativeToVRT=\"0\">%s</SrcDataSource>\n", xmlEscape(path))
	fmt.Fprintf(b, "    <SrcLayer>l%d</SrcLayer>\n", i)
	fmt.Fprintf(b, "    <LayerSRS>%s</LayerSRS>\n", srs)
	if j.format != FormatDXF {
		if fam, err := layerFamily(l); err == nil && fam != familyNone {
			gt := map[string]string{familyPoint: "wkbMultiPoint", familyLine: "wkbMultiLineString", familyPolygon: "wkbMultiPolygon"}[fam]
			if j.format == FormatShp || j.format == FormatGPKG || j.format == FormatFileGDB {
				fmt.Fprintf(b, "    <GeometryType>%s</GeometryType>\n", gt)
			}
		} else if err == nil && (j.format == FormatShp || j.format == FormatFileGDB || j.format == FormatGPKG) {
			b.WriteString("    <GeometryType>wkbMultiPolygon</GeometryType>\n")
		}
	}
	for k, f := range fields {
		typ := string(f.Type)
		if j.format == FormatDXF {
			continue
		}
		fmt.Fprintf(b, "    <Field name=\"%s\" src=\"f%d\" type=\"%s\"/>\n", xmlEscape(outNames[k]), k, typ)
	}
	if j.format == FormatDXF {
		b.WriteString("    <Field name=\"Layer\" src=\"Layer\" type=\"String\"/>\n")
	}

	b.WriteString("  </OGRVRTLayer>\n")
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeSourceGeoJSON writes one layer as the GeoJSON ogr2ogr reads, with
// properties f0…fn in field order. For DXF, polygons become closed rings
// and labels; for KML, features carry a style. It returns the indexes of
// fields whose values were cut to fit a DBF.
func (j *exportJob) writeSourceGeoJSON(ctx context.Context, path string, l ExportLayer, fields []Field, tick func()) ([]int, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	first := true
	truncated := map[int]bool{}
	gbk := simplifiedchinese.GBK.NewEncoder()
	writeFeature := func(g orb.Geometry, props []byte) error {
		gj, err := geojson.NewGeometry(g).MarshalJSON()
		if err != nil {
			return err
		}
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		bw.WriteString(`{"type":"Feature","properties":`)
		bw.Write(props)
		bw.WriteString(`,"geometry":`)
		bw.Write(gj)
		bw.WriteString("}")
		return nil
	}
	for n, feat := range l.Features {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var pb strings.Builder
		pb.WriteByte('{')
		label := ""
		for k, fd := range fields {
			v := feat.Properties[fd.Name]
			enc, err := encodeValue(v, fd.Type)
			if err != nil {
				return nil, errorf(CodeInvalidInput, "图层 %s 第 %d 个要素的字段 %s：%s", "layer %s feature %d field %s: %s", l.Name, n+1, fd.Name, err.Error())
			}
			if fd.Type == FieldString && v != nil {
				s := stringValue(v)
				if j.enc == EncodingGBK {
					if _, err := gbk.String(s); err != nil {
						return nil, errorf(CodeInvalidInput, "图层 %s 第 %d 个要素的字段 %s 的值 %q 含 GBK 无法表示的字符 %q；请改用 UTF-8 编码导出",
							"layer %s feature %d field %s: value %q has the character %q, which GBK cannot hold; export as UTF-8", l.Name, n+1, fd.Name, s, firstNonGBK(s))
					}
				}
				if j.format == FormatShp {
					if cut := truncateBytes(s, 254, j.enc); cut != s {
						truncated[k] = true
						enc, _ = json.Marshal(cut)
					}
				}
				if fd.Name == j.nameField {
					label = s
				}
				if j.format == FormatCSV {
					enc, _ = json.Marshal(neutralizeCell(s))
				}
			}
			if k > 0 {
				pb.WriteByte(',')
			}
			fmt.Fprintf(&pb, `"f%d":%s`, k, enc)
		}
		pb.WriteByte('}')
		if j.format == FormatDXF {
			if err := j.writeDXFFeature(feat, l.Name, label, writeFeature); err != nil {
				return nil, err
			}
		} else if feat.Geometry == nil {
			if !first {
				bw.WriteString(",\n")
			}
			first = false
			bw.WriteString(`{"type":"Feature","properties":` + pb.String() + `,"geometry":null}`)
		} else if err := writeFeature(feat.Geometry, []byte(pb.String())); err != nil {
			return nil, err
		}
		tick()
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	var cut []int
	for k := range truncated {
		cut = append(cut, k)
	}
	sort.Ints(cut)
	return cut, nil
}

// writeDXFFeature writes a feature for the DXF writer: each polygon ring as
// a closed polyline on the layer's CAD layer, and the label as text at a
// point inside the polygon.
func (j *exportJob) writeDXFFeature(feat Feature, layer, label string, write func(orb.Geometry, []byte) error) error {
	props := func(extra string) []byte {
		b, _ := json.Marshal(layer)
		s := `{"Layer":` + string(b)
		if extra != "" {
			s += `,"OGR_STYLE":` + extra
		}
		return []byte(s + "}")
	}
	var polys orb.MultiPolygon
	switch g := feat.Geometry.(type) {
	case nil:
		return nil
	case orb.Polygon:
		polys = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return write(g, props(""))
	}
	var rings orb.MultiLineString
	for _, p := range polys {
		for _, r := range p {
			rings = append(rings, orb.LineString(r))
		}
	}
	if err := write(rings, props("")); err != nil {
		return err
	}
	if label == "" {
		return nil
	}
	pt, size := labelPoint(polys)
	style, _ := json.Marshal(fmt.Sprintf(`LABEL(f:"SimSun",t:"%s",s:%.1fg,p:5)`, strings.ReplaceAll(label, `"`, `\"`), size))
	return write(pt, props(string(style)))
}

// labelPoint picks a point inside the largest polygon and a text height in
// metres that suits its size.
func labelPoint(mp orb.MultiPolygon) (orb.Point, float64) {
	best, bestArea := 0, -1.0
	for i, p := range mp {
		if a := geodesy.EllipsoidalArea(p); a > bestArea {
			best, bestArea = i, a
		}
	}
	p := mp[best]
	c, _ := planarCentroid(p)
	if !polygonContains(p, c) {
		c = interiorPoint(p)
	}
	size := math.Sqrt(max(bestArea, 1)) / 15
	return c, max(2, min(size, 50))
}

// stringValue renders a property value as text.
func stringValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "是"
		}
		return "否"
	case time.Time:
		return v.Format("2006-01-02")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// encodeValue renders a property value as JSON for the given field type.
func encodeValue(v any, t FieldType) ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	switch t {
	case FieldString:
		return json.Marshal(stringValue(v))
	case FieldDate:
		switch d := v.(type) {
		case time.Time:
			return json.Marshal(d.Format("2006-01-02"))
		case string:
			if d == "" {
				return []byte("null"), nil
			}
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return nil, fmt.Errorf("%q 不是 YYYY-MM-DD 日期 / not a YYYY-MM-DD date", d)
			}
			return json.Marshal(d)
		}
	case FieldInteger:
		switch n := v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return []byte(fmt.Sprint(n)), nil
		case bool:
			if n {
				return []byte("1"), nil
			}
			return []byte("0"), nil
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return []byte(strconv.FormatFloat(n, 'f', 0, 64)), nil
			}
		case json.Number:
			if _, err := n.Int64(); err == nil {
				return []byte(n), nil
			}
		}
	case FieldReal:
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case float32:
			f = float64(n)
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case int32:
			f = float64(n)
		case uint32:
			f = float64(n)
		case uint64:
			f = float64(n)
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return nil, err
			}
			f = x
		default:
			return nil, fmt.Errorf("%v 不是数值 / not a number", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []byte("null"), nil
		}
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%v 不是 %s 类型 / is not of type %s", v, t, t)
}

// truncateBytes cuts s to at most n bytes in the target encoding, at a
// character boundary.
func truncateBytes(s string, n int, enc string) string {
	size := func(r rune) int {
		if enc == EncodingGBK {
			if r < 0x80 {
				return 1
			}
			return 2
		}
		return utf8.RuneLen(r)
	}
	total := 0
	for i, r := range s {
		total += size(r)
		if total > n {
			return s[:i]
		}
	}
	return s
}

// firstNonGBK returns the first character of s that GBK cannot encode.
func firstNonGBK(s string) string {
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			return string(r)
		}
	}
	return ""
}

// csvToGBK rewrites a UTF-8 CSV (with BOM) as GBK without BOM, streaming.
func csvToGBK(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	br := bufio.NewReader(in)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	tmp := path + ".gbk"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	enc := transform.NewWriter(out, simplifiedchinese.GBK.NewEncoder())
	_, err = io.Copy(enc, br)
	if err == nil {
		err = enc.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) { // the encoder's: a character GBK lacks
		return &Error{Code: CodeInvalidInput, Message: "CSV 中有 GBK 无法表示的字符，请改用 UTF-8", English: "the CSV holds characters GBK cannot encode; use UTF-8", Err: err}
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// deliver copies the result to w: a single file as is, several files or a
// directory as a zip.
func (j *exportJob) deliver(w io.Writer, out string) error {
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		f, err := os.Open(out)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}
	if j.format == FormatGeoJSON || j.format == FormatCSV {
		if len(j.layers) == 1 {
			ext := ".geojson"
			if j.format == FormatCSV {
				ext = ".csv"
			}
			f, err := os.Open(filepath.Join(out, j.layers[0].Name+ext))
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}
	}
	zw := newZipWriter(w, j.date)
	prefix := ""
	if j.format == FormatFileGDB {
		prefix = filepath.Base(out) + "/"
	}
	if err := zw.addDir(out, prefix); err != nil {
		return err
	}
	return zw.Close()
}
