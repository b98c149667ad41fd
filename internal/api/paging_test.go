package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestZoneListPages: a zone list without a limit answers one page of
// DefaultZonePage zones and a next link; following the links walks every
// zone exactly once, in id order; a limit over MaxZonePage is refused.
func TestZoneListPages(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	const n = api.DefaultZonePage + 7
	ids := map[int64]bool{}
	for i := range n {
		x := 119 + float64(i%40)*0.01
		y := 28 + float64(i/40)*0.01
		g := orb.MultiPolygon{{{{x, y}, {x + 0.005, y}, {x + 0.005, y + 0.005}, {x, y + 0.005}, {x, y}}}}
		z, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(fmt.Sprint("Z", i)), CountyAdcode: ptr("331102"), Geom: g}, store.Change{})
		if err != nil {
			t.Fatal(err)
		}
		ids[z.ID] = true
	}
	type page struct {
		Features []struct {
			Properties struct {
				ID int64 `json:"id"`
			} `json:"properties"`
		} `json:"features"`
		NumberReturned int `json:"numberReturned"`
		Links          []struct{ Rel, Href string }
	}
	get := func(path string) page {
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var p page
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatalf("GET %s: %v in %.200s", path, err, r.body)
		}
		return p
	}
	first := get("/api/v1/zones")
	if len(first.Features) != api.DefaultZonePage || first.NumberReturned != api.DefaultZonePage {
		t.Fatalf("first page has %d features (numberReturned %d), want %d", len(first.Features), first.NumberReturned, api.DefaultZonePage)
	}
	if len(first.Links) != 1 || first.Links[0].Rel != "next" {
		t.Fatalf("first page links %+v", first.Links)
	}
	seen := map[int64]bool{}
	last := int64(0)
	next := "/api/v1/zones?limit=300"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("the next links do not end")
		}
		p := get(next)
		next = ""
		for _, l := range p.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		for _, f := range p.Features {
			if f.Properties.ID <= last || seen[f.Properties.ID] {
				t.Fatalf("zone %d out of order or twice (after %d)", f.Properties.ID, last)
			}
			seen[f.Properties.ID], last = true, f.Properties.ID
		}
	}
	if len(seen) != n {
		t.Fatalf("the pages hold %d zones, want %d", len(seen), n)
	}
	for id := range ids {
		if !seen[id] {
			t.Fatalf("zone %d on no page", id)
		}
	}
	for _, q := range []string{fmt.Sprint("limit=", api.MaxZonePage+1), "after=x", "after=0"} {
		if r := e.do(req{method: "GET", path: "/api/v1/zones?" + q, role: "viewer"}); r.status != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", q, r.status)
		}
	}
}

// TestStrictQuery: a ';' in a query string or a repeated parameter is a
// 400 for every route, never a filter silently dropped (?bbox=…;x listed
// every zone).
func TestStrictQuery(t *testing.T) {
	e := newEnv(t, api.Options{})
	for _, q := range []string{"bbox=0,0,1,1;x", "kind=park;kind=township", "bbox=0,0,1,1&bbox=119,28,120,29", "limit=%zz",
		"kind=park&kind=park"} {
		r := e.do(req{method: "GET", path: "/api/v1/zones?" + q, role: "viewer"})
		if r.status != http.StatusBadRequest || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("?%s: %d %s, want a 400 problem", q, r.status, r.body)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/v1/zones?bbox=0,0,1,1", role: "viewer"}); r.status != http.StatusOK {
		t.Errorf("a good query: %d %s", r.status, r.body)
	}
}
