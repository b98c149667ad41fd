package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"wanmu/internal/geomcheck"
	"wanmu/internal/policy"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

type platformBody struct {
	Name        *string        `json:"name"`
	Role        *string        `json:"role"`
	Counties    []string       `json:"counties"`
	ThresholdMu *float64       `json:"threshold_mu"`
	Targets     map[string]any `json:"targets"`
	Indicators  map[string]any `json:"indicators"`
	Note        *string        `json:"note"`
	ZoneIDs     []int64        `json:"zone_ids"`
	// CountyEditable: the editors of every county the platform spans may
	// edit it, not only the city's (administrators decide).
	CountyEditable *bool  `json:"county_editable"`
	Reason         string `json:"reason"`

	// Read-only, accepted and ignored.
	ID            json.RawMessage `json:"id"`
	Version       json.RawMessage `json:"version"`
	CreatedAt     json.RawMessage `json:"created_at"`
	CreatedBy     json.RawMessage `json:"created_by"`
	UpdatedAt     json.RawMessage `json:"updated_at"`
	UpdatedBy     json.RawMessage `json:"updated_by"`
	RetiredAt     json.RawMessage `json:"retired_at"`
	DevelopableMu json.RawMessage `json:"developable_mu"`
	GrossMu       json.RawMessage `json:"gross_mu"`
	Meets         json.RawMessage `json:"meets"`
	ShortfallMu   json.RawMessage `json:"shortfall_mu"`
	OverlapMu     json.RawMessage `json:"overlap_mu"`
	Parts         json.RawMessage `json:"parts"`
}

func (b *platformBody) fields() (store.PlatformFields, error) {
	var f store.PlatformFields
	if b.Name != nil {
		n := strings.TrimSpace(*b.Name)
		if n == "" {
			return f, fieldProblem("name", "must not be empty")
		}
		if err := checkText("name", n, MaxNameLength); err != nil {
			return f, err
		}
		f.Name = &n
	}
	if b.Role != nil && !policy.Valid(policy.PlatformRoles, *b.Role) {
		return f, fieldProblem("role", "must be one of %s, not %q", strings.Join(policy.Codes(policy.PlatformRoles), " "), truncate(*b.Role, 40))
	}
	seen := map[string]bool{}
	for _, c := range b.Counties { // whether they are the region's: checkCounties
		if seen[c] {
			return f, fieldProblem("counties", "lists %s twice", truncate(c, 40))
		}
		seen[c] = true
	}
	if b.ThresholdMu != nil && (*b.ThresholdMu <= 0 || *b.ThresholdMu > policy.MaxThresholdMu) {
		return f, fieldProblem("threshold_mu", "must be a positive number of mu (default %.0f)", policy.ThresholdMu)
	}
	if b.Note != nil {
		if err := checkText("note", *b.Note, 2000); err != nil {
			return f, err
		}
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return f, err
	}
	if err := checkZoneIDs(b.ZoneIDs); err != nil {
		return f, err
	}
	for _, m := range []struct {
		name string
		v    map[string]any
	}{{"targets", b.Targets}, {"indicators", b.Indicators}} {
		if raw, _ := json.Marshal(m.v); len(raw) > 64<<10 {
			return f, fieldProblem(m.name, "are larger than 64 KB")
		}
		if err := checkJSONText(m.name, m.v); err != nil {
			return f, err
		}
	}
	f.Role, f.Counties, f.ThresholdMu, f.Targets, f.Indicators, f.Note = b.Role, b.Counties, b.ThresholdMu, b.Targets, b.Indicators, b.Note
	f.CountyEditable = b.CountyEditable
	return f, nil
}

func platformJSON(p store.Platform, rep *store.Report) map[string]any {
	m := map[string]any{
		"id": p.ID, "name": p.Name, "role": p.Role, "counties": p.Counties, "threshold_mu": p.ThresholdMu,
		"targets": p.Targets, "indicators": p.Indicators, "note": p.Note, "zone_ids": p.ZoneIDs,
		"version": p.Version, "created_at": p.CreatedAt, "created_by": p.CreatedBy,
		"updated_at": p.UpdatedAt, "updated_by": p.UpdatedBy, "retired_at": p.RetiredAt,
		"county_editable": p.CountyEditable,
	}
	if p.Counties == nil {
		m["counties"] = []string{}
	}
	if p.ZoneIDs == nil {
		m["zone_ids"] = []int64{}
	}
	if rep != nil {
		m["gross_mu"] = rep.Gross.Mu
		m["overlap_mu"] = rep.Overlap.Mu
		m["developable_mu"] = rep.Developable.Mu
		m["meets"] = rep.Meets
		m["shortfall_mu"] = rep.Shortfall.Mu
		m["parts"] = rep.Parts
	}
	return m
}

