package synth

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Dataset is a complete set of illustrative data: platforms, their zones, constraint layers and
// reference layers.
type Dataset struct {
	Platforms  []Platform
	Zones      *geojson.FeatureCollection
	Layers     []Layer
	References []Layer
}

// Platform is an industrial platform (产业平台) of the sample layout.
type Platform struct {
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Counties    []string `json:"counties"`
	ThresholdMu float64  `json:"threshold_mu"`
	Note        string   `json:"note"`
}

// Layer is a named set of features: a constraint layer (Kind include or exclude) or a reference
// layer (Kind reference).
type Layer struct {
	Name     string
	Kind     string
	Source   string
	Features *geojson.FeatureCollection
}

// Sample returns the sample dataset for seed: ten platforms, their parks and 68 township zones,
// 生态保护红线, 永久基本农田 (about 5,000 parcels), 城镇开发边界 and illustrative county extents.
// Platforms are sized so that six clearly meet 10,000 mu of developable area and four fall short.
func Sample(seed uint64) Dataset {
	w := sampleWorld(seed)
	src := sampleSource(seed)
	return Dataset{
		Platforms: w.platforms(),
		Zones:     w.zoneFeatures(),
		Layers: []Layer{
			{Name: LayerRedLine, Kind: KindExclude, Source: src, Features: polyFeatures(w.red, "name")},
			{Name: LayerFarmland, Kind: KindExclude, Source: src, Features: polyFeatures(w.farm, "code")},
			{Name: LayerUrban, Kind: KindInclude, Source: src, Features: polyFeatures(w.urban, "name")},
		},
		References: []Layer{{Name: LayerCounties, Kind: KindReference, Source: src, Features: w.countyFeatures()}},
	}
}

// sampleWorld draws everything Sample returns.
func sampleWorld(seed uint64) *world {
	w := newWorld(seed, calibrate(seed))
	w.drawRedLine(sampleRed(), "redline")
	w.drawFarmland(4800)
	return w
}

func sampleSource(seed uint64) string {
	return fmt.Sprintf("wanmu internal/synth, seed %d：示例数据，非测绘成果", seed)
}

func sampleRed() redSpec {
	return redSpec{n: 36, rmin: 3000, rmax: 8000, vmin: 180, vmax: 600,
		valleyGap: 1200, zoneGap: 1500, seatGap: 3000, redGap: 600}
}

func (w *world) platforms() []Platform {
	var out []Platform
	for _, sp := range w.specs {
		out = append(out, Platform{Name: sp.name, Role: sp.role, Counties: append([]string(nil), sp.counties...),
			ThresholdMu: DefaultThresholdMu, Note: sp.note})
	}
	return out
}

func marked(p geojson.Properties) geojson.Properties {
	p["illustrative"] = true
	p["note"] = Note
	return p
}

func (w *world) zoneFeatures() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, z := range w.zones {
		var g orb.Geometry = orb.Polygon{z.parts[0].ring}
		if len(z.parts) > 1 {
			mp := orb.MultiPolygon{}
			for _, p := range z.parts {
				mp = append(mp, orb.Polygon{p.ring})
			}
			g = mp
		}
		f := geojson.NewFeature(g)
		f.Properties["name"] = z.name
		f.Properties["kind"] = z.kind
		f.Properties["county_adcode"] = z.adcode
		f.Properties["disposition"] = z.disposition
		if z.platform >= 0 {
			f.Properties["platform"] = w.specs[z.platform].name
		}
		if z.approvedHa > 0 {
			f.Properties["approved_area_ha"] = z.approvedHa
		}
		if z.docNo != "" {
			f.Properties["document_no"] = z.docNo
		}
		marked(f.Properties)
		fc.Append(f)
	}
	return fc
}

// polyFeatures turns polygons into features; key "code" numbers them JBNT-0000001….
func polyFeatures(ps []poly, key string) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(ps))
	for i, p := range ps {
		f := geojson.NewFeature(orb.Polygon{p.ring})
		if key == "code" {
			f.Properties["code"] = parcelCode(i)
		} else {
			f.Properties[key] = p.name
		}
		fc.Append(f)
		marked(f.Properties)
	}
	return fc
}

func parcelCode(i int) string { return fmt.Sprintf("JBNT-%07d", i+1) }

func (w *world) countyFeatures() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i, c := range w.cnty {
		f := geojson.NewFeature(orb.Polygon{closeRing(w.g, w.cells[i])})
		f.Properties["name"] = c.name
		f.Properties["adcode"] = c.adcode
		fc.Append(f)
		marked(f.Properties)
	}
	return fc
}
