package exchange

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"wanmu/internal/geodesy"
)

// dxfLayerInfo is what the pre-pass learns about one CAD layer.
type dxfLayerInfo struct {
	name   string
	fill   bool // has polygons: a _填充 layer
	labels bool // has texts: a _标注 layer
}

// dxfPlan is the result of the pre-pass: the CAD layers in first-seen
// order, the extents in projected metres and an upper bound on entities.
// Its size depends on the number of distinct layers, not features.
type dxfPlan struct {
	layers   []*dxfLayerInfo
	byName   map[string]*dxfLayerInfo
	bounds   orb.Bound
	any      bool
	entities uint64
}

// writeDXF writes the layers as an AutoCAD 2004 DXF (AC1018) in Gauss-Kruger
// metres (EPSG:4528 or 4549), streaming feature by feature: a pre-pass
// collects the CAD layers and extents the header and tables need, then each
// feature is projected and written — a solid HATCH per polygon on
// "<layer>_填充", a closed LWPOLYLINE per ring on "<layer>", its name in
// each part and its area in 亩 in the largest part as TEXT on
// "<layer>_标注" — with XDATA (application WANMU) naming the feature and
// carrying its fields, so that Inspect can put it back together.
func (j *exportJob) writeDXF(ctx context.Context, path string, prog *progress) error {
	plan := j.dxfPlan()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	d := newDXFWriter(bw)
	project := j.dxfProjection()
	ms := d.writeDXFHead(plan)

	var total, done int
	for _, l := range j.layers {
		total += len(l.Features)
	}
	for i, l := range j.layers {
		for n, feat := range l.Features {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			j.writeDXFEntities(d, ms, i, n, feat, project)
			if d.err != nil {
				return fmt.Errorf("export dxf: %w", d.err)
			}
			done++
			if done%1000 == 0 {
				prog.set(900 * float64(done) / float64(max(total, 1)))
			}
		}
	}
	d.writeDXFTail()
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export dxf: %w", err)
	}
	if d.err != nil {
		return fmt.Errorf("export dxf: %w", d.err)
	}
	return f.Close()
}

// dxfProjection returns the lon/lat → (x easting, y northing) projection
// of the job's CRS.
func (j *exportJob) dxfProjection() func(orb.Point) orb.Point {
	k, _ := lookupCRS(j.epsg) // a Gauss-Kruger code: checked in newExportJob
	return func(p orb.Point) orb.Point {
		n, e := geodesy.ToGaussKruger(p[0], p[1], k.CM)
		return orb.Point{e + k.Prefix, n}
	}
}

// dxfFeatureLayer is the CAD layer of a feature of export layer i.
func (j *exportJob) dxfFeatureLayer(i int, feat Feature) string {
	l := j.layers[i]
	title := l.Title
	if title == "" {
		title = l.Name
	}
	var kind, disp string
	for _, f := range j.fields[i] {
		switch f.Name {
		case "kind":
			if v := feat.Properties["kind"]; v != nil {
				kind = stringValue(v)
			}
		case "disposition":
			if v := feat.Properties["disposition"]; v != nil {
				disp = stringValue(v)
			}
		}
	}
	return dxfLayerName(kind, disp, title)
}

// dxfPlan runs the pre-pass.
func (j *exportJob) dxfPlan() *dxfPlan {
	p := &dxfPlan{byName: map[string]*dxfLayerInfo{}}
	project := j.dxfProjection()
	for i, l := range j.layers {
		for _, feat := range l.Features {
			if feat.Geometry == nil {
				continue
			}
			name := j.dxfFeatureLayer(i, feat)
			li := p.byName[name]
			if li == nil {
				li = &dxfLayerInfo{name: name}
				p.byName[name] = li
				p.layers = append(p.layers, li)
			}
			var parts, rings int
			dxfWalk(feat.Geometry, func(g orb.Geometry) {
				parts++
				if poly, ok := g.(orb.Polygon); ok {
					li.fill = true
					rings += len(poly)
				}
			})
			li.labels = li.labels || li.fill // names and areas label polygons
			p.entities += uint64(2*parts + rings + 2)
			// Extents from the projected corners and edge midpoints of the
			// lon/lat bounds: a header hint, not a measurement.
			b := feat.Geometry.Bound()
			for _, c := range []orb.Point{b.Min, b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}, b.Center(),
				{b.Center()[0], b.Min[1]}, {b.Center()[0], b.Max[1]}} {
				q := project(c)
				if !p.any {
					p.bounds, p.any = orb.Bound{Min: q, Max: q}, true
				} else {
					p.bounds = p.bounds.Extend(q)
				}
			}
		}
	}
	return p
}

