package region

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wenzhou is a made-up second region: two of 温州's divisions, one of
// them (泰顺, 119.7°E) in zone 40 and one moved east into zone 41.
const wenzhou = `{
  "adcode": "330300", "name": "温州市", "short": "温州",
  "extent": {"min_lon": 119.6, "min_lat": 27.0, "max_lon": 121.7, "max_lat": 28.4},
  "counties": [
    {"adcode": "330302", "name": "鹿城区", "short": "鹿城", "lon": 121.6, "lat": 28.0},
    {"adcode": "330329", "name": "泰顺县", "lon": 119.7, "lat": 27.56},
    {"adcode": "330328", "name": "文成县", "lon": 120.09, "lat": 27.79}
  ]
}`

func TestDefault(t *testing.T) {
	r := Default()
	if r.Adcode != "331100" || r.ShortName() != "丽水" || len(r.Counties) != 9 {
		t.Fatalf("default region = %s %s with %d counties", r.Adcode, r.ShortName(), len(r.Counties))
	}
	for _, c := range r.Counties {
		if c.Zone() != 40 {
			t.Errorf("%s is in zone %d, want 40", c.Label(), c.Zone())
		}
	}
	if z := r.Zones(); len(z) != 1 || z[0] != 40 {
		t.Errorf("zones = %v", z)
	}
	if c, ok := r.County("331127"); !ok || c.Name != "景宁畲族自治县" || c.Short != "景宁" {
		t.Errorf("331127 = %+v, %v", c, ok)
	}
	if r.Has("330302") || r.Has("3311") {
		t.Error("Has accepts a code that is not a county of 丽水")
	}
	msg := r.NotACounty("330302")
	if !strings.Contains(msg, `"330302" is not a county of 丽水`) || !strings.Contains(msg, "331102 莲都区") || !strings.Contains(msg, "331181 龙泉市") {
		t.Errorf("message: %s", msg)
	}
}

func TestZone(t *testing.T) {
	for _, c := range []struct {
		lon  float64
		zone int
	}{{120, 40}, {118.5, 40}, {121.49, 40}, {121.5, 41}, {118.49, 39}, {114, 38}, {87.6, 29}} {
		if z := Zone(c.lon); z != c.zone {
			t.Errorf("Zone(%v) = %d, want %d", c.lon, z, c.zone)
		}
	}
}

func TestParseSecondRegion(t *testing.T) {
	r, err := Parse([]byte(wenzhou))
	if err != nil {
		t.Fatal(err)
	}
	if r.ShortName() != "温州" || len(r.Counties) != 3 || !r.Has("330302") || r.Has("331102") {
		t.Fatalf("parsed %+v", r)
	}
	if z := r.Zones(); len(z) != 2 || z[0] != 40 || z[1] != 41 || r.MainZone() != 40 {
		t.Errorf("zones = %v (main %d), want [40 41]", z, r.MainZone())
	}
	p := r.ForPage()
	if p.Counties[0].Zone != 41 || p.Counties[1].Zone != 40 || p.Short != "温州" {
		t.Errorf("page = %+v", p)
	}
	if !strings.Contains(r.NotACounty("331102"), "not a county of 温州: use one of 330302 鹿城区, 330329 泰顺县") {
		t.Errorf("message: %s", r.NotACounty("331102"))
	}
}

