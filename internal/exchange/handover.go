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
	CRS        string    // EPSG:4490 (default), 4326, 4549 or 4528
	Encoding   string    // Shapefile DBF text: UTF-8 (default) or GBK
	Date       time.Time // zero means today
	Title      string    // "" means "产业平台整合成果"
	Definition string    // the developable-area definition in force, for README and table
	TempDir    string
	Progress   func(done, total int64)
}

// Handover file names inside the package folder.
const (
	handoverShpDir  = "shp/"
	handoverGPKG    = "gpkg/wanmu.gpkg"
	handoverTable   = "area_table.xlsx"
	handoverReadme  = "README.txt"
	handoverGPKGDoc = "wanmu"
)

// Handover writes the package a land-use planner receives: one zip holding
// a folder with the platforms and zones as Shapefiles (with fields.csv) and
// as one GeoPackage in the chosen CRS, the XLSX area table, and a Chinese
// README.txt stating CRS, area method, units and date. Layer names must be
// distinct (e.g. "platforms" and "zones").
func Handover(ctx context.Context, w io.Writer, platforms ExportLayer, zones ExportLayer, table []PlatformRow, opts HandoverOptions) error {
	if opts.Date.IsZero() {
		opts.Date = time.Now()
	}
	if opts.Title == "" {
		opts.Title = "产业平台整合成果"
	}
	layers := []ExportLayer{platforms, zones}
	base := ExportOptions{CRS: opts.CRS, Encoding: opts.Encoding, Name: handoverGPKGDoc, Date: opts.Date, TempDir: opts.TempDir}
	shpOpts, gpkgOpts := base, base
	shpOpts.Format, gpkgOpts.Format = FormatShp, FormatGPKG
	job, err := newExportJob(layers, shpOpts)
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
	shpOpts.Progress = sub(0, 450)
	if err := exportToFile(ctx, shpPath, layers, shpOpts); err != nil {
		return fmt.Errorf("handover shapefile: %w", err)
	}
	gpkgPath := filepath.Join(tmp, "wanmu.gpkg")
	gpkgOpts.Progress = sub(450, 850)
	if err := exportToFile(ctx, gpkgPath, layers, gpkgOpts); err != nil {
		return fmt.Errorf("handover geopackage: %w", err)
	}
	crsLabel := crsDescription(job.epsg)
	xlsxPath := filepath.Join(tmp, handoverTable)
	xf, err := os.Create(xlsxPath)
	if err != nil {
		return err
	}
	err = AreaTable(xf, table, AreaTableOptions{Title: opts.Title + " 可开发空间面积表", Definition: opts.Definition, CRS: crsLabel, Date: opts.Date})
	if cerr := xf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("handover area table: %w", err)
	}
	prog.set(950)

	folder := "wanmu-handover-" + opts.Date.Format("20060102") + "/"
	zw := newZipWriter(w, opts.Date)
	readme := buildReadme(opts, job, platforms, zones, crsLabel)
	if err := zw.addReader(folder+handoverReadme, strings.NewReader(readme)); err != nil {
		return err
	}
	if err := copyZipEntries(zw, shpPath, folder+handoverShpDir); err != nil {
		return fmt.Errorf("handover shapefile: %w", err)
	}
	if err := zw.addFile(folder+handoverGPKG, gpkgPath); err != nil {
		return err
	}
	if err := zw.addFile(folder+handoverTable, xlsxPath); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	prog.set(ProgressTotal)
	return nil
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
	switch epsg {
	case geodesy.EPSGGK3Zone40Prefixed:
		return "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40（CGCS2000 国家大地坐标系 3 度带高斯-克吕格投影第 40 带，中央经线 120°E，东坐标带 40 带号，单位米；X 为北坐标，Y 为东坐标）"
	case geodesy.EPSGGK3Zone40:
		return "EPSG:4549 CGCS2000 / 3-degree Gauss-Kruger CM 120E（CGCS2000 国家大地坐标系 3 度带高斯-克吕格投影，中央经线 120°E，东坐标不带带号，单位米；X 为北坐标，Y 为东坐标）"
	case geodesy.EPSGWGS84:
		return "EPSG:4326 WGS 84 经纬度（与 CGCS2000 相差厘米级）"
	}
	return "EPSG:4490 CGCS2000 经纬度（CGCS2000 国家大地坐标系，单位度）"
}

