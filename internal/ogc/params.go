package ogc

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"wanmu/internal/problem"
)

// Limits of the items query.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
	// MaxOffset bounds offset: beyond it a client should follow the next
	// links, which go by id.
	MaxOffset = 1_000_000_000
)

// ItemsQuery is what the query string of an items request asks for.
type ItemsQuery struct {
	BBox   *orb.Bound // nil: everywhere
	Limit  int        // 1 … MaxLimit
	Offset int        // 0 … MaxOffset; zero with After or Before
	After  int64      // only features with greater ids; 0: none
	Before int64      // only the last Limit features with smaller ids; 0: none
	// Since and Until bound when the features last changed (datetime);
	// nil leaves an end open. Datetime is the parameter as given, for links.
	Since, Until *time.Time
	Datetime     string
	// CRS is the URI of the coordinates asked for (crs; CRS84 when not
	// given); BBoxCRS that of the bbox (bbox-crs), "" when not given.
	// BBox is always CGCS2000 lon/lat: the box enclosing the one given.
	CRS, BBoxCRS string
	crs          outCRS
	bboxCRS      outCRS
	bboxRaw      [4]float64 // the bbox as given, in bboxCRS
}

// itemsParams are the query parameters of the items, in the order links
// carry them.
var itemsParams = []string{"limit", "offset", "after", "before", "bbox", "bbox-crs", "datetime", "crs", "f"}

// ParseItemsQuery reads the query parameters of /items. Unknown, repeated
// or malformed parameters are a 400 *problem.Problem that says what to send.
func ParseItemsQuery(q url.Values) (ItemsQuery, error) { return parseItemsQuery(q, defaultCRS) }

// parseItemsQuery reads them with the CRSs of l (the region's).
func parseItemsQuery(q url.Values, l crsList) (ItemsQuery, error) {
	iq := ItemsQuery{Limit: DefaultLimit, CRS: CRS84, crs: crs84, bboxCRS: crs84}
	if err := checkParams(q, itemsParams); err != nil {
		return iq, err
	}
	c, err := parseCRSParam(q, "crs", l)
	if err != nil {
		return iq, err
	}
	iq.crs, iq.CRS = c, c.URI
	if v, ok := single(q, "limit"); ok {
		n, ok := wholeNumber(v)
		if !ok || n < 1 || n > MaxLimit {
			return iq, badParam("bad-limit", "limit must be a whole number from 1 to %d, not %q", MaxLimit, problem.Clip(v, 40))
		}
		iq.Limit = int(n)
	}
	if v, ok := single(q, "offset"); ok {
		n, ok := wholeNumber(v)
		if !ok || n > MaxOffset {
			return iq, badParam("bad-offset", "offset must be a whole number from 0 to %d, not %q; to walk a large collection follow the next links", MaxOffset, problem.Clip(v, 40))
		}
		iq.Offset = int(n)
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"after", &iq.After}, {"before", &iq.Before}} {
		if v, ok := single(q, p.name); ok {
			n, ok := wholeNumber(v)
			if !ok || n < 1 {
				return iq, badParam("bad-"+p.name, "%s must be a feature id (a positive whole number), not %q", p.name, problem.Clip(v, 40))
			}
			*p.dst = n
		}
	}
	switch {
	case iq.After > 0 && iq.Before > 0:
		return iq, badParam("bad-paging", "give after or before, not both")
	case iq.Offset > 0 && (iq.After > 0 || iq.Before > 0):
		return iq, badParam("bad-paging", "give offset or after/before, not both")
	}
	if _, ok := single(q, "bbox-crs"); ok {
		if iq.bboxCRS, err = parseCRSParam(q, "bbox-crs", l); err != nil {
			return iq, err
		}
		iq.BBoxCRS = iq.bboxCRS.URI
	}
	if v, ok := single(q, "bbox"); ok {
		if strings.TrimSpace(v) == "" {
			return iq, badParam("bad-bbox", "bbox is empty: give four numbers west,south,east,north in degrees (CRS84), or in the axis order of bbox-crs")
		}
		b, raw, err := parseBBoxIn(iq.bboxCRS, v)
		if err != nil {
			return iq, err
		}
		iq.BBox, iq.bboxRaw = b, raw
	} else if iq.BBoxCRS != "" {
		return iq, badParam("bad-bbox-crs", "bbox-crs is given without a bbox")
	}
	if v, ok := single(q, "datetime"); ok {
		since, until, err := parseDatetime(v)
		if err != nil {
			return iq, err
		}
		iq.Since, iq.Until, iq.Datetime = since, until, v
	}
	if err := checkFormat(q); err != nil {
		return iq, err
	}
	return iq, nil
}

