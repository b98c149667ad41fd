package exchange

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Encodings accepted in options.
const (
	EncodingUTF8 = "UTF-8"
	EncodingGBK  = "GBK"
)

// normalizeEncoding maps user spellings to "", "UTF-8", "GBK" or "GB18030".
func normalizeEncoding(s string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))) {
	case "":
		return "", nil
	case "UTF-8", "UTF8", "65001":
		return EncodingUTF8, nil
	case "GBK", "CP936", "936", "GB2312", "EUC-CN", "WINDOWS-936", "CP-936":
		return EncodingGBK, nil
	case "GB18030":
		return "GB18030", nil
	}
	return "", errorf(CodeInvalidOption, "不支持的编码 %q，可选 UTF-8 或 GBK", "unsupported encoding %q; use UTF-8 or GBK", s)
}

// gdalEncoding is the name GDAL (iconv) knows an encoding by.
func gdalEncoding(enc string) string {
	if enc == EncodingGBK {
		return "CP936"
	}
	return enc
}

// textVerdict is what the bytes of some text look like.
type textVerdict int

const (
	textASCII   textVerdict = iota // nothing to decide
	textUTF8                       // valid UTF-8 with non-ASCII characters
	textGBK                        // not UTF-8, but clean GBK
	textUnknown                    // neither
)

// sniffText classifies text chunks; a chunk may end inside a multibyte
// character (fixed-width DBF fields cut text at byte boundaries), which is
// forgiven.
func sniffText(chunks [][]byte) textVerdict {
	var nonASCII, badUTF8, badGBK bool
	dec := simplifiedchinese.GBK.NewDecoder()
	for _, c := range chunks {
		if isASCII(c) {
			continue
		}
		nonASCII = true
		if !badUTF8 && !validUTF8Prefix(c) {
			badUTF8 = true
		}
		if !badGBK {
			s, _, err := transform.Bytes(dec, trimPartialGBK(c))
			if err != nil || bytes.ContainsRune(s, utf8.RuneError) {
				badGBK = true
			}
		}
		if badUTF8 && badGBK {
			break
		}
	}
	switch {
	case !nonASCII:
		return textASCII
	case !badUTF8:
		return textUTF8
	case !badGBK:
		return textGBK
	}
	return textUnknown
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// validUTF8Prefix reports whether b is valid UTF-8 except possibly for an
// incomplete character at its end.
func validUTF8Prefix(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return !utf8.FullRune(b) && len(b) < utf8.UTFMax
		}
		b = b[size:]
	}
	return true
}

// trimPartialGBK drops a lone lead byte at the end of b.
func trimPartialGBK(b []byte) []byte {
	// Count trailing bytes ≥ 0x81 back to an ASCII byte: GBK pairs a lead
	// byte ≥ 0x81 with a trail byte, so an odd run ending in a lead byte is cut.
	i := len(b)
	for i > 0 && b[i-1] >= 0x81 {
		i--
	}
	if (len(b)-i)%2 == 1 {
		return b[:len(b)-1]
	}
	return b
}

// dbfCodePage is what a Shapefile says about its DBF encoding.
type dbfCodePage struct {
	CPG     string // trimmed content of the .cpg, "" if absent
	LDID    byte   // language driver id in the DBF header
	Verdict textVerdict
	Records int64
}

// inspectDBF reads the .cpg and the DBF header of a Shapefile and sniffs the
// text of up to the first 4 MiB of records.
func inspectDBF(shp string) dbfCodePage {
	var cp dbfCodePage
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	if b, err := readSibling(base, ".cpg"); err == nil {
		cp.CPG = strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff"))
	}
	dbf := findSibling(base, ".dbf")
	if dbf == "" {
		return cp
	}
	f, err := os.Open(dbf)
	if err != nil {
		return cp
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var hdr [32]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return cp
	}
	cp.Records = int64(binary.LittleEndian.Uint32(hdr[4:8]))
	headerLen := int(binary.LittleEndian.Uint16(hdr[8:10]))
	recordLen := int(binary.LittleEndian.Uint16(hdr[10:12]))
	cp.LDID = hdr[29]
	if headerLen < 33 || recordLen < 1 {
		return cp
	}
	// Field descriptors: 32 bytes each, ended by 0x0D.
	type field struct{ off, n int }
	var text []field
	off := 1 // the deletion flag
	for pos := 32; pos+32 <= headerLen; pos += 32 {
		var d [32]byte
		if _, err := io.ReadFull(r, d[:1]); err != nil || d[0] == 0x0D {
			break
		}
		if _, err := io.ReadFull(r, d[1:]); err != nil {
			return cp
		}
		n := int(d[16])
		if d[11] == 'C' {
			n |= int(d[17]) << 8 // character fields may use the decimal count as high byte
			text = append(text, field{off, n})
		}
		off += n
	}
	if _, err := f.Seek(int64(headerLen), io.SeekStart); err != nil {
		return cp
	}
	r.Reset(f)
	rec := make([]byte, recordLen)
	var chunks [][]byte
	budget := 4 << 20
	for k := int64(0); k < cp.Records && budget > 0; k++ {
		if _, err := io.ReadFull(r, rec); err != nil {
			break
		}
		budget -= recordLen
		for _, t := range text {
			if t.off+t.n <= len(rec) {
				c := bytes.TrimRight(rec[t.off:t.off+t.n], " \x00")
				if len(c) > 0 {
					chunks = append(chunks, bytes.Clone(c))
				}
			}
		}
	}
	cp.Verdict = sniffText(chunks)
	return cp
}

