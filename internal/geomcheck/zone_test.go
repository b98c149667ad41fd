package geomcheck

import (
	"strings"
	"testing"
)

// For a region in zone 41 the hint names zone 41's CRSs: unprefixed
// eastings are EPSG:4550, 41-prefixed ones 4529; 丽水's prefix 40 is not
// taken for Gauss-Kruger there (it is refused as out of range).
func TestDecodeInAnotherZone(t *testing.T) {
	poly := func(ring string) string { return `{"type":"Polygon","coordinates":[` + ring + `]}` }
	for _, c := range []struct{ ring, want string }{
		{`[[492359.95,3148425.44],[492459.95,3148425.44],[492459.95,3148525.44],[492359.95,3148425.44]]`,
			"(easting, northing, EPSG:4550), not longitude/latitude: reproject to EPSG:4490 first, or import the file with its CRS set to EPSG:4529 (easting with the 41 zone prefix) or EPSG:4550"},
		{`[[3148425.44,41492359.95],[3148425.44,41492459.95],[3148525.44,41492459.95],[3148425.44,41492359.95]]`, "(northing (X), easting (Y), EPSG:4529)"},
		{`[[40492359.95,3148425.44],[40492459.95,3148425.44],[40492459.95,3148525.44],[40492359.95,3148425.44]]`, "is out of range"},
	} {
		_, err := DecodeIn([]byte(poly(c.ring)), []int{41})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want …%s…", c.ring, err, c.want)
		}
	}
	// Without zones: 丽水's, word for word as before.
	_, err := Decode([]byte(poly(`[[492359.95,3148425.44],[492459.95,3148425.44],[492459.95,3148525.44],[492359.95,3148425.44]]`)))
	if err == nil || !strings.Contains(err.Error(), "EPSG:4549), not longitude/latitude: reproject to EPSG:4490 first, or import the file with its CRS set to EPSG:4528 (easting with the 40 zone prefix) or EPSG:4549") {
		t.Errorf("丽水: %v", err)
	}
}
