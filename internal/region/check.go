package region

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// China with a margin, as lon/lat: a region's extent lies inside.
const (
	chinaMinLon, chinaMaxLon = 73.0, 136.0
	chinaMinLat, chinaMaxLat = 3.0, 54.0
	// maxSpan bounds the extent's width and height in degrees: a city
	// spans one or two; more is a typo that would let wrong-CRS data in.
	maxSpan     = 8.0
	maxCounties = 200
	maxName     = 40 // characters
	// The CGCS2000 3-degree Gauss-Kruger zones with EPSG codes (4513–4554).
	minZone, maxZone = 25, 45
)

// check validates a parsed region.
func (r *Region) check() error {
	if !isAdcode(r.Adcode) || !strings.HasSuffix(r.Adcode, "00") || strings.HasSuffix(r.Adcode, "0000") {
		return fmt.Errorf("adcode: %q is not a city's code: 6 digits ending in 00, such as 331100", clip(r.Adcode))
	}
	if err := checkName("name", r.Name, true); err != nil {
		return err
	}
	if err := checkName("short", r.Short, false); err != nil {
		return err
	}
	if err := checkName("name_en", r.NameEn, false); err != nil {
		return err
	}
	e := r.Extent
	for _, v := range []struct {
		field    string
		val      float64
		min, max float64
	}{{"min_lon", e.MinLon, chinaMinLon, chinaMaxLon}, {"max_lon", e.MaxLon, chinaMinLon, chinaMaxLon},
		{"min_lat", e.MinLat, chinaMinLat, chinaMaxLat}, {"max_lat", e.MaxLat, chinaMinLat, chinaMaxLat}} {
		if math.IsNaN(v.val) || v.val < v.min || v.val > v.max {
			return fmt.Errorf("extent.%s: %v is outside China (%v–%v); the extent is CGCS2000 longitude/latitude in degrees", v.field, v.val, v.min, v.max)
		}
	}
	if e.MinLon >= e.MaxLon || e.MinLat >= e.MaxLat {
		return fmt.Errorf("extent: min_lon/min_lat must be less than max_lon/max_lat (got %v–%v°E, %v–%v°N)", e.MinLon, e.MaxLon, e.MinLat, e.MaxLat)
	}
	if e.MaxLon-e.MinLon > maxSpan || e.MaxLat-e.MinLat > maxSpan {
		return fmt.Errorf("extent: spans more than %v degrees (%v–%v°E, %v–%v°N); give the city's own box", maxSpan, e.MinLon, e.MaxLon, e.MinLat, e.MaxLat)
	}
	if len(r.Counties) == 0 {
		return fmt.Errorf("counties: the region has none; list its county-level divisions")
	}
	if len(r.Counties) > maxCounties {
		return fmt.Errorf("counties: %d is more than %d", len(r.Counties), maxCounties)
	}
	seen := map[string]int{}
	names := map[string]int{}
	for i, c := range r.Counties {
		at := fmt.Sprintf("counties[%d]", i)
		if c.Adcode != "" {
			at += " (" + clip(c.Adcode) + ")"
		}
		if !isAdcode(c.Adcode) || strings.HasSuffix(c.Adcode, "00") {
			return fmt.Errorf("%s: adcode %q is not a county's code: 6 digits, not ending in 00", at, clip(c.Adcode))
		}
		if c.Adcode[:4] != r.Adcode[:4] {
			return fmt.Errorf("%s: adcode %s does not belong to the city %s (its first four digits must be %s)", at, c.Adcode, r.Adcode, r.Adcode[:4])
		}
		if j, dup := seen[c.Adcode]; dup {
			return fmt.Errorf("%s: adcode %s is already counties[%d]", at, c.Adcode, j)
		}
		seen[c.Adcode] = i
		for _, f := range []struct {
			field, val string
			required   bool
		}{{"name", c.Name, true}, {"short", c.Short, false}, {"name_en", c.NameEn, false}} {
			if err := checkName(at+": "+f.field, f.val, f.required); err != nil {
				return err
			}
		}
		if j, dup := names[c.Name]; dup {
			return fmt.Errorf("%s: name %q is already counties[%d]'s", at, c.Name, j)
		}
		names[c.Name] = i
		if math.IsNaN(c.Lon) || c.Lon < e.MinLon || c.Lon > e.MaxLon || math.IsNaN(c.Lat) || c.Lat < e.MinLat || c.Lat > e.MaxLat {
			return fmt.Errorf("%s: lon/lat %v, %v is outside the region's extent (%v–%v°E, %v–%v°N); give the county seat's longitude and latitude",
				at, c.Lon, c.Lat, e.MinLon, e.MaxLon, e.MinLat, e.MaxLat)
		}
		if z := c.Zone(); z < minZone || z > maxZone {
			return fmt.Errorf("%s: lon %v lies in Gauss-Kruger zone %d; CGCS2000 has 3-degree zones %d–%d (%v–%v°E)",
				at, c.Lon, z, minZone, maxZone, 3*minZone-1.5, 3*maxZone+1.5)
		}
	}
	return nil
}

func isAdcode(s string) bool {
	if len(s) != 6 || s == "000000" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkName refuses empty (when required), over-long, invalid UTF-8 and
// control characters, which would garble every message naming it.
func checkName(field, s string, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("%s: is required", field)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: is not valid UTF-8", field)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("%s: %q has leading or trailing spaces", field, clip(s))
	case utf8.RuneCountInString(s) > maxName:
		return fmt.Errorf("%s: %q is longer than %d characters", field, clip(s), maxName)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s: %q contains a control character", field, clip(s))
		}
	}
	return nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
