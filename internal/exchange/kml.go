package exchange

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"

	"github.com/paulmach/orb"
)

// KML is written here rather than by GDAL's LIBKML driver: LIBKML keys its
// schemas on layer names (which collide once Chinese names are turned into
// ids), stores attributes as SchemaData that GDAL itself cannot read back
// from a KMZ, and names KMZ entries in CP437. Plain <Data> elements with a
// <displayName> are what Google Earth and 奥维 show in their balloons.

// KML styles: a red outline with a translucent fill, visible on any basemap.
const kmlStyles = `  <Style id="wanmu-polygon"><LineStyle><color>ff3c39e4</color><width>2</width></LineStyle><PolyStyle><color>333c39e4</color></PolyStyle></Style>
  <Style id="wanmu-line"><LineStyle><color>ff3c39e4</color><width>2</width></LineStyle></Style>
  <Style id="wanmu-point"><IconStyle><color>ff3c39e4</color></IconStyle></Style>
`

// writeKMLFile writes the layers as a .kml, or a .kmz holding doc.kml.
func (j *exportJob) writeKMLFile(ctx context.Context, path string, prog *progress) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var w io.Writer = f
	var zw *zipWriter
	if j.spec.ID == FormatKMZ { // KML zipped as doc.kml
		zw = newZipWriter(f, j.date)
		if w, err = zw.CreateHeader(zipHeader("doc.kml", j.date)); err != nil {
			return err
		}
	}
	if err := j.writeKML(ctx, w, prog); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}

// writeKML writes one KML document with a folder per layer.
func (j *exportJob) writeKML(ctx context.Context, w io.Writer, prog *progress) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var total, done int
	for _, l := range j.layers {
		total += len(l.Features)
	}
	bw.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n")
	bw.WriteString("  <name>" + xmlEscape(j.base) + "</name>\n")
	bw.WriteString(kmlStyles)
	for i, l := range j.layers {
		fields := j.fields[i]
		title := l.Title
		if title == "" {
			title = l.Name
		}
		bw.WriteString("  <Folder id=\"" + xmlEscape(l.Name) + "\">\n    <name>" + xmlEscape(title) + "</name>\n")
		for n, feat := range l.Features {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			bw.WriteString("    <Placemark>\n")
			if j.nameField != "" {
				if v := feat.Properties[j.nameField]; v != nil {
					bw.WriteString("      <name>" + xmlEscape(stringValue(v)) + "</name>\n")
				}
			}
			switch familyOf(feat.Geometry) {
			case familyPoint:
				bw.WriteString("      <styleUrl>#wanmu-point</styleUrl>\n")
			case familyLine:
				bw.WriteString("      <styleUrl>#wanmu-line</styleUrl>\n")
			default:
				bw.WriteString("      <styleUrl>#wanmu-polygon</styleUrl>\n")
			}
			bw.WriteString("      <ExtendedData>\n")
			for _, fd := range fields {
				v := feat.Properties[fd.Name]
				if v == nil {
					continue
				}
				bw.WriteString("        <Data name=\"" + xmlEscape(fd.Name) + "\">")
				if fd.Title != "" {
					bw.WriteString("<displayName>" + xmlEscape(fd.Title) + "</displayName>")
				}
				bw.WriteString("<value>" + xmlEscape(textValue(v, fd)) + "</value></Data>\n")
			}
			bw.WriteString("      </ExtendedData>\n")
			if feat.Geometry != nil {
				writeKMLGeometry(bw, feat.Geometry, "      ")
			}
			bw.WriteString("    </Placemark>\n")
			done++
			if done%1000 == 0 {
				prog.set(900 * float64(done) / float64(max(total, 1)))
			}
		}
		bw.WriteString("  </Folder>\n")
	}
	bw.WriteString("</Document>\n</kml>\n")
	return bw.Flush()
}

// writeKMLGeometry writes a geometry as KML, lon/lat with full precision.
func writeKMLGeometry(w *bufio.Writer, g orb.Geometry, indent string) {
	coords := func(pts []orb.Point) {
		w.WriteString("<coordinates>")
		for i, p := range pts {
			if i > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
			w.WriteByte(',')
			w.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
		}
		w.WriteString("</coordinates>")
	}
	switch g := g.(type) {
	case orb.Point:
		w.WriteString(indent + "<Point>")
		coords([]orb.Point{g})
		w.WriteString("</Point>\n")
	case orb.LineString:
		w.WriteString(indent + "<LineString><tessellate>1</tessellate>")
		coords(g)
		w.WriteString("</LineString>\n")
	case orb.Ring:
		writeKMLGeometry(w, orb.Polygon{g}, indent)
	case orb.Polygon:
		w.WriteString(indent + "<Polygon><tessellate>1</tessellate>")
		for i, r := range g {
			if i == 0 {
				w.WriteString("<outerBoundaryIs><LinearRing>")
				coords(r)
				w.WriteString("</LinearRing></outerBoundaryIs>")
			} else {
				w.WriteString("<innerBoundaryIs><LinearRing>")
				coords(r)
				w.WriteString("</LinearRing></innerBoundaryIs>")
			}
		}
		w.WriteString("</Polygon>\n")
	case orb.MultiPoint:
		w.WriteString(indent + "<MultiGeometry>\n")
		for _, p := range g {
			writeKMLGeometry(w, p, indent+"  ")
		}
		w.WriteString(indent + "</MultiGeometry>\n")
	case orb.MultiLineString:
		w.WriteString(indent + "<MultiGeometry>\n")
		for _, l := range g {
			writeKMLGeometry(w, l, indent+"  ")
		}
		w.WriteString(indent + "</MultiGeometry>\n")
	case orb.MultiPolygon:
		w.WriteString(indent + "<MultiGeometry>\n")
		for _, p := range g {
			writeKMLGeometry(w, p, indent+"  ")
		}
		w.WriteString(indent + "</MultiGeometry>\n")
	case orb.Collection:
		w.WriteString(indent + "<MultiGeometry>\n")
		for _, c := range g {
			writeKMLGeometry(w, c, indent+"  ")
		}
		w.WriteString(indent + "</MultiGeometry>\n")
	}
}
