// Package symbology is the look of the map's layers — the web map's legend —
// for the clients that draw wanmu's layers themselves: the QGIS project and
// the MapLibre style. The page draws with the same colours (core/style.js).
package symbology

import "regexp"

// Polygon is a polygon symbol: fill (none when empty) and outline.
type Polygon struct {
	Fill        string  `json:"fill,omitempty"` // #rrggbb
	FillOpacity float64 `json:"fill_opacity"`
	Stroke      string  `json:"stroke"`
	StrokeWidth float64 `json:"stroke_width"` // CSS pixels at 96 dpi
	Dashed      bool    `json:"dashed,omitempty"`
	Hatch       string  `json:"hatch,omitempty"` // #rrggbb of 45° hatching over the fill
}

// Park is a park's (开发区/园区) symbol.
var Park = Polygon{Fill: "#2e8fa6", FillOpacity: 0.32, Stroke: "#0f5e72", StrokeWidth: 1.4}

// DispositionColors are the township zones' colours by disposition.
var DispositionColors = map[string]string{
	"保留": "#4a78b5", // keep: planning blue
	"并":  "#d9892b", // merge: amber
	"提":  "#3c9a63", // upgrade: green
	"撤":  "#c2453c", // abolish: red
	"转":  "#8a6bb5", // transform: violet
	"待定": "#8c939c", // undecided: grey
}

// Township is a township zone's symbol for a disposition.
func Township(disposition string) Polygon {
	c, ok := DispositionColors[disposition]
	if !ok {
		c = DispositionColors["待定"]
	}
	return Polygon{Fill: c, FillOpacity: 0.5, Stroke: c, StrokeWidth: 1.2}
}

// Platform is a platform outline: no fill, a dark stroke.
var Platform = Polygon{Stroke: "#1d4f91", StrokeWidth: 2.2}

var (
	redLine  = regexp.MustCompile(`(?i)红线|red`)
	farmland = regexp.MustCompile(`(?i)农田|farm`)
	water    = regexp.MustCompile(`(?i)水|water`)
)

// Layer is a constraint or reference layer's symbol, by its kind and name:
// the development boundary (include) a dashed green outline, the red line
// hatched red, farmland ochre, water blue, other exclusions hatched brown,
// reference layers thin dashed grey lines, vacant land hatched purple.
func Layer(kind, name string) Polygon {
	switch {
	case kind == "include":
		return Polygon{Fill: "#2f7d4a", FillOpacity: 0.07, Stroke: "#2f7d4a", StrokeWidth: 1.6, Dashed: true}
	case kind == "reference":
		return Polygon{Stroke: "#98a3af", StrokeWidth: 1.1, Dashed: true}
	case kind == "vacant": // 闲置土地: the page's purple (core/style.js)
		return Polygon{Fill: "#7048a8", FillOpacity: 0.16, Stroke: "#7048a8", StrokeWidth: 0.9, Dashed: true, Hatch: "#7048a8"}
	case redLine.MatchString(name):
		return Polygon{Fill: "#c83c32", FillOpacity: 0.10, Stroke: "#b8322a", StrokeWidth: 0.8, Hatch: "#b8322a"}
	case farmland.MatchString(name):
		return Polygon{Fill: "#d6b63c", FillOpacity: 0.28, Stroke: "#a5861c", StrokeWidth: 0.6}
	case water.MatchString(name):
		return Polygon{Fill: "#5096d2", FillOpacity: 0.3, Stroke: "#3b7fb6", StrokeWidth: 0.6}
	}
	return Polygon{Fill: "#7d5a50", FillOpacity: 0.2, Stroke: "#7d5a50", StrokeWidth: 0.7, Hatch: "#7d5a50"}
}