// dxfWalk calls fn for every simple part of g (Polygon, LineString, Point).
func dxfWalk(g orb.Geometry, fn func(orb.Geometry)) {
	switch g := g.(type) {
	case orb.Polygon, orb.LineString, orb.Point:
		fn(g)
	case orb.Ring:
		fn(orb.Polygon{g})
	case orb.MultiPolygon:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, ls := range g {
			fn(ls)
		}
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.Collection:
		for _, c := range g {
			dxfWalk(c, fn)
		}
	}
}

// dxfMaxFilled is the most features a layer may have and still be written
// with a fill (HATCH) and an area label per feature: a constraint layer of
// 146,000 parcels with them is 3.4 times the size (218 MB) and slow to open
// in CAD, and outlines with names say what a CAD user needs; the areas stay
// in each feature's XDATA.
const dxfMaxFilled = 20000

// writeDXFEntities writes one feature's entities.
func (j *exportJob) writeDXFEntities(d *dxfWriter, ms string, i, n int, feat Feature, project func(orb.Point) orb.Point) {
	if feat.Geometry == nil {
		return
	}
	l := j.layers[i]
	layer := j.dxfFeatureLayer(i, feat)
	key := l.Name + "/" + strconv.Itoa(n+1)
	name := ""
	if v := feat.Properties[j.nameField]; j.nameField != "" && v != nil {
		name = stringValue(v)
	}
	xdataDone := false
	xdata := func(role string) {
		d.str(1001, dxfAppID)
		d.str(1000, dxfKeyName)
		d.str(1000, key)
		if role != "" {
			d.str(1000, dxfRoleName)
			d.str(1000, role)
		}
		if !xdataDone && role == "" {
			xdataDone = true
			j.writeDXFFields(d, i, feat)
		}
	}
	var polys []orb.Polygon
	var areas []float64
	d.pts = d.pts[:0]
	dxfWalk(feat.Geometry, func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			if len(g) == 0 || len(g[0]) < 3 {
				return
			}
			pp := make(orb.Polygon, 0, len(g))
			for _, r := range g {
				start := len(d.pts)
				for _, pt := range r {
					d.pts = append(d.pts, project(pt))
				}
				pr := dxfOpenRing(orb.Ring(d.pts[start:len(d.pts):len(d.pts)]))
				if len(pr) >= 3 {
					pp = append(pp, pr)
				}
			}
			if len(pp) == 0 {
				return
			}
			if len(l.Features) <= dxfMaxFilled {
				d.writeHatch(layer+dxfFillSuffix, ms, pp)
				xdata("")
			}
			for _, r := range pp {
				d.writeLWPolyline(layer, ms, r, true)
				xdata("")
			}
			polys = append(polys, pp)
			areas = append(areas, math.Abs(ringArea(pp[0])))
		case orb.LineString:
			start := len(d.pts)
			for _, pt := range g {
				d.pts = append(d.pts, project(pt))
			}
			d.writeLWPolyline(layer, ms, d.pts[start:], false)
			xdata("")
		case orb.Point:
			q := project(g)
			d.entity("POINT", layer, ms)
			d.str(100, "AcDbPoint")
			d.num(10, q[0])
			d.num(20, q[1])
			d.num(30, 0)
			xdata("")
		}
	})
	if len(polys) == 0 {
		return
	}
	best := 0
	for k, a := range areas {
		if a > areas[best] {
			best = k
		}
	}
	for k, p := range polys {
		pt := dxfLabelPoint(p)
		h := max(2, min(math.Sqrt(areas[k])/15, 50))
		if name != "" {
			d.writeText(layer+dxfLabelSuffix, ms, pt, h, name)
			xdata("name")
		}
		if k == best && len(l.Features) <= dxfMaxFilled {
			pt[1] -= 1.5 * h
			if name == "" {
				pt[1] += 1.5 * h
			}
			d.writeText(layer+dxfLabelSuffix, ms, pt, h*0.7, dxfFiguresPrefix+j.dxfFigures(i, feat)+" 亩")
			xdata("figures")
		}
	}
}

