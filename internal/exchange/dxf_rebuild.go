package exchange

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// dxfXData is what wanmu's XDATA (application WANMU) says about an entity.
type dxfXData struct {
	key    string // the exported feature it belongs to
	role   string // of a text: "name" or "figures"
	fields []dxfField
}

type dxfField struct {
	name  string
	value any
}

// dxfPart is one polygon being rebuilt.
type dxfPart struct {
	poly     orb.Polygon
	layer    string // base layer (without _填充/_标注)
	handle   string
	key      string // XDATA feature key, "" without XDATA
	hatch    bool
	outlined bool // a polyline traces its outer ring (and gave it its layer)
	order    int  // input position, for a stable output order
	bound    orb.Bound
	area     float64 // planar, holes excluded
	texts    []string
}

// dxfFreeRing is a closed polyline not tracing a hatch.
type dxfFreeRing struct {
	ring   orb.Ring
	layer  string
	handle string
	key    string
	order  int
	bound  orb.Bound
	area   float64
}

type dxfLabelText struct {
	p     orb.Point
	text  string
	layer string
	key   string
}

// dxfResult is a rebuilt drawing and what was made of it.
type dxfResult struct {
	features []Feature
	fields   []string

	polylines, hatches            int            // entities used
	traced, dups, open, points    int            // entities dropped
	holes, multi, labelled, texts int            // of the result
	labelMerged                   map[string]int // parts joined to a zone by their label, by label
}

// dxfLabelReach is how far apart two parts with the same label may lie and
// still be one zone: 2 km in a projected drawing, 0.02° in lon/lat.
func dxfLabelReach(r orb.Ring) float64 {
	if ringTolerance(r) >= 1e-3 {
		return 2000
	}
	return 0.02
}

// dxfFiguresRE matches the key-figures text wanmu writes under a name.
var dxfFiguresRE = regexp.MustCompile(`^面积 ?[0-9.,]+ ?亩`)

// dxfRebuild turns GDAL's DXF entities into polygon features:
//   - HATCHes (polygons with holes) are taken as they are, and the closed
//     polylines that trace a hatch's rings are not counted again;
//   - the other closed polylines are nested by containment within their
//     layer (and XDATA feature): a ring inside an even number of rings is
//     a shell, inside an odd number a hole of the smallest ring around it;
//   - polygons are grouped into one feature by wanmu's XDATA feature key,
//     else by layer and label text; a polygon without either stays alone;
//   - kind and disposition come from XDATA or from a layer name of wanmu's
//     scheme (开发区园区_保留), the name from XDATA or the label.
func dxfRebuild(in []Feature) *dxfResult {
	r := &dxfResult{labelMerged: map[string]int{}}
	var parts []*dxfPart
	var rings []*dxfFreeRing
	var texts []dxfLabelText
	fieldsByKey := map[string][]dxfField{}
	for i, f := range in {
		// GDAL leaves AutoCAD's \U+XXXX escapes (characters outside the
		// code page) in layer names and TEXT.
		layer := acUnescape(stringOf(f.Properties[dxfLayerField]))
		handle, _ := f.Properties[dxfHandleField].(string)
		xd := dxfParseXData(f.Properties[dxfRawField])
		if xd.key != "" && len(xd.fields) > 0 && fieldsByKey[xd.key] == nil {
			fieldsByKey[xd.key] = xd.fields
		}
		base := dxfBaseLayer(layer)
		addRing := func(ls orb.LineString) {
			if ring, ok := closeRing(ls); ok {
				r.polylines++
				rings = append(rings, &dxfFreeRing{ring: ring, layer: base, handle: handle, key: xd.key, order: i})
			} else {
				r.open++
			}
		}
		addPoly := func(p orb.Polygon) {
			if len(p) == 0 || len(p[0]) < 4 {
				return
			}
			r.hatches++
			parts = append(parts, &dxfPart{poly: p, layer: base, handle: handle, key: xd.key, hatch: true, order: i})
		}
		addGeom := func(g orb.Geometry) {
			switch g := g.(type) {
			case orb.Point:
				r.points++
				t := cleanMText(acUnescape(stringOf(f.Properties[dxfTextField])))
				if t != "" && xd.role != "figures" && !dxfFiguresRE.MatchString(t) {
					texts = append(texts, dxfLabelText{p: g, text: t, layer: base, key: xd.key})
				}
			case orb.MultiPoint:
				r.points++
			case orb.LineString:
				addRing(g)
			case orb.MultiLineString:
				for _, ls := range g {
					addRing(ls)
				}
			case orb.Polygon:
				addPoly(g)
			case orb.MultiPolygon:
				for _, p := range g {
					addPoly(p)
				}
			default:
				r.open++
			}
		}
		if c, ok := f.Geometry.(orb.Collection); ok {
			for _, g := range c {
				addGeom(g)
			}
		} else if f.Geometry != nil {
			addGeom(f.Geometry)
		}
	}
	parts = r.dedupHatches(parts)
	rings = r.untraced(parts, rings)
	parts = append(parts, r.nest(rings)...)
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].order < parts[b].order })
	for _, p := range parts {
		p.bound = p.poly.Bound()
		p.area = math.Abs(planar.Area(p.poly))
	}
	r.label(parts, texts)
	r.group(parts, fieldsByKey)
	return r
}

