package synth

import (
	"bytes"
	"io"
	"testing"

	"github.com/paulmach/orb"
)

func TestScale(t *testing.T) {
	t.Parallel()
	const n = 3000
	d := Scale(SampleSeed, n)
	written := files(t, d)
	if !bytes.Equal(written[FileZones], files(t, sample())[FileZones]) {
		t.Errorf("Scale zones differ from Sample zones")
	}
	var stream bytes.Buffer
	if err := WriteLayerStream(&stream, SampleSeed, n); err != nil {
		t.Fatal(err)
	}
	if want := written["layer-farmland.geojson"]; !bytes.Equal(stream.Bytes(), want) {
		t.Errorf("WriteLayerStream (%d bytes) differs from layer-farmland.geojson (%d bytes)", stream.Len(), len(want))
	}
	var red, farm *Layer
	for i, l := range d.Layers {
		switch l.Name {
		case LayerRedLine:
			red = &d.Layers[i]
		case LayerFarmland:
			farm = &d.Layers[i]
		}
	}
	if got := len(farm.Features.Features); got != n {
		t.Fatalf("%d parcels, want %d", got, n)
	}
	for i, f := range farm.Features.Features {
		if err := checkGeometry(f.Geometry); err != nil {
			t.Fatalf("parcel %d: %v", i, err)
		}
		if mu := ringAreaMu(f.Geometry.(orb.Polygon)[0]); mu < 1.98 || mu > 202 {
			t.Errorf("parcel %d: %.2f mu, want 2–200", i, mu)
		}
		if f.Properties["illustrative"] != true || f.Properties["code"] != parcelCode(i) {
			t.Errorf("parcel %d: properties %v", i, f.Properties)
		}
	}
	big := 0
	for i, f := range red.Features.Features {
		if err := checkGeometry(f.Geometry); err != nil {
			t.Errorf("red line %d: %v", i, err)
		}
		if len(f.Geometry.(orb.Polygon)[0]) > 1000 {
			big++
		}
	}
	if big < 200 {
		t.Errorf("%d red-line polygons with over 1,000 vertices, want a few hundred", big)
	}
}

func BenchmarkScale200k(b *testing.B) {
	for b.Loop() {
		Scale(SampleSeed, 200000)
	}
}

func BenchmarkWriteLayerStream200k(b *testing.B) {
	for b.Loop() {
		if err := WriteLayerStream(io.Discard, SampleSeed, 200000); err != nil {
			b.Fatal(err)
		}
	}
}
