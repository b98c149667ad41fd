package ogc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"wanmu/internal/store"
)

// BenchmarkPullCRS times the pull of a whole layer of parcels through /ogc
// in CRS84 and in EPSG:4528 (issue 19's target: no slower than 1.5× in the
// same run), as a client walks it: pages of 10,000 by the next links, each
// decoded. Rounds alternate the CRSs; the median is reported. GDAL's OAPIF
// driver pulls the CRS84 layer into a GeoPackage too, and the EPSG:4528 one
// where it can ask for a CRS (GDAL 3.7+). 200,000 parcels by default;
// WANMU_PULL_PARCELS sets another number.
//
//	go test -run '^$' -bench PullCRS -benchtime 1x ./internal/ogc/
func BenchmarkPullCRS(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("WANMU_PULL_PARCELS")); err == nil && v > 0 {
		n = v
	}
	e := newEnv(b, false)
	ctx := context.Background()
	l, _, err := e.st.CreateLayer(ctx, store.Change{}, "永久基本农田", "exclude", "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	// Parcels of about 50 m on a grid 500 rows high, with attributes like
	// an imported layer's.
	cols := (n + 499) / 500
	if _, err := e.pool.Exec(ctx, `INSERT INTO constraint_feature (layer_id, geom, attributes)
		SELECT $1, ST_Multi(ST_MakeEnvelope(119.6 + i * 0.0006, 28.2 + j * 0.0006, 119.6 + i * 0.0006 + 0.0005, 28.2 + j * 0.0006 + 0.0005, 4490)),
			jsonb_build_object('地类', '水田', 'dlbm', '0101', '编号', i || '-' || j)
		FROM generate_series(0, $2 - 1) i, generate_series(0, 499) j LIMIT $3`, l.ID, cols, n); err != nil {
		b.Fatal(err)
	}
	if _, err := e.pool.Exec(ctx, `ANALYZE constraint_feature`); err != nil {
		b.Fatal(err)
	}
	items := fmt.Sprintf("%s/ogc/collections/layer-%d/items?limit=10000", e.srv.URL, l.ID)
	pull := func(crs string) (time.Duration, int, int64) {
		start, next, count, bytes := time.Now(), items, 0, int64(0)
		if crs != "" {
			next += "&crs=" + url.QueryEscape(crs)
		}
		for next != "" {
			req, _ := http.NewRequest("GET", next, nil)
			req.Header.Set("Authorization", "Bearer "+e.tokens["viewer"])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page struct {
				Features []struct {
					Geometry struct{ Coordinates [][][][2]float64 }
				}
				Links []struct{ Href, Rel string }
			}
			err = json.NewDecoder(res.Body).Decode(&page)
			res.Body.Close()
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("%s: %d %v", next, res.StatusCode, err)
			}
			bytes += res.ContentLength
			count += len(page.Features)
			next = ""
			for _, l := range page.Links {
				if l.Rel == "next" {
					next = l.Href
				}
			}
		}
		return time.Since(start), count, bytes
	}
	median := func(ts []time.Duration) time.Duration { slices.Sort(ts); return ts[len(ts)/2] }
	const rounds = 3
	crss := []string{"", "http://www.opengis.net/def/crs/EPSG/0/4528", "http://www.opengis.net/def/crs/EPSG/0/4490"}
	times := make([][]time.Duration, len(crss))
	b.ResetTimer()
	for range b.N {
		for range rounds {
			for i, c := range crss {
				d, got, _ := pull(c)
				if got != n {
					b.Fatalf("pulled %d parcels in %q, want %d", got, c, n)
				}
				times[i] = append(times[i], d)
			}
		}
	}
	b.StopTimer()
	base := median(times[0])
	for i, c := range crss {
		if c == "" {
			c = "CRS84"
		}
		m := median(times[i])
		b.Logf("pull of %d parcels through /ogc (pages of 10,000), %-44s median of %d: %v (%.2f× CRS84)", n, c, len(times[i]), m.Round(time.Millisecond), float64(m)/float64(base))
	}
	b.ReportMetric(float64(median(times[1]))/float64(base), "4528/CRS84")

	// GDAL's OAPIF driver, into a GeoPackage.
	if _, err := os.Stat("/usr/bin/ogr2ogr"); err != nil {
		b.Log("no ogr2ogr: GDAL's pull not timed")
		return
	}
	root := "OAPIF:" + e.srv.URL + "/ogc"
	gdalPull := func(opts ...string) time.Duration {
		dst := filepath.Join(b.TempDir(), "p.gpkg")
		args := append([]string{"ogr2ogr", "-f", "GPKG", dst, root, fmt.Sprintf("layer-%d", l.ID), "-oo", "PAGE_SIZE=10000"}, opts...)
		start := time.Now()
		if _, errOut, err := gdal(b, e.tokens["viewer"], args...); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		return time.Since(start)
	}
	crs84 := gdalPull()
	b.Logf("GDAL ogr2ogr OAPIF → GeoPackage, %d parcels, CRS84: %v", n, crs84.Round(time.Millisecond))
	if !gdalPartTwo(b) {
		b.Log("GDAL's OAPIF driver here cannot ask for EPSG:4528 (GDAL < 3.7): its pull in EPSG:4528 not timed")
		return
	}
	gk := gdalPull("-oo", "CRS=EPSG:4528")
	b.Logf("GDAL ogr2ogr OAPIF → GeoPackage, %d parcels, EPSG:4528: %v (%.2f× CRS84)", n, gk.Round(time.Millisecond), float64(gk)/float64(crs84))
}
