package exchange

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

// Default limits of ImportOptions.
const (
	// DefaultMaxBytes caps the uploaded file (or directory) size.
	DefaultMaxBytes = 1 << 30
	// DefaultMaxUncompressed caps what an uploaded zip may unpack to.
	DefaultMaxUncompressed = 4 << 30
	// DefaultMaxFeatures caps the number of features read.
	DefaultMaxFeatures = 2_000_000
)

// ImportOptions control Inspect. The zero value reads the CRS and encoding
// from the file, guessing what is missing, with the default limits.
type ImportOptions struct {
	// CRS overrides the file's coordinate system: "EPSG:4528", "EPSG:4549",
	// "EPSG:4490", … "" takes it from the file or guesses it.
	CRS string
	// Encoding of DBF, DXF and CSV text: "", "UTF-8" or "GBK". "" reads the
	// .cpg or DBF code page, or judges the bytes.
	Encoding string
	// GCJ02 says lon/lat coordinates are GCJ-02 (as 奥维 and Amap write
	// them) and converts them to WGS84/CGCS2000.
	GCJ02 bool
	// Layer selects a layer by name; "" takes the only or first layer (all
	// folders of a KML).
	Layer string
	// MaxBytes caps the file size; 0 means DefaultMaxBytes, < 0 no cap.
	MaxBytes int64
	// MaxFeatures caps the feature count; 0 means DefaultMaxFeatures, < 0 no cap.
	MaxFeatures int64
	// MaxUncompressed caps an archive's unpacked size; 0 means
	// DefaultMaxUncompressed, < 0 no cap.
	MaxUncompressed int64
	// TempDir is where scratch files go; "" means os.TempDir().
	TempDir string
	// Progress, if set, is called with done/ProgressTotal as work proceeds.
	Progress func(done, total int64)
}

// Feature is one feature: geometry in EPSG:4490 lon/lat (nil when the file
// has none) and attributes with text decoded to UTF-8. Integers are int64,
// other numbers float64.
type Feature struct {
	Geometry   orb.Geometry
	Properties map[string]any
}

// LayerInfo names a layer found in an imported file.
type LayerInfo struct {
	Name     string
	Geometry string // GDAL's geometry type name, e.g. "Polygon", "Unknown (any)"
	Count    int64  // -1 when GDAL cannot tell without reading
}

// Dataset is an imported file's selected layer, ready for a preview.
// Features[i] is the (i+1)-th feature of the file, for per-feature reports.
type Dataset struct {
	Features   []Feature
	Fields     []string    // attribute names in file order
	Format     string      // a Format constant: what was uploaded
	Layer      string      // the layer read ("" for several merged KML folders)
	Layers     []LayerInfo // every layer in the file
	SourceCRS  string      // e.g. "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"
	CRSAssumed bool        // SourceCRS was guessed, not read from the file or options
	CRSNote    string      // how the CRS was decided, in Chinese
	Encoding   string      // text encoding used for DBF/DXF/CSV, "" where fixed by the format
	Bounds     orb.Bound   // of all geometries, lon/lat
	Warnings   []string    // things the planner should check, in Chinese
}

// warn adds a warning once.
func (d *Dataset) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, w := range d.Warnings {
		if w == s {
			return
		}
	}
	d.Warnings = append(d.Warnings, s)
}

// importOpts is ImportOptions checked and with defaults applied.
type importOpts struct {
	ImportOptions
	epsg int
	enc  string
}

func (o ImportOptions) check() (importOpts, error) {
	epsg, err := parseCRS(o.CRS)
	if err != nil {
		return importOpts{}, err
	}
	enc, err := normalizeEncoding(o.Encoding)
	if err != nil {
		return importOpts{}, err
	}
	def := func(v, d int64) int64 {
		switch {
		case v == 0:
			return d
		case v < 0:
			return 0
		}
		return v
	}
	o.MaxBytes = def(o.MaxBytes, DefaultMaxBytes)
	o.MaxFeatures = def(o.MaxFeatures, DefaultMaxFeatures)
	o.MaxUncompressed = def(o.MaxUncompressed, DefaultMaxUncompressed)
	return importOpts{ImportOptions: o, epsg: epsg, enc: enc}, nil
}

// source is one readable data source found in the upload.
type source struct {
	Path   string // what GDAL opens
	Format string // a Format constant
	Name   string // for messages: the name inside the upload
	Open   []string
	Config []string
	Enc    string // encoding label used
}

// selected is one layer chosen for reading.
type selected struct {
	src  *source
	info layerInfo
	name string // display name
}

