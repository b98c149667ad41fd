package qgis

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"wanmu/internal/symbology"
)

func sample() Project {
	return Project{Title: "丽水市产业平台整合", EPSG: 4528, Extent: [4]float64{40400000, 3000000, 40500000, 3100000}, Layers: []Layer{
		{ID: "layer_2", Name: "永久基本农田", Kind: Tiles, Base: "https://wanmu.example", Collection: "layer-2", Style: symbology.Layer("exclude", "永久基本农田")},
		{ID: "zones", Name: "功能区", Kind: Features, Base: "https://wanmu.example", Collection: "zones", Style: symbology.Township("待定"),
			Rules: []Rule{{Label: "开发区/园区", Field: "kind", Value: "park", Style: symbology.Park}, {Label: "并", Field: "disposition", Value: "并", Style: symbology.Township("并")}}},
	}}
}

// TestWriteQGZ: the .qgz is a zip of one well-formed .qgs whose layers are
// connected to the server with no credential, in the project's CRS, the
// layer tree listing them top first, the rules as QGIS expressions.
func TestWriteQGZ(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteQGZ(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(z.File) != 1 || !strings.HasSuffix(z.File[0].Name, ".qgs") {
		t.Fatalf("the .qgz: %v %v", z, err)
	}
	f, _ := z.File[0].Open()
	qgs, _ := io.ReadAll(f)
	var doc struct {
		Tree []struct {
			ID     string `xml:"id,attr"`
			Source string `xml:"source,attr"`
		} `xml:"layer-tree-group>layer-tree-layer"`
		CRS    string   `xml:"projectCrs>spatialrefsys>authid"`
		IDs    []string `xml:"projectlayers>maplayer>id"`
		Filter []struct {
			Filter string `xml:"filter,attr"`
		} `xml:"projectlayers>maplayer>renderer-v2>rules>rule"`
	}
	if err := xml.Unmarshal(qgs, &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, qgs)
	}
	if doc.CRS != "EPSG:4528" || len(doc.Tree) != 2 || doc.Tree[0].ID != "wanmu_layer_zones" {
		t.Errorf("CRS %s, tree %+v: want EPSG:4528 and the zones on top", doc.CRS, doc.Tree)
	}
	for _, id := range doc.IDs {
		if len(id) <= 10 {
			t.Errorf("layer id %q: QGIS ignores ids of 10 characters or fewer", id)
		}
	}
	if got := doc.Tree[0].Source; got != "url='https://wanmu.example/ogc' typename='zones' authcfg=''" {
		t.Errorf("the zones' source: %s", got)
	}
	if got := doc.Tree[1].Source; !strings.Contains(got, "type=xyz") || !strings.Contains(got, "%2Ftiles%2Flayer-2%2F%7Bz%7D%2F%7Bx%7D%2F%7By%7D.mvt") {
		t.Errorf("the tiles' source: %s", got)
	}
	if len(doc.Filter) != 3 || doc.Filter[0].Filter != `"kind" = 'park'` || doc.Filter[2].Filter != "ELSE" {
		t.Errorf("rules: %+v", doc.Filter)
	}
	if bytes.Contains(qgs, []byte("Bearer")) || bytes.Contains(qgs, []byte("token")) {
		t.Error("the project carries a credential")
	}
}

// TestRuleExpression quotes fields and values as QGIS expressions do.
func TestRuleExpression(t *testing.T) {
	if got := (Rule{Field: `a"b`, Value: "it's"}).Expression(); got != `"a""b" = 'it''s'` {
		t.Errorf("Expression = %s", got)
	}
}

// TestWKT: each CRS a project may use has a WKT naming its EPSG code, with
// the Gauss-Kruger false easting of its zone (and prefix).
func TestWKT(t *testing.T) {
	for epsg, want := range map[int]string{
		4490: `AUTHORITY["EPSG","4490"]]`, 4326: `AUTHORITY["EPSG","4326"]]`, 3857: `AUTHORITY["EPSG","3857"]]`,
		4528: `PARAMETER["false_easting",40500000]`, 4549: `PARAMETER["false_easting",500000]`, 4529: `PARAMETER["central_meridian",123]`,
	} {
		if w := WKT(epsg); !strings.Contains(w, want) || !strings.HasSuffix(w, `"`+itoa(epsg)+`"]]`) {
			t.Errorf("WKT(%d) = %s; want %s", epsg, w, want)
		}
	}
	if WKT(2000) != "" {
		t.Error("a WKT for an unknown code")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestMapLibreStyle: one vector source per layer through its TileJSON, the
// rules as case expressions, dashes and fills as the legend has them.
func TestMapLibreStyle(t *testing.T) {
	st := MapLibreStyle("丽水", sample().Layers)
	if st["version"] != 8 {
		t.Fatalf("version %v", st["version"])
	}
	src := st["sources"].(map[string]any)["zones"].(map[string]any)
	if src["url"] != "https://wanmu.example/tiles/zones.json" || src["type"] != "vector" {
		t.Errorf("zones source %v", src)
	}
	var zonesFill map[string]any
	for _, l := range st["layers"].([]any) {
		if m := l.(map[string]any); m["id"] == "zones-fill" {
			zonesFill = m
		}
	}
	fill := zonesFill["paint"].(map[string]any)["fill-color"].([]any)
	if fill[0] != "case" || fill[2] != symbology.Park.Fill || fill[len(fill)-1] != symbology.Township("待定").Fill {
		t.Errorf("zones fill-color %v", fill)
	}
}
