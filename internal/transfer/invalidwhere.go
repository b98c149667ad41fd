package transfer

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
	"wanmu/internal/store"
)

// Vertex names a vertex of a feature as the planner finds it in a GIS:
// part, ring (1 = outer boundary, 2… = holes) and vertex, all 1-based.
type Vertex struct {
	Part   int `json:"part"`
	Ring   int `json:"ring"`
	Vertex int `json:"vertex"`
}

// invalidIssue describes an invalid feature for the preview: PostGIS's text
// as given, and beside it the machine-readable reason (GEOS's words in lower
// case, without the location), the location, the vertex nearest to it and
// what to do, so the page can say all of it in the planner's language.
func invalidIssue(index int, name, reason string, g orb.Geometry, repairedM2 float64) FeatureIssue {
	code, at := splitReason(reason)
	fi := FeatureIssue{Index: index, Name: name, Reason: reason, ReasonCode: code, Hint: store.RepairHint(code),
		Repair: "ST_MakeValid", RepairedAreaMu: geodesy.Mu(repairedM2)}
	if at != nil {
		fi.Location = at
		if mp, err := polygonal(g); err == nil {
			fi.Near = nearestVertex(mp, orb.Point{at[0], at[1]})
		}
	}
	return fi
}

// splitReason parses ST_IsValidReason's "Self-intersection[119.86 28.4]".
func splitReason(reason string) (string, []float64) {
	text := strings.TrimSpace(reason)
	var at []float64
	if i := strings.LastIndexByte(text, '['); i >= 0 && strings.HasSuffix(text, "]") {
		f := strings.Fields(strings.ReplaceAll(text[i+1:len(text)-1], ",", " "))
		if len(f) == 2 {
			x, errx := strconv.ParseFloat(f[0], 64)
			y, erry := strconv.ParseFloat(f[1], 64)
			if errx == nil && erry == nil {
				at = []float64{x, y}
			}
		}
		text = strings.TrimSpace(text[:i])
	}
	return strings.ToLower(text), at
}

// nearestVertex finds the vertex of mp closest to p.
func nearestVertex(mp orb.MultiPolygon, p orb.Point) *Vertex {
	var best *Vertex
	bestD := math.Inf(1)
	for pi, poly := range mp {
		for ri, ring := range poly {
			for vi, v := range ring {
				if d := math.Hypot(v[0]-p[0], v[1]-p[1]); d < bestD {
					bestD = d
					best = &Vertex{Part: pi + 1, Ring: ri + 1, Vertex: vi + 1}
				}
			}
		}
	}
	return best
}
