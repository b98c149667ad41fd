package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	"github.com/paulmach/orb"

	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// sharedVertex is one entry of a zone update's "shared_vertices": a vertex
// of the zone's stored boundary (from) and where it went (to; null: removed).
type sharedVertex struct {
	From []float64       `json:"from"`
	To   json.RawMessage `json:"to"`
}

// parseSharedVertices reads "shared_vertices" (absent: none) into the
// moves store.UpdateZoneSharing applies; the store checks them against the
// zone itself.
func parseSharedVertices(raw json.RawMessage) ([]store.VertexMove, error) {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	bad := func(path, format string, args ...any) error {
		p := problem.New(http.StatusUnprocessableEntity, "invalid-field", "%s: %s", path, fmt.Sprintf(format, args...))
		p.Errors = []problem.FieldProblem{{Path: path, Message: fmt.Sprintf(format, args...)}}
		return p
	}
	var list []sharedVertex
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		return nil, bad("shared_vertices", "a list of {\"from\": [lng, lat], \"to\": [lng, lat] or null}: %v", err)
	}
	if len(list) > store.MaxSharedVertices {
		return nil, bad("shared_vertices", "at most %d moved vertices per update (got %d)", store.MaxSharedVertices, len(list))
	}
	point := func(path string, c []float64) (orb.Point, error) {
		if len(c) != 2 || math.IsInf(c[0], 0) || math.IsNaN(c[0]) || math.IsInf(c[1], 0) || math.IsNaN(c[1]) {
			return orb.Point{}, bad(path, "a position [lng, lat] of two finite numbers")
		}
		return orb.Point{c[0], c[1]}, nil
	}
	moves := make([]store.VertexMove, len(list))
	for i, v := range list {
		path := fmt.Sprintf("shared_vertices[%d]", i)
		from, err := point(path+".from", v.From)
		if err != nil {
			return nil, err
		}
		moves[i].From = from
		if len(v.To) == 0 {
			return nil, bad(path+".to", "required: the new position, or null for a removed vertex")
		}
		if string(bytes.TrimSpace(v.To)) == "null" {
			continue
		}
		var c []float64
		if err := json.Unmarshal(v.To, &c); err != nil {
			return nil, bad(path+".to", "a position [lng, lat] or null")
		}
		to, err := point(path+".to", c)
		if err != nil {
			return nil, err
		}
		moves[i].To = &to
	}
	return moves, nil
}

// sharedJSON is the "shared_vertices" member of a zone update's answer:
// the neighbours that followed, each with its feature as now stored, and
// those left as they were, with why.
func sharedJSON(res store.SharedResult) map[string]any {
	updated := make([]map[string]any, len(res.Updated))
	for i, u := range res.Updated {
		updated[i] = map[string]any{"id": u.ID, "name": u.Name, "moved": u.Moved, "feature": zoneJSON(u.Zone)}
	}
	return map[string]any{"updated": updated, "skipped": res.Skipped}
}
