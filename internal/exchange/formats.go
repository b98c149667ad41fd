package exchange

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
	return []FormatInfo{
		{FormatShp, "ESRI Shapefile（zip）", []string{".zip", ".shp"}, true, true, "application/zip",
			"导入：zip 内含 .shp/.shx/.dbf（.prj、.cpg 可选，无 .prj 时按坐标量级推断坐标系，无 .cpg 时按内容判断 GBK/UTF-8）。" +
				"导出：zip，每个图层一套 .shp，.prj 与所选坐标系一致，.cpg 为 UTF-8 或 936（GBK），字段名为不超过 10 字节的英文，fields.csv 为字段对照表。"},
		{FormatGPKG, "GeoPackage", []string{".gpkg"}, true, true, "application/geopackage+sqlite3",
			"OGC 标准单文件数据库，QGIS/ArcGIS Pro 可直接打开；字段名保持原样。"},
		{FormatFileGDB, "ESRI File Geodatabase（zip）", []string{".zip"}, true, true, "application/zip",
			"导入：zip 内含 .gdb 文件夹。导出：zip 内含 .gdb 文件夹，ArcGIS 10.x/Pro 可打开。"},
		{FormatKML, "KML", []string{".kml"}, true, true, "application/vnd.google-earth.kml+xml",
			"按规范为 WGS84 经纬度；奥维/高德坐标（GCJ-02）导入时请勾选 GCJ-02 纠偏。导出总是 WGS84，名称显示在地图上。"},
		{FormatKMZ, "KMZ", []string{".kmz"}, true, true, "application/vnd.google-earth.kmz",
			"压缩的 KML，规则同 KML。"},
		{FormatDXF, "AutoCAD DXF", []string{".dxf"}, true, true, "image/vnd.dxf",
			"DXF 不含坐标系：导入时按坐标量级识别 EPSG:4528（带 40 带号）或 EPSG:4549，识别 X/Y 互换，闭合多段线作为面；" +
				"导出为高斯-克吕格坐标（EPSG:4528 或 4549）的闭合多段线，名称为文字标注。"},
		{FormatGeoJSON, "GeoJSON", []string{".geojson", ".json"}, true, true, "application/geo+json",
			"导出 EPSG:4326 时符合 RFC 7946，其他坐标系带 crs 成员。"},
		{FormatCSV, "CSV（WKT 几何列）", []string{".csv"}, true, true, "text/csv; charset=utf-8",
			"导入：含 WKT 几何列（WKT/geometry/geom）或经纬度列（lon/lat、经度/纬度）。导出：UTF-8 带 BOM，Excel 可直接打开。"},
		{FormatXLSX, "Excel 属性表（XLSX）", nil, false, true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			"每个图层一张工作表，只含属性（面积为 CGCS2000 椭球面积）；平台面积汇总表见 AreaTable。"},
	}
}

// contentTypeZip is the media type of every zipped export.
const contentTypeZip = "application/zip"
