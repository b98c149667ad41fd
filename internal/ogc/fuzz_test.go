package ogc_test

// Fuzz tests of the query-parameter parsers. The seeds run with every
// `go test`; `go test -run '^$' -fuzz '^FuzzParseItemsQuery$' -fuzztime 20000x ./internal/ogc`
// explores further. They need no database.

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"wanmu/internal/ogc"
	"wanmu/internal/problem"
)

// checkProblem fails unless err is a 400 *problem.Problem whose message can be
// sent as JSON and echoes little of the input.
func checkProblem(t *testing.T, input string, err error) {
	t.Helper()
	var p *problem.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%q: error %T (%v) is not a *problem.Problem", input, err, err)
	}
	if p.Status != 400 || p.Detail == "" || p.Title == "" || !strings.HasPrefix(p.Type, "https://wanmu.example/problems/") {
		t.Fatalf("%q: problem %+v", input, p)
	}
	if !utf8.ValidString(p.Detail) {
		t.Fatalf("%q: detail is not valid UTF-8: %q", input, p.Detail)
	}
	if len(p.Detail) > 400 {
		t.Fatalf("%q: detail of %d bytes echoes too much input", input, len(p.Detail))
	}
}

func FuzzParseItemsQuery(f *testing.F) {
	for _, s := range []string{"", "limit=10", "limit=10000", "limit=10001", "limit=0", "limit=-1", "limit=+5", "limit= 5",
		"limit=1e3", "limit=0x10", "limit=99999999999999999999", "offset=0", "offset=1000000000", "offset=1000000001",
		"after=5", "before=5", "after=5&before=9", "offset=3&after=1", "after=0", "before=-1",
		"bbox=119,28,120,29", "bbox=119.5,28.1,119.9,28.6&limit=7&after=12", "bbox=", "bbox=1,2,3", "bbox=120,28,119,29",
		"bbox=NaN,28,120,29", "bbox=1e999,28,120,29", "bbox=-180,-90,180,90", "f=json", "f=geojson", "f=html", "f=",
		"foo=bar", "bbox-crs=x", "limit=1&limit=2", "limit", "%zz", "limit=%00", "f=\xff", "\xff=1", "limit=１０",
		strings.Repeat("a", 300) + "=1", "bbox=" + strings.Repeat("9", 400) + ",28,120,29", "datetime=2026-01-01T00:00:00Z",
		"limit=5&offset=10&bbox=119,28,120,29&f=json", "datetime=2026-11-01/..", "datetime=../2026-11-01T08:00:00%2B08:00",
		"datetime=2026-11-02/2026-11-01", "datetime=/", "datetime=2026-02-30",
		"crs=EPSG:4528", "crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4549", "crs=OGC:CRS84", "crs=[EPSG:4490]", "crs=EPSG:3857",
		"bbox=28.2,119.7,28.3,119.8&bbox-crs=EPSG:4326", "bbox=119.7,28.2,119.8,28.3&bbox-crs=EPSG:4490",
		"bbox=3120000,40460000,3130000,40470000&bbox-crs=EPSG:4528", "bbox=3120000,460000,3130000,470000&bbox-crs=EPSG:4549",
		"bbox=-1e9,40000000,1e9,41000000&bbox-crs=EPSG:4528", "bbox=0,0,1,1&bbox-crs=EPSG:4549", "bbox-crs=EPSG:4528"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http would not get this far either
		}
		q, err := ogc.ParseItemsQuery(v)
		if err != nil {
			checkProblem(t, raw, err)
			return
		}
		if q.Limit < 1 || q.Limit > ogc.MaxLimit || q.Offset < 0 || q.Offset > ogc.MaxOffset || q.After < 0 || q.Before < 0 {
			t.Fatalf("%q: out of range %+v", raw, q)
		}
		if q.After > 0 && q.Before > 0 || q.Offset > 0 && (q.After > 0 || q.Before > 0) {
			t.Fatalf("%q: offset, after and before mixed: %+v", raw, q)
		}
		for k, vs := range v {
			if len(vs) > 1 {
				t.Fatalf("%q: %s repeated and accepted", raw, k)
			}
			switch k {
			case "limit", "offset", "after", "before", "bbox", "bbox-crs", "datetime", "crs", "f":
			default:
				t.Fatalf("%q: unknown parameter %q accepted", raw, k)
			}
		}
		if _, ok := v["limit"]; !ok && q.Limit != ogc.DefaultLimit {
			t.Fatalf("%q: limit %d without a limit parameter", raw, q.Limit)
		}
		if fv, ok := v["f"]; ok && fv[0] != "json" && fv[0] != "geojson" {
			t.Fatalf("%q: f=%q accepted", raw, fv[0])
		}
		if b := q.BBox; b != nil {
			for _, c := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
				if math.IsNaN(c) || math.IsInf(c, 0) {
					t.Fatalf("%q: non-finite bbox %v", raw, b)
				}
			}
			if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
				t.Fatalf("%q: insane bbox %v", raw, b)
			}
		} else if _, ok := v["bbox"]; ok {
			t.Fatalf("%q: a bbox parameter without a box", raw)
		}
		if q.Since != nil && q.Until != nil && q.Since.After(*q.Until) {
			t.Fatalf("%q: a time window that ends before it starts: %v … %v", raw, q.Since, q.Until)
		}
		if !slices.Contains(crsList, q.CRS) || (q.BBoxCRS != "" && !slices.Contains(crsList, q.BBoxCRS)) {
			t.Fatalf("%q: crs %q, bbox-crs %q", raw, q.CRS, q.BBoxCRS)
		}
		if _, ok := v["bbox-crs"]; ok != (q.BBoxCRS != "") || (ok && q.BBox == nil) {
			t.Fatalf("%q: bbox-crs parameter %v, kept %q with bbox %v", raw, ok, q.BBoxCRS, q.BBox)
		}
		if _, ok := v["datetime"]; ok != (q.Datetime != "") {
			t.Fatalf("%q: datetime parameter %v, kept %q", raw, ok, q.Datetime)
		}
	})
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "f=json", "f=geojson", "f=html", "f=json&f=json", "limit=5", "F=json", "f=\xff", "%zz=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if err := ogc.ParseQuery(v); err != nil {
			checkProblem(t, raw, err)
			return
		}
		for k, vs := range v {
			if k != "f" || len(vs) != 1 || (vs[0] != "json" && vs[0] != "geojson") {
				t.Fatalf("%q accepted", raw)
			}
		}
	})
}

