package api

import (
	"encoding/json"
	"math"
	"net/http"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// maxLengthPositions bounds a line to measure: a hand-clicked line has tens.
const maxLengthPositions = 10000

// measureLength returns the ellipsoidal length of a GeoJSON LineString (or a
// Feature holding one), segment by segment: the measuring tool's distances
// and perimeters. Open to viewers, like POST /measure.
func (s *Server) measureLength(w http.ResponseWriter, r *http.Request) error {
	var b measureBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	typ, coords := b.Type, b.Coordinates
	if b.Type == "Feature" {
		var g struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(b.Geometry, &g); err != nil {
			return problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "the feature's geometry is not a GeoJSON object")
		}
		typ, coords = g.Type, g.Coordinates
	}
	if typ != "LineString" {
		return problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "give a GeoJSON LineString to measure its length, not %q", typ)
	}
	var pts [][2]float64
	if err := json.Unmarshal(coords, &pts); err != nil {
		return problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "the coordinates must be a list of [longitude, latitude] positions")
	}
	if len(pts) < 2 || len(pts) > maxLengthPositions {
		return problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "a line needs 2 to %d positions, not %d", maxLengthPositions, len(pts))
	}
	for i, p := range pts {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return problem.New(http.StatusUnprocessableEntity, "invalid-geometry", "position %d is not a longitude and latitude in degrees", i)
		}
	}
	segs, err := s.store.SegmentLengths(r.Context(), pts)
	if err != nil {
		return err
	}
	total := 0.0
	for _, m := range segs {
		total += m
	}
	writeJSON(w, http.StatusOK, map[string]any{"length_m": total, "segments_m": segs, "method": store.LengthMethod})
	return nil
}
