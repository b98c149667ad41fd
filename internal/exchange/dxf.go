package exchange

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"os"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
)

// DXF attribute names Inspect keeps: the CAD layer, the text found inside
// the polygon (labels are how CAD drawings name parcels), and the handle.
const (
	dxfLayerField  = "Layer"
	dxfTextField   = "Text"
	dxfHandleField = "EntityHandle"
	// dxfRawField is where GDAL puts group codes it does not interpret
	// (XDATA among them) when DXF_INCLUDE_RAW_CODE_VALUES=TRUE.
	dxfRawField = "RawCodeValues"
)

// dxfToPolygons rebuilds the polygons of a drawing from the entities GDAL
// read (raw coordinates, before the CRS is applied): see dxfRebuild. Texts
// inside a polygon name it; open lines and points are dropped with a
// warning that says what was made of the drawing.
func dxfToPolygons(ds *Dataset) error {
	r := dxfRebuild(ds.Features)
	if len(r.features) == 0 {
		return newError(CodeEmpty,
			"DXF 中没有闭合多段线或填充（HATCH），得不到面；请在 CAD 中把边界画成闭合多段线（PLINE 后输入 C 闭合）",
			"the DXF has no closed polylines or hatches, so no polygons; draw the boundaries as closed polylines in CAD")
	}
	ds.Features = r.features
	ds.Fields = r.fields
	ds.warn("%s", r.summary())
	return nil
}

// closeRing returns a closed LineString as a ring. Ends closer than a
// millimetre (or 1e-8° in lon/lat) count as closed.
func closeRing(ls orb.LineString) (orb.Ring, bool) {
	if len(ls) < 4 {
		return nil, false
	}
	first, last := ls[0], ls[len(ls)-1]
	if first == last {
		return orb.Ring(ls), true
	}
	if math.Abs(first[0]-last[0]) <= ringTolerance(ls) && math.Abs(first[1]-last[1]) <= ringTolerance(ls) {
		r := orb.Ring(ls)
		r[len(r)-1] = first
		return r, true
	}
	return nil, false
}

// ringTolerance is a millimetre in projected coordinates, 1e-8° in lon/lat.
func ringTolerance[P ~[]orb.Point](r P) float64 {
	if len(r) > 0 && (math.Abs(r[0][0]) > 1000 || math.Abs(r[0][1]) > 1000) {
		return 1e-3
	}
	return 1e-8
}

var (
	mtextCodeRE  = regexp.MustCompile(`\\[ACcFfHhQTtWp][^;\\{}]*;`)
	mtextBreakRE = regexp.MustCompile(`\\[Pp~]`)
	mtextFlagRE  = regexp.MustCompile(`\\[LlOoKkNn]`)
)

// cleanMText strips MTEXT formatting codes ({\fSimSun|b0;丽水}, \P) from a
// text.
func cleanMText(s string) string {
	s = mtextCodeRE.ReplaceAllString(s, "")
	s = mtextBreakRE.ReplaceAllString(s, " ")
	s = mtextFlagRE.ReplaceAllString(s, "")
	s = strings.NewReplacer("{", "", "}", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// dxfEncoding decides DXF_ENCODING for a DXF whose header may not say its
// code page truthfully: text that is not UTF-8 but is GBK, in a drawing
// whose header claims a Western code page, is read as GBK.
func dxfEncoding(path string) (enc, warning string) {
	f, err := os.Open(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	if head, _ := br.Peek(18); bytes.HasPrefix(head, []byte("AutoCAD Binary DXF")) {
		return "", ""
	}
	var version, codepage string
	var prev string
	var chunks [][]byte
	var budget = 8 << 20
	for budget > 0 {
		line, err := br.ReadBytes('\n')
		budget -= len(line)
		t := string(bytes.TrimSpace(line))
		switch prev {
		case "$ACADVER":
			if t != "1" {
				version = t
			}
		case "$DWGCODEPAGE":
			if t != "3" {
				codepage = strings.ToUpper(t)
			}
		}
		if t == "$ACADVER" || t == "$DWGCODEPAGE" {
			prev = t
		} else if prev != "" && t != "1" && t != "3" {
			prev = ""
		}
		if !isASCII(line) {
			chunks = append(chunks, bytes.TrimRight(line, "\r\n"))
		}
		if err == io.EOF || err != nil {
			break
		}
	}
	// From AutoCAD 2007 (AC1021) on, DXF text is UTF-8 whatever the header says.
	if version >= "AC1021" {
		return "UTF-8", ""
	}
	if strings.Contains(codepage, "936") || codepage == "GBK" || codepage == "GB2312" {
		return "", ""
	}
	switch sniffText(chunks) {
	case textGBK:
		if codepage == "" {
			return "CP936", "DXF 未声明代码页，文字按内容判断为 GBK"
		}
		return "CP936", "DXF 声明代码页 " + codepage + "，但文字实际是 GBK，已按 GBK 读取"
	case textUTF8:
		return "UTF-8", ""
	}
	return "", ""
}