// stringOf is a property as text ("" for nil).
func stringOf(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// dxfParseXData reads wanmu's XDATA from GDAL's RawCodeValues ("1001
// WANMU", "1000 _feature", "1000 zones/3", …): name/value pairs after the
// application name, up to the next application.
func dxfParseXData(raw any) dxfXData {
	var xd dxfXData
	items, _ := raw.([]any)
	var vals []any
	in := false
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			continue
		}
		code, val, _ := strings.Cut(s, " ")
		if code == "1001" {
			in = strings.EqualFold(strings.TrimSpace(val), dxfAppID)
			continue
		}
		if !in {
			continue
		}
		switch code {
		case "1000":
			vals = append(vals, acUnescape(val))
		case "1040", "1041", "1042":
			if x, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				vals = append(vals, x)
			}
		case "1070": // wanmu writes flags as 16-bit integers
			if n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64); err == nil {
				if n == 0 || n == 1 {
					vals = append(vals, n == 1)
				} else {
					vals = append(vals, n)
				}
			}
		case "1071":
			if n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64); err == nil {
				vals = append(vals, n)
			}
		}
	}
	for k := 0; k+1 < len(vals); k += 2 {
		name, ok := vals[k].(string)
		if !ok || name == "" {
			continue
		}
		switch name {
		case dxfKeyName:
			xd.key = stringOf(vals[k+1])
		case dxfRoleName:
			xd.role = stringOf(vals[k+1])
		default:
			xd.fields = append(xd.fields, dxfField{name, vals[k+1]})
		}
	}
	return xd
}

var acUnicodeRE = regexp.MustCompile(`\\[Uu]\+([0-9A-Fa-f]{4})`)

// acUnescape decodes AutoCAD's \U+XXXX escapes (GDAL leaves them in raw
// values).
func acUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return acUnicodeRE.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[3:], 16, 32)
		return string(rune(n))
	})
}

// ringKey identifies a ring whatever its start and direction: vertex
// count, bounding box and area, each to the drawing's tolerance.
type ringKey struct {
	n                  int
	x0, y0, x1, y1, a0 int64
}

func keyOfRing(r orb.Ring) ringKey {
	b := r.Bound()
	tol := ringTolerance(r)
	q := func(v float64) int64 { return int64(math.Round(v / tol)) }
	return ringKey{len(r), q(b.Min[0]), q(b.Min[1]), q(b.Max[0]), q(b.Max[1]),
		int64(math.Round(math.Abs(planar.Area(orb.Polygon{r})) / (tol * tol)))}
}

