// Package qgis writes a QGIS project (.qgz) whose layers are connected to a
// wanmu server — the zones, platforms and small constraint layers through
// its OGC API – Features, the large constraint layers through its vector
// tiles — styled like the web map's legend, so that a GIS office opens one
// file and sees the plan as the planners do. The project names no
// credential: the user picks a QGIS authentication configuration for the
// server (it is left empty in every layer's source).
package qgis

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"wanmu/internal/change"
	"wanmu/internal/symbology"
)

// Project is what the file holds: a title, the CRS the project draws in
// (an EPSG code), its extent in that CRS, and the layers bottom to top.
type Project struct {
	Title  string
	EPSG   int
	Extent [4]float64 // xmin, ymin, xmax, ymax in EPSG
	Layers []Layer
}

// Layer is one layer of the project.
type Layer struct {
	ID         string // unique in the project
	Name       string // as QGIS lists it
	Kind       string // Features (OGC API – Features) or Tiles (vector tiles)
	Base       string // the server's origin, e.g. https://wanmu.example
	Collection string // the collection (features) or tile layer (tiles): zones, platforms, layer-3
	// Scenario is the draft plan (方案) whose zones or platforms these are;
	// 0: the official data.
	Scenario int64
	Style    Style
	// Rules draw features by an attribute's value (the first that matches),
	// Style being the symbol of the rest; none: every feature with Style.
	Rules []Rule
	// Label is the attribute shown on the map, if any.
	Label string
}

// Kinds of layer.
const (
	Features = "features"
	Tiles    = "tiles"
)

// Style is a polygon symbol, as the web map draws it.
type Style = symbology.Polygon

// Rule draws the features whose Field equals Value with its own Style.
type Rule struct {
	Label string
	Field string
	Value string
	Style Style
}

// Expression is the rule as a QGIS expression: "field" = 'value'.
func (r Rule) Expression() string {
	return `"` + strings.ReplaceAll(r.Field, `"`, `""`) + `" = '` + strings.ReplaceAll(r.Value, "'", "''") + "'"
}

// Source is the QGIS data source of a layer: the OAPIF provider's URI for
// features, the vector tile provider's for tiles (with an empty
// authentication configuration for the user to choose).
func (l Layer) Source() string {
	if l.Kind == Tiles {
		q := url.Values{}
		q.Set("type", "xyz")
		q.Set("url", l.Base+"/tiles/"+l.Collection+"/{z}/{x}/{y}.mvt"+l.tileQuery())
		q.Set("zmin", "0")
		q.Set("zmax", "16")
		q.Set("authcfg", "")
		return q.Encode()
	}
	return fmt.Sprintf("url='%s/ogc' typename='%s' authcfg=''", l.Base, change.ScenarioCollection(l.Scenario, l.Collection))
}

// tileQuery is the query of the layer's tiles: a plan's zones and
// platforms name it.
func (l Layer) tileQuery() string {
	if l.Scenario == 0 || change.ScenarioCollection(l.Scenario, l.Collection) == l.Collection {
		return ""
	}
	return "?scenario=" + strconv.FormatInt(l.Scenario, 10)
}

// qgisID is the layer's id in the project: QGIS ignores an id of 10
// characters or fewer (and then cannot find the layer from the layer tree).
func (l Layer) qgisID() string { return "wanmu_layer_" + l.ID }

func (l Layer) provider() string {
	if l.Kind == Tiles {
		return "vectortile"
	}
	return "OAPIF"
}

// WriteQGZ writes p as a .qgz: a zip holding the project's .qgs.
func WriteQGZ(w io.Writer, p Project) error {
	z := zip.NewWriter(w)
	f, err := z.Create("wanmu.qgs")
	if err != nil {
		return err
	}
	if err := WriteQGS(f, p); err != nil {
		return err
	}
	return z.Close()
}