// dxfFigures is the feature's area in 亩 with four decimals: the area the
// caller passed (area_mu), or the ellipsoidal area of its geometry.
func (j *exportJob) dxfFigures(i int, feat Feature) string {
	for _, f := range j.fields[i] {
		if f.Name == "area_mu" {
			switch v := feat.Properties["area_mu"].(type) {
			case float64:
				return strconv.FormatFloat(v, 'f', 4, 64)
			case int64:
				return strconv.FormatInt(v, 10)
			case int:
				return strconv.Itoa(v)
			}
		}
	}
	var m2 float64
	dxfWalk(feat.Geometry, func(g orb.Geometry) {
		if p, ok := g.(orb.Polygon); ok {
			m2 += geodesy.EllipsoidalArea(p)
		}
	})
	return strconv.FormatFloat(geodesy.Mu(m2), 'f', 4, 64)
}

// writeDXFFields writes the feature's fields as XDATA pairs: the name
// (1000), then the value as a string (1000), a 32-bit integer (1071), a
// flag (1070, 0 or 1) or a real (1040). Strings are cut to the 255 bytes a 1000 group holds.
//
// AutoCAD holds at most 16 KB of XDATA per entity: fields past
// dxfMaxXData bytes (a generous estimate of what is written) are left out.
func (j *exportJob) writeDXFFields(d *dxfWriter, i int, feat Feature) {
	size := 0
	for _, f := range j.fields[i] {
		v := feat.Properties[f.Name]
		if v == nil {
			continue
		}
		// name and value groups: code, text and line ends
		if size += 2*(dxfMaxValue/4+12) + len(f.Name) + len(stringValue(v)); size > dxfMaxXData {
			return
		}
		d.strMax(1000, f.Name, dxfMaxValue)
		switch f.Type {
		case FieldBoolean:
			if b, ok := v.(bool); ok {
				d.int(1070, map[bool]int64{false: 0, true: 1}[b])
				continue
			}
		case FieldInteger:
			if n, ok := dxfInt(v); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
				d.int(1071, n)
				continue
			}
		case FieldReal:
			if x, ok := dxfReal(v); ok {
				d.real(1040, x)
				continue
			}
		case FieldDate:
			if t, ok := v.(time.Time); ok {
				d.str(1000, t.Format("2006-01-02"))
				continue
			}
		}
		d.strMax(1000, stringValue(v), dxfMaxValue)
	}
}

// dxfMaxXData bounds the fields written as one entity's XDATA, below
// AutoCAD's 16,383 bytes.
const dxfMaxXData = 15000

func dxfInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<31 {
			return int64(n), true
		}
	}
	return 0, false
}

