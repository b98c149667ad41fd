package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/geomcheck"
	"wanmu/internal/policy"
	"wanmu/internal/problem"
	"wanmu/internal/query"
	"wanmu/internal/store"
)

// zoneProperties are the properties of a zone feature. Read-only fields are
// accepted (a client may send back what it received) and ignored.
type zoneProperties struct {
	Kind           *string         `json:"kind"`
	Name           *string         `json:"name"`
	CountyAdcode   *string         `json:"county_adcode"`
	Disposition    *string         `json:"disposition"`
	ApprovedAreaHa json.RawMessage `json:"approved_area_ha"`
	DocumentNo     *string         `json:"document_no"`
	Attributes     attributeMap    `json:"attributes"`

	ID           json.RawMessage `json:"id"`
	AreaM2       json.RawMessage `json:"area_m2"`
	AreaMu       json.RawMessage `json:"area_mu"`
	AreaHa       json.RawMessage `json:"area_ha"`
	PlatformID   json.RawMessage `json:"platform_id"`
	PlatformName json.RawMessage `json:"platform_name"`
	Version      json.RawMessage `json:"version"`
	MergedInto   json.RawMessage `json:"merged_into"`
	SplitInto    json.RawMessage `json:"split_into"`
	CreatedAt    json.RawMessage `json:"created_at"`
	CreatedBy    json.RawMessage `json:"created_by"`
	UpdatedAt    json.RawMessage `json:"updated_at"`
	UpdatedBy    json.RawMessage `json:"updated_by"`
	RetiredAt    json.RawMessage `json:"retired_at"`
}

// zoneFeature is the body of a zone write: a GeoJSON Feature, plus an
// optional reason for the history.
type zoneFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	BBox       json.RawMessage `json:"bbox"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties *zoneProperties `json:"properties"`
	Reason     string          `json:"reason"`
	// SharedVertices (PATCH, PUT): the moved vertices its neighbours
	// share, moved with it in one operation (shared_vertices.go).
	SharedVertices json.RawMessage `json:"shared_vertices"`

	// Members of other GeoJSON objects, accepted only so that a
	// FeatureCollection or a bare geometry is refused for its type, with a
	// message that says so, rather than for an "unknown field".
	Features    json.RawMessage `json:"features"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  json.RawMessage `json:"geometries"`
}

