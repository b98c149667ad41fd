package exchange

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// DXF attribute names Inspect keeps: the CAD layer, the text found inside
// the polygon (labels are how CAD drawings name parcels), and the handle.
const (
	dxfLayerField  = "Layer"
	dxfTextField   = "Text"
	dxfHandleField = "EntityHandle"
)

// dxfLabel is a TEXT/MTEXT insertion point and its text.
type dxfLabel struct {
	P    orb.Point
	Text string
}

// dxfToPolygons turns the entities GDAL read from a DXF into polygons: CAD
// draws parcels as closed polylines, which GDAL returns as closed
// LineStrings; HATCH and SOLID already come as polygons. Texts inside a
// polygon become its Text attribute; open lines and points are dropped with
// a warning. It runs on raw coordinates, before the CRS is applied.
func dxfToPolygons(ds *Dataset) error {
	var labels []dxfLabel
	var out []Feature
	var closed, open, points, hatches, dups int
	type key struct {
		n          int
		x0, y0, a0 int64
	}
	seen := map[key]bool{}
	for _, f := range ds.Features {
		props := map[string]any{dxfLayerField: f.Properties[dxfLayerField], dxfHandleField: f.Properties[dxfHandleField]}
		text, _ := f.Properties[dxfTextField].(string)
		var polys orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Point:
			if t := cleanMText(text); t != "" {
				labels = append(labels, dxfLabel{g, t})
			}
			points++
			continue
		case orb.MultiPoint:
			points++
			continue
		case orb.LineString:
			if p, ok := closeRing(g); ok {
				polys = orb.MultiPolygon{{p}}
				closed++
			} else {
				open++
				continue
			}
		case orb.MultiLineString:
			for _, ls := range g {
				if p, ok := closeRing(ls); ok {
					polys = append(polys, orb.Polygon{p})
					closed++
				} else {
					open++
				}
			}
		case orb.Polygon:
			polys = orb.MultiPolygon{g}
			hatches++
		case orb.MultiPolygon:
			polys = g
			hatches++
		case orb.Collection:
			for _, c := range g {
				switch c := c.(type) {
				case orb.Polygon:
					polys = append(polys, c)
				case orb.LineString:
					if p, ok := closeRing(c); ok {
						polys = append(polys, orb.Polygon{p})
						closed++
					} else {
						open++
					}
				default:
					open++
				}
			}
		default:
			continue
		}
		for _, p := range polys {
			if len(p) == 0 || len(p[0]) < 4 {
				continue
			}
			// A HATCH drawn over its own boundary polyline is one parcel.
			b := p.Bound()
			tol := ringTolerance(p[0])
			k := key{len(p[0]), int64(math.Round(b.Min[0] / tol)), int64(math.Round(b.Min[1] / tol)), int64(math.Round(planar.Area(p) / (tol * tol)))}
			if seen[k] {
				dups++
				continue
			}
			seen[k] = true
			out = append(out, Feature{Geometry: p, Properties: copyProps(props)})
		}
	}
	if len(out) == 0 {
		return newError(CodeEmpty,
			"DXF 中没有闭合多段线或填充（HATCH），得不到面；请在 CAD 中把边界画成闭合多段线（PLINE 后输入 C 闭合）",
			"the DXF has no closed polylines or hatches, so no polygons; draw the boundaries as closed polylines in CAD")
	}
	assignLabels(out, labels)
	ds.Features = out
	ds.Fields = []string{dxfLayerField, dxfTextField, dxfHandleField}
	msg := fmt.Sprintf("DXF：%d 条闭合多段线", closed)
	if hatches > 0 {
		msg += fmt.Sprintf("和 %d 个填充", hatches)
	}
	msg += "作为面导入"
	if dups > 0 {
		msg += fmt.Sprintf("，%d 个与边界线重合的填充已去重", dups)
	}
	var skipped []string
	if open > 0 {
		skipped = append(skipped, fmt.Sprintf("%d 条未闭合的线", open))
	}
	if points > 0 {
		skipped = append(skipped, fmt.Sprintf("%d 个点或文字", points))
	}
	if len(skipped) > 0 {
		msg += "；" + strings.Join(skipped, "和") + "未作为要素导入"
	}
	if len(labels) > 0 {
		msg += fmt.Sprintf("（其中 %d 个文字已按位置写入所在面的 Text 属性）", len(labels))
	}
	if n := countNested(out); n > 0 {
		msg += fmt.Sprintf("。其中 %d 个面位于其他面内部（可能是\"洞\"，闭合多段线无法表达），已作为单独的面导入，请在预览中核对", n)
	}
	ds.warn("%s", msg)
	return nil
}

// countNested counts polygons lying inside another one (checked for
// drawings of up to 5000 polygons).
func countNested(features []Feature) int {
	if len(features) > 5000 {
		return 0
	}
	bounds := make([]orb.Bound, len(features))
	for i, f := range features {
		bounds[i] = f.Geometry.Bound()
	}
	var n int
	for i, f := range features {
		p := f.Geometry.(orb.Polygon)
		for k, g := range features {
			if k != i && bounds[k].Contains(bounds[i].Min) && bounds[k].Contains(bounds[i].Max) && bounds[i] != bounds[k] &&
				planar.PolygonContains(g.Geometry.(orb.Polygon), p[0][0]) {
				n++
				break
			}
		}
	}
	return n
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

func copyProps(p map[string]any) map[string]any {
	c := make(map[string]any, len(p)+1)
	for k, v := range p {
		c[k] = v
	}
	return c
}

// assignLabels writes each text into the smallest polygon containing it.
func assignLabels(features []Feature, labels []dxfLabel) {
	if len(labels) == 0 {
		return
	}
	type cand struct {
		i    int
		b    orb.Bound
		area float64
	}
	cands := make([]cand, len(features))
	for i, f := range features {
		p := f.Geometry.(orb.Polygon)
		cands[i] = cand{i, p.Bound(), math.Abs(planar.Area(p))}
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].area < cands[b].area })
	texts := make([][]string, len(features))
	for _, l := range labels {
		for _, c := range cands {
			if c.b.Contains(l.P) && planar.PolygonContains(features[c.i].Geometry.(orb.Polygon), l.P) {
				texts[c.i] = append(texts[c.i], l.Text)
				break
			}
		}
	}
	for i, t := range texts {
		if len(t) > 0 {
			features[i].Properties[dxfTextField] = strings.Join(t, " ")
		}
	}
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
