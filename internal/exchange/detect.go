package exchange

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format identifiers, as used in ExportOptions.Format and Dataset.Format.
const (
	FormatGeoJSON = "geojson"
	FormatShp     = "shp"
	FormatGPKG    = "gpkg"
	FormatFileGDB = "filegdb"
	FormatKML     = "kml"
	FormatKMZ     = "kmz"
	FormatDXF     = "dxf"
	FormatCSV     = "csv"
	FormatXLSX    = "xlsx"
	formatZip     = "zip" // an archive still to be unpacked
)

// magic is what the first bytes of a file say it is.
type magic struct {
	format string // one of the Format constants, formatZip, or ""
	other  string // a recognised but unsupported kind, in words
}

// sniffMagic reads the start of path and says what it is.
func sniffMagic(path string) (magic, error) {
	f, err := os.Open(path)
	if err != nil {
		return magic{}, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return magic{}, err
	}
	return sniffBytes(head[:n]), nil
}

// sniffBytes classifies the first bytes of a file.
func sniffBytes(h []byte) magic {
	switch {
	case bytes.HasPrefix(h, []byte("PK\x03\x04")), bytes.HasPrefix(h, []byte("PK\x05\x06")):
		return magic{format: formatZip}
	case bytes.HasPrefix(h, []byte("SQLite format 3\x00")):
		return magic{format: FormatGPKG}
	case len(h) >= 100 && bytes.Equal(h[:4], []byte{0, 0, 0x27, 0x0a}):
		return magic{format: FormatShp}
	case bytes.HasPrefix(h, []byte("AutoCAD Binary DXF")):
		return magic{format: FormatDXF}
	case bytes.HasPrefix(h, []byte("\x89PNG")):
		return magic{other: "PNG 图片 / a PNG image"}
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return magic{other: "JPEG 图片 / a JPEG image"}
	case bytes.HasPrefix(h, []byte("GIF8")):
		return magic{other: "GIF 图片 / a GIF image"}
	case bytes.HasPrefix(h, []byte("%PDF")):
		return magic{other: "PDF 文档 / a PDF document"}
	case bytes.HasPrefix(h, []byte("Rar!")):
		return magic{other: "RAR 压缩包（请改用 zip）/ a RAR archive (use zip)"}
	case bytes.HasPrefix(h, []byte("7z\xBC\xAF\x27\x1C")):
		return magic{other: "7z 压缩包（请改用 zip）/ a 7z archive (use zip)"}
	case bytes.HasPrefix(h, []byte{0x1F, 0x8B}):
		return magic{other: "gzip 压缩文件（请改用 zip）/ a gzip file (use zip)"}
	case bytes.HasPrefix(h, []byte("AC10")) || bytes.HasPrefix(h, []byte("AC1.")):
		return magic{other: "DWG 图纸（请在 CAD 中另存为 DXF）/ a DWG drawing (save it as DXF in CAD)"}
	case bytes.HasPrefix(h, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return magic{other: "旧版 Office 文档（.xls/.doc）/ a legacy Office document"}
	case bytes.HasPrefix(h, []byte("II*\x00")) || bytes.HasPrefix(h, []byte("MM\x00*")):
		return magic{other: "TIFF 栅格图像 / a TIFF raster"}
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(h, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if bytes.IndexByte(h, 0) >= 0 {
		return magic{}
	}
	switch {
	case len(text) > 0 && (text[0] == '{' || text[0] == '['):
		return magic{format: FormatGeoJSON}
	case bytes.HasPrefix(text, []byte("<")):
		low := bytes.ToLower(text)
		if bytes.Contains(low, []byte("<kml")) {
			return magic{format: FormatKML}
		}
		if bytes.Contains(low, []byte("<ogrvrtdatasource")) {
			return magic{other: "GDAL VRT 文件（不接受上传）/ a GDAL VRT file (not accepted)"}
		}
		return magic{other: "XML 文件，但不是 KML / an XML file that is not KML"}
	case isDXFText(text):
		return magic{format: FormatDXF}
	}
	return magic{format: "text"}
}

// isDXFText recognises an ASCII DXF: group code 0 followed by SECTION, or
// group code 999 (a comment) first.
func isDXFText(t []byte) bool {
	lines := strings.SplitN(string(t), "\n", 3)
	if len(lines) < 2 {
		return false
	}
	code := strings.TrimSpace(lines[0])
	val := strings.TrimSpace(lines[1])
	return (code == "0" && val == "SECTION") || code == "999"
}

// formatName is the human name of a format identifier.
func formatName(id string) string {
	if f := formatByID(id); f != nil {
		return f.Name
	}
	return id
}

// extFormat is the format a file extension promises: formatZip for an
// archive to unpack, else the registry's importable format, or "".
func extFormat(path string) string {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".zip" {
		return formatZip
	}
	if f := formatByExt(ext); f != nil {
		return f.ID
	}
	return ""
}

// classify decides the format of a single uploaded file from its content,
// checking that the extension agrees. A zip stays formatZip (or FormatKMZ).
func classify(path string) (string, error) {
	m, err := sniffMagic(path)
	if err != nil {
		return "", errorf(CodeCorrupt, "无法读取文件 %s", "cannot read file %s", filepath.Base(path))
	}
	ext := extFormat(path)
	name := filepath.Base(path)
	if m.other != "" {
		zh, en, _ := strings.Cut(m.other, " / ")
		return "", &Error{Code: CodeUnsupportedFormat,
			Message: "文件 " + name + " 实际是" + zh + "，不是可导入的 GIS 数据",
			English: "file " + name + " is " + en + ", not GIS data that can be imported"}
	}
	switch m.format {
	case formatZip:
		if ext == FormatKMZ {
			return FormatKMZ, nil
		}
		return formatZip, nil
	case "text":
		if ext == FormatCSV {
			return FormatCSV, nil
		}
	default:
		// The content names the format; the extension must agree, or be
		// missing where the content alone is enough (a .shp's header is
		// not: its siblings are found by name).
		if f := formatByID(m.format); f != nil && f.Import && (ext == f.ID || ext == "" && f.ID != FormatShp) {
			return f.ID, nil
		}
	}
	if ext != "" && ext != formatZip {
		return "", errorf(CodeUnsupportedFormat, "文件 %s 的内容不是扩展名所说的 %s 格式", "the content of %s is not the %s its extension promises", name, formatName(ext))
	}
	return "", errorf(CodeUnsupportedFormat,
		"无法识别文件 %s 的格式；支持 zip 压缩的 Shapefile 或 FileGDB、GeoPackage、KML/KMZ、DXF、GeoJSON、带 WKT 列的 CSV",
		"unrecognised format of %s; supported: zipped Shapefile or FileGDB, GeoPackage, KML/KMZ, DXF, GeoJSON, CSV with a WKT column", name)
}
