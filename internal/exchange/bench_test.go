package exchange

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"wanmu/internal/geodesy"
)

// benchParcels is the size of a farmland constraint layer: 200,000 parcels.
const benchParcels = 200_000

// parcelLayer is n small hexagonal parcels in a grid around 丽水, like a
// 永久基本农田 layer, with a name and an area.
func parcelLayer(n int) ExportLayer {
	l := ExportLayer{Name: "parcels", Fields: []Field{
		{Name: "name", Type: FieldString}, {Name: "dlbm", Type: FieldString}, {Name: "area_m2", Type: FieldReal}, {Name: "area_mu", Type: FieldReal},
	}}
	side := 1
	for side*side < n {
		side++
	}
	const step = 0.0009 // about 90 m
	l.Features = make([]Feature, 0, n)
	for i := range n {
		lon := 119.5 + float64(i%side)*step
		lat := 28.2 + float64(i/side)*step
		r := orb.Ring{{lon, lat}, {lon + 0.0004, lat - 0.0002}, {lon + 0.0008, lat}, {lon + 0.0008, lat + 0.0005},
			{lon + 0.0004, lat + 0.0007}, {lon, lat + 0.0005}, {lon, lat}}
		p := orb.Polygon{r}
		m2 := geodesy.EllipsoidalArea(p)
		l.Features = append(l.Features, Feature{Geometry: p, Properties: map[string]any{
			"name": "地块" + strconv.Itoa(i+1), "dlbm": "0101", "area_m2": m2, "area_mu": geodesy.Mu(m2),
		}})
	}
	return l
}

// BenchmarkExportGPKG200k exports 200,000 parcels to a GeoPackage.
// Run with: go test -run '^$' -bench 200k -benchtime 1x ./internal/exchange/
func BenchmarkExportGPKG200k(b *testing.B) {
	requireGDAL(b)
	l := parcelLayer(benchParcels)
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		f, err := os.Create(filepath.Join(dir, "p.gpkg"))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Export(context.Background(), f, []ExportLayer{l}, ExportOptions{Format: FormatGPKG, CRS: CRS4528}); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkInspectGPKG200k imports a GeoPackage of 200,000 parcels in
// EPSG:4528.
func BenchmarkInspectGPKG200k(b *testing.B) {
	requireGDAL(b)
	dir := b.TempDir()
	p := filepath.Join(dir, "p.gpkg")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := Export(context.Background(), f, []ExportLayer{parcelLayer(benchParcels)}, ExportOptions{Format: FormatGPKG, CRS: CRS4528}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for range b.N {
		ds, err := Inspect(context.Background(), p, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds.Features) != benchParcels {
			b.Fatalf("%d features", len(ds.Features))
		}
	}
}