// buildReadme composes README.txt: UTF-8 with a BOM and CRLF line ends,
// so that Notepad on any Windows shows the Chinese.
func buildReadme(opts HandoverOptions, job *exportJob, platforms, zones ExportLayer, crs string) string {
	encNote := "UTF-8（.cpg 文件内容为 UTF-8）。ArcGIS 10.2.1 及以上、ArcGIS Pro、QGIS 可直接正确显示中文。"
	if job.enc == EncodingGBK {
		encNote = "GBK（.cpg 文件内容为 936，即 GBK 代码页；DBF 文件头语言驱动标识为 0x4D）。ArcGIS、QGIS 及国内常用软件可直接正确显示中文。"
	}
	count := func(l ExportLayer) int { return len(l.Features) }
	lines := []string{
		opts.Title + " 数据移交说明",
		strings.Repeat("=", 40),
		"",
		"日期：" + opts.Date.Format("2006年1月2日"),
		"",
		"一、文件清单",
		fmt.Sprintf("  %s%s.shp 等    产业平台（成员分区合并后的边界），%d 个要素", handoverShpDir, platforms.Name, count(platforms)),
		fmt.Sprintf("  %s%s.shp 等    平台成员分区，%d 个要素", handoverShpDir, zones.Name, count(zones)),
		fmt.Sprintf("  %s%s        Shapefile 字段名对照表（DBF 字段名最多 10 个英文字符，完整名称和说明见此表）", handoverShpDir, fieldTableName),
		fmt.Sprintf("  %s       与 Shapefile 相同的两个图层（%s、%s）的 GeoPackage，字段名完整", handoverGPKG, platforms.Name, zones.Name),
		fmt.Sprintf("  %s        可开发空间面积表：平台汇总、各平台成员明细、说明", handoverTable),
		"",
		"二、坐标系",
		"  " + crs,
		"  各 Shapefile 的 .prj 与 GeoPackage 的坐标系定义与此一致，在 ArcGIS、QGIS 中打开即可，无需再定义投影。",
		"",
		"三、面积计算方法",
		"  面积属性（如 area_m2 平方米、area_mu 亩）为 CGCS2000 椭球面积：椭球参数 a = 6378137 米，扁率 1/298.257222101，",
		"  按国土调查办发〔2008〕32号规定的椭球面积公式计算，与第三次全国国土调查（三调，TD/T 1055-2019）口径一致。",
		"  平方米保留两位小数；亩由未取整的平方米换算。是否达标按未取整数值与门槛比较。",
		"  注意：在 ArcGIS/QGIS 中用投影坐标\u201c计算几何\u201d得到的是高斯平面面积，比椭球面积略大（离中央经线越远越大），以本数据的面积属性为准。",
		"",
		"四、面积单位",
		"  1 亩 = 2000/3 平方米（约 666.67 平方米）；15 亩 = 1 公顷；10000 亩 = 666.67 公顷。",
		"",
		"五、字符编码",
		"  Shapefile 属性表编码：" + encNote,
		"  GeoPackage、面积表和本说明均为 UTF-8。",
	}
	if opts.Definition != "" {
		lines = append(lines, "", "六、可开发空间计算口径", "  "+opts.Definition)
	}
	lines = append(lines, "", "本数据包由 wanmu（万亩产业平台整合系统）生成。", "")
	return "\ufeff" + strings.Join(lines, "\r\n")
}