// Inspect reads an uploaded file — a zip of Shapefiles or a FileGDB, a
// GeoPackage, KML/KMZ, DXF, GeoJSON, CSV with WKT, a .shp beside its
// siblings, or a .gdb directory — into features in EPSG:4490. It never
// writes anywhere but a scratch directory it removes. Errors are *Error
// for anything wrong with the file or the options.
func Inspect(ctx context.Context, path string, opts ImportOptions) (*Dataset, error) {
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	prog := newProgress(o.Progress)
	prog.set(0)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", filepath.Base(path), err)
	}
	size := st.Size()
	if st.IsDir() {
		size = dirSize(path)
	}
	if o.MaxBytes > 0 && size > o.MaxBytes {
		return nil, errorf(CodeTooLarge, "文件 %s 大小 %s，超过 %s 的上限", "file %s is %s, over the %s limit",
			filepath.Base(path), humanBytes(size), humanBytes(o.MaxBytes))
	}
	tmp, err := os.MkdirTemp(o.TempDir, "wanmu-import-")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(tmp)

	im := &importer{o: o, ds: &Dataset{}, tmp: tmp, prog: prog}
	sources, err := im.locate(ctx, path, st.IsDir())
	if err != nil {
		return nil, err
	}
	prog.set(50)
	layers, err := im.selectLayers(ctx, sources)
	if err != nil {
		return nil, err
	}
	if err := im.readLayers(ctx, layers); err != nil {
		return nil, err
	}
	prog.set(ProgressTotal)
	return im.ds, nil
}

// importer holds the state of one Inspect call.
type importer struct {
	o           importOpts
	ds          *Dataset
	tmp         string
	prog        *progress
	fieldTables []string // fields.csv files found beside Shapefiles
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// locate finds the data sources of an upload, unpacking archives.
func (im *importer) locate(ctx context.Context, path string, isDir bool) ([]*source, error) {
	ds, o, tmp := im.ds, im.o, im.tmp
	if isDir {
		if isFileGDB(path) {
			ds.Format = FormatFileGDB
			return []*source{{Path: path, Format: FormatFileGDB, Name: filepath.Base(path)}}, nil
		}
		return im.findSources(path, filepath.Base(path))
	}
	format, err := classify(path)
	if err != nil {
		return nil, err
	}
	switch format {
	case formatZip, FormatKMZ:
		dir := filepath.Join(tmp, "unzip")
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, err
		}
		if _, err := extractZip(ctx, path, dir, zipLimits{MaxUncompressed: o.MaxUncompressed}); err != nil {
			return nil, err
		}
		srcs, err := im.findSources(dir, filepath.Base(path))
		if err != nil {
			return nil, err
		}
		if format == FormatKMZ {
			ds.Format = FormatKMZ
		}
		return srcs, nil
	}
	ds.Format = format
	src := &source{Path: path, Format: format, Name: filepath.Base(path)}
	if format == FormatShp {
		if ft := filepath.Join(filepath.Dir(path), fieldTableName); isFieldTable(ft) {
			im.fieldTables = append(im.fieldTables, ft)
		}
	}
	if err := im.prepareSource(src); err != nil {
		return nil, err
	}
	return []*source{src}, nil
}

// isFileGDB reports whether dir is a File Geodatabase.
func isFileGDB(dir string) bool {
	if strings.EqualFold(filepath.Ext(dir), ".gdb") {
		return true
	}
	m, _ := filepath.Glob(filepath.Join(dir, "a0000000*.gdbtable"))
	return len(m) > 0
}