// fields validates a zone feature. full requires every required field (create, PUT).
func (f *zoneFeature) fields(full bool, gkZones []int) (store.ZoneFields, error) {
	var zf store.ZoneFields
	if f.Type != "Feature" {
		return zf, fieldProblem("type", "must be \"Feature\" (a GeoJSON Feature with geometry and properties), not %q", truncate(f.Type, 40))
	}
	for _, m := range []struct {
		name string
		v    json.RawMessage
	}{{"features", f.Features}, {"coordinates", f.Coordinates}, {"geometries", f.Geometries}} {
		if len(m.v) > 0 {
			return zf, fieldProblem(m.name, "is not a member of a Feature: put the geometry under \"geometry\"")
		}
	}
	if err := checkText("reason", f.Reason, 2000); err != nil {
		return zf, err
	}
	if len(f.Geometry) > 0 && string(f.Geometry) != "null" || full {
		g, err := geomcheck.DecodeIn(f.Geometry, gkZones) // Gauss-Kruger hints in the region's zones
		if err != nil {
			return zf, err
		}
		zf.Geom = g
	}
	p := f.Properties
	if p == nil {
		if full {
			return zf, fieldProblem("properties", "are missing: give at least kind, name and county_adcode")
		}
		return zf, nil
	}
	if full {
		switch {
		case p.Kind == nil:
			return zf, fieldProblem("properties.kind", "is required: park (开发区/园区) or township (乡镇工业功能区)")
		case p.Name == nil:
			return zf, fieldProblem("properties.name", "is required")
		case p.CountyAdcode == nil:
			return zf, fieldProblem("properties.county_adcode", "is required: the county's 6-digit code (GET /api/v1/config lists the region's counties)")
		}
	}
	if p.Kind != nil && !policy.Valid(policy.Kinds, *p.Kind) {
		return zf, fieldProblem("properties.kind", "must be park or township, not %q", truncate(*p.Kind, 40))
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" {
			return zf, fieldProblem("properties.name", "must not be empty")
		}
		if err := checkText("properties.name", name, MaxNameLength); err != nil {
			return zf, err
		}
		p.Name = &name
	}
	if p.Disposition != nil && !policy.Valid(policy.Dispositions, *p.Disposition) {
		return zf, fieldProblem("properties.disposition", "must be one of %s, not %q", strings.Join(policy.Codes(policy.Dispositions), " "), truncate(*p.Disposition, 40))
	}
	if len(p.ApprovedAreaHa) > 0 {
		var v *float64
		if err := json.Unmarshal(p.ApprovedAreaHa, &v); err != nil || (v != nil && (*v < 0 || *v > 1e7)) {
			return zf, fieldProblem("properties.approved_area_ha", "must be a non-negative number of hectares or null")
		}
		zf.ApprovedAreaHa = &v
	}
	if p.DocumentNo != nil {
		if err := checkText("properties.document_no", *p.DocumentNo, MaxNameLength); err != nil {
			return zf, err
		}
	}
	if p.Attributes != nil {
		raw, _ := json.Marshal(p.Attributes)
		if len(raw) > 64<<10 {
			return zf, fieldProblem("properties.attributes", "are %d bytes of JSON; at most 64 KB are allowed", len(raw))
		}
		if err := checkJSONText("properties.attributes", map[string]any(p.Attributes)); err != nil {
			return zf, err
		}
	}
	zf.Kind, zf.Name, zf.CountyAdcode, zf.Disposition, zf.DocumentNo, zf.Attributes =
		p.Kind, p.Name, p.CountyAdcode, p.Disposition, p.DocumentNo, map[string]any(p.Attributes)
	return zf, nil
}

// validAdcode checks a county code's form (6 digits) in a query; whether
// it is a county of the server's region is checkCountyParam's question.
func validAdcode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// zoneJSON renders a zone as a GeoJSON feature.
func zoneJSON(z store.Zone) *geojson.Feature {
	f := geojson.NewFeature(z.Geom)
	f.ID = z.ID
	area := store.AreaOf(z.AreaM2)
	f.Properties = geojson.Properties{
		"id": z.ID, "kind": z.Kind, "name": z.Name, "county_adcode": z.CountyAdcode,
		"disposition": z.Disposition, "approved_area_ha": z.ApprovedAreaHa, "document_no": z.DocumentNo,
		"attributes": z.Attributes, "area_m2": area.M2, "area_mu": area.Mu, "area_ha": area.Ha,
		"platform_id": z.PlatformID, "platform_name": z.PlatformName, "version": z.Version,
		"merged_into": z.MergedInto, "created_at": z.CreatedAt, "created_by": z.CreatedBy,
		"updated_at": z.UpdatedAt, "updated_by": z.UpdatedBy, "retired_at": z.RetiredAt,
	}
	return f
}

