package api

// The QGIS project (GET /exports/qgis-project) and the MapLibre style
// (GET /exports/maplibre-style): wanmu's layers connected to this server
// and styled like the web map's legend, for the GIS offices that work in
// QGIS or draw the vector tiles themselves (issue 19).

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"wanmu/internal/geodesy"
	"wanmu/internal/policy"
	"wanmu/internal/problem"
	"wanmu/internal/publicurl"
	"wanmu/internal/qgis"
	"wanmu/internal/store"
	"wanmu/internal/symbology"
)

// TileLayerFeatures is the size from which a constraint layer is drawn from
// the vector tiles rather than read whole through the OGC API: QGIS reads
// an OAPIF layer feature by feature, which is slow for 200,000 parcels.
const TileLayerFeatures = 5000

// projectCRS reads ?crs= of the project: EPSG:4490, or a Gauss-Kruger CRS
// of one of the region's zones (with or without the zone prefix); the
// region's main zone with its prefix by default.
func (s *Server) projectCRS(r *http.Request) (epsg, zone int, err error) {
	zone = s.region.MainZone()
	v := r.URL.Query().Get("crs")
	if v == "" {
		return 4488 + zone, zone, nil
	}
	n, perr := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(v), "EPSG:"))
	if perr == nil && n == 4490 {
		return 4490, zone, nil
	}
	offered := []string{"EPSG:4490"}
	for _, z := range s.region.Zones() {
		if perr == nil && (n == 4488+z || n == 4509+z) {
			return n, z, nil
		}
		offered = append(offered, fmt.Sprintf("EPSG:%d", 4488+z), fmt.Sprintf("EPSG:%d", 4509+z))
	}
	return 0, 0, problem.New(http.StatusBadRequest, "bad-parameter", "crs must be one of %s, not %q", strings.Join(offered, ", "), truncate(v, 40))
}

// projectExtent is the region's extent in the project's CRS (x east, y north).
func (s *Server) projectExtent(epsg, zone int) [4]float64 {
	e := s.region.Extent
	if epsg == 4490 {
		return [4]float64{e.MinLon, e.MinLat, e.MaxLon, e.MaxLat}
	}
	cm := float64(3 * zone)
	out := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, c := range [][2]float64{{e.MinLon, e.MinLat}, {e.MinLon, e.MaxLat}, {e.MaxLon, e.MinLat}, {e.MaxLon, e.MaxLat}} {
		n, east := geodesy.ToGaussKruger(c[0], c[1], cm)
		if epsg == 4488+zone {
			east += float64(zone) * 1e6
		}
		out[0], out[1] = math.Min(out[0], east), math.Min(out[1], n)
		out[2], out[3] = math.Max(out[2], east), math.Max(out[3], n)
	}
	return out
}

// projectPlan is the request's plan (nil: the official data).
func (s *Server) projectPlan(r *http.Request) (*store.Scenario, error) {
	id := scenarioOf(r)
	if id == store.Official {
		return nil, nil
	}
	sc, err := s.liveScenario(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// projectLayers are the layers of the project, bottom to top: the enabled
// constraint and reference layers, the zones by kind and disposition, the
// platforms' outlines — a plan's (also returned; nil: the official data's)
// for the request's ?scenario=.
func (s *Server) projectLayers(r *http.Request) ([]qgis.Layer, *store.Scenario, error) {
	plan, err := s.projectPlan(r)
	if err != nil {
		return nil, nil, err
	}
	base := publicurl.Origin(r, s.trustProxy)
	layers, err := s.store.ListLayers(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var out []qgis.Layer
	for _, l := range layers {
		if !l.Enabled {
			continue
		}
		ql := qgis.Layer{ID: fmt.Sprintf("layer_%d", l.ID), Name: l.Name, Kind: qgis.Features, Base: base,
			Collection: fmt.Sprintf("layer-%d", l.ID), Style: symbology.Layer(l.Kind, l.Name)}
		if l.Features >= TileLayerFeatures {
			ql.Kind = qgis.Tiles
		}
		out = append(out, ql)
	}
	// A plan's zones and platforms are its own collections, named after it.
	scenario, suffix := store.Official, ""
	if plan != nil {
		scenario, suffix = plan.ID, "（方案："+plan.Name+"）"
	}
	zones := qgis.Layer{ID: "zones", Name: "功能区（开发区/园区、乡镇工业功能区）" + suffix, Kind: qgis.Features, Base: base, Collection: "zones",
		Scenario: scenario, Style: symbology.Township("待定"), Label: "name",
		Rules: []qgis.Rule{{Label: "开发区/园区", Field: "kind", Value: "park", Style: symbology.Park}}}
	for _, d := range policy.Dispositions {
		zones.Rules = append(zones.Rules, qgis.Rule{Label: "乡镇工业功能区：" + d.Label, Field: "disposition", Value: d.Code,
			Style: symbology.Township(d.Code)})
	}
	platforms := qgis.Layer{ID: "platforms", Name: "产业平台" + suffix, Kind: qgis.Features, Base: base, Collection: "platforms",
		Scenario: scenario, Style: symbology.Platform, Label: "name"}
	return append(out, zones, platforms), plan, nil
}

// qgisProject answers the .qgz of the official data, or of the plan of
// ?scenario=, in the chosen CRS.
func (s *Server) qgisProject(w http.ResponseWriter, r *http.Request) error {
	for k := range r.URL.Query() {
		if k != "crs" {
			return problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: only crs (and scenario) are accepted", truncate(k, 40))
		}
	}
	epsg, zone, err := s.projectCRS(r)
	if err != nil {
		return err
	}
	layers, plan, err := s.projectLayers(r)
	if err != nil {
		return err
	}
	title, name := s.region.Name+"产业平台整合（wanmu）", fmt.Sprintf("%s产业平台_EPSG%d.qgz", s.region.ShortName(), epsg)
	if plan != nil {
		title = s.region.Name + "产业平台整合 方案「" + plan.Name + "」（草案，wanmu）"
		name = fmt.Sprintf("%s产业平台_方案%d_EPSG%d.qgz", s.region.ShortName(), plan.ID, epsg)
	}
	p := qgis.Project{Title: title, EPSG: epsg, Extent: s.projectExtent(epsg, zone), Layers: layers}
	var buf bytes.Buffer
	if err := qgis.WriteQGZ(&buf, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.qgis.qgz")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(name), url.PathEscape(name)))
	_, err = w.Write(buf.Bytes())
	return err
}

// maplibreStyle answers a MapLibre style of the vector tiles.
func (s *Server) maplibreStyle(w http.ResponseWriter, r *http.Request) error {
	if len(r.URL.Query()) > 0 {
		return problem.New(http.StatusBadRequest, "unknown-parameter", "GET /exports/maplibre-style takes no query parameters but scenario")
	}
	layers, _, err := s.projectLayers(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, qgis.MapLibreStyle(s.region.Name, layers))
	return nil
}
