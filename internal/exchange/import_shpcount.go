package exchange

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A Shapefile keeps geometry (.shp, indexed by .shx) and attributes (.dbf)
// in separate files matched by record number. When the counts differ, GDAL
// reads as many features as the index has and pairs them with whatever
// record has the same number: features silently lose (or gain) attributes,
// and a planner's 86 zones arrive as 80. The headers are read here, before
// GDAL, and a mismatch refuses the file.

var errShapeHeader = errors.New("not a Shapefile header")

// shpHeader is what the 100-byte main file header of a .shp or .shx says.
type shpHeader struct {
	FileBytes int64 // the file length the header claims
	ShapeType int32
}

// parseShpHeader reads the header shared by .shp and .shx: file code 9994
// and the length in 16-bit words (big-endian), version 1000 (little-endian).
func parseShpHeader(h []byte) (shpHeader, error) {
	if len(h) < 100 || binary.BigEndian.Uint32(h[0:4]) != 9994 || binary.LittleEndian.Uint32(h[28:32]) != 1000 {
		return shpHeader{}, errShapeHeader
	}
	return shpHeader{FileBytes: 2 * int64(binary.BigEndian.Uint32(h[24:28])), ShapeType: int32(binary.LittleEndian.Uint32(h[32:36]))}, nil
}

// dbfHeader is what the first 32 bytes of a DBF say.
type dbfHeader struct {
	Records   int64
	HeaderLen int64
	RecordLen int64
}

// parseDBFHeader reads the record count, header and record lengths (all
// little-endian) of a dBASE file.
func parseDBFHeader(h []byte) (dbfHeader, error) {
	if len(h) < 32 {
		return dbfHeader{}, errors.New("DBF header shorter than 32 bytes")
	}
	d := dbfHeader{Records: int64(binary.LittleEndian.Uint32(h[4:8])),
		HeaderLen: int64(binary.LittleEndian.Uint16(h[8:10])), RecordLen: int64(binary.LittleEndian.Uint16(h[10:12]))}
	if d.HeaderLen < 33 || d.RecordLen < 1 {
		return dbfHeader{}, fmt.Errorf("DBF header length %d or record length %d is impossible", d.HeaderLen, d.RecordLen)
	}
	return d, nil
}

// rowsIn is how many records a DBF of size bytes holds: what the header
// says, or fewer when the file was cut short.
func (d dbfHeader) rowsIn(size int64) int64 {
	if size < d.HeaderLen {
		return 0
	}
	return min(d.Records, (size-d.HeaderLen)/d.RecordLen)
}

// readHead reads up to n bytes from the start of path, and its size.
func readHead(path string, n int) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, 0, err
	}
	return b[:k], st.Size(), nil
}

// countShpRecords walks the record headers of a .shp (8 bytes each:
// number and content length in words, big-endian) when there is no .shx
// to count from. A record running past the end of the file ends the count.
func countShpRecords(r io.Reader, size int64) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if _, err := br.Discard(100); err != nil {
		return 0, err
	}
	var n int64
	var h [8]byte
	for pos := int64(100); pos+8 <= size; n++ {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return n, nil
		}
		content := 2 * int64(binary.BigEndian.Uint32(h[4:8]))
		pos += 8 + content
		if pos > size {
			return n, nil
		}
		if _, err := br.Discard(int(content)); err != nil {
			return n, nil
		}
	}
	return n, nil
}

// shapefileCounts returns the number of geometries (from the .shx, or by
// walking the .shp) and of attribute rows the .dbf holds; ok is false when
// a header cannot be read, which GDAL then reports in its own words.
func shapefileCounts(shp string) (geoms, rows int64, cutShort, ok bool) {
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	dbf := findSibling(base, ".dbf")
	h, size, err := readHead(dbf, 32)
	if err != nil {
		return 0, 0, false, false
	}
	dh, err := parseDBFHeader(h)
	if err != nil {
		return 0, 0, false, false
	}
	rows = dh.rowsIn(size)
	cutShort = rows < dh.Records
	if shx := findSibling(base, ".shx"); shx != "" {
		h, size, err := readHead(shx, 100)
		if err != nil {
			return 0, 0, false, false
		}
		sh, err := parseShpHeader(h)
		if err != nil {
			return 0, 0, false, false
		}
		// Each index entry is 8 bytes; a truncated index holds fewer.
		return (min(sh.FileBytes, size) - 100) / 8, rows, cutShort, sh.FileBytes >= 100
	}
	f, err := os.Open(shp)
	if err != nil {
		return 0, 0, false, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, false, false
	}
	geoms, err = countShpRecords(f, st.Size())
	return geoms, rows, cutShort, err == nil
}

// checkShapefileCounts refuses a Shapefile whose .dbf holds a different
// number of records than its .shp holds shapes, naming the first feature
// that has no partner.
func checkShapefileCounts(s *source) error {
	geoms, rows, cutShort, ok := shapefileCounts(s.Path)
	if !ok || geoms == rows {
		return nil
	}
	base := strings.TrimSuffix(filepath.Base(s.Name), filepath.Ext(s.Name))
	first := min(geoms, rows) + 1
	cut, cutEn := "", ""
	if cutShort {
		cut, cutEn = "（.dbf 文件被截断）", " (the .dbf file is cut short)"
	}
	e := &Error{Code: CodeCorrupt, Feature: int(first)}
	if rows < geoms {
		e.Message = fmt.Sprintf("%s.shp 有 %d 个图形，%s.dbf 却只有 %d 条属性记录%s：第 %d 个要素起没有属性，其余要素的属性也可能与图形错位；请在原软件（ArcGIS、QGIS）中检查并重新导出 Shapefile 后上传（整个文件均未导入）",
			base, geoms, base, rows, cut, first)
		e.English = fmt.Sprintf("%s.shp holds %d shapes but %s.dbf only %d attribute records%s: feature %d onwards has no attributes, and the others may be paired with the wrong shapes; check the data where it was made, export the Shapefile again and upload that (nothing was imported)",
			base, geoms, base, rows, cutEn, first)
	} else {
		e.Message = fmt.Sprintf("%s.dbf 有 %d 条属性记录，%s.shp 却只有 %d 个图形：第 %d 条记录起没有图形，属性也可能与图形错位；请在原软件（ArcGIS、QGIS）中检查并重新导出 Shapefile 后上传（整个文件均未导入）",
			base, rows, base, geoms, first)
		e.English = fmt.Sprintf("%s.dbf holds %d attribute records but %s.shp only %d shapes: record %d onwards has no shape, and the attributes may be paired with the wrong shapes; check the data where it was made, export the Shapefile again and upload that (nothing was imported)",
			base, rows, base, geoms, first)
	}
	return e
}