// WriteQGS writes p as a QGIS project document (.qgs).
func WriteQGS(w io.Writer, p Project) error {
	if _, err := io.WriteString(w, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"); err != nil {
		return err
	}
	crs := srs(p.EPSG)
	doc := qgisDoc{
		Version: "3.22.0", ProjectName: p.Title, Title: p.Title,
		ProjectCRS: crs, ProjectionsEnabled: intProperty{Type: "int", Value: 1},
		Canvas: canvas{Name: "theMapCanvas", Units: "meters", Extent: extent(p.Extent), Dest: crs},
	}
	if p.EPSG == 4490 || p.EPSG == 4326 {
		doc.Canvas.Units = "degrees"
	}
	// The layer tree lists the layers top first, as QGIS shows them.
	for i := len(p.Layers) - 1; i >= 0; i-- {
		l := p.Layers[i]
		doc.Tree.Layers = append(doc.Tree.Layers, treeLayer{ID: l.qgisID(), Name: l.Name, Source: l.Source(), Provider: l.provider(),
			Checked: "Qt::Checked", Expanded: "1"})
	}
	for _, l := range p.Layers {
		doc.Layers = append(doc.Layers, mapLayer(l))
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Flush()
}

type qgisDoc struct {
	XMLName     xml.Name     `xml:"qgis"`
	Version     string       `xml:"version,attr"`
	ProjectName string       `xml:"projectname,attr"`
	Title       string       `xml:"title"`
	ProjectCRS  spatialRef   `xml:"projectCrs"`
	Tree        layerTree    `xml:"layer-tree-group"`
	Canvas      canvas       `xml:"mapcanvas"`
	Layers      []mapLayerEl `xml:"projectlayers>maplayer"`
	// Without it QGIS 3.22 ignores projectCrs (on-the-fly reprojection off).
	ProjectionsEnabled intProperty `xml:"properties>SpatialRefSys>ProjectionsEnabled"`
}

type intProperty struct {
	Type  string `xml:"type,attr"`
	Value int    `xml:",chardata"`
}

type spatialRef struct {
	WKT    string `xml:"spatialrefsys>wkt"`
	AuthID string `xml:"spatialrefsys>authid"`
}

// srs is a CRS as QGIS reads it: without its internal srsid, QGIS takes the
// WKT (the authid alone is not enough), so the WKT says the EPSG code too.
func srs(epsg int) spatialRef {
	return spatialRef{WKT: WKT(epsg), AuthID: fmt.Sprintf("EPSG:%d", epsg)}
}

const cgcs2000 = `GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,` +
	`AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],` +
	`UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]`

// WKT is the OGC WKT 1 of the CRSs a project may use: CGCS2000 (4490),
// WGS 84 (4326), Web Mercator (3857, the vector tiles), and the CGCS2000
// 3-degree Gauss-Kruger zones 25–45 with the zone prefix (4513–4533) and
// without it (4534–4554). Other codes give "".
func WKT(epsg int) string {
	switch {
	case epsg == 4490:
		return cgcs2000 + `,AUTHORITY["EPSG","4490"]]`
	case epsg == 4326:
		return `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],` +
			`PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]`
	case epsg == 3857:
		return `PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],` +
			`PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],` +
			`PARAMETER["scale_factor",1],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1],` +
			`EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],` +
			`AUTHORITY["EPSG","3857"]]`
	case epsg >= 4513 && epsg <= 4554:
		zone, prefixed := epsg-4488, true
		if epsg >= 4534 {
			zone, prefixed = epsg-4509, false
		}
		fe, name := 500000.0, fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger CM %dE", 3*zone)
		if prefixed {
			fe, name = float64(zone)*1e6+500000, fmt.Sprintf("CGCS2000 / 3-degree Gauss-Kruger zone %d", zone)
		}
		return fmt.Sprintf(`PROJCS["%s",%s,AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],`+
			`PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",%d],PARAMETER["scale_factor",1],`+
			`PARAMETER["false_easting",%.0f],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],`+
			`AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","%d"]]`, name, cgcs2000, 3*zone, fe, epsg)
	}
	return ""
}

type layerTree struct {
	Layers []treeLayer `xml:"layer-tree-layer"`
}

type treeLayer struct {
	ID       string `xml:"id,attr"`
	Name     string `xml:"name,attr"`
	Source   string `xml:"source,attr"`
	Provider string `xml:"providerKey,attr"`
	Checked  string `xml:"checked,attr"`
	Expanded string `xml:"expanded,attr"`
}

type canvas struct {
	Name   string     `xml:"name,attr"`
	Units  string     `xml:"units"`
	Extent extentEl   `xml:"extent"`
	Dest   spatialRef `xml:"destinationsrs"`
}

type extentEl struct {
	XMin float64 `xml:"xmin"`
	YMin float64 `xml:"ymin"`
	XMax float64 `xml:"xmax"`
	YMax float64 `xml:"ymax"`
}

func extent(e [4]float64) extentEl { return extentEl{e[0], e[1], e[2], e[3]} }

type mapLayerEl struct {
	Type       string     `xml:"type,attr"`
	Geometry   string     `xml:"geometry,attr,omitempty"`
	ID         string     `xml:"id"`
	DataSource string     `xml:"datasource"`
	Name       string     `xml:"layername"`
	SRS        spatialRef `xml:"srs"`
	Provider   *provider  `xml:"provider"`
	Renderer   *renderer  `xml:"renderer-v2"`
	TileRender *tileRend  `xml:"renderer"`
	Labeling   *labeling  `xml:"labeling"`
	Opacity    string     `xml:"layerOpacity"`
}

type provider struct {
	Encoding string `xml:"encoding,attr"`
	Name     string `xml:",chardata"`
}

func mapLayer(l Layer) mapLayerEl {
	el := mapLayerEl{ID: l.qgisID(), DataSource: l.Source(), Name: l.Name, SRS: srs(4490), Opacity: "1"}
	if l.Kind == Tiles {
		el.Type = "vector-tile"
		el.SRS = srs(3857)
		el.TileRender = &tileRend{Type: "basic", Styles: []tileStyle{
			{Name: l.Name, Layer: l.Collection, Geometry: "2", Enabled: "1", MinZoom: "-1", MaxZoom: "-1", Symbol: symbol("0", l.Style)},
		}}
		return el
	}
	el.Type, el.Geometry = "vector", "Polygon"
	el.Provider = &provider{Encoding: "UTF-8", Name: "OAPIF"}
	if len(l.Rules) == 0 {
		el.Renderer = &renderer{Type: "singleSymbol", Symbols: []symbolEl{symbol("0", l.Style)}}
	} else {
		r := &renderer{Type: "RuleRenderer", Rules: &rules{Key: "root"}}
		for i, ru := range l.Rules {
			id := fmt.Sprint(i)
			r.Rules.Rules = append(r.Rules.Rules, rule{Key: "r" + id, Filter: ru.Expression(), Label: ru.Label, Symbol: id})
			r.Symbols = append(r.Symbols, symbol(id, ru.Style))
		}
		id := fmt.Sprint(len(l.Rules))
		r.Rules.Rules = append(r.Rules.Rules, rule{Key: "r" + id, Filter: "ELSE", Label: l.Name, Symbol: id})
		r.Symbols = append(r.Symbols, symbol(id, l.Style))
		el.Renderer = r
	}
	if l.Label != "" {
		el.Labeling = &labeling{Type: "simple", Settings: labelSettings{Text: textStyle{
			Field: l.Label, Size: "9", Color: "35,35,35,255", FontFamily: "Noto Sans CJK SC"}, Buffer: textBuffer{Draw: "1", Size: "0.8", Color: "255,255,255,255"}}}
	}
	return el
}

type renderer struct {
	Type    string     `xml:"type,attr"`
	Rules   *rules     `xml:"rules"`
	Symbols []symbolEl `xml:"symbols>symbol"`
}

type rules struct {
	Key   string `xml:"key,attr"`
	Rules []rule `xml:"rule"`
}

type rule struct {
	Key    string `xml:"key,attr"`
	Filter string `xml:"filter,attr"`
	Label  string `xml:"label,attr"`
	Symbol string `xml:"symbol,attr"`
}

type tileRend struct {
	Type   string      `xml:"type,attr"`
	Styles []tileStyle `xml:"styles>style"`
}

type tileStyle struct {
	Name     string   `xml:"name,attr"`
	Layer    string   `xml:"layer,attr"`
	Geometry string   `xml:"geometry,attr"` // 2: polygons
	Enabled  string   `xml:"enabled,attr"`
	MinZoom  string   `xml:"min-zoom,attr"`
	MaxZoom  string   `xml:"max-zoom,attr"`
	Symbol   symbolEl `xml:"symbol"`
}

type symbolEl struct {
	Type   string    `xml:"type,attr"`
	Name   string    `xml:"name,attr"`
	Alpha  string    `xml:"alpha,attr"`
	Layers []symLyEl `xml:"layer"`
}

type symLyEl struct {
	Class   string    `xml:"class,attr"`
	Enabled string    `xml:"enabled,attr"`
	Locked  string    `xml:"locked,attr"`
	Pass    string    `xml:"pass,attr"`
	Options optionMap `xml:"Option"`
	Props   []prop    `xml:"prop"`
	Sub     *symbolEl `xml:"symbol"`
}

type optionMap struct {
	Type    string   `xml:"type,attr"`
	Options []option `xml:"Option"`
}

type option struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
	Type  string `xml:"type,attr"`
}

