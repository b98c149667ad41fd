package exchange

import (
	"context"
	"strings"
)

// The format registry: what differs from one format to the next (names,
// extensions, GDAL driver and options, how the file is written, finished
// and delivered, how an upload is prepared for GDAL) is a field of one
// formatSpec, so that a format's behaviour is read in one place: exports
// and imports look formats up (formatByID, formatByExt, ListFormats)
// rather than switch on ids. What is left outside: sniffing the bytes of an
// upload (detect.go) and finding the files that make a dataset inside a zip
// (import_locate.go: a .shp's sidecars, a .gdb folder).

// formatSpec describes one exchange format.
type formatSpec struct {
	ID      string   // the Format constant, e.g. "shp"
	Aliases []string // other spellings accepted in ExportOptions.Format, lower case
	Name    string   // human name, e.g. "ESRI Shapefile（zip）"
	Driver  string   // GDAL driver that reads it and, for writer gdalWriter, writes it ("" if none)

	// Import side.
	Import     bool     // Inspect reads it
	UploadExts []string // extensions an upload may have, lower case with dot; ".zip" means inside a zip

	// Export side.
	Export      bool   // Export writes it
	Ext         string // extension of each file written, e.g. ".gpkg"; for Zipped, of the dataset in the zip
	ContentType string // media type of a single (unzipped) download
	Zipped      bool   // a set of files (Shapefile) or a folder (.gdb): always delivered as a zip
	PerLayer    bool   // one file per layer (GeoJSON, CSV); several layers are delivered as a zip
	DirDataset  bool   // the GDAL dataset is the output folder itself, one file set per layer (Shapefile)
	ASCIINames  bool   // layer and file names must be ASCII: ExportLayer.Name is used instead of Title
	FixedEPSG   int    // the CRS this format always has, whatever was asked (KML: 4326), or 0
	DefaultEPSG int    // the CRS when none was asked, 0 for EPSG:4490
	Projected   bool   // needs a projected CRS (EPSG:4528 or 4549): CAD drawings are in metres
	OneGeomType bool   // one geometry type per layer (Shapefile, FileGDB, GPKG declare it)
	ShortFields bool   // field names cut to 10 ASCII bytes, with fields.csv beside
	Encodings   bool   // honours ExportOptions.Encoding (UTF-8 or GBK); others are always UTF-8
	AttrsOnly   bool   // attributes without geometry (XLSX): the file name carries no CRS
	NoInt64     bool   // no 64-bit integers (FileGDB for ArcGIS 10.x): Integer when the values fit
	CRSColumn   bool   // a last column crs ("EPSG:4528") states the CRS on every row (CSV)
	Spreadsheet bool   // opened by Excel: text cells that look like formulas are neutralised (see csvcell.go)

	// LCO and DSCO are ogr2ogr layer and dataset creation options; lcoFor
	// adds the ones that depend on the job (encoding, CRS).
	LCO, DSCO []string
	lcoFor    func(j *exportJob) []string

	// write writes the whole export to out (a file, or for Zipped/PerLayer
	// a folder that is then zipped or unpacked); finish, if set, fixes up
	// what GDAL left behind.
	write  func(j *exportJob, ctx context.Context, out string, prog *progress) error
	finish func(j *exportJob, ctx context.Context, out string) error

	// prepare, if set, readies an upload of this format for GDAL: open and
	// config options, the text encoding, checks GDAL does not make
	// (import_prepare.go).
	prepare func(im *importer, s *source) error

	// How an import reads it, step by step:
	//   - SpecWGS84: the format's specification says WGS84 lon/lat (KML
	//     always; RFC 7946 GeoJSON when the file says EPSG:4326), and the
	//     note the preview shows;
	//   - NoCRSNote: how the preview says the file states no CRS;
	//   - CRSFrom: where the CRS it states was read from;
	//   - Folders: its layers are folders of one document, read together;
	//   - Whole: preferred when a layer of several files is chosen by name
	//     (a GeoPackage over the Shapefiles beside it: names and types
	//     whole);
	//   - FieldTable: a fields.csv beside it restores long names and types;
	//   - rebuild turns GDAL's features into the file's own (DXF: closed
	//     polylines and hatches into polygons), before the CRS is applied;
	//   - tidy puts right what GDAL made of the file (KML: drops display
	//     fields, restores the names of <Data> it mangled), given the
	//     files read.
	SpecWGS84     string
	SpecWGS84Only bool // SpecWGS84 only when the file declares EPSG:4326
	NoCRSNote     string
	CRSFrom       string
	Folders       bool
	Whole         bool
	FieldTable    bool
	rebuild       func(ds *Dataset) error
	tidy          func(ds *Dataset, paths []string)

	Notes string // Chinese notes shown beside the format
}