func dxfReal(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// dxfOpenRing drops the closing vertex (and repeated vertices): a closed
// LWPOLYLINE and a hatch loop say "closed" by a flag.
func dxfOpenRing(r orb.Ring) orb.Ring {
	out := r[:0]
	for k, p := range r {
		if k > 0 && p == out[len(out)-1] {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// ringArea is the signed shoelace area of an open or closed ring.
func ringArea(r orb.Ring) float64 {
	var s float64
	for k := range r {
		a, b := r[k], r[(k+1)%len(r)]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s / 2
}

// dxfLabelPoint is a point inside the projected polygon (open rings): its
// centroid, or where that falls outside (a U shape), the middle of its
// widest horizontal span.
func dxfLabelPoint(p orb.Polygon) orb.Point {
	var cx, cy, a float64
	for _, r := range p {
		for k := range r {
			s, t := r[k], r[(k+1)%len(r)]
			w := s[0]*t[1] - t[0]*s[1]
			a += w
			cx += (s[0] + t[0]) * w
			cy += (s[1] + t[1]) * w
		}
	}
	c := orb.Point{cx / (3 * a), cy / (3 * a)}
	if a != 0 && dxfInside(p, c) {
		return c
	}
	closed := make(orb.Polygon, len(p))
	for k, r := range p {
		closed[k] = append(append(orb.Ring{}, r...), r[0])
	}
	return interiorPoint(closed)
}

// dxfInside reports whether c is inside the outer ring and outside the
// holes (open rings).
func dxfInside(p orb.Polygon, c orb.Point) bool {
	if !planar.RingContains(p[0], c) {
		return false
	}
	for _, h := range p[1:] {
		if planar.RingContains(h, c) {
			return false
		}
	}
	return true
}

// writeLWPolyline writes a polyline; closed ones carry flag 70=1 and no
// repeated vertex.
func (d *dxfWriter) writeLWPolyline(layer, owner string, pts []orb.Point, closed bool) {
	d.entity("LWPOLYLINE", layer, owner)
	d.str(100, "AcDbPolyline")
	d.int(90, int64(len(pts)))
	if closed {
		d.int(70, 1)
	} else {
		d.int(70, 0)
	}
	for _, p := range pts {
		d.num(10, p[0])
		d.num(20, p[1])
	}
}

// writeHatch writes a solid hatch of a polygon (open rings): the outer
// loop marked external, the holes as plain polyline loops, style "outer"
// so the holes stay empty. It is drawn half transparent.
func (d *dxfWriter) writeHatch(layer, owner string, p orb.Polygon) {
	d.entity("HATCH", layer, owner)
	d.int(440, 0x02000000|140) // transparency: alpha 140 of 255
	d.str(100, "AcDbHatch")
	d.num(10, 0)
	d.num(20, 0)
	d.num(30, 0)
	d.num(210, 0)
	d.num(220, 0)
	d.num(230, 1)
	d.str(2, "SOLID")
	d.int(70, 1) // solid fill
	d.int(71, 0) // not associative
	d.int(91, int64(len(p)))
	for k, r := range p {
		flag := int64(2) // polyline
		if k == 0 {
			flag |= 1 | 16 // external, outermost
		}
		d.int(92, flag)
		d.int(72, 0) // no bulges
		d.int(73, 1) // closed
		d.int(93, int64(len(r)))
		for _, pt := range r {
			d.num(10, pt[0])
			d.num(20, pt[1])
		}
		d.int(97, 0)
	}
	d.int(75, 1) // hatch style: outer
	d.int(76, 1) // predefined pattern
	d.int(98, 0) // no seed points
}

// writeText writes a single-line TEXT centred on p.
func (d *dxfWriter) writeText(layer, owner string, p orb.Point, height float64, text string) {
	d.entity("TEXT", layer, owner)
	d.str(100, "AcDbText")
	d.num(10, p[0])
	d.num(20, p[1])
	d.num(30, 0)
	d.num(40, height)
	if strings.Contains(text, "%%") { // %%d, %%u… are TEXT control codes; %%% is a percent sign
		text = strings.ReplaceAll(text, "%", "%%%")
	}
	d.strMax(1, text, dxfMaxValue)
	d.str(7, "WANMU")
	d.int(72, 1) // centre
	d.num(11, p[0])
	d.num(21, p[1])
	d.num(31, 0)
	d.str(100, "AcDbText")
	d.int(73, 2) // middle
}