// findSources walks an unpacked archive or a directory for data sources.
func (im *importer) findSources(root, uploadName string) ([]*source, error) {
	ds := im.ds
	var gis, sidecars []*source
	var dwg, nested []string
	var shpMissing []string
	var fieldTables []string
	if isFileGDB(root) {
		// A geodatabase zipped from inside its .gdb folder.
		ds.Format = FormatFileGDB
		return []*source{{Path: root, Format: FormatFileGDB, Name: uploadName}}, nil
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != root && isFileGDB(p) {
				gis = append(gis, &source{Path: p, Format: FormatFileGDB, Name: rel})
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		switch ext {
		case ".dwg":
			dwg = append(dwg, rel)
			return nil
		case ".zip", ".kmz", ".rar", ".7z":
			nested = append(nested, rel)
			return nil
		case ".csv":
			if isFieldTable(p) {
				fieldTables = append(fieldTables, p)
				return nil
			}
		}
		format := extFormat(p)
		if format == "" || format == formatZip || format == FormatFileGDB {
			return nil
		}
		if ext == ".txt" {
			return nil
		}
		m, err := sniffMagic(p)
		if err != nil {
			return err
		}
		if m.other != "" || (format != FormatCSV && m.format != format) {
			what := "不是有效的 " + formatName(format)
			whatEn := "is not a valid " + formatName(format)
			if m.other != "" {
				zh, en, _ := strings.Cut(m.other, " / ")
				what, whatEn = "实际是"+zh, "is actually "+en
			}
			return &Error{Code: CodeUnsupportedFormat,
				Message: uploadName + " 内的 " + rel + " " + what,
				English: rel + " in " + uploadName + " " + whatEn}
		}
		src := &source{Path: p, Format: format, Name: rel}
		if format == FormatShp {
			base := strings.TrimSuffix(p, filepath.Ext(p))
			if findSibling(base, ".dbf") == "" || findSibling(base, ".shx") == "" {
				shpMissing = append(shpMissing, rel)
			}
		}
		if format == FormatCSV || format == FormatGeoJSON {
			sidecars = append(sidecars, src)
		} else {
			gis = append(gis, src)
		}
		return nil
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, fmt.Errorf("scan %s: %w", uploadName, err)
	}
	srcs := gis
	if len(srcs) == 0 {
		srcs = sidecars
	} else if len(sidecars) > 0 {
		names := make([]string, len(sidecars))
		for i, s := range sidecars {
			names[i] = s.Name
		}
		ds.warn("压缩包内的 %s 未导入（已有 GIS 数据文件）", strings.Join(names, "、"))
	}
	for _, n := range nested {
		ds.warn("压缩包内的 %s 是另一个压缩包，未解开；请解压后单独上传", n)
	}
	if len(srcs) == 0 {
		if len(dwg) > 0 {
			return nil, errorf(CodeUnsupportedFormat, "%s 内只有 DWG 图纸（%s）；请在 CAD 中另存为 DXF 后上传",
				"%s only holds DWG drawings (%s); save them as DXF in CAD and upload that", uploadName, strings.Join(dwg, ", "))
		}
		return nil, errorf(CodeUnsupportedFormat,
			"%s 内没有可识别的 GIS 数据（.shp、.gdb、.gpkg、.kml、.dxf、.geojson、.csv）",
			"%s holds no recognised GIS data (.shp, .gdb, .gpkg, .kml, .dxf, .geojson, .csv)", uploadName)
	}
	for _, rel := range shpMissing {
		base := strings.TrimSuffix(filepath.Join(root, filepath.FromSlash(rel)), filepath.Ext(rel))
		var missing []string
		for _, e := range []string{".shx", ".dbf"} {
			if findSibling(base, e) == "" {
				missing = append(missing, filepath.Base(base)+e)
			}
		}
		if findSibling(base, ".dbf") == "" {
			return nil, errorf(CodeCorrupt, "%s 内的 %s 缺少 %s（Shapefile 至少需要 .shp、.shx、.dbf 三个文件）",
				"%s: %s lacks %s (a Shapefile needs at least .shp, .shx and .dbf)", uploadName, rel, strings.Join(missing, ", "))
		}
	}
	if ds.Format == "" {
		ds.Format = srcs[0].Format
		if ds.Format == FormatKML && strings.EqualFold(filepath.Ext(uploadName), ".kmz") {
			ds.Format = FormatKMZ
		}
	}
	for _, s := range srcs {
		if err := im.prepareSource(s); err != nil {
			return nil, err
		}
	}
	im.fieldTables = fieldTables
	return srcs, nil
}

// prepareSource sets the open options a source needs: encodings, the CSV
// geometry columns, a rebuilt .shx.
func (im *importer) prepareSource(s *source) error {
	ds, o, tmp := im.ds, im.o, im.tmp
	switch s.Format {
	case FormatShp:
		base := strings.TrimSuffix(s.Path, filepath.Ext(s.Path))
		if findSibling(base, ".dbf") == "" {
			return errorf(CodeCorrupt, "%s 缺少同名的 .dbf 属性表", "%s has no .dbf attribute table beside it", s.Name)
		}
		if findSibling(base, ".shx") == "" {
			s.Config = append(s.Config, "SHAPE_RESTORE_SHX=YES")
			ds.warn("%s 缺少 .shx 索引文件，已自动重建", s.Name)
		}
		enc, used, warning := shapefileEncoding(s.Path, o.enc)
		if enc != "" {
			s.Open = append(s.Open, "ENCODING="+enc)
		}
		s.Enc = used
		if warning != "" {
			ds.warn("%s：%s", s.Name, warning)
		}
	case FormatDXF:
		s.Config = append(s.Config, "DXF_MERGE_BLOCK_GEOMETRIES=FALSE", "DXF_INLINE_BLOCKS=TRUE")
		switch {
		case o.enc != "":
			s.Config = append(s.Config, "DXF_ENCODING="+gdalEncoding(o.enc))
			s.Enc = o.enc
		default:
			if enc, warning := dxfEncoding(s.Path); enc != "" {
				s.Config = append(s.Config, "DXF_ENCODING="+enc)
				s.Enc = encodingLabel(enc)
				if warning != "" {
					ds.warn("%s：%s", s.Name, warning)
				}
			}
		}
	case FormatCSV, FormatGeoJSON:
		verdict := sniffFile(s.Path)
		gbk := o.enc == EncodingGBK || o.enc == "GB18030" || (o.enc == "" && verdict == textGBK)
		if gbk && verdict != textASCII && verdict != textUTF8 {
			dst := filepath.Join(tmp, fmt.Sprintf("utf8-%d%s", len(ds.Warnings), filepath.Ext(s.Path)))
			if err := transcodeToUTF8(s.Path, dst); err != nil {
				return fmt.Errorf("transcode %s: %w", s.Name, err)
			}
			if o.enc == "" {
				ds.warn("%s 不是 UTF-8 编码，按内容判断为 GBK 并已转换", s.Name)
			}
			s.Path, s.Enc = dst, EncodingGBK
		} else if verdict == textUnknown {
			ds.warn("%s 的文字既不是 UTF-8 也不是 GBK，中文可能乱码", s.Name)
		} else if verdict == textUTF8 || verdict == textASCII {
			s.Enc = EncodingUTF8
		}
		if s.Format == FormatCSV {
			s.Open = append(s.Open,
				"GEOM_POSSIBLE_NAMES=WKT,wkt,Wkt,geometry,Geometry,GEOMETRY,geom,the_geom,shape,Shape,SHAPE,几何,wkt_geom",
				"KEEP_GEOM_COLUMNS=NO",
				"X_POSSIBLE_NAMES=lon,Lon,LON,lng,longitude,Longitude,x,X,经度",
				"Y_POSSIBLE_NAMES=lat,Lat,LAT,latitude,Latitude,y,Y,纬度")
		}
		if s.Format == FormatGeoJSON {
			s.Open = append(s.Open, "DATE_AS_STRING=YES")
		}
	}
	return nil
}

// selectLayers lists every layer and picks the ones to read.
func (im *importer) selectLayers(ctx context.Context, sources []*source) ([]selected, error) {
	ds, o := im.ds, im.o
	var all []selected
	for _, s := range sources {
		_, infos, err := ogrinfo(ctx, s.Path, s.Open, s.Config)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &Error{Code: CodeCorrupt,
				Message: fmt.Sprintf("无法读取 %s（%s）：%s", s.Name, formatName(s.Format), gdalDetail(err)),
				English: fmt.Sprintf("cannot read %s (%s): %s", s.Name, formatName(s.Format), gdalDetail(err)), Err: err}
		}
		for _, in := range infos {
			name := in.Name
			if len(sources) > 1 && s.Format != FormatShp {
				name = s.Name + ":" + in.Name
			}
			all = append(all, selected{src: s, info: in, name: name})
		}
	}
	// Shapefiles of the same name in different folders.
	count := map[string]int{}
	for _, l := range all {
		count[l.name]++
	}
	for i, l := range all {
		if count[l.name] > 1 {
			all[i].name = strings.TrimSuffix(l.src.Name, filepath.Ext(l.src.Name))
		}
	}
	for _, l := range all {
		ds.Layers = append(ds.Layers, LayerInfo{Name: l.name, Geometry: l.info.Geometry, Count: l.info.Count})
	}
	var spatial []selected
	for _, l := range all {
		if l.info.Geometry != "None" {
			spatial = append(spatial, l)
		}
	}
	var chosen []selected
	switch {
	case o.Layer != "":
		for _, l := range all {
			if l.name == o.Layer || l.info.Name == o.Layer {
				chosen = []selected{l}
				break
			}
		}
		if chosen == nil {
			for _, l := range all {
				if strings.EqualFold(l.name, o.Layer) {
					chosen = []selected{l}
					break
				}
			}
		}
		if chosen == nil {
			return nil, errorf(CodeLayerNotFound, "文件中没有图层 %q；现有图层：%s", "no layer %q in the file; layers: %s", o.Layer, layerNames(all))
		}
	case len(spatial) == 0:
		return nil, errorf(CodeEmpty, "文件中没有带几何的图层（图层：%s）", "the file has no layer with geometry (layers: %s)", layerNames(all))
	case ds.Format == FormatKML || ds.Format == FormatKMZ:
		chosen = spatial // folders of one document
	default:
		chosen = spatial[:1]
		if len(spatial) > 1 {
			ds.warn("文件含 %d 个图层（%s），已读取第一个图层 %s；如需其他图层请选择图层后重试", len(spatial), layerNames(spatial), spatial[0].name)
		}
	}
	for _, l := range chosen {
		// ogr2ogr takes the layer name as an argument, where "-x" reads as
		// one of its options.
		if strings.HasPrefix(l.info.Name, "-") {
			return nil, errorf(CodeCorrupt, "图层名 %q 以“-”开头，无法按名读取；请在原软件中给图层改名后重试",
				"the layer name %q starts with \"-\", so it cannot be read by name; rename the layer where the file was made and try again", l.info.Name)
		}
	}
	if len(chosen) == 1 {
		ds.Layer = chosen[0].name
	}
	var total int64
	for _, l := range chosen {
		if l.info.Count > 0 {
			total += l.info.Count
		}
	}
	if o.MaxFeatures > 0 && total > o.MaxFeatures {
		return nil, errorf(CodeTooLarge, "文件有 %d 个要素，超过 %d 个的上限", "the file has %d features, over the limit of %d", total, o.MaxFeatures)
	}
	return chosen, nil
}

