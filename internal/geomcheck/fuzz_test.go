package geomcheck_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"wanmu/internal/geomcheck"
)

// FuzzDecode checks that Decode never panics, refuses with a *Error, and
// accepts only what it promises: one to MaxParts polygons of one to MaxRings
// closed rings of at least four finite positions (three of them distinct)
// within China, at most MaxVertices in all; and that what it accepts
// decodes again to the same geometry.
//
//	go test -run='^$' -fuzz=FuzzDecode -fuzztime=20s ./internal/geomcheck/
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		polygon, poly(ring, hole), `{"type":"MultiPolygon","coordinates":[[` + ring + `],[` + ring + `,` + hole + `]]}`,
		`{"type":"Polygon","coordinates":[[[119.86,28.40,5],[119.88,28.40,5],[119.88,28.42,5],[119.86,28.40,5]]]}`,
		``, `null`, `{}`, `[]`, `"Polygon"`, `{"type":"Point","coordinates":[119.86,28.4]}`, `{"type":"Polygon"}`,
		`{"type":"Polygon","coordinates":null}`, `{"type":"Polygon","coordinates":[]}`, `{"type":"Polygon","coordinates":[[]]}`,
		`{"type":"MultiPolygon","coordinates":[[]]}`, `{"type":"MultiPolygon","coordinates":[[[]]]}`,
		poly(`[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.42]]`),
		poly(`[[119.86,28.40],[119.86,28.40],[119.86,28.40],[119.86,28.40]]`),
		poly(`[[119.86,28.40],["NaN",28.40],[119.88,28.42],[119.86,28.40]]`),
		poly(`[[119.86,28.40],[1e999,28.40],[119.88,28.42],[119.86,28.40]]`),
		poly(`[[119.86,28.40],[-0,28.40],[119.88,28.42],[119.86,28.40]]`),
		poly(`[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.400000000000001]]`),
		poly(lonLatGK), poly(`[[28.40,119.86],[28.40,119.88],[28.42,119.88],[28.40,119.86]]`),
		poly(`[[73,3],[136,3],[136,54],[73,3]]`), poly(`[[72.99999999,3],[136,3],[136,54],[72.99999999,3]]`),
		`{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]],"type":"Point"}`,
		`{"type":"Polygon","coordinates":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}garbage`,
		"{\"type\":\"Polygon\",\"coordinates\":[[[119.86,28.40],[119.88,28.40],[119.88,28.42],[119.86,28.40]]]}\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		mp, err := geomcheck.Decode(raw)
		if err != nil {
			var ge *geomcheck.Error
			if !errors.As(err, &ge) || ge.Message == "" || err.Error() == "" {
				t.Fatalf("Decode(%q): error %T %q is not a *geomcheck.Error with a message", raw, err, err)
			}
			if mp != nil {
				t.Fatalf("Decode(%q): a geometry with an error", raw)
			}
			return
		}
		checkAccepted(t, raw, mp)
		again, err := json.Marshal(geojson.NewGeometry(mp))
		if err != nil {
			t.Fatal(err)
		}
		mp2, err := geomcheck.Decode(again)
		if err != nil {
			t.Fatalf("Decode(%q) accepted, but its own output %s is refused: %v", raw, again, err)
		}
		if !mp2.Equal(mp) {
			t.Fatalf("Decode(%q) = %v, decoded again %v", raw, mp, mp2)
		}
	})
}

func checkAccepted(t *testing.T, raw []byte, mp orb.MultiPolygon) {
	t.Helper()
	if len(mp) < 1 || len(mp) > geomcheck.MaxParts {
		t.Fatalf("Decode(%q): %d polygons", raw, len(mp))
	}
	positions := 0
	for i, p := range mp {
		if len(p) < 1 || len(p) > geomcheck.MaxRings {
			t.Fatalf("Decode(%q): polygon %d has %d rings", raw, i, len(p))
		}
		for j, r := range p {
			positions += len(r)
			if len(r) < 4 {
				t.Fatalf("Decode(%q): ring %d.%d has %d positions", raw, i, j, len(r))
			}
			if r[0] != r[len(r)-1] {
				t.Fatalf("Decode(%q): ring %d.%d is not closed", raw, i, j)
			}
			distinct := map[orb.Point]bool{}
			for _, pt := range r {
				distinct[pt] = true
				x, y := pt[0], pt[1]
				if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
					t.Fatalf("Decode(%q): non-finite position %v", raw, pt)
				}
				if x < 73 || x > 136 || y < 3 || y > 54 {
					t.Fatalf("Decode(%q): position %v outside China", raw, pt)
				}
			}
			if len(distinct) < 3 {
				t.Fatalf("Decode(%q): ring %d.%d has %d distinct positions", raw, i, j, len(distinct))
			}
		}
	}
	if positions > geomcheck.MaxVertices {
		t.Fatalf("Decode(%q): %d positions", raw, positions)
	}
}
