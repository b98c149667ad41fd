package ogc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/sync/errgroup"

	"wanmu/internal/change"
	"wanmu/internal/problem"
	"wanmu/internal/store"
)

// featureJSON is one GeoJSON feature.
type featureJSON struct {
	Type       string            `json:"type"`
	ID         int64             `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
	Links      []link            `json:"links,omitempty"`
}

func newFeature(id int64, g orb.MultiPolygon, props any) featureJSON {
	f := featureJSON{Type: "Feature", ID: id, Properties: props}
	if g != nil {
		f.Geometry = geojson.NewGeometry(g)
	}
	return f
}

// itemsJSON is a page of features.
type itemsJSON struct {
	Type           string        `json:"type"`
	Features       []featureJSON `json:"features"`
	Links          []link        `json:"links"`
	TimeStamp      string        `json:"timeStamp"`
	NumberMatched  *int64        `json:"numberMatched,omitempty"`
	NumberReturned int           `json:"numberReturned"`
}

// real is a measure that is always written with a decimal point (10000.0,
// not 10000): GDAL and QGIS guess a field's type from the first page, and a
// page of round values would make it an integer field that truncates the
// next page's 9985.7.
type real float64

// MarshalJSON writes the shortest form that reads back as the same number,
// with ".0" when it would otherwise look like an integer.
func (v real) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(float64(v))
	if err == nil && !strings.ContainsAny(string(b), ".eE") {
		b = append(b, ".0"...)
	}
	return b, err
}

func optionalReal(v *float64) *real {
	if v == nil {
		return nil
	}
	r := real(*v)
	return &r
}

// zoneProperties are the properties of a zone feature of the REST API
// (GET /api/v1/zones/{id}); the test compares the two.
func zoneProperties(z store.Zone) map[string]any {
	area := store.AreaOf(z.AreaM2)
	return map[string]any{
		"id": z.ID, "kind": z.Kind, "name": z.Name, "county_adcode": z.CountyAdcode,
		"disposition": z.Disposition, "approved_area_ha": optionalReal(z.ApprovedAreaHa), "document_no": z.DocumentNo,
		"attributes": z.Attributes, "area_m2": real(area.M2), "area_mu": real(area.Mu), "area_ha": real(area.Ha),
		"platform_id": z.PlatformID, "platform_name": z.PlatformName, "version": z.Version,
		"merged_into": z.MergedInto, "created_at": z.CreatedAt, "created_by": z.CreatedBy,
		"updated_at": z.UpdatedAt, "updated_by": z.UpdatedBy, "retired_at": z.RetiredAt,
	}
}

// layerProperties are a constraint or reference feature's attributes with
// its ellipsoidal area added as a zone's (area_m2, area_mu, area_ha), so a
// table can show and total it; an attribute of the source data with one of
// those names is kept as it was.
func layerProperties(it store.LayerItem) map[string]any {
	props := map[string]any{}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(it.Attributes, &attrs); err == nil {
		for k, v := range attrs {
			props[k] = v
		}
	}
	area := store.AreaOf(it.AreaM2)
	for k, v := range map[string]real{"area_m2": real(area.M2), "area_mu": real(area.Mu), "area_ha": real(area.Ha)} {
		if _, ok := props[k]; !ok {
			props[k] = v
		}
	}
	return props
}

// platformProperties are the properties of a live platform of the REST API
// (GET /api/v1/platforms/{id}), plus more of its report's figures.
func platformProperties(p store.Platform, r store.Report) map[string]any {
	m := map[string]any{
		"id": p.ID, "name": p.Name, "role": p.Role, "counties": p.Counties, "threshold_mu": real(p.ThresholdMu),
		"targets": p.Targets, "indicators": p.Indicators, "note": p.Note, "zone_ids": p.ZoneIDs,
		"version": p.Version, "created_at": p.CreatedAt, "created_by": p.CreatedBy,
		"updated_at": p.UpdatedAt, "updated_by": p.UpdatedBy, "retired_at": p.RetiredAt, "county_editable": p.CountyEditable,
		"gross_mu": real(r.Gross.Mu), "overlap_mu": real(r.Overlap.Mu), "developable_mu": real(r.Developable.Mu),
		"meets": r.Meets, "shortfall_mu": real(r.Shortfall.Mu), "parts": r.Parts,
		// Beyond the REST list: what the area table shows.
		"members": r.Members, "deducted_mu": real(r.Deducted.Mu), "developable_ha": real(r.Developable.Ha),
		"margin_mu": real(r.Margin.Mu), "largest_gap_m": real(r.LargestGapM),
	}
	if p.Counties == nil {
		m["counties"] = []string{}
	}
	if p.ZoneIDs == nil {
		m["zone_ids"] = []int64{}
	}
	return m
}

// platformFeatures adds each platform's report, four at a time, with the
// outline in crs.
func (h *Handler) platformFeatures(r *http.Request, ps []store.PlatformItem, crs outCRS) ([]featureJSON, error) {
	out := make([]featureJSON, len(ps))
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(4)
	for i, p := range ps {
		g.Go(func() error {
			rep, err := h.reports.Report(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("report of platform %d: %w", p.ID, err)
			}
			out[i] = newFeature(p.ID, crs.multiPolygon(p.Geom), platformProperties(p.Platform, rep))
			return nil
		})
	}
	return out, g.Wait()
}

func (h *Handler) items(w http.ResponseWriter, r *http.Request) error {
	q, err := parseItemsQuery(r.URL.Query(), h.crs)
	if err != nil {
		return err
	}
	c, err := h.findCollection(r)
	if err != nil {
		return err
	}
	// The count costs a scan of the selection: it comes with the first
	// page and pages asked for by offset, not with every page a client
	// walks through by the links.
	fq := store.FeatureQuery{BBox: q.BBox, Since: q.Since, Until: q.Until, Limit: q.Limit, Offset: q.Offset, After: q.After, Before: q.Before,
		Count: q.After == 0 && q.Before == 0}
	var (
		features []featureJSON
		page     store.Page
	)
	switch c.Kind {
	case change.Zones:
		var zs []store.Zone
		zs, page, err = h.st.In(c.Scenario).ZonePage(r.Context(), fq)
		for _, z := range zs {
			features = append(features, newFeature(z.ID, q.crs.multiPolygon(z.Geom), zoneProperties(z)))
		}
	case change.Platforms:
		var ps []store.PlatformItem
		if ps, page, err = h.st.In(c.Scenario).PlatformPage(r.Context(), fq); err == nil {
			features, err = h.platformFeatures(r, ps, q.crs)
		}
	default:
		layerID, _ := change.LayerID(c.ID)
		var items []store.LayerItem
		items, page, err = h.st.LayerPage(r.Context(), layerID, fq)
		for _, it := range items {
			features = append(features, newFeature(it.ID, q.crs.multiPolygon(it.Geom), layerProperties(it)))
		}
	}
	if err != nil {
		return err
	}
	if features == nil {
		features = []featureJSON{}
	}
	base := h.base(r)
	out := itemsJSON{Type: "FeatureCollection", Features: features, NumberReturned: len(features),
		TimeStamp: time.Now().UTC().Format(time.RFC3339)}
	if page.Matched >= 0 {
		out.NumberMatched = &page.Matched
	}
	out.Links = pageLinks(base+"/collections/"+c.ID, q, r.URL.Query().Get("f"), features, page)
	setContentCRS(w, q.crs)
	return write(w, typeGeoJSON, out)
}

// pageLinks are the self, collection, next and prev links of a page. Next
// and prev go by id: after the page's last feature, before its first.
func pageLinks(collection string, q ItemsQuery, format string, fs []featureJSON, page store.Page) []link {
	items := func(at string, v int64) string {
		params := []string{"limit=" + strconv.Itoa(q.Limit)}
		if at != "" {
			params = append(params, at+"="+strconv.FormatInt(v, 10))
		}
		if b := q.BBox; b != nil && q.BBoxCRS == "" {
			params = append(params, "bbox="+strings.Join([]string{coord(b.Min[0]), coord(b.Min[1]), coord(b.Max[0]), coord(b.Max[1])}, ","))
		} else if b != nil {
			v := q.bboxRaw
			params = append(params, "bbox="+strings.Join([]string{coord(v[0]), coord(v[1]), coord(v[2]), coord(v[3])}, ","),
				"bbox-crs="+url.QueryEscape(q.BBoxCRS))
		}
		if q.Datetime != "" {
			params = append(params, "datetime="+url.QueryEscape(q.Datetime))
		}
		if q.CRS != "" && q.CRS != CRS84 {
			params = append(params, "crs="+url.QueryEscape(q.CRS))
		}
		if format != "" {
			params = append(params, "f="+url.QueryEscape(format))
		}
		return collection + "/items?" + strings.Join(params, "&")
	}
	var self string
	switch {
	case q.After > 0:
		self = items("after", q.After)
	case q.Before > 0:
		self = items("before", q.Before)
	case q.Offset > 0:
		self = items("offset", int64(q.Offset))
	default:
		self = items("", 0)
	}
	links := []link{
		{Href: self, Rel: "self", Type: typeGeoJSON, Title: "this page"},
		{Href: collection, Rel: "collection", Type: typeJSON, Title: "the collection"},
	}
	next := func(href string) {
		links = append(links, link{Href: href, Rel: "next", Type: typeGeoJSON, Title: "the next page"})
	}
	prev := func(href string) {
		links = append(links, link{Href: href, Rel: "prev", Type: typeGeoJSON, Title: "the previous page"})
	}
	if len(fs) > 0 {
		first, last := fs[0].ID, fs[len(fs)-1].ID
		if q.Before > 0 || page.More {
			next(items("after", last))
		}
		if (q.Before > 0 && page.More) || (q.Before == 0 && (q.After > 0 || q.Offset > 0)) {
			prev(items("before", first))
		}
		return links
	}
	// An empty page past either end still leads back.
	switch {
	case q.Offset > 0:
		prev(items("offset", int64(max(0, q.Offset-q.Limit))))
	case q.After > 0:
		prev(items("before", q.After+1))
	case q.Before > 1:
		next(items("after", q.Before-1))
	}
	return links
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (h *Handler) item(w http.ResponseWriter, r *http.Request) error {
	crs, err := parseItemQuery(r.URL.Query(), h.crs)
	if err != nil {
		return err
	}
	c, err := h.findCollection(r)
	if err != nil {
		return err
	}
	raw := chi.URLParam(r, "featureId")
	id, ok := wholeNumber(raw)
	missing := problem.New(http.StatusNotFound, "unknown-feature",
		"collection %s has no feature %q: feature ids are the whole numbers of the items' \"id\"", c.ID, problem.Clip(raw, 40))
	if !ok || id < 1 {
		return missing
	}
	var f featureJSON
	switch c.Kind {
	case change.Zones:
		z, err := h.st.GetZone(r.Context(), id)
		// A collection holds one scenario's zones: another's is not in it.
		if isNotFound(err) || (err == nil && (z.RetiredAt != nil || z.ScenarioID != c.Scenario)) {
			return missing
		} else if err != nil {
			return err
		}
		f = newFeature(z.ID, crs.multiPolygon(z.Geom), zoneProperties(z))
		// Part 4: the version to send back in If-Match (weak: the same in
		// every CRS), as the REST API's ETag of the zone.
		w.Header().Set("ETag", `W/"`+strconv.Itoa(z.Version)+`"`)
	case change.Platforms:
		p, err := h.st.LivePlatformItem(r.Context(), id)
		if isNotFound(err) || (err == nil && p.ScenarioID != c.Scenario) {
			return missing
		} else if err != nil {
			return err
		}
		w.Header().Set("ETag", `W/"`+strconv.Itoa(p.Version)+`"`) // Part 4's PATCH of its attributes
		fs, err := h.platformFeatures(r, []store.PlatformItem{p}, crs)
		if err != nil {
			return err
		}
		f = fs[0]
	default:
		layerID, _ := change.LayerID(c.ID)
		it, err := h.st.LayerItem(r.Context(), layerID, id)
		if isNotFound(err) {
			return missing
		} else if err != nil {
			return err
		}
		f = newFeature(it.ID, crs.multiPolygon(it.Geom), layerProperties(it))
	}
	collection := h.base(r) + "/collections/" + c.ID
	self := collection + "/items/" + strconv.FormatInt(f.ID, 10)
	if crs.URI != CRS84 {
		self += "?crs=" + url.QueryEscape(crs.URI)
	}
	f.Links = []link{
		{Href: self, Rel: "self", Type: typeGeoJSON, Title: "this feature"},
		{Href: collection, Rel: "collection", Type: typeJSON, Title: "the collection"},
	}
	setContentCRS(w, crs)
	return write(w, typeGeoJSON, f)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
