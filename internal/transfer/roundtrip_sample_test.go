package transfer

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"wanmu/internal/exchange"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/testdb"
)

// TestRoundTripAreas exports the 86 zones of the sample data in every
// format and CRS that can be read back, imports each file into an empty
// database and compares every zone's area: wanmu's own (the figure the
// reports use) and the geodesic area PostGIS computes with GeographicLib,
// both within 0.1 ppm. Small zones are the hard case: a 0.1 mm grid of
// coordinates alone moved them by 0.26 ppm.
func TestRoundTripAreas(t *testing.T) {
	requireGDAL(t)
	ctx := context.Background()
	srcPool := testdb.New(t)
	src := &Service{Store: store.New(srcPool)}
	if _, err := sample.LoadOnce(ctx, src.Store, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	want := zoneAreas(t, srcPool)
	for _, c := range []struct{ format, crs string }{
		{exchange.FormatGeoJSON, "EPSG:4490"}, {exchange.FormatGeoJSON, "EPSG:4528"},
		{exchange.FormatGPKG, "EPSG:4490"}, {exchange.FormatGPKG, "EPSG:4549"},
		{exchange.FormatFileGDB, "EPSG:4490"}, {exchange.FormatFileGDB, "EPSG:4528"},
		{exchange.FormatShp, "EPSG:4490"}, {exchange.FormatShp, "EPSG:4528"},
		{exchange.FormatCSV, "EPSG:4528"}, {exchange.FormatKML, ""}, {exchange.FormatKMZ, ""},
		{exchange.FormatDXF, "EPSG:4528"}, {exchange.FormatDXF, "EPSG:4549"},
	} {
		t.Run(c.format+"_"+c.crs, func(t *testing.T) {
			var buf bytes.Buffer
			name, _, err := src.Export(ctx, &buf, ExportRequest{Layer: "zones"}, exchange.ExportOptions{Format: c.format, CRS: c.crs})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			dstPool := testdb.New(t)
			dst := &Service{Store: store.New(dstPool)}
			p, err := dst.Inspect(ctx, path, Target{Zones: true}, exchange.ImportOptions{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := dst.Commit(ctx, p, store.Change{Actor: "test"}, nil); err != nil {
				t.Fatal(err)
			}
			got := zoneAreas(t, dstPool)
			if len(got) != len(want) {
				t.Fatalf("%d zones came back, want %d", len(got), len(want))
			}
			var worstOwn, worstGeodesic float64
			for name, w := range want {
				g, ok := got[name]
				if !ok {
					t.Fatalf("zone %s did not come back", name)
				}
				worstOwn = max(worstOwn, math.Abs(g[0]-w[0])/w[0]*1e6)
				worstGeodesic = max(worstGeodesic, math.Abs(g[1]-w[1])/w[1]*1e6)
			}
			if worstOwn > 0.1 || worstGeodesic > 0.1 {
				t.Errorf("areas moved by up to %.4f ppm (wanmu's) and %.4f ppm (geodesic); want at most 0.1", worstOwn, worstGeodesic)
			}
			t.Logf("%d zones, worst %.4f ppm (wanmu's area), %.4f ppm (geodesic)", len(got), worstOwn, worstGeodesic)
		})
	}
}

// zoneAreas are the live zones' areas by name: wanmu's stored area and
// PostGIS's geodesic area (GeographicLib) on the CGCS2000 ellipsoid.
func zoneAreas(t *testing.T, pool *pgxpool.Pool) map[string][2]float64 {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT name, area_m2, ST_Area(geom::geography) FROM zone WHERE retired_at IS NULL AND scenario_id = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]float64{}
	for rows.Next() {
		var name string
		var own, geodesic float64
		if err := rows.Scan(&name, &own, &geodesic); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("two zones named %s: the comparison needs unique names", name)
		}
		out[name] = [2]float64{own, geodesic}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