// parseDatetime reads the datetime of OGC API – Features: an instant or an
// interval "start/end" whose ends may be open ("..", or empty). An instant
// is an RFC 3339 date-time, or a date, which stands for that whole day (UTC).
// A feature's time is when it last changed; a constraint layer's features
// date from the layer's import.
func parseDatetime(v string) (since, until *time.Time, err error) {
	bad := func() error {
		return badParam("bad-datetime", "datetime must be an RFC 3339 date-time or date (2026-11-01T08:00:00Z, 2026-11-01), "+
			"or an interval start/end with .. for an open end (2026-11-01/.., ../2026-11-01T08:00:00Z), not %q", problem.Clip(v, 60))
	}
	// end reads one end; whole days reach from their start (first) to their
	// last instant (last).
	end := func(s string) (first, last *time.Time, ok bool) {
		if s == "" || s == ".." {
			return nil, nil, true
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return &t, &t, true
		}
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			l := d.AddDate(0, 0, 1).Add(-time.Nanosecond)
			return &d, &l, true
		}
		return nil, nil, false
	}
	a, b, interval := strings.Cut(strings.TrimSpace(v), "/")
	if !interval {
		if a == "" || a == ".." {
			return nil, nil, bad()
		}
		first, last, ok := end(a)
		if !ok {
			return nil, nil, bad()
		}
		return first, last, nil
	}
	if strings.Contains(b, "/") {
		return nil, nil, bad()
	}
	since, _, ok := end(a)
	if !ok {
		return nil, nil, bad()
	}
	_, until, ok = end(b)
	if !ok {
		return nil, nil, bad()
	}
	if since != nil && until != nil && since.After(*until) {
		return nil, nil, badParam("bad-datetime", "datetime %q ends before it starts", problem.Clip(v, 60))
	}
	return since, until, nil
}

// ParseQuery reads the query parameters of the other resources: f=json at
// most.
func ParseQuery(q url.Values) error {
	if err := checkParams(q, []string{"f"}); err != nil {
		return err
	}
	return checkFormat(q)
}

// ParseItemQuery reads the query parameters of one feature: f and crs. It
// returns the URI of the CRS asked for (CRS84 by default).
func ParseItemQuery(q url.Values) (string, error) {
	c, err := parseItemQuery(q, defaultCRS)
	return c.URI, err
}

func parseItemQuery(q url.Values, l crsList) (outCRS, error) {
	if err := checkParams(q, []string{"crs", "f"}); err != nil {
		return crs84, err
	}
	if err := checkFormat(q); err != nil {
		return crs84, err
	}
	return parseCRSParam(q, "crs", l)
}

// parseCRSParam reads the crs or bbox-crs parameter, one of l; CRS84 when absent.
func parseCRSParam(q url.Values, name string, l crsList) (outCRS, error) {
	v, ok := single(q, name)
	if !ok {
		return crs84, nil
	}
	return l.parse(name, v)
}

// checkParams refuses unknown and repeated parameters.
func checkParams(q url.Values, known []string) error {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same message for the same query
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return badParam("unknown-parameter", "unknown query parameter %q: this resource takes %s", problem.Clip(k, 40), strings.Join(known, ", "))
		}
		if len(q[k]) > 1 {
			return badParam("repeated-parameter", "%s is given %d times: give it once", k, len(q[k]))
		}
	}
	return nil
}

func checkFormat(q url.Values) error {
	if v, ok := single(q, "f"); ok && v != "json" && v != "geojson" {
		return badParam("bad-format", "f=%q is not served: wanmu's OGC API answers in JSON and GeoJSON only (f=json)", problem.Clip(v, 40))
	}
	return nil
}

func single(q url.Values, k string) (string, bool) {
	if v := q[k]; len(v) > 0 {
		return v[0], true
	}
	return "", false
}

// wholeNumber parses ASCII digits only: no sign, space or exponent.
func wholeNumber(s string) (int64, bool) {
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// badParam is a 400 problem about a query parameter.
func badParam(typ, format string, args ...any) *problem.Problem {
	return problem.New(http.StatusBadRequest, typ, format, args...)
}
