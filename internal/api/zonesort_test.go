package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/api"
	"wanmu/internal/store"
)

// TestZoneListSorted: ?sort= orders the whole list on the server, not one
// page of it: walking the next links in small pages gives every zone once,
// in the order of the key with the id breaking ties, ascending and
// descending; names sort in pinyin order (阿 北 丽 中), not by code point
// (中 丽 北 阿), as a planner reads them.
func TestZoneListSorted(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	names := []string{"中山园", "丽水园", "北山园", "阿里园"}
	pinyin := map[string]int{"阿里园": 0, "北山园": 1, "丽水园": 2, "中山园": 3}
	const n = 23
	for i := range n {
		x, y := 119+float64(i)*0.02, 28.0
		s := 0.002 * float64(1+i%5) // five sizes: ties in area
		g := orb.MultiPolygon{{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}}
		if _, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(names[i%len(names)]), CountyAdcode: ptr("331102"), Geom: g}, store.Change{}); err != nil {
			t.Fatal(err)
		}
	}
	type zone struct {
		ID     int64   `json:"id"`
		Name   string  `json:"name"`
		AreaM2 float64 `json:"area_m2"`
	}
	walk := func(sort string) []zone {
		var out []zone
		next := "/api/v1/zones?limit=5&sort=" + sort
		for pages := 0; next != ""; pages++ {
			if pages > n {
				t.Fatalf("sort=%s: the next links do not end", sort)
			}
			r := e.do(req{method: "GET", path: next, role: "viewer"})
			if r.status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", next, r.status, r.body)
			}
			var p struct {
				Features []struct {
					Properties zone `json:"properties"`
				} `json:"features"`
				Links []struct{ Rel, Href string }
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			next = ""
			for _, l := range p.Links {
				if l.Rel == "next" {
					next = l.Href
				}
			}
			for _, f := range p.Features {
				out = append(out, f.Properties)
			}
		}
		return out
	}
	check := func(sort string, less func(a, b zone) int) {
		t.Helper()
		got := walk(sort)
		if len(got) != n {
			t.Fatalf("sort=%s: %d zones on the pages, want %d", sort, len(got), n)
		}
		want := slices.Clone(got)
		slices.SortFunc(want, less)
		for i := range got {
			if got[i].ID != want[i].ID {
				t.Fatalf("sort=%s: position %d holds zone %d (%s, %.1f m²), want %d (%s, %.1f m²)", sort, i,
					got[i].ID, got[i].Name, got[i].AreaM2, want[i].ID, want[i].Name, want[i].AreaM2)
			}
		}
	}
	byArea := func(a, b zone) int {
		if a.AreaM2 != b.AreaM2 {
			if a.AreaM2 < b.AreaM2 {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	}
	byName := func(a, b zone) int {
		if d := pinyin[a.Name] - pinyin[b.Name]; d != 0 {
			return d
		}
		return int(a.ID - b.ID)
	}
	check("area", byArea)
	check("-area", func(a, b zone) int { return -byArea(a, b) })
	check("name", byName)
	check("-name", func(a, b zone) int { return -byName(a, b) })
	check("-id", func(a, b zone) int { return int(b.ID - a.ID) })
	for _, q := range []string{"sort=size", "sort=--area", "sort=", "sort=area;x"} {
		r := e.do(req{method: "GET", path: "/api/v1/zones?" + q, role: "viewer"})
		if q == "sort=" {
			if r.status != http.StatusOK {
				t.Errorf("?%s: %d, want 200 (no sort)", q, r.status)
			}
			continue
		}
		if r.status != http.StatusBadRequest {
			t.Errorf("?%s: %d %s, want 400", q, r.status, r.body)
		}
	}
	// The totals take the same parameters and ignore the order.
	r := e.do(req{method: "GET", path: "/api/v1/zones/totals?sort=-area", role: "viewer"})
	var tot struct{ Count int }
	if err := json.Unmarshal(r.body, &tot); err != nil || r.status != http.StatusOK || tot.Count != n {
		t.Fatalf("totals with sort: %d %s", r.status, r.body)
	}
}

// TestZoneListSortedEdited: a next link continues after the key value its
// page ended on, not the last zone's key now. Editing that zone between
// pages (shrinking it under sort=-area, renaming it under sort=name) neither
// loses nor repeats a zone: the next page holds exactly the zones that came
// after it when the first page was read. (It once re-read the zone's key:
// 0 zones instead of 3 after the shrink.)
func TestZoneListSortedEdited(t *testing.T) {
	e := newEnv(t, api.Options{})
	ctx := context.Background()
	square := func(i int, s float64) orb.MultiPolygon {
		x, y := 119+float64(i)*0.02, 28.0
		return orb.MultiPolygon{{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}}
	}
	names := []string{"丁园", "乙园", "丙园", "甲园", "戊园", "己园"}
	for i, name := range names {
		if _, err := e.st.CreateZone(ctx, store.ZoneFields{Kind: ptr("park"), Name: ptr(name), CountyAdcode: ptr("331102"),
			Geom: square(i, 0.002*float64(1+i))}, store.Change{}); err != nil {
			t.Fatal(err)
		}
	}
	page := func(path string) (ids []int64, next string) {
		t.Helper()
		r := e.do(req{method: "GET", path: path, role: "viewer"})
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var p struct {
			Features []struct {
				Properties struct{ ID int64 } `json:"properties"`
			} `json:"features"`
			Links []struct{ Rel, Href string }
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Features {
			ids = append(ids, f.Properties.ID)
		}
		for _, l := range p.Links {
			if l.Rel == "next" {
				next = l.Href
			}
		}
		return ids, next
	}
	for _, c := range []struct {
		sort string
		edit func(z store.Zone) store.ZoneFields
	}{
		{"-area", func(z store.Zone) store.ZoneFields { return store.ZoneFields{Geom: square(40, 0.0005)} }}, // the smallest now
		{"name", func(z store.Zone) store.ZoneFields { return store.ZoneFields{Name: ptr("阿" + z.Name)} }},   // the first now
		{"-area", func(z store.Zone) store.ZoneFields { return store.ZoneFields{Geom: square(41, 0.05)} }},   // the largest now
	} {
		all, _ := page("/api/v1/zones?limit=100&sort=" + c.sort)
		first, next := page("/api/v1/zones?limit=3&sort=" + c.sort)
		if !slices.Equal(first, all[:3]) || next == "" {
			t.Fatalf("sort=%s: page 1 %v next %q, want %v and a next link", c.sort, first, next, all[:3])
		}
		last, err := e.st.GetZone(ctx, first[2])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.UpdateZone(ctx, last.ID, last.Version, c.edit(last), store.Change{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		second, _ := page(next)
		if !slices.Equal(second, all[3:]) {
			t.Errorf("sort=%s: after zone %d changed, page 2 (%s) holds %v, want %v", c.sort, last.ID, next, second, all[3:])
		}
	}
	// A hand-made after under a sort, without the key value: follow the next link.
	r := e.do(req{method: "GET", path: "/api/v1/zones?sort=-area&after=1", role: "viewer"})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "follow the next link") {
		t.Errorf("after without after_key: %d %s, want 400", r.status, r.body)
	}
}