// dedupHatches drops hatches drawn twice over the same outline on the same
// layer for the same feature (the same outline hatched on two layers is
// two features: a zone and the constraint it lies in).
func (r *dxfResult) dedupHatches(parts []*dxfPart) []*dxfPart {
	type hatchKey struct {
		ring       ringKey
		layer, key string
	}
	seen := map[hatchKey]bool{}
	out := parts[:0]
	for _, p := range parts {
		k := hatchKey{keyOfRing(p.poly[0]), p.layer, p.key}
		if seen[k] {
			r.dups++
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// untraced drops the polylines that trace a hatch's rings (and polylines
// drawn twice) and returns the rest. A hatch traced by an outline takes the
// outline's layer (CAD users often keep fills on a layer of their own) and
// XDATA key, where it has none of its own.
func (r *dxfResult) untraced(parts []*dxfPart, rings []*dxfFreeRing) []*dxfFreeRing {
	type layered struct {
		k     ringKey
		layer string
	}
	// An outer ring may be traced from another layer (fills kept on a
	// layer of their own); a hole only from the hatch's own layer: a zone
	// drawn on another layer that fills the hole is a zone.
	hatched := map[ringKey]*dxfPart{}
	holes := map[layered]bool{}
	for _, p := range parts {
		for k, ring := range p.poly {
			if k == 0 {
				hatched[keyOfRing(ring)] = p
			} else {
				holes[layered{keyOfRing(ring), p.layer}] = true
			}
		}
	}
	seen := map[layered]bool{}
	out := rings[:0]
	for _, fr := range rings {
		k := keyOfRing(fr.ring)
		if holes[layered{k, fr.layer}] && hatched[k] == nil {
			r.traced++
			continue
		}
		if p := hatched[k]; p != nil && (p.key == "" || fr.key == "" || p.key == fr.key) {
			r.traced++
			if p.poly != nil && p.layer != fr.layer && !p.outlined {
				p.layer, p.outlined = fr.layer, true
			}
			if p.poly != nil && p.key == "" {
				p.key = fr.key
			}
			continue
		}
		if seen[layered{k, fr.layer}] {
			r.dups++
			continue
		}
		seen[layered{k, fr.layer}] = true
		fr.bound = fr.ring.Bound()
		fr.area = math.Abs(planar.Area(orb.Polygon{fr.ring}))
		out = append(out, fr)
	}
	return out
}

// nest makes polygons of free rings: each ring's parent is the smallest
// larger ring of the same layer and feature that contains a point inside
// it; rings at even depth are shells, at odd depth holes of their parent.
func (r *dxfResult) nest(rings []*dxfFreeRing) []*dxfPart {
	byArea := make([]int, len(rings))
	for i := range byArea {
		byArea[i] = i
	}
	sort.SliceStable(byArea, func(a, b int) bool { return rings[byArea[a]].area > rings[byArea[b]].area })
	rank := make([]int, len(rings))
	for k, i := range byArea {
		rank[i] = k
	}
	boxes := make([]orb.Bound, len(rings))
	for i, fr := range rings {
		boxes[i] = fr.bound
	}
	ix := newBoundIndex(boxes)
	depth := make([]int, len(rings))
	parent := make([]int, len(rings))
	shellOf := make([]*dxfPart, len(rings))
	var out []*dxfPart
	var cands []int
	for _, i := range byArea {
		fr := rings[i]
		inside := interiorPoint(orb.Polygon{fr.ring})
		cands = cands[:0]
		ix.containing(inside, func(j int) {
			if rank[j] < rank[i] && rings[j].layer == fr.layer && rings[j].key == fr.key {
				cands = append(cands, j)
			}
		})
		// Smallest first: the first ring containing the point is the parent.
		sort.Slice(cands, func(a, b int) bool { return rank[cands[a]] > rank[cands[b]] })
		parent[i] = -1
		for _, j := range cands {
			if planar.RingContains(rings[j].ring, inside) {
				parent[i] = j
				break
			}
		}
		if parent[i] >= 0 {
			depth[i] = depth[parent[i]] + 1
		}
		if depth[i]%2 == 1 {
			shell := shellOf[parent[i]]
			shell.poly = append(shell.poly, fr.ring)
			continue
		}
		p := &dxfPart{poly: orb.Polygon{fr.ring}, layer: fr.layer, handle: fr.handle, key: fr.key, order: fr.order}
		shellOf[i] = p
		out = append(out, p)
	}
	return out
}

// label gives each text to its polygons: by XDATA key to every part of that
// feature, else by position to the smallest polygon containing it.
func (r *dxfResult) label(parts []*dxfPart, texts []dxfLabelText) {
	byKey := map[string][]*dxfPart{}
	boxes := make([]orb.Bound, len(parts))
	for i, p := range parts {
		boxes[i] = p.bound
		if p.key != "" {
			byKey[p.key] = append(byKey[p.key], p)
		}
	}
	ix := newBoundIndex(boxes)
	for _, t := range texts {
		if ps := byKey[t.key]; t.key != "" && len(ps) > 0 {
			for _, p := range ps {
				p.texts = appendNew(p.texts, t.text)
			}
			r.texts++
			continue
		}
		best := -1
		ix.containing(t.p, func(i int) {
			if (best < 0 || parts[i].area < parts[best].area) && planar.PolygonContains(parts[i].poly, t.p) {
				best = i
			}
		})
		if best >= 0 {
			parts[best].texts = appendNew(parts[best].texts, t.text)
			r.texts++
		}
	}
}

func appendNew(xs []string, x string) []string {
	for _, v := range xs {
		if v == x {
			return xs
		}
	}
	return append(xs, x)
}

// group joins the parts of one feature and sets its properties.
func (r *dxfResult) group(parts []*dxfPart, fieldsByKey map[string][]dxfField) {
	type feature struct {
		parts []*dxfPart
		key   string
		bound orb.Bound
	}
	var feats []*feature
	index := map[string]*feature{}
	byLabel := map[string][]*feature{}
	for i, p := range parts {
		var f *feature
		switch {
		case p.key != "":
			f = index["k\x00"+p.key]
		case len(p.texts) > 0:
			// Parts that share a label on one layer are one zone only
			// when they lie near each other: 工业用地 written in ten
			// places of a drawing is ten zones.
			lk := p.layer + "\x00" + strings.Join(p.texts, " ")
			for _, c := range byLabel[lk] {
				if c.bound.Pad(dxfLabelReach(p.poly[0])).Intersects(p.bound) {
					f = c
					r.labelMerged[strings.Join(p.texts, " ")]++
					break
				}
			}
			if f == nil {
				f = &feature{bound: p.bound}
				byLabel[lk] = append(byLabel[lk], f)
				feats = append(feats, f)
			}
		}
		if f == nil {
			f = &feature{key: p.key, bound: p.bound}
			if p.key != "" {
				index["k\x00"+p.key] = f
			} else {
				index["u\x00"+strconv.Itoa(i)] = f
			}
			feats = append(feats, f)
		}
		f.parts = append(f.parts, p)
		f.bound = f.bound.Union(p.bound)
	}
	// A feature wanmu wrote carries its fields in XDATA: the CAD layer,
	// label and handle are the drawing's, not attributes of the zone.
	var fields []string
	seen := map[string]bool{}
	addField := func(name string) {
		if !seen[name] {
			seen[name] = true
			fields = append(fields, name)
		}
	}
	for _, f := range feats {
		first := f.parts[0]
		var texts []string
		var mp orb.MultiPolygon
		for _, p := range f.parts {
			for _, t := range p.texts {
				texts = appendNew(texts, t)
			}
			if len(p.poly) > 1 {
				r.holes++
			}
			mp = append(mp, p.poly)
		}
		own := len(fieldsByKey[f.key]) > 0
		props := map[string]any{}
		if !own {
			props[dxfLayerField], props[dxfHandleField] = first.layer, first.handle
			addField(dxfLayerField)
			addField(dxfTextField)
			addField(dxfHandleField)
		}
		if len(texts) > 0 {
			if !own {
				props[dxfTextField] = strings.Join(texts, " ")
			}
			props["name"] = strings.Join(texts, " ")
			r.labelled++
		}
		if kind, disp := dxfParseLayer(first.layer); kind != "" || disp != "" {
			if kind != "" {
				props["kind"] = kind
			}
			if disp != "" {
				props["disposition"] = disp
			}
		}
		for _, fd := range fieldsByKey[f.key] {
			props[fd.name] = fd.value
		}
		for _, name := range []string{"name", "kind", "disposition"} {
			if props[name] != nil {
				addField(name)
			}
		}
		for _, fd := range fieldsByKey[f.key] {
			if props[fd.name] != nil {
				addField(fd.name)
			}
		}
		var g orb.Geometry = mp
		if len(mp) == 1 {
			g = mp[0]
		} else {
			r.multi++
		}
		r.features = append(r.features, Feature{Geometry: g, Properties: props})
	}
	r.fields = fields
}

// summary says what was made of the drawing, for the preview.
func (r *dxfResult) summary() string {
	var used []string
	if r.polylines > 0 {
		used = append(used, fmt.Sprintf("%d 条闭合多段线", r.polylines))
	}
	if r.hatches > 0 {
		used = append(used, fmt.Sprintf("%d 个填充（HATCH）", r.hatches))
	}
	msg := "DXF：" + strings.Join(used, "和") + fmt.Sprintf("组成 %d 个面", len(r.features))
	var detail []string
	if r.holes > 0 {
		detail = append(detail, fmt.Sprintf("%d 个带洞", r.holes))
	}
	if r.multi > 0 {
		detail = append(detail, fmt.Sprintf("%d 个多部分", r.multi))
	}
	if len(detail) > 0 {
		msg += "（" + strings.Join(detail, "，") + "）"
	}
	if r.traced > 0 {
		msg += fmt.Sprintf("；%d 条与填充边界重合的多段线未重复计入", r.traced)
	}
	if r.dups > 0 {
		msg += fmt.Sprintf("；%d 个重复绘制的边界已去重", r.dups)
	}
	var skipped []string
	if r.open > 0 {
		skipped = append(skipped, fmt.Sprintf("%d 条未闭合的线", r.open))
	}
	if r.points > 0 {
		skipped = append(skipped, fmt.Sprintf("%d 个点或文字", r.points))
	}
	if len(skipped) > 0 {
		msg += "；" + strings.Join(skipped, "和") + "未作为要素导入"
	}
	if r.texts > 0 {
		msg += fmt.Sprintf("（其中 %d 个文字已作为所在面的名称写入 Text 属性，%d 个面有名称）", r.texts, r.labelled)
	}
	if len(r.labelMerged) > 0 {
		labels := make([]string, 0, len(r.labelMerged))
		for l := range r.labelMerged {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		var joined []string
		for i, l := range labels {
			if i == 5 {
				joined = append(joined, fmt.Sprintf("等 %d 个标注", len(labels)))
				break
			}
			joined = append(joined, fmt.Sprintf("“%s”（%d 个部分）", l, r.labelMerged[l]+1))
		}
		msg += "；同一图层上同名标注、相距不到 2 公里的面已合并为一个多部分面：" + strings.Join(joined, "、") + "，如不应合并请在 CAD 中改名"
	}
	return msg
}