// ldidCodePages names the DBF language driver ids a Chinese planner meets;
// others GDAL decodes itself.
var ldidCodePages = map[byte]string{0x4D: "CP936", 0x7A: "CP936", 0x57: "ISO-8859-1", 0x03: "CP1252", 0x01: "CP437"}

// maxSidecar is as much of a sidecar file (.cpg) as is read: a code page
// name is a few bytes, and an upload's .cpg may be made gigabytes long.
const maxSidecar = 4 << 10

// readSibling reads the start of base+ext, trying the upper-case extension
// too.
func readSibling(base, ext string) ([]byte, error) {
	p := findSibling(base, ext)
	if p == "" {
		return nil, os.ErrNotExist
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxSidecar))
}

// findSibling returns the path of base+ext in any letter case, or "".
func findSibling(base, ext string) string {
	for _, e := range []string{ext, strings.ToUpper(ext)} {
		if _, err := os.Stat(base + e); err == nil {
			return base + e
		}
	}
	dir, name := filepath.Split(base)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name+ext) {
			return filepath.Join(dir, e.Name())
		}
	}
	return ""
}

// shapefileEncoding decides the ENCODING open option for a Shapefile and
// says why. user is the normalized ImportOptions.Encoding.
func shapefileEncoding(shp, user string) (enc, used, warning string) {
	cp := inspectDBF(shp)
	if user != "" {
		enc = gdalEncoding(user)
		if user == EncodingUTF8 && cp.Verdict == textGBK {
			warning = "指定按 UTF-8 读取，但属性文字不是有效的 UTF-8，看起来是 GBK；如中文乱码请改选 GBK"
		}
		if user == EncodingGBK && cp.Verdict == textUTF8 {
			warning = "指定按 GBK 读取，但属性文字是有效的 UTF-8；如中文乱码请改选 UTF-8"
		}
		return enc, user, warning
	}
	declared := ""
	switch {
	case cp.CPG != "":
		declared = cpgEncoding(cp.CPG)
	case ldidCodePages[cp.LDID] != "":
		declared = ldidCodePages[cp.LDID]
	}
	switch {
	case declared == "UTF-8" && cp.Verdict == textGBK:
		return "CP936", EncodingGBK, ".cpg 声明 UTF-8，但属性文字实际是 GBK 编码，已按 GBK 读取"
	case declared != "" && declared != "UTF-8" && cp.Verdict == textUTF8 && !strings.Contains(declared, "936") && declared != "GBK" && declared != "GB18030":
		return "UTF-8", EncodingUTF8, "文件声明编码 " + declared + "，但属性文字实际是 UTF-8，已按 UTF-8 读取"
	case declared != "":
		return declared, encodingLabel(declared), ""
	}
	// No .cpg and no LDID: Chinese desktop software writes GBK without
	// saying so; GDAL alone would read it as Latin-1.
	switch cp.Verdict {
	case textGBK:
		return "CP936", EncodingGBK, "文件没有 .cpg 编码声明，属性文字按内容判断为 GBK 编码"
	case textUnknown:
		return "", "", "文件没有 .cpg 编码声明，属性文字既不是 UTF-8 也不是 GBK，中文可能乱码；可指定编码重试"
	}
	return "UTF-8", EncodingUTF8, ""
}

// cpgEncoding maps a .cpg's content to an iconv name, as GDAL does, with
// the spellings seen from Chinese software.
func cpgEncoding(cpg string) string {
	u := strings.ToUpper(strings.TrimSpace(cpg))
	switch {
	case u == "UTF-8" || u == "UTF8" || u == "65001":
		return "UTF-8"
	case u == "936" || u == "CP936" || u == "GBK" || u == "GB2312" || u == "ANSI 936" || u == "CP_936":
		return "CP936"
	case u == "GB18030" || u == "54936":
		return "GB18030"
	case strings.HasPrefix(u, "8859"):
		return "ISO-" + u
	case u != "" && strings.Trim(u, "0123456789") == "":
		return "CP" + u
	}
	return cpg
}

// encodingLabel turns an iconv name back into the option spelling.
func encodingLabel(iconv string) string {
	switch iconv {
	case "CP936":
		return EncodingGBK
	case "UTF-8":
		return EncodingUTF8
	}
	return iconv
}

// transcodeToUTF8 rewrites a GBK text file as UTF-8 into dst.
func transcodeToUTF8(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, transform.NewReader(in, simplifiedchinese.GB18030.NewDecoder()))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// sniffFile classifies the first 4 MiB of a text file.
func sniffFile(path string) textVerdict {
	f, err := os.Open(path)
	if err != nil {
		return textUnknown
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	n, _ := io.ReadFull(f, buf)
	return sniffText([][]byte{buf[:n]})
}