func layerNames(ls []selected) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	return strings.Join(names, "、")
}

// readLayers converts the chosen layers and fills ds.
func (im *importer) readLayers(ctx context.Context, layers []selected) error {
	ds, o, tmp, prog := im.ds, im.o, im.tmp, im.prog
	fieldSeen := map[string]bool{}
	var plans []crsPlan
	var starts []int
	for i, l := range layers {
		plan, err := planCRS(l, o, ds)
		if err != nil {
			return err
		}
		plans = append(plans, plan)
		starts = append(starts, len(ds.Features))
		from := 50 + 900*float64(i)/float64(len(layers))
		to := 50 + 900*float64(i+1)/float64(len(layers))
		mid := from + (to-from)/2
		out := filepath.Join(tmp, fmt.Sprintf("layer%d.geojson", i))
		args := []string{"-f", "GeoJSON", "-lco", "RFC7946=NO", "-lco", "WRITE_NAME=NO",
			"-dim", "XY", "-nlt", "CONVERT_TO_LINEAR"}
		for _, op := range l.src.Open {
			args = append(args, "-oo", op)
		}
		if plan.gdalSRS != "" {
			args = append(args, "-s_srs", plan.gdalSRS)
		}
		if plan.gdal {
			args = append(args, "-t_srs", "EPSG:4490")
		}
		args = append(args, out, l.src.Path, l.info.Name)
		cmd := gdalCmd{Tool: "ogr2ogr", Args: args, Config: l.src.Config, Import: true}
		if prog.enabled() {
			cmd.Progress = prog.percent(from, mid)
		}
		res, err := cmd.run(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &Error{Code: CodeCorrupt,
				Message: fmt.Sprintf("转换 %s 的图层 %s 失败：%s", l.src.Name, l.name, gdalDetail(err)),
				English: fmt.Sprintf("converting layer %s of %s failed: %s", l.name, l.src.Name, gdalDetail(err)), Err: err}
		}
		for _, w := range res.Warnings {
			ds.warn("GDAL：%s", hidePaths(w))
		}
		if l.src.Enc != "" && ds.Encoding == "" {
			ds.Encoding = l.src.Enc
		}
		if err := decodeLayerFile(ctx, out, l, len(layers) > 1, o, ds, fieldSeen, prog.span(mid, to)); err != nil {
			return err
		}
		os.Remove(out)
	}
	if len(ds.Features) == 0 {
		return errorf(CodeEmpty, "文件中没有要素", "the file holds no features")
	}
	if ds.Format == FormatDXF {
		if err := dxfToPolygons(ds); err != nil {
			return err
		}
		// DXF has one layer; the plan stands, features were replaced.
		starts = []int{0}
		plans = plans[:1]
	}
	for i, plan := range plans {
		end := len(ds.Features)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		if err := applyPlan(plan, ds, ds.Features[starts[i]:end], starts[i], o, i == 0); err != nil {
			return err
		}
	}
	if err := checkLonLat(ds.Features, 0); err != nil {
		return err
	}
	im.restoreFieldNames()
	if ds.Format == FormatKML || ds.Format == FormatKMZ {
		dropKMLNoise(ds)
	}
	finish(ds)
	return nil
}