// listZones streams one page of zones as a FeatureCollection: each feature
// is encoded as its row arrives, so a request holds one zone at a time
// whatever the page size. More zones than the page: a "next" link at the
// end (as in OGC API – Features; a header would be too late) continues
// after the page's last zone in the sort order: its id (after) and, under a
// sort other than id, its key value as this page read it (after_key), so an
// edit of that zone between pages neither skips nor repeats a zone.
func (s *Server) listZones(w http.ResponseWriter, r *http.Request) error {
	f, err := ParseZoneFilter(r.URL.Query())
	if err == nil {
		err = s.checkCountyParam(f.County)
	}
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	lw := &zoneListWriter{w: w}
	err = s.st(r).EachZone(r.Context(), f, func(z store.Zone) error {
		if lw.n == limit {
			lw.more = true
			return errPageFull
		}
		lw.lastKey = store.ZoneSortValue(z, f.Sort)
		return lw.feature(zoneJSON(z), z.ID)
	})
	if err != nil && !errors.Is(err, errPageFull) {
		if !lw.started {
			return err
		}
		// Part of the body has gone: the client sees a cut JSON document,
		// never a complete-looking one.
		s.log.WarnContext(r.Context(), "zone list cut short", "request_id", problem.RequestID(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
	var next string
	if lw.more {
		q := r.URL.Query()
		q.Set("after", strconv.FormatInt(lw.last, 10))
		if f.Sort != "" && f.Sort != "id" {
			q.Set("after_key", lw.lastKey)
		}
		q.Set("limit", strconv.Itoa(limit))
		next = r.URL.Path + "?" + q.Encode()
	}
	return lw.end(next)
}

var errPageFull = errors.New("page full")

// zoneSummary answers the counts and box of all live zones, which the map
// shows without loading them all.
func (s *Server) zoneSummary(w http.ResponseWriter, r *http.Request) error {
	sum, err := s.st(r).SummarizeZones(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// zoneListWriter writes a FeatureCollection feature by feature.
type zoneListWriter struct {
	w       http.ResponseWriter
	started bool
	n       int
	last    int64
	lastKey string // the last zone's sort key value (store.ZoneSortValue)
	more    bool
}

func (lw *zoneListWriter) start() {
	if !lw.started {
		lw.started = true
		lw.w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
		_, _ = io.WriteString(lw.w, `{"type":"FeatureCollection","features":[`)
	}
}

func (lw *zoneListWriter) feature(f *geojson.Feature, id int64) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	lw.start()
	if lw.n > 0 {
		_, _ = io.WriteString(lw.w, ",")
	}
	lw.n, lw.last = lw.n+1, id
	_, err = lw.w.Write(b)
	return err
}

func (lw *zoneListWriter) end(next string) error {
	lw.start()
	tail := map[string]any{"numberReturned": lw.n}
	if next != "" {
		tail["links"] = []map[string]string{{"rel": "next", "href": next, "type": "application/geo+json"}}
	}
	b, _ := json.Marshal(tail)
	_, _ = io.WriteString(lw.w, "],")
	_, err := lw.w.Write(append(b[1:], '\n'))
	return err
}

// ParseZoneFilter reads the zone list's query parameters.
func ParseZoneFilter(q map[string][]string) (store.ZoneFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	known := map[string]bool{"kind": true, "county": true, "platform": true, "bbox": true, "retired": true, "limit": true,
		"after": true, "after_key": true, "q": true, "disposition": true, "sort": true}
	for k := range q {
		if !known[k] {
			return store.ZoneFilter{}, problem.New(http.StatusBadRequest, "unknown-parameter",
				"unknown query parameter %q: use kind, county, disposition, platform, bbox, retired, q, sort, limit, after or after_key", truncate(k, 40))
		}
	}
	f := store.ZoneFilter{Limit: DefaultZonePage}
	if k := get("kind"); k != "" {
		if !policy.Valid(policy.Kinds, k) {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "kind must be park or township, not %q", truncate(k, 40))
		}
		f.Kind = k
	}
	if c := get("county"); c != "" {
		if !validAdcode(c) {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "county must be a 6-digit code, not %q", truncate(c, 40))
		}
		f.County = c
	}
	if d := get("disposition"); d != "" {
		if !policy.Valid(policy.Dispositions, d) {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "disposition must be one of %s, not %q", strings.Join(policy.Codes(policy.Dispositions), " "), truncate(d, 40))
		}
		f.Disposition = d
	}
	switch p := get("platform"); p {
	case "":
	case "none":
		f.PlatformID = -1
	default:
		id, err := ParseID(p)
		if err != nil {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "platform must be a platform id or \"none\", not %q", truncate(p, 40))
		}
		f.PlatformID = id
	}
	b, err := query.ParseBBox(get("bbox"))
	if err != nil {
		return f, err
	}
	f.BBox = b
	switch get("retired") {
	case "", "false", "0":
	case "true", "1":
		f.Retired = true
	case "only":
		f.Retired, f.RetiredOnly = true, true
	default:
		return f, problem.New(http.StatusBadRequest, "bad-parameter", "retired must be true, false or only")
	}
	if text := strings.TrimSpace(get("q")); text != "" {
		if err := checkText("q", text, MaxNameLength); err != nil {
			// A query parameter, like every other: 400.
			var p *problem.Problem
			if errors.As(err, &p) {
				p.Status, p.Title, p.Type = http.StatusBadRequest, http.StatusText(http.StatusBadRequest), problem.TypeBase+"bad-parameter"
			}
			return f, err
		}
		f.Text = text
	}
	if v := get("sort"); v != "" {
		key := strings.TrimPrefix(v, "-")
		if !slices.Contains(store.ZoneSortKeys, key) {
			return f, problem.New(http.StatusBadRequest, "bad-parameter",
				"sort must be one of %s, with a leading - for descending (sort=-area), not %q", strings.Join(store.ZoneSortKeys, " "), truncate(v, 40))
		}
		f.Sort, f.Desc = key, key != v
	}
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxZonePage {
			return f, problem.New(http.StatusBadRequest, "bad-parameter",
				"limit must be a whole number from 1 to %d; follow the next links for more", MaxZonePage)
		}
		f.Limit = n
	}
	if a := get("after"); a != "" {
		id, err := ParseID(a)
		if err != nil {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "after must be a zone id (from a next link: the last zone of the page before, in the sort order), not %q", truncate(a, 40))
		}
		f.After = id
	}
	// Under a sort other than id a page continues after the key value the
	// page before ended on, which only its next link knows.
	_, hasKey := q["after_key"]
	switch sorted := f.Sort != "" && f.Sort != "id"; {
	case hasKey && (!sorted || f.After == 0):
		return f, problem.New(http.StatusBadRequest, "bad-parameter",
			"after_key goes with after and a sort other than id, as a next link gives them")
	case sorted && f.After > 0 && !hasKey:
		return f, problem.New(http.StatusBadRequest, "bad-parameter",
			"after under sort=%s needs after_key: follow the next link of the page before", f.Sort)
	case hasKey:
		k := get("after_key")
		if _, err := store.ParseZoneSortValue(f.Sort, k); err != nil {
			return f, problem.New(http.StatusBadRequest, "bad-parameter",
				"after_key must be the sort key value of the zone named by after (from a next link): %s", truncate(err.Error(), 80))
		}
		f.AfterKey = k
	}
	return f, nil
}

