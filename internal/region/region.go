// Package region is the city wanmu plans and its county-level divisions
// (县、市、区): their codes and names, the Gauss-Kruger zone each lies in
// and the extent imports are checked against. 丽水's nine divisions ship as
// the default; another city's come from a JSON file (see Parse), so nothing
// in the code names a county. The package is pure: no I/O but Load.
package region

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
)

// Region is a city (地级市) and its county-level divisions.
type Region struct {
	Adcode   string   `json:"adcode"`            // 6 digits ending in 00: "331100"
	Name     string   `json:"name"`              // "丽水市"
	Short    string   `json:"short,omitempty"`   // "丽水", used in messages; defaults to Name
	NameEn   string   `json:"name_en,omitempty"` // "Lishui"
	Extent   Extent   `json:"extent"`            // CGCS2000 lon/lat box of the whole city
	Counties []County `json:"counties"`
}

// Extent is a lon/lat box in degrees (CGCS2000).
type Extent struct {
	MinLon float64 `json:"min_lon"`
	MinLat float64 `json:"min_lat"`
	MaxLon float64 `json:"max_lon"`
	MaxLat float64 `json:"max_lat"`
}

// County is one county-level division.
type County struct {
	Adcode string `json:"adcode"`            // "331102"
	Name   string `json:"name"`              // "莲都区"
	Short  string `json:"short,omitempty"`   // "莲都"
	NameEn string `json:"name_en,omitempty"` // "Liandu"
	// Lon and Lat are a representative point (the seat, or the centre):
	// the longitude decides the county's Gauss-Kruger zone.
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Zone is the 3-degree Gauss-Kruger zone holding longitude lon: zone n
// has central meridian 3n°E and spans 3n ± 1.5°.
func Zone(lon float64) int { return int(math.Floor((lon + 1.5) / 3)) }

// Zone is the county's default 3-degree Gauss-Kruger zone.
func (c County) Zone() int { return Zone(c.Lon) }

// Label is "331102 莲都区".
func (c County) Label() string { return c.Adcode + " " + c.Name }

// ShortName is the city's short name, for messages ("丽水").
func (r *Region) ShortName() string {
	if r.Short != "" {
		return r.Short
	}
	return r.Name
}

// County returns the division with this adcode.
func (r *Region) County(adcode string) (County, bool) {
	for _, c := range r.Counties {
		if c.Adcode == adcode {
			return c, true
		}
	}
	return County{}, false
}

// Has reports whether adcode is one of the region's divisions.
func (r *Region) Has(adcode string) bool {
	_, ok := r.County(adcode)
	return ok
}

// Adcodes are the divisions' codes, in the file's order.
func (r *Region) Adcodes() []string {
	out := make([]string, len(r.Counties))
	for i, c := range r.Counties {
		out[i] = c.Adcode
	}
	return out
}

// Zones are the Gauss-Kruger zones the divisions lie in, the one most
// divisions share first (ties: the lower zone), then the others ascending.
func (r *Region) Zones() []int {
	n := map[int]int{}
	for _, c := range r.Counties {
		n[c.Zone()]++
	}
	out := make([]int, 0, len(n))
	for z := range n {
		out = append(out, z)
	}
	sort.Slice(out, func(i, j int) bool {
		if n[out[i]] != n[out[j]] {
			return n[out[i]] > n[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// MainZone is the zone most divisions lie in: the one a file without a
// CRS and without a zone prefix on its eastings is read in.
func (r *Region) MainZone() int { return r.Zones()[0] }

// CountyList is "331102 莲都区, 331121 青田县, …" for messages.
func (r *Region) CountyList() string {
	s := make([]string, len(r.Counties))
	for i, c := range r.Counties {
		s[i] = c.Label()
	}
	return strings.Join(s, ", ")
}

// NotACounty is the message for a code that is none of the region's
// divisions: `"331102" is not a county of 温州: use one of 330302 鹿城区, …`.
func (r *Region) NotACounty(code string) string {
	return fmt.Sprintf("%q is not a county of %s: use one of %s", code, r.ShortName(), r.CountyList())
}

// PageCounty is a county as the page reads it, with its zone worked out.
type PageCounty struct {
	County
	Zone int `json:"zone"`
}

// Page is the region as the page reads it (in /api/v1/config).
type Page struct {
	Adcode   string       `json:"adcode"`
	Name     string       `json:"name"`
	Short    string       `json:"short"`
	NameEn   string       `json:"name_en,omitempty"`
	Extent   Extent       `json:"extent"`
	Zones    []int        `json:"zones"`
	Counties []PageCounty `json:"counties"`
}

// ForPage is the page's copy of the region.
func (r *Region) ForPage() Page {
	p := Page{Adcode: r.Adcode, Name: r.Name, Short: r.ShortName(), NameEn: r.NameEn, Extent: r.Extent, Zones: r.Zones()}
	for _, c := range r.Counties {
		p.Counties = append(p.Counties, PageCounty{County: c, Zone: c.Zone()})
	}
	return p
}

//go:embed lishui.json
var lishuiJSON []byte

var defaultRegion = sync.OnceValue(func() *Region {
	r, err := Parse(lishuiJSON)
	if err != nil {
		panic("region: the embedded 丽水 region is invalid: " + err.Error())
	}
	return r
})

// Default is 丽水市 and its nine county-level divisions. Callers must not
// modify it.
func Default() *Region { return defaultRegion() }

// MaxFileBytes bounds a region file: a city has tens of divisions.
const MaxFileBytes = 1 << 20

// Load reads and checks a region file (see Parse).
func Load(path string) (*Region, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Parse reads a region from JSON and checks it; an error names the field,
// and the county by position and code, that is wrong. Unknown fields are
// refused, so that a misspelt one is not silently ignored.
func Parse(data []byte) (*Region, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("region file is larger than %d bytes", MaxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Region
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("region file is not valid JSON of the expected shape: %w", err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, fmt.Errorf("region file has data after its JSON object")
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Find reads a county as a file's attribute may give it: its adcode, a
// longer code that starts with it (a township's 9- or 12-digit code), its
// name, short name or English name (letter case and spaces ignored).
func (r *Region) Find(s string) (County, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return County{}, false
	}
	if c, ok := r.County(s); ok {
		return c, true
	}
	if (len(s) == 9 || len(s) == 12) && isDigits(s) {
		return r.County(s[:6])
	}
	key := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for _, c := range r.Counties {
		for _, n := range []string{c.Name, c.Short, c.NameEn} {
			if n != "" && strings.ToLower(strings.ReplaceAll(n, " ", "")) == key {
				return c, true
			}
		}
	}
	return County{}, false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