// decodeLayerFile streams one converted layer into ds.
func decodeLayerFile(ctx context.Context, path string, l selected, folders bool, o importOpts, ds *Dataset, fieldSeen map[string]bool, report func(float64)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read converted layer: %w", err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	size := max(fi.Size(), 1)
	cr := &countingReader{r: f, report: func(n int64) { report(float64(n) / float64(size)) }}
	n := 0
	err = decodeFeatureCollection(cr, func(g orb.Geometry, props map[string]any, keys []string) error {
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if o.MaxFeatures > 0 && int64(len(ds.Features)) >= o.MaxFeatures {
			return errorf(CodeTooLarge, "要素超过 %d 个的上限", "more than %d features, over the limit", o.MaxFeatures)
		}
		if l.src.Format == FormatCSV {
			keys = restoreCSVCells(props, keys)
		}
		if folders {
			props["folder"] = l.info.Name
			keys = append(keys, "folder")
		}
		for _, k := range keys {
			if !fieldSeen[k] {
				fieldSeen[k] = true
				ds.Fields = append(ds.Fields, k)
			}
		}
		ds.Features = append(ds.Features, Feature{Geometry: g, Properties: props})
		return nil
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) || ctx.Err() != nil {
			return err
		}
		return &Error{Code: CodeCorrupt, Message: "读取转换结果失败：" + hidePaths(err.Error()), English: "reading the converted data failed: " + hidePaths(err.Error()), Err: err}
	}
	return nil
}

