// Package symbology is the look of the map's layers — the web map's legend —
// declared once: the page draws with it (through /api/v1/config, see
// ForPage), and so do the clients that draw wanmu's layers themselves, the
// QGIS project and the MapLibre style.
package symbology

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"wanmu/internal/policy"
)

// Polygon is a polygon symbol: fill (none when empty), outline and an
// optional 45° hatching over the fill.
type Polygon struct {
	Fill        string  `json:"fill,omitempty"` // #rrggbb
	FillOpacity float64 `json:"fill_opacity"`
	Stroke      string  `json:"stroke"`
	StrokeWidth float64 `json:"stroke_width"` // CSS pixels at 96 dpi
	// Dash is the outline's dash and gap lengths in CSS pixels; none: solid.
	Dash         []float64 `json:"dash,omitempty"`
	Hatch        string    `json:"hatch,omitempty"` // #rrggbb
	HatchOpacity float64   `json:"hatch_opacity,omitempty"`
}

// Dashed reports whether the outline is dashed.
func (p Polygon) Dashed() bool { return len(p.Dash) > 0 }

// Park is a park's (开发区/园区) symbol.
var Park = Polygon{Fill: "#2e8fa6", FillOpacity: 0.32, Stroke: "#0f5e72", StrokeWidth: 1.4}

// dispositionColors are the township zones' colours by disposition.
var dispositionColors = map[string]string{
	"保留": "#4a78b5", // keep: planning blue
	"并":  "#d9892b", // merge: amber
	"提":  "#3c9a63", // upgrade: green
	"撤":  "#c2453c", // abolish: red
	"转":  "#8a6bb5", // transform: violet
	"待定": "#8c939c", // undecided: grey
}

// Township is a township zone's symbol for a disposition: its colour, the
// outline a quarter darker.
func Township(disposition string) Polygon {
	c, ok := dispositionColors[disposition]
	if !ok {
		c = dispositionColors["待定"]
	}
	return Polygon{Fill: c, FillOpacity: 0.5, Stroke: Darken(c, 0.25), StrokeWidth: 1.2}
}

// Platform is a platform outline in one colour (the QGIS project): no fill,
// a dark stroke. The page tells platforms apart by PlatformPalette.
var Platform = Polygon{Stroke: "#1d4f91", StrokeWidth: 2.2}

// PlatformPalette colours the platforms on the page by id, in turn.
var PlatformPalette = []string{"#1d4f91", "#b5522b", "#2b7a4b", "#7a3f8f", "#9c7a16", "#0f6d78", "#a13d63", "#4d5b6b", "#5d7f1f", "#6a4a2f"}

// EvaluationClasses colour the 亩均 classes (A best … D worst, T not
// evaluated) alike in the evaluation's table, the map and the platform
// panel: greens for the good, amber and red for the 存量 to revitalise.
var EvaluationClasses = map[string]string{"A": "#2f8a57", "B": "#7fb069", "C": "#e0a030", "D": "#c8412f", "T": "#9aa5b1"}

// LayerRule gives the constraint and reference layers of a kind, or whose
// name matches a pattern, their symbol; the first rule that matches wins.
type LayerRule struct {
	Kind string `json:"kind,omitempty"` // empty: any kind
	// Name is a regular expression matched against the layer's name,
	// ignoring case; empty: any name. It is written to mean the same in
	// Go (RE2) and JavaScript.
	Name  string  `json:"name,omitempty"`
	Style Polygon `json:"style"`
	Label bool    `json:"label,omitempty"` // the features are labelled (reference layers)
	name  *regexp.Regexp
}

// LayerRules: the development boundary (include) a dashed green outline,
// reference layers thin dashed grey lines, vacant land hatched purple, the
// red line hatched red, farmland ochre, water blue, other exclusions
// hatched brown.
var LayerRules = compile([]LayerRule{
	{Kind: "include", Style: Polygon{Fill: "#2f7d4a", FillOpacity: 0.07, Stroke: "#2f7d4a", StrokeWidth: 1.6, Dash: []float64{6, 4}}},
	{Kind: "reference", Style: Polygon{Stroke: "#98a3af", StrokeWidth: 1.1, Dash: []float64{7, 4}}, Label: true},
	{Kind: "vacant", Style: Polygon{Fill: "#7048a8", FillOpacity: 0.16, Stroke: "#7048a8", StrokeWidth: 0.9, Dash: []float64{4, 3},
		Hatch: "#7048a8", HatchOpacity: 0.4}},
	{Name: "红线|red", Style: Polygon{Fill: "#c83c32", FillOpacity: 0.10, Stroke: "#b8322a", StrokeWidth: 0.8, Hatch: "#b8322a", HatchOpacity: 0.42}},
	{Name: "农田|farm", Style: Polygon{Fill: "#d6b63c", FillOpacity: 0.28, Stroke: "#a5861c", StrokeWidth: 0.6}},
	{Name: "水|water", Style: Polygon{Fill: "#5096d2", FillOpacity: 0.3, Stroke: "#3b7fb6", StrokeWidth: 0.6}},
	{Style: Polygon{Fill: "#7d5a50", FillOpacity: 0.2, Stroke: "#7d5a50", StrokeWidth: 0.7, Hatch: "#7d5a50", HatchOpacity: 0.45}},
})

func compile(rules []LayerRule) []LayerRule {
	for i := range rules {
		if rules[i].Name != "" {
			rules[i].name = regexp.MustCompile("(?i)" + rules[i].Name)
		}
	}
	return rules
}

// Layer is a constraint or reference layer's symbol, by its kind and name.
func Layer(kind, name string) Polygon {
	for _, r := range LayerRules {
		if (r.Kind == "" || r.Kind == kind) && (r.name == nil || r.name.MatchString(name)) {
			return r.Style
		}
	}
	return LayerRules[len(LayerRules)-1].Style
}

// Darken makes a #rrggbb colour darker by k (0..1) as the page did:
// each channel × (1 − k), rounded.
func Darken(hex string, k float64) string {
	var r, g, b int
	if _, err := fmt.Sscanf(strings.TrimPrefix(hex, "#"), "%02x%02x%02x", &r, &g, &b); err != nil {
		return hex
	}
	f := func(c int) int { return int(math.Round(float64(c) * (1 - k))) }
	return fmt.Sprintf("#%02x%02x%02x", f(r), f(g), f(b))
}

// Disposition is a township zones' disposition with its symbol.
type Disposition struct {
	Code  string  `json:"code"`
	Style Polygon `json:"style"`
}

// Page is the symbology as the page reads it from /api/v1/config.
type Page struct {
	Park            Polygon       `json:"park"`
	Township        []Disposition `json:"township"` // in the policy's order
	Platform        Polygon       `json:"platform"`
	PlatformPalette []string      `json:"platform_palette"`
	Layers          []LayerRule   `json:"layers"`
	// Classes are the 亩均 classes' colours (EvaluationClasses).
	Classes map[string]string `json:"classes"`
}

// ForPage is the symbology for the page.
func ForPage() Page {
	p := Page{Park: Park, Platform: Platform, PlatformPalette: PlatformPalette, Layers: LayerRules, Classes: EvaluationClasses}
	for _, d := range policy.Dispositions {
		p.Township = append(p.Township, Disposition{Code: d.Code, Style: Township(d.Code)})
	}
	return p
}