func (s *Server) listPlatforms(w http.ResponseWriter, r *http.Request) error {
	for k := range r.URL.Query() {
		if k != "retired" {
			return problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: only retired is accepted", truncate(k, 40))
		}
	}
	retired := false
	switch r.URL.Query().Get("retired") {
	case "", "false", "0":
	case "true", "1":
		retired = true
	default:
		return problem.New(http.StatusBadRequest, "bad-parameter", "retired must be true or false")
	}
	ps, err := s.st(r).ListPlatforms(r.Context(), retired)
	if err != nil {
		return err
	}
	reports := make([]*store.Report, len(ps))
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(4)
	for i, p := range ps {
		if p.RetiredAt != nil {
			continue
		}
		g.Go(func() error {
			rep, err := s.reports.Report(ctx, p.ID)
			if err != nil {
				return err
			}
			reports[i] = &rep
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = platformJSON(p, reports[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"platforms": out})
	return nil
}

func (s *Server) getPlatform(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.st(r).GetPlatform(r.Context(), id)
	if err != nil {
		return err
	}
	var rep *store.Report
	if p.RetiredAt == nil {
		rp, err := s.reports.Report(r.Context(), id)
		if err != nil {
			return err
		}
		rep = &rp
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, platformJSON(p, rep))
	return nil
}

func (s *Server) createPlatform(w http.ResponseWriter, r *http.Request) error {
	var b platformBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	f, err := b.fields()
	if err == nil {
		err = s.checkCounties(f.Counties)
	}
	if err != nil {
		return err
	}
	if err := adminFields(r, f); err != nil {
		return err
	}
	if f.Name == nil {
		return fieldProblem("name", "is required")
	}
	p, err := s.st(r).CreatePlatform(r.Context(), f, b.ZoneIDs, s.change(r, b.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	w.Header().Set("Location", "/api/v1/platforms/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, platformJSON(p, nil))
	return nil
}

func (s *Server) putPlatform(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var b platformBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	return s.updatePlatform(w, r, id, version, b, nil)
}

// updatePlatform changes platform id at version by b (PUT and PATCH here,
// PATCH through the OGC API). Given the platform as it is, the fields b
// leaves as they are are not changes.
func (s *Server) updatePlatform(w http.ResponseWriter, r *http.Request, id int64, version int, b platformBody, current *store.Platform) error {
	f, err := b.fields()
	if err == nil {
		err = s.checkCounties(f.Counties)
	}
	if err != nil {
		return err
	}
	if current != nil {
		f = f.Without(*current)
	}
	if err := adminFields(r, f); err != nil {
		return err
	}
	if b.ZoneIDs != nil {
		return fieldProblem("zone_ids", "are changed with PUT /api/v1/platforms/%d/members", id)
	}
	p, err := s.st(r).UpdatePlatform(r.Context(), id, version, f, s.change(r, b.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, platformJSON(p, nil))
	return nil
}

func (s *Server) deletePlatform(w http.ResponseWriter, r *http.Request) error {
	return s.retire(w, r, s.st(r).RetirePlatform)
}

type membersBody struct {
	ZoneIDs []int64 `json:"zone_ids"`
	Reason  string  `json:"reason"`
}

func (s *Server) setMembers(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var b membersBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if b.ZoneIDs == nil {
		return fieldProblem("zone_ids", "is required: the full list of member zone ids (may be empty)")
	}
	if err := checkZoneIDs(b.ZoneIDs); err != nil {
		return err
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return err
	}
	p, err := s.st(r).SetMembers(r.Context(), id, version, b.ZoneIDs, s.change(r, b.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(p.Version))
	writeJSON(w, http.StatusOK, platformJSON(p, nil))
	return nil
}

// checkZoneIDs refuses a list of member zones that is too long, holds
// something that is not an id, or names a zone twice.
func checkZoneIDs(ids []int64) error {
	if len(ids) > MaxListIDs {
		return fieldProblem("zone_ids", "lists %d zones; at most %d are accepted", len(ids), MaxListIDs)
	}
	seen := make(map[int64]bool, len(ids))
	for _, z := range ids {
		if z <= 0 {
			return fieldProblem("zone_ids", "contains %d, which is not an id", z)
		}
		if seen[z] {
			return fieldProblem("zone_ids", "lists zone %d twice", z)
		}
		seen[z] = true
	}
	return nil
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.reports.Report(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) platformHistory(w http.ResponseWriter, r *http.Request) error {
	return s.history(w, r, "platform")
}

type measureBody struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometry    json.RawMessage `json:"geometry"`
	Properties  json.RawMessage `json:"properties"`
	ID          json.RawMessage `json:"id"`
	BBox        json.RawMessage `json:"bbox"`
	// Members of collections, accepted only so that a FeatureCollection or
	// GeometryCollection is refused for its type rather than for an
	// "unknown field".
	Features   json.RawMessage `json:"features"`
	Geometries json.RawMessage `json:"geometries"`
}

// measure returns the ellipsoidal area of a Polygon/MultiPolygon (or a
// Feature holding one) and whether it is valid.
func (s *Server) measure(w http.ResponseWriter, r *http.Request) error {
	wkb, err := s.measureWKB(w, r)
	if err != nil {
		return err
	}
	a, reason, err := s.store.Measure(r.Context(), wkb)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, measured(a, reason))
	return nil
}

// measured is the answer about a geometry's area: the area in all units and
// whether PostGIS finds it valid (reason says why not).
func measured(a store.Area, reason string) map[string]any {
	return map[string]any{"area_m2": a.M2, "area_mu": a.Mu, "area_ha": a.Ha,
		"valid": reason == "", "reason": reason, "method": store.AreaMethod}
}

// measureWKB reads a measure body (a GeoJSON geometry or Feature) and
// returns it as WKB.
func (s *Server) measureWKB(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var b measureBody
	if err := decodeJSON(w, r, &b); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(map[string]any{"type": b.Type, "coordinates": b.Coordinates})
	if b.Type == "Feature" {
		raw = b.Geometry
	}
	g, err := geomcheck.DecodeIn(raw, s.region.Zones())
	if err != nil {
		return nil, err
	}
	return encodeWKB(g)
}

// platformPreview is one platform's report with a member's draft geometry
// next to its current (saved) report.
// platformPreviews pairs each previewed report with the platform's current
// one (null when it cannot be read: the preview still answers).
func (s *Server) platformPreviews(ctx context.Context, reports []store.Report) []platformPreview {
	out := make([]platformPreview, 0, len(reports))
	for _, rep := range reports {
		p := platformPreview{PlatformID: rep.PlatformID, Name: rep.Name, Preview: rep}
		if cur, err := s.reports.Report(ctx, rep.PlatformID); err == nil {
			p.Current = &cur
		} else {
			s.log.Warn("preview: current report", "platform", rep.PlatformID, "err", err)
		}
		out = append(out, p)
	}
	return out
}

type platformPreview struct {
	PlatformID int64         `json:"platform_id"`
	Name       string        `json:"name"`
	Preview    store.Report  `json:"preview"`
	Current    *store.Report `json:"current"` // null if it could not be read
}

// previewZone answers, for a zone's geometry being edited and not yet
// saved, its area and what it would make of the reports of the platforms
// the zone belongs to. It writes nothing.
func (s *Server) previewZone(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	wkb, err := s.measureWKB(w, r)
	if err != nil {
		return err
	}
	pv, err := s.st(r).PreviewZone(r.Context(), id, wkb)
	if err != nil {
		return err
	}
	answer := measured(pv.Area, pv.Reason)
	answer["platforms"] = s.platformPreviews(r.Context(), pv.Reports)
	if pv.Zone != nil { // the draft's own developable area, as GET /zones/{id}/developable
		answer["zone"] = zoneFigures(id, 0, *pv.Zone) // a draft has no version
	}
	writeJSON(w, http.StatusOK, answer)
	return nil
}

func (s *Server) listLayers(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.store.ListLayers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"layers": ls})
	return nil
}

// adminFields refuses threshold and target changes by non-administrators.
func adminFields(r *http.Request, f store.PlatformFields) error {
	if f.ThresholdMu != nil {
		return requireAdminFor(r, "threshold_mu")
	}
	if f.Targets != nil {
		return requireAdminFor(r, "targets")
	}
	if f.CountyEditable != nil {
		return requireAdminFor(r, "county_editable")
	}
	return nil
}
