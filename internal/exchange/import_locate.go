package exchange

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

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