// TestParseRefuses: each kind of bad file, and the message saying which
// field (and which county) is wrong.
func TestParseRefuses(t *testing.T) {
	sub := func(old, new string) string {
		if !strings.Contains(wenzhou, old) {
			t.Fatalf("test fixture lacks %q", old)
		}
		return strings.Replace(wenzhou, old, new, 1)
	}
	for _, c := range []struct{ name, json, want string }{
		{"not JSON", `{"adcode":`, "not valid JSON"},
		{"unknown field", sub(`"short": "温州"`, `"shrot": "温州"`), `unknown field "shrot"`},
		{"trailing data", wenzhou + ` {}`, "data after its JSON object"},
		{"city code", sub(`"330300"`, `"330301"`), `adcode: "330301" is not a city's code`},
		{"province code", sub(`"330300"`, `"330000"`), `adcode: "330000" is not a city's code`},
		{"no name", sub(`"name": "温州市"`, `"name": ""`), "name: is required"},
		{"spaces", sub(`"温州市"`, `" 温州市"`), "leading or trailing spaces"},
		{"control", sub(`"温州市"`, `"温州\u0007市"`), "control character"},
		{"extent outside China", sub(`"max_lon": 121.7`, `"max_lon": 190`), "extent.max_lon: 190 is outside China"},
		{"extent inverted", sub(`"min_lat": 27.0`, `"min_lat": 28.5`), "extent: min_lon/min_lat must be less than"},
		{"extent huge", sub(`"min_lon": 119.6`, `"min_lon": 100`), "extent: spans more than"},
		{"no counties", sub(wenzhou[strings.Index(wenzhou, `"counties"`):], `"counties": []}`), "counties: the region has none"},
		{"county code", sub(`"330329"`, `"33032X"`), `counties[1] (33032X): adcode "33032X" is not a county's code`},
		{"other city", sub(`"330329"`, `"331102"`), "counties[1] (331102): adcode 331102 does not belong to the city 330300"},
		{"duplicate code", sub(`"330329"`, `"330302"`), "counties[1] (330302): adcode 330302 is already counties[0]"},
		{"county name", sub(`"name": "泰顺县"`, `"name": ""`), "counties[1] (330329): name: is required"},
		{"duplicate name", sub(`"文成县"`, `"鹿城区"`), `counties[2] (330328): name "鹿城区" is already counties[0]'s`},
		{"long short", sub(`"short": "鹿城"`, `"short": "`+strings.Repeat("鹿", 41)+`"`), "counties[0] (330302): short:"},
		{"county outside", sub(`"lon": 119.7`, `"lon": 122.5`), "counties[1] (330329): lon/lat 122.5, 27.56 is outside the region's extent"},
		{"missing lat", sub(`, "lat": 27.79`, ``), "counties[2] (330328): lon/lat 120.09, 0 is outside"},
		{"zone", `{"adcode":"653100","name":"喀什地区","extent":{"min_lon":73.1,"min_lat":35,"max_lon":80,"max_lat":40},` +
			`"counties":[{"adcode":"653101","name":"甲","lon":73.2,"lat":39}]}`, "counties[0] (653101): lon 73.2 lies in Gauss-Kruger zone 24; CGCS2000 has 3-degree zones 25–45"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "wenzhou.json")
	if err := os.WriteFile(good, []byte(wenzhou), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err := Load(good); err != nil || r.Adcode != "330300" {
		t.Fatalf("Load: %v, %v", r, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"adcode": "x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "bad.json: adcode") {
		t.Fatalf("Load(bad) = %v, want an error naming the file and the field", err)
	}
	if _, err := Load(filepath.Join(dir, "none.json")); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

// FuzzParse: Parse never panics, and whatever it accepts is consistent:
// every county is found by its code, lies in the extent, and has a zone.
func FuzzParse(f *testing.F) {
	f.Add([]byte(wenzhou))
	f.Add(lishuiJSON)
	f.Add([]byte(`{"adcode":"330300","name":"x","extent":{"min_lon":120,"min_lat":27,"max_lon":121,"max_lat":28},"counties":[{"adcode":"330301","name":"y","lon":120.5,"lat":27.5}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			if r != nil {
				t.Fatal("region returned with an error")
			}
			return
		}
		for _, c := range r.Counties {
			if !r.Has(c.Adcode) || c.Adcode[:4] != r.Adcode[:4] {
				t.Fatalf("county %q inconsistent", c.Adcode)
			}
			if c.Lon < r.Extent.MinLon || c.Lon > r.Extent.MaxLon {
				t.Fatalf("county %q outside extent", c.Adcode)
			}
			if z := c.Zone(); z < 25 || z > 45 {
				t.Fatalf("county %q zone %d is not a zone of China", c.Adcode, z)
			}
		}
		_ = r.ForPage()
		_ = r.NotACounty(string(data))
		if len(r.Zones()) == 0 {
			t.Fatal("no zones")
		}
	})
}

func TestFind(t *testing.T) {
	r := Default()
	for in, want := range map[string]string{"331102": "331102", " 331127 ": "331127", "331102001": "331102", "331181100200": "331181",
		"莲都区": "331102", "莲都": "331102", "Jingning": "331127", "jingning": "331127", "景宁畲族自治县": "331127"} {
		if c, ok := r.Find(in); !ok || c.Adcode != want {
			t.Errorf("Find(%q) = %q, %v; want %s", in, c.Adcode, ok, want)
		}
	}
	for _, in := range []string{"", "3311", "330302", "330302001", "3311020", "丽水", "lian"} {
		if c, ok := r.Find(in); ok {
			t.Errorf("Find(%q) = %s, want none", in, c.Adcode)
		}
	}
}