func (s *Server) getZone(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	z, err := s.st(r).GetZone(r.Context(), id)
	if err != nil {
		return err
	}
	// A split zone's pieces, all of them (merged_into names the first);
	// other zones have no split_into, as in the lists and the OGC API.
	pieces, err := s.st(r).SplitInto(r.Context(), z)
	if err != nil {
		return err
	}
	f := zoneJSON(z)
	if pieces != nil {
		f.Properties["split_into"] = pieces
	}
	w.Header().Set("ETag", etag(z.Version))
	writeGeoJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) createZone(w http.ResponseWriter, r *http.Request) error {
	var f zoneFeature
	if err := decodeJSON(w, r, &f); err != nil {
		return err
	}
	zf, err := f.fields(true, s.region.Zones())
	if err == nil {
		err = s.checkCounty("properties.county_adcode", zf.CountyAdcode)
	}
	if err == nil && f.SharedVertices != nil {
		err = problem.New(http.StatusUnprocessableEntity, "invalid-field", "shared_vertices: only an update moves a zone's vertices")
	}
	if err != nil {
		return err
	}
	z, err := s.st(r).CreateZone(r.Context(), zf, s.change(r, f.Reason))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(z.Version))
	w.Header().Set("Location", "/api/v1/zones/"+strconv.FormatInt(z.ID, 10))
	writeGeoJSON(w, http.StatusCreated, zoneJSON(z))
	return nil
}