// formats is the registry, in the order ListFormats shows it. It is filled
// by init (its functions refer back to the registry, which a package-level
// initialiser cannot), so package-level variables must not read it.
var formats []*formatSpec

func init() {
	formats = []*formatSpec{
		{ID: FormatShp, Aliases: []string{"shapefile", "esri shapefile"}, Name: "ESRI Shapefile（zip）", Driver: "ESRI Shapefile",
			Import: true, UploadExts: []string{".zip", ".shp"},
			Export: true, Ext: ".shp", ContentType: contentTypeZip, Zipped: true, DirDataset: true, ASCIINames: true,
			OneGeomType: true, ShortFields: true, Encodings: true,
			lcoFor: func(j *exportJob) []string { return []string{"ENCODING=" + shpEncoding(j.enc)} },
			write:  (*exportJob).runGDAL, finish: (*exportJob).finishShapefiles, prepare: (*importer).prepareShapefile,
			NoCRSNote: "文件无 .prj", CRSFrom: ".prj 中的坐标系", FieldTable: true,
			Notes: "导入：zip 内含 .shp/.shx/.dbf（.prj、.cpg 可选，无 .prj 时按坐标量级推断坐标系，无 .cpg 时按内容判断 GBK/UTF-8）。" +
				"导出：zip，每个图层一套 .shp（文件名用图层的英文名），.prj 与所选坐标系一致，.cpg 为 UTF-8 或 936（GBK），" +
				"字段名为不超过 10 字节的英文，fields.csv 为字段对照表（含中文字段说明）。"},
		{ID: FormatGPKG, Name: "GeoPackage", Driver: "GPKG",
			Import: true, UploadExts: []string{".gpkg"},
			Export: true, Ext: ".gpkg", ContentType: "application/geopackage+sqlite3", OneGeomType: true,
			write: (*exportJob).runGDAL, finish: (*exportJob).finishGPKG, Whole: true,
			Notes: "OGC 标准单文件数据库，QGIS/ArcGIS Pro 可直接打开；图层名用中文名称，字段名保持原样，中文字段说明写作字段别名。"},
		{ID: FormatFileGDB, Aliases: []string{"gdb", "fgdb", "openfilegdb"}, Name: "ESRI File Geodatabase（zip）", Driver: "OpenFileGDB",
			Import: true, UploadExts: []string{".zip", ".gdb"},
			Export: true, Ext: ".gdb", ContentType: contentTypeZip, Zipped: true, OneGeomType: true, NoInt64: true,
			lcoFor: fileGDBLCO, write: (*exportJob).runGDAL, finish: (*exportJob).finishFileGDB, Whole: true,
			Notes: "导入：zip 内含 .gdb 文件夹。导出：zip 内含 .gdb 文件夹，ArcGIS 10.x/Pro 可打开；中文字段说明写作字段别名。"},
		{ID: FormatKML, Name: "KML", Driver: "KML",
			Import: true, UploadExts: []string{".kml"},
			Export: true, Ext: ".kml", ContentType: "application/vnd.google-earth.kml+xml", FixedEPSG: 4326,
			write:     (*exportJob).writeKMLFile,
			SpecWGS84: "KML 按规范为 WGS84 经纬度", Folders: true, tidy: tidyKML,
			Notes: "按规范为 WGS84 经纬度；奥维/高德坐标（GCJ-02）导入时请勾选 GCJ-02 纠偏。导出总是 WGS84，名称显示在地图上。"},
		{ID: FormatKMZ, Name: "KMZ", Driver: "LIBKML",
			Import: true, UploadExts: []string{".kmz"},
			Export: true, Ext: ".kmz", ContentType: "application/vnd.google-earth.kmz", FixedEPSG: 4326,
			write:     (*exportJob).writeKMLFile,
			SpecWGS84: "KML 按规范为 WGS84 经纬度", Folders: true, tidy: tidyKML,
			Notes: "压缩的 KML，规则同 KML。"},
		{ID: FormatDXF, Name: "AutoCAD DXF", Driver: "DXF",
			Import: true, UploadExts: []string{".dxf"},
			Export: true, Ext: ".dxf", ContentType: "image/vnd.dxf", DefaultEPSG: 4528, Projected: true,
			write:   (*exportJob).writeDXF, // streams its own DXF (dxf_export.go)
			prepare: (*importer).prepareDXF, rebuild: dxfToPolygons, NoCRSNote: "DXF 不含坐标系",
			Notes: "DXF 不含坐标系：导入时按坐标量级识别 EPSG:4528（带 40 带号）或 EPSG:4549，识别 X/Y 互换；闭合多段线与填充（HATCH）按包含关系还原为带洞的面，" +
				"同一分区的多个部分按 XDATA 或图层+标注合并。导出：AutoCAD 2004 格式、GBK 编码，每种类型/处置方式一个图层，" +
				"闭合多段线 + 实心填充（洞保留）+ 名称和面积（亩）文字，XDATA 保存属性。"},
		{ID: FormatGeoJSON, Aliases: []string{"json"}, Name: "GeoJSON", Driver: "GeoJSON",
			Import: true, UploadExts: []string{".geojson", ".json"},
			Export: true, Ext: ".geojson", ContentType: "application/geo+json", PerLayer: true,
			lcoFor: geojsonLCO, write: (*exportJob).runGDAL, prepare: (*importer).prepareGeoJSON,
			SpecWGS84: "GeoJSON 按规范为 WGS84 经纬度", SpecWGS84Only: true,
			Notes: "导出 EPSG:4326 时符合 RFC 7946，其他坐标系带 crs 成员；平面坐标保留 6 位小数（1 微米），经纬度保留全部有效位。"},
		{ID: FormatCSV, Name: "CSV（WKT 几何列）", Driver: "CSV",
			Import: true, UploadExts: []string{".csv", ".txt"},
			Export: true, Ext: ".csv", ContentType: "text/csv; charset=utf-8", PerLayer: true, Encodings: true, Spreadsheet: true, CRSColumn: true,
			LCO:   []string{"GEOMETRY=AS_WKT", "LINEFORMAT=CRLF", "WRITE_BOM=YES"},
			write: (*exportJob).runGDAL, finish: (*exportJob).finishCSV, prepare: (*importer).prepareCSV,
			NoCRSNote: "CSV 不含坐标系",
			Notes: "导入：含 WKT 几何列（WKT/geometry/geom）或经纬度列（lon/lat、经度/纬度）。" +
				"导出：UTF-8 带 BOM（或 GBK），Excel 可直接打开；最后一列 crs 注明坐标系（如 EPSG:4528）。"},
		{ID: FormatXLSX, Name: "Excel 属性表（XLSX）",
			Export: true, Ext: ".xlsx", AttrsOnly: true, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			write: func(j *exportJob, _ context.Context, out string, _ *progress) error { return j.writeXLSX(out) },
			Notes: "每个图层一张工作表，只含属性（面积为 CGCS2000 椭球面积）；平台面积汇总表见 AreaTable。"},
	}
}

