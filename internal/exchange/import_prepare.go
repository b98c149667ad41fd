package exchange

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// prepareSource sets the open options a source needs: the prepare step of
// its format's registry entry (formats.go), if it has one.
func (im *importer) prepareSource(s *source) error {
	if f := formatByID(s.Format); f != nil && f.prepare != nil {
		return f.prepare(im, s)
	}
	return nil
}

// prepareShapefile checks the .dbf is there and matches the .shp, rebuilds
// a missing .shx and decides the DBF encoding.
func (im *importer) prepareShapefile(s *source) error {
	ds := im.ds
	base := strings.TrimSuffix(s.Path, filepath.Ext(s.Path))
	if findSibling(base, ".dbf") == "" {
		return errorf(CodeCorrupt, "%s 缺少同名的 .dbf 属性表", "%s has no .dbf attribute table beside it", s.Name)
	}
	if findSibling(base, ".shx") == "" {
		s.Config = append(s.Config, "SHAPE_RESTORE_SHX=YES")
		ds.warn("%s 缺少 .shx 索引文件，已自动重建", s.Name)
	}
	if err := checkShapefileCounts(s); err != nil {
		return err
	}
	enc, used, warning := shapefileEncoding(s.Path, im.o.enc)
	if enc != "" {
		s.Open = append(s.Open, "ENCODING="+enc)
	}
	s.Enc = used
	if warning != "" {
		ds.warn("%s：%s", s.Name, warning)
	}
	return nil
}

// prepareDXF keeps block entities apart and sets the drawing's encoding.
func (im *importer) prepareDXF(s *source) error {
	s.Config = append(s.Config, "DXF_MERGE_BLOCK_GEOMETRIES=FALSE", "DXF_INLINE_BLOCKS=TRUE",
		"DXF_INCLUDE_RAW_CODE_VALUES=TRUE") // XDATA: wanmu's own fields and part keys (dxf_rebuild.go)
	if enc := im.o.enc; enc != "" {
		s.Config = append(s.Config, "DXF_ENCODING="+gdalEncoding(enc))
		s.Enc = enc
		return nil
	}
	if enc, warning := dxfEncoding(s.Path); enc != "" {
		s.Config = append(s.Config, "DXF_ENCODING="+enc)
		s.Enc = encodingLabel(enc)
		if warning != "" {
			im.ds.warn("%s：%s", s.Name, warning)
		}
	}
	return nil
}

// prepareCSV makes the text UTF-8, reads the crs column and names the
// columns GDAL may take the geometry from.
func (im *importer) prepareCSV(s *source) error {
	if err := im.toUTF8(s); err != nil {
		return err
	}
	if err := im.readCSVCRS(s); err != nil {
		return err
	}
	if s.CRSColumn != 0 {
		// wanmu's own CSV (export_csv.go) quotes text and leaves numbers
		// bare, so types can be read back. Other CSVs stay text: a code
		// like "0031" is not the number 31.
		s.Open = append(s.Open, "AUTODETECT_TYPE=YES", "QUOTED_FIELDS_AS_STRING=YES")
	}
	s.Open = append(s.Open,
		"GEOM_POSSIBLE_NAMES=WKT,wkt,Wkt,geometry,Geometry,GEOMETRY,geom,the_geom,shape,Shape,SHAPE,几何,wkt_geom",
		"KEEP_GEOM_COLUMNS=NO",
		"X_POSSIBLE_NAMES=lon,Lon,LON,lng,longitude,Longitude,x,X,经度",
		"Y_POSSIBLE_NAMES=lat,Lat,LAT,latitude,Latitude,y,Y,纬度")
	return nil
}

// prepareGeoJSON makes the text UTF-8 and keeps dates as written.
func (im *importer) prepareGeoJSON(s *source) error {
	if err := im.toUTF8(s); err != nil {
		return err
	}
	s.Open = append(s.Open, "DATE_AS_STRING=YES")
	return nil
}

// toUTF8 transcodes a GBK text file (CSV or GeoJSON, which GDAL reads as
// UTF-8 only) into the scratch directory, or says its encoding.
func (im *importer) toUTF8(s *source) error {
	ds, o := im.ds, im.o
	verdict := sniffFile(s.Path)
	gbk := o.enc == EncodingGBK || o.enc == "GB18030" || (o.enc == "" && verdict == textGBK)
	switch {
	case gbk && verdict != textASCII && verdict != textUTF8:
		// A folder of its own keeps the file's name, which GDAL makes the
		// layer's name.
		dir, err := os.MkdirTemp(im.tmp, "utf8-")
		if err != nil {
			return fmt.Errorf("transcode %s: %w", s.Name, err)
		}
		dst := filepath.Join(dir, filepath.Base(s.Path))
		if err := transcodeToUTF8(s.Path, dst); err != nil {
			return fmt.Errorf("transcode %s: %w", s.Name, err)
		}
		if o.enc == "" {
			ds.warn("%s 不是 UTF-8 编码，按内容判断为 GBK 并已转换", s.Name)
		}
		s.Path, s.Enc = dst, EncodingGBK
	case verdict == textUnknown:
		ds.warn("%s 的文字既不是 UTF-8 也不是 GBK，中文可能乱码", s.Name)
	case verdict == textUTF8 || verdict == textASCII:
		s.Enc = EncodingUTF8
	}
	return nil
}
