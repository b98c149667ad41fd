package synth

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wanmu/geodata"
)

var update = flag.Bool("update", false, "rewrite the committed sample in geodata/")

// geodataDir is the committed sample, relative to this package.
const geodataDir = "../../geodata"

// TestSampleGolden regenerates Sample(SampleSeed) and compares it byte for byte with the files
// committed in geodata/. Regenerate them with
//
//	go test ./internal/synth -run TestSampleGolden -update
func TestSampleGolden(t *testing.T) {
	if *update {
		if err := WriteDir(geodataDir, sample()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(geodataDir)
	if err != nil {
		t.Fatal(err)
	}
	committed := map[string][]byte{}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".geojson") {
			if committed[n], err = os.ReadFile(filepath.Join(geodataDir, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	diffFiles(t, files(t, sample()), committed)
	if t.Failed() {
		t.Log("the committed sample is stale: go test ./internal/synth -run TestSampleGolden -update")
	}
}

func TestEmbeddedSample(t *testing.T) {
	d, err := ReadFS(geodata.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Platforms) != 10 || len(d.Zones.Features) != 86 || len(d.Layers) != 3 || len(d.References) != 1 {
		t.Errorf("embedded sample: %d platforms, %d zones, %d layers, %d references",
			len(d.Platforms), len(d.Zones.Features), len(d.Layers), len(d.References))
	}
}