func (s *Server) putZone(w http.ResponseWriter, r *http.Request) error {
	return s.updateZone(w, r, true)
}
func (s *Server) patchZone(w http.ResponseWriter, r *http.Request) error {
	return s.updateZone(w, r, false)
}

func (s *Server) updateZone(w http.ResponseWriter, r *http.Request, full bool) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var f zoneFeature
	if err := decodeJSON(w, r, &f); err != nil {
		return err
	}
	zf, err := f.fields(full, s.region.Zones())
	if err == nil {
		err = s.checkCounty("properties.county_adcode", zf.CountyAdcode)
	}
	if err != nil {
		return err
	}
	moves, err := parseSharedVertices(f.SharedVertices)
	if err != nil {
		return err
	}
	z, shared, err := s.st(r).UpdateZoneSharing(r.Context(), id, version, zf, moves, s.change(r, f.Reason))
	if err != nil {
		return err
	}
	out := zoneJSON(z)
	if moves != nil {
		out.ExtraMembers = map[string]any{"shared_vertices": sharedJSON(shared)}
	}
	w.Header().Set("ETag", etag(z.Version))
	writeGeoJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteZone(w http.ResponseWriter, r *http.Request) error {
	return s.retire(w, r, s.st(r).RetireZone)
}

// retire answers a DELETE: the object is retired at the version the client
// saw, kept in the history, and can be restored.
func (s *Server) retire(w http.ResponseWriter, r *http.Request, retire func(context.Context, int64, int, store.Change) error) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	reason, err := queryReason(r)
	if err != nil {
		return err
	}
	if err := retire(r.Context(), id, version, s.change(r, reason)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type mergeRequest struct {
	ZoneIDs    []int64         `json:"zone_ids"`
	Versions   map[string]int  `json:"versions"`
	Properties *zoneProperties `json:"properties"`
	// PlatformID answers the platform question (0: no platform).
	PlatformID *int64 `json:"platform_id"`
	// AllowGapM confirms merging zones that lie this far apart (metres).
	AllowGapM float64 `json:"allow_gap_m"`
	// DryRun answers what the merge would make, writing nothing.
	DryRun bool   `json:"dry_run"`
	Reason string `json:"reason"`
}

// mergeZones merges zones by the rule in store.MergeZones. The answer is the
// merged zone with a foreign member "merge" saying what became of the
// sources' fields; a question the planner must answer first (different
// dispositions, platforms, a gap between the zones) is a 422 whose
// "question" says which field and the choices.
func (s *Server) mergeZones(w http.ResponseWriter, r *http.Request) error {
	var m mergeRequest
	if err := decodeJSON(w, r, &m); err != nil {
		return err
	}
	if len(m.ZoneIDs) < 2 || len(m.ZoneIDs) > MaxListIDs {
		return fieldProblem("zone_ids", "must list from 2 to %d zones to merge", MaxListIDs)
	}
	versions := map[int64]int{}
	for k, v := range m.Versions {
		id, err := ParseID(k)
		if err != nil {
			return fieldProblem("versions", "keys must be zone ids, not %q", truncate(k, 40))
		}
		versions[id] = v
	}
	for _, id := range m.ZoneIDs {
		if id <= 0 {
			return fieldProblem("zone_ids", "contains %d, which is not an id", id)
		}
	}
	if m.PlatformID != nil && *m.PlatformID < 0 {
		return fieldProblem("platform_id", "must be a platform's id, or 0 for no platform")
	}
	if m.AllowGapM < 0 || math.IsNaN(m.AllowGapM) || math.IsInf(m.AllowGapM, 0) {
		return fieldProblem("allow_gap_m", "must be a distance in metres, 0 or more")
	}
	f := zoneFeature{Type: "Feature", Properties: m.Properties, Reason: m.Reason}
	zf, err := f.fields(false, s.region.Zones())
	if err == nil {
		err = s.checkCounty("properties.county_adcode", zf.CountyAdcode)
	}
	if err != nil {
		return err
	}
	// A merge retires every zone it names: like an edit, it must say which
	// version of each it saw, so that no one's change is lost.
	for _, id := range m.ZoneIDs {
		if _, ok := versions[id]; !ok {
			return problem.New(http.StatusPreconditionRequired, "versions-required",
				"versions must give the version you saw of every zone to merge (its ETag); zone %d has none", id)
		}
	}
	res, err := s.st(r).MergeZones(r.Context(), m.ZoneIDs, versions,
		store.MergeOptions{Fields: zf, PlatformID: m.PlatformID, AllowGapM: m.AllowGapM, DryRun: m.DryRun}, s.change(r, m.Reason))
	if err != nil {
		return err
	}
	feature := zoneJSON(res.Zone)
	sources := make([]map[string]any, len(res.Sources))
	for i, z := range res.Sources {
		sources[i] = map[string]any{"id": z.ID, "name": z.Name, "area_mu": store.AreaOf(z.AreaM2).Mu}
	}
	feature.ExtraMembers = geojson.Properties{"merge": map[string]any{
		"dry_run": m.DryRun, "sources": sources, "gap_m": res.GapM, "parts": res.Parts,
		"conflicts": res.Conflicts, "notes": orEmptyList(res.Notes),
	}}
	status := http.StatusCreated
	if m.DryRun {
		status = http.StatusOK
	} else {
		w.Header().Set("ETag", etag(res.Zone.Version))
	}
	writeGeoJSON(w, status, feature)
	return nil
}

func orEmptyList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type splitRequest struct {
	Line   json.RawMessage `json:"line"`
	Reason string          `json:"reason"`
}

func (s *Server) splitZone(w http.ResponseWriter, r *http.Request) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	var req splitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := checkText("reason", req.Reason, 2000); err != nil {
		return err
	}
	line, err := decodeLine(req.Line)
	if err != nil {
		return err
	}
	zs, err := s.st(r).SplitZone(r.Context(), id, version, line, s.change(r, req.Reason))
	if err != nil {
		return splitProblem(id, err)
	}
	fc := geojson.NewFeatureCollection()
	for _, z := range zs {
		fc.Append(zoneJSON(z))
	}
	writeGeoJSON(w, http.StatusCreated, fc)
	return nil
}