type prop struct {
	K string `xml:"k,attr"`
	V string `xml:"v,attr"`
}

// props writes a symbol layer's properties both ways QGIS 3 reads them.
func props(kv ...string) (optionMap, []prop) {
	m := optionMap{Type: "Map"}
	var ps []prop
	for i := 0; i+1 < len(kv); i += 2 {
		m.Options = append(m.Options, option{Name: kv[i], Value: kv[i+1], Type: "QString"})
		ps = append(ps, prop{K: kv[i], V: kv[i+1]})
	}
	return m, ps
}

func symbol(name string, s Style) symbolEl {
	const mmPerPx = 25.4 / 96
	fillStyle, fillColor := "solid", rgba(s.Fill, s.FillOpacity)
	if s.Fill == "" {
		fillStyle, fillColor = "no", "0,0,0,0"
	}
	strokeStyle := "solid"
	if s.Dashed() {
		strokeStyle = "dash"
	}
	o, p := props("color", fillColor, "style", fillStyle, "outline_color", rgba(s.Stroke, 1),
		"outline_style", strokeStyle, "outline_width", fmt.Sprintf("%.3f", s.StrokeWidth*mmPerPx), "outline_width_unit", "MM", "joinstyle", "round")
	sym := symbolEl{Type: "fill", Name: name, Alpha: "1", Layers: []symLyEl{{Class: "SimpleFill", Enabled: "1", Locked: "0", Pass: "0", Options: o, Props: p}}}
	if s.Hatch != "" {
		lo, lp := props("line_color", rgba(s.Hatch, s.HatchOpacity), "line_width", "0.2", "line_width_unit", "MM", "capstyle", "flat")
		ho, hp := props("angle", "45", "distance", "1.6", "distance_unit", "MM", "color", rgba(s.Hatch, s.HatchOpacity), "line_width", "0.2")
		sym.Layers = append(sym.Layers, symLyEl{Class: "LinePatternFill", Enabled: "1", Locked: "0", Pass: "0", Options: ho, Props: hp,
			Sub: &symbolEl{Type: "line", Name: "@" + name + "@1", Alpha: "1", Layers: []symLyEl{{Class: "SimpleLine", Enabled: "1", Locked: "0", Pass: "0", Options: lo, Props: lp}}}})
	}
	return sym
}

// rgba is QGIS's "r,g,b,a" of a #rrggbb colour with an opacity.
func rgba(hex string, opacity float64) string {
	var r, g, b int
	if _, err := fmt.Sscanf(strings.TrimPrefix(hex, "#"), "%02x%02x%02x", &r, &g, &b); err != nil {
		return "0,0,0,255"
	}
	return fmt.Sprintf("%d,%d,%d,%d", r, g, b, int(opacity*255+0.5))
}

type labeling struct {
	Type     string        `xml:"type,attr"`
	Settings labelSettings `xml:"settings"`
}

type labelSettings struct {
	Text   textStyle  `xml:"text-style"`
	Buffer textBuffer `xml:"text-buffer"`
}

type textStyle struct {
	Field      string `xml:"fieldName,attr"`
	Size       string `xml:"fontSize,attr"`
	Color      string `xml:"textColor,attr"`
	FontFamily string `xml:"fontFamily,attr"`
}

type textBuffer struct {
	Draw  string `xml:"bufferDraw,attr"`
	Size  string `xml:"bufferSize,attr"`
	Color string `xml:"bufferColor,attr"`
}