// crsPlan says how a layer's coordinates become EPSG:4490.
type crsPlan struct {
	gdal    bool   // GDAL reprojects (-t_srs EPSG:4490); else raw coordinates come back
	gdalSRS string // -s_srs for GDAL
	// For raw coordinates: the CRS to transform from, or none to guess.
	known    knownCRS
	hasKnown bool
	origin   string // "file", "user", "spec" (KML/GeoJSON), "" (guess)
	label    string // source CRS label for ds.SourceCRS
	note     string // the CRS part of ds.CRSNote
}

// planCRS decides, before conversion, where a layer's CRS comes from. CRSs
// this package knows (CGCS2000/WGS84 lon/lat, CGCS2000 Gauss-Kruger) are
// transformed here, after checking the coordinates agree with them; others
// are left to GDAL.
func planCRS(l selected, o importOpts, ds *Dataset) (crsPlan, error) {
	if o.epsg != 0 {
		if k, ok := lookupCRS(o.epsg); ok {
			return crsPlan{known: k, hasKnown: true, origin: "user", label: k.label(),
				note: "按指定的坐标系 " + k.label() + " 读取"}, nil
		}
		return crsPlan{gdal: true, gdalSRS: fmt.Sprintf("EPSG:%d", o.epsg), origin: "user",
			label: fmt.Sprintf("EPSG:%d", o.epsg), note: fmt.Sprintf("按指定的坐标系 EPSG:%d 读取，由 GDAL 转换为 EPSG:4490", o.epsg)}, nil
	}
	in := l.info
	if in.WKT == "" {
		return crsPlan{}, nil // guess from the coordinates
	}
	from := "文件自带的坐标系"
	switch l.src.Format {
	case FormatShp:
		from = ".prj 中的坐标系"
	case FormatKML, FormatKMZ:
		k, _ := lookupCRS(geodesy.EPSGWGS84)
		return crsPlan{known: k, hasKnown: true, origin: "spec", label: "EPSG:4326 WGS 84",
			note: "KML 按规范为 WGS84 经纬度（与 CGCS2000 相差厘米级，直接作为 EPSG:4490）"}, nil
	case FormatGeoJSON:
		if in.EPSG == geodesy.EPSGWGS84 {
			k, _ := lookupCRS(geodesy.EPSGWGS84)
			return crsPlan{known: k, hasKnown: true, origin: "spec", label: "EPSG:4326 WGS 84",
				note: "GeoJSON 按规范为 WGS84 经纬度（与 CGCS2000 相差厘米级，直接作为 EPSG:4490）"}, nil
		}
	}
	if k, ok := lookupCRS(in.EPSG); ok {
		return crsPlan{known: k, hasKnown: true, origin: "file", label: k.label(), note: from + "：" + k.label()}, nil
	}
	label := in.SRSName
	if in.EPSG != 0 {
		label = fmt.Sprintf("EPSG:%d %s", in.EPSG, in.SRSName)
	}
	if datumNeedsParameters(in.WKT) {
		ds.warn("坐标系为 %s（北京54/西安80 等旧坐标系），GDAL 没有转换到 CGCS2000 的参数，位置可能偏差数十至上百米；请先用当地七参数转换为 CGCS2000 再导入", label)
	}
	return crsPlan{gdal: true, origin: "file", label: label, note: from + "：" + label + "，由 GDAL 转换为 EPSG:4490"}, nil
}