// crsList is every CRS served, URIs as the collections list them.
var crsList = []string{ogc.CRS84, "http://www.opengis.net/def/crs/EPSG/0/4490", "http://www.opengis.net/def/crs/EPSG/0/4326",
	"http://www.opengis.net/def/crs/EPSG/0/4528", "http://www.opengis.net/def/crs/EPSG/0/4549"}

func FuzzParseItemQuery(f *testing.F) {
	for _, s := range []string{"", "f=json", "crs=EPSG:4528", "crs=EPSG:4549&f=geojson", "crs=epsg:4490", "crs=EPSG:3857",
		"crs=" + url.QueryEscape(crsList[3]), "crs=https%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4528", "bbox=1,2,3,4",
		"crs=a&crs=b", "crs=\xff", "crs=" + strings.Repeat("x", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		crs, err := ogc.ParseItemQuery(v)
		if err != nil {
			checkProblem(t, raw, err)
			return
		}
		if !slices.Contains(crsList, crs) {
			t.Fatalf("%q: crs %q", raw, crs)
		}
		if _, ok := v["crs"]; !ok && crs != ogc.CRS84 {
			t.Fatalf("%q: crs %q without a crs parameter", raw, crs)
		}
		for k := range v {
			if k != "f" && k != "crs" {
				t.Fatalf("%q: unknown parameter %q accepted", raw, k)
			}
		}
	})
}