func decodeLine(raw json.RawMessage) (orb.LineString, error) {
	var g struct {
		Type        string      `json:"type"`
		Coordinates [][]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil || g.Type != "LineString" {
		return nil, fieldProblem("line", "must be a GeoJSON LineString drawn across the zone")
	}
	if len(g.Coordinates) < 2 || len(g.Coordinates) > 10000 {
		return nil, fieldProblem("line", "needs from 2 to 10000 positions")
	}
	var ls orb.LineString
	for i, c := range g.Coordinates {
		if len(c) < 2 || c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
			return nil, fieldProblem("line.coordinates["+strconv.Itoa(i)+"]", "must be [longitude, latitude] in degrees")
		}
		ls = append(ls, orb.Point{c[0], c[1]})
	}
	return ls, nil
}

func (s *Server) zoneHistory(w http.ResponseWriter, r *http.Request) error {
	return s.history(w, r, "zone")
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, entity string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rs, err := s.st(r).History(r.Context(), entity, id)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return problem.New(http.StatusNotFound, "not-found", "%s %d has no history: it does not exist", entity, id)
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": entity, "id": id, "revisions": rs})
	return nil
}

// change describes the current request's author and reason.
func (s *Server) change(r *http.Request, reason string) store.Change {
	return store.Change{Actor: actorName(r.Context()), Reason: reason}
}

// attributeMap is a zone's free attributes as a client sends them: an
// integer (7) stays an integer and a real (7.0, 7.5) a real, as the store
// keeps them (store.DecodeAttributes), so that one edit in the map does not
// turn a column of integers into reals for every later export.
type attributeMap map[string]any

func (a *attributeMap) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*a = nil
		return nil
	}
	m, err := store.DecodeAttributes(b)
	if err != nil {
		return err
	}
	*a = m
	return nil
}