// datumNeedsParameters reports CRSs on the old Chinese datums.
func datumNeedsParameters(wkt string) bool {
	w := strings.ToLower(wkt)
	for _, s := range []string{"beijing", "xian", "xi'an", "krassowsky", "krasovsky", "iag 1975", "iag_1975"} {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// applyPlan transforms raw coordinates of one layer's features to EPSG:4490
// and records the CRS in ds. offset is the 0-based number of features[0] in
// the file; first says whether this is the first layer (the one that sets
// SourceCRS).
func applyPlan(plan crsPlan, ds *Dataset, features []Feature, offset int, o importOpts, first bool) error {
	setCRS := func(label, note string, assumed bool) {
		if first {
			ds.SourceCRS, ds.CRSNote, ds.CRSAssumed = label, note, assumed
		}
	}
	geographic := true
	if plan.gdal {
		setCRS(plan.label, plan.note, false)
		for i, f := range features {
			if f.Geometry == nil {
				continue
			}
			if b := f.Geometry.Bound(); math.Abs(b.Min[0]) > 180 || math.Abs(b.Max[0]) > 180 || math.Abs(b.Min[1]) > 90 || math.Abs(b.Max[1]) > 90 {
				e := errorf(CodeNoCRS, "按 %s 转换后第 %d 个要素不在经纬度范围内，坐标系可能不对；请指定正确的坐标系",
					"after converting from %s, feature %d is outside the lon/lat range; the CRS is probably wrong, name the right one", plan.label, offset+i+1)
				e.Feature = offset + i + 1
				return e
			}
		}
	} else {
		samples := samplePoints(features, 20000)
		g, ok := guessCRS(samples)
		var use knownCRS
		swapped := false
		switch {
		case plan.hasKnown:
			use = plan.known
			note := plan.note
			if ok {
				gk, _ := lookupCRS(g.EPSG)
				if !compatibleCRS(plan.known, gk) {
					who := map[string]string{"user": "指定的", "file": "文件声明的", "spec": "格式规定的"}[plan.origin]
					ds.warn("%s坐标系 %s 与坐标量级不符，已按坐标推断为 %s；请核对", who, plan.known.label(), gk.label())
					use = gk
					note += "；但坐标量级不符，改按 " + describeGuess(g, gk)
				} else if g.Swapped && use.Kind == kindGK {
					note += "；X/Y 互换（X 为北坐标），已按此读取"
				}
				swapped = g.Swapped && use.Kind == kindGK && compatibleCRS(use, gk)
			}
			setCRS(use.label(), note, false)
		default:
			if !ok {
				return noCRSError(features, ds.Format)
			}
			use, _ = lookupCRS(g.EPSG)
			swapped = g.Swapped
			prefix := "文件无坐标系"
			switch ds.Format {
			case FormatShp:
				prefix = "文件无 .prj"
			case FormatDXF:
				prefix = "DXF 不含坐标系"
			case FormatCSV:
				prefix = "CSV 不含坐标系"
			}
			setCRS(use.label(), prefix+"，"+describeGuess(g, use), true)
		}
		if ok && len(g.Outliers) > 0 && g.Votes < g.Total {
			nums := make([]string, len(g.Outliers))
			for i, k := range g.Outliers {
				nums[i] = fmt.Sprint(k + 1)
			}
			ds.warn("第 %s 个要素的坐标与 %s 不符（共 %d/%d 个坐标点不符），请检查这些要素", strings.Join(nums, "、"), use.label(), g.Total-g.Votes, g.Total)
		}
		geographic = use.Kind == kindGeographic
		if !geographic {
			if err := checkGaussKruger(features, offset, use, swapped); err != nil {
				return err
			}
		}
		if !geographic || swapped {
			for i := range features {
				if features[i].Geometry == nil {
					continue
				}
				features[i].Geometry = mapPoints(features[i].Geometry, func(p orb.Point) orb.Point {
					if swapped {
						p[0], p[1] = p[1], p[0]
					}
					return use.toLonLat(p)
				})
			}
		}
	}
	if o.GCJ02 {
		if !geographic && !plan.gdal {
			ds.warn("GCJ-02 纠偏只适用于经纬度坐标，本文件为投影坐标，已忽略")
		} else {
			for i := range features {
				if features[i].Geometry != nil {
					features[i].Geometry = mapPoints(features[i].Geometry, func(p orb.Point) orb.Point {
						lon, lat := geodesy.GCJ02ToWGS84(p[0], p[1])
						return orb.Point{lon, lat}
					})
				}
			}
			if first {
				ds.CRSNote += "；坐标按 GCJ-02（奥维/高德等火星坐标）纠偏为 WGS84"
			}
		}
	}
	return nil
}

// compatibleCRS reports whether coordinates classified as g can be in the
// CRS named k: same kind, and for Gauss-Kruger the same zone prefix (an
// unprefixed easting cannot tell its central meridian, so any will do).
func compatibleCRS(k, g knownCRS) bool {
	if k.Kind != g.Kind {
		return false
	}
	if k.Kind == kindGK {
		return k.Prefix == g.Prefix
	}
	return true
}

// noCRSError describes coordinates that fit no known CRS.
func noCRSError(features []Feature, format string) error {
	var b orb.Bound
	first := true
	for _, f := range features {
		if f.Geometry == nil {
			continue
		}
		if first {
			b, first = f.Geometry.Bound(), false
		} else {
			b = b.Union(f.Geometry.Bound())
		}
	}
	rng := fmt.Sprintf("X %.3f–%.3f，Y %.3f–%.3f", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	zh := "文件没有坐标系，坐标范围（" + rng + "）既不像经纬度也不像 CGCS2000 高斯-克吕格坐标（EPSG:4528/4549），可能是 CAD 的局部坐标；请指定坐标系（如 EPSG:4528）"
	en := "the file has no CRS and its coordinates (" + rng + ") look neither like lon/lat nor like CGCS2000 Gauss-Kruger (EPSG:4528/4549), perhaps local CAD coordinates; name the CRS (e.g. EPSG:4528)"
	if format == FormatDXF {
		zh = "DXF " + zh[len("文件"):]
	}
	return &Error{Code: CodeNoCRS, Message: zh, English: en}
}

// kmlDisplayFields are the fields GDAL's LIBKML driver adds for KML display
// settings; they mean nothing to a planner.
var kmlDisplayFields = map[string]bool{"tessellate": true, "extrude": true, "visibility": true, "drawOrder": true,
	"icon": true, "altitudeMode": true, "snippet": true, "begin": false, "end": false, "timestamp": false, "description": false}

// dropKMLNoise removes LIBKML's display fields, and its optional ones
// (description, times) when no feature has a value.
func dropKMLNoise(ds *Dataset) {
	var keep []string
	for _, f := range ds.Fields {
		always, known := kmlDisplayFields[f]
		drop := known && always
		if known && !always {
			drop = true
			for _, ft := range ds.Features {
				if v := ft.Properties[f]; v != nil && v != "" {
					drop = false
					break
				}
			}
		}
		if !drop {
			keep = append(keep, f)
			continue
		}
		for _, ft := range ds.Features {
			delete(ft.Properties, f)
		}
	}
	ds.Fields = keep
}

// finish computes the bounds and adds the geometry warnings.
func finish(ds *Dataset) {
	first := true
	var nulls, nonPolygon []int
	kinds := map[string]int{}
	for i, f := range ds.Features {
		if f.Geometry == nil {
			nulls = append(nulls, i+1)
			continue
		}
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			nonPolygon = append(nonPolygon, i+1)
			kinds[f.Geometry.GeoJSONType()]++
		}
		if first {
			ds.Bounds, first = f.Geometry.Bound(), false
		} else {
			ds.Bounds = ds.Bounds.Union(f.Geometry.Bound())
		}
	}
	if len(nulls) > 0 {
		ds.warn("%d 个要素没有几何（第 %s 个）", len(nulls), listNumbers(nulls))
	}
	if len(nonPolygon) > 0 {
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%s %d 个", k, n))
		}
		sort.Strings(ks)
		ds.warn("%d 个要素不是面（%s；第 %s 个），分区和控制线需要面", len(nonPolygon), strings.Join(ks, "，"), listNumbers(nonPolygon))
	}
	if !first && (ds.Bounds.Min[0] < chinaMinLon || ds.Bounds.Max[0] > chinaMaxLon || ds.Bounds.Min[1] < chinaMinLat || ds.Bounds.Max[1] > chinaMaxLat) {
		ds.warn("数据范围（经度 %.4f–%.4f，纬度 %.4f–%.4f）超出中国境内，坐标系可能不对",
			ds.Bounds.Min[0], ds.Bounds.Max[0], ds.Bounds.Min[1], ds.Bounds.Max[1])
	}
}

// listNumbers shows at most ten feature numbers.
func listNumbers(ns []int) string {
	var parts []string
	for i, n := range ns {
		if i == 10 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, "、")
}
