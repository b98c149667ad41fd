package exchange

import (
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// kmlDisplayFields are the fields GDAL's LIBKML driver adds for KML display
// settings; they mean nothing to a planner.
var kmlDisplayFields = map[string]bool{"tessellate": true, "extrude": true, "visibility": true, "drawOrder": true,
	"icon": true, "altitudeMode": true, "snippet": true, "begin": false, "end": false, "timestamp": false, "description": false}

// dropKMLNoise removes LIBKML's display fields, and its optional ones
// (description, times) when no feature has a value.
func dropKMLNoise(ds *Dataset) {
	var keep []string
	for _, f := range ds.Fields {
		always, known := kmlDisplayFields[f]
		drop := known && always
		if known && !always {
			drop = true
			for _, ft := range ds.Features {
				if v := ft.Properties[f]; v != nil && v != "" {
					drop = false
					break
				}
			}
		}
		if !drop {
			keep = append(keep, f)
			continue
		}
		for _, ft := range ds.Features {
			delete(ft.Properties, f)
		}
	}
	ds.Fields = keep
}

// finish computes the bounds and adds the geometry warnings.
func finish(ds *Dataset) {
	first := true
	var nulls, nonPolygon []int
	kinds := map[string]int{}
	for i, f := range ds.Features {
		if f.Geometry == nil {
			nulls = append(nulls, i+1)
			continue
		}
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			nonPolygon = append(nonPolygon, i+1)
			kinds[f.Geometry.GeoJSONType()]++
		}
		if first {
			ds.Bounds, first = f.Geometry.Bound(), false
		} else {
			ds.Bounds = ds.Bounds.Union(f.Geometry.Bound())
		}
	}
	if len(nulls) > 0 {
		ds.warn("%d 个要素没有几何（第 %s 个）", len(nulls), listNumbers(nulls))
	}
	if len(nonPolygon) > 0 {
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%s %d 个", k, n))
		}
		sort.Strings(ks)
		ds.warn("%d 个要素不是面（%s；第 %s 个），分区和控制线需要面", len(nonPolygon), strings.Join(ks, "，"), listNumbers(nonPolygon))
	}
}

// listNumbers shows at most ten feature numbers.
func listNumbers(ns []int) string {
	var parts []string
	for i, n := range ns {
		if i == 10 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, "、")
}