// formatByID returns the format with this id or alias (any case, spaces
// trimmed), or nil.
func formatByID(id string) *formatSpec {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, f := range formats {
		if f.ID == id {
			return f
		}
		for _, a := range f.Aliases {
			if a == id {
				return f
			}
		}
	}
	return nil
}

// formatByExt returns the importable format an upload extension (".gpkg",
// any case, with the dot) promises, or nil. ".zip" promises no format by
// itself (an archive to unpack) and returns nil.
func formatByExt(ext string) *formatSpec {
	ext = strings.ToLower(ext)
	if ext == ".zip" {
		return nil
	}
	for _, f := range formats {
		if !f.Import {
			continue
		}
		for _, e := range f.UploadExts {
			if e == ext {
				return f
			}
		}
	}
	return nil
}

// FormatInfo describes one exchange format for the UI and the API.
type FormatInfo struct {
	ID          string   // value of ExportOptions.Format and Dataset.Format
	Name        string   // human name
	Extensions  []string // upload extensions Inspect accepts, lower case
	Import      bool     // Inspect reads it
	Export      bool     // Export writes it
	ContentType string   // media type of the exported file
	Notes       string   // Chinese notes shown beside the format
}

// ListFormats describes the formats Inspect reads and Export writes.
func ListFormats() []FormatInfo {
	out := make([]FormatInfo, len(formats))
	for i, f := range formats {
		out[i] = FormatInfo{ID: f.ID, Name: f.Name, Extensions: f.UploadExts, Import: f.Import, Export: f.Export,
			ContentType: f.ContentType, Notes: f.Notes}
	}
	return out
}

// contentTypeZip is the media type of every zipped export.
const contentTypeZip = "application/zip"
