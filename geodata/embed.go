// Package geodata embeds the committed sample data (示例数据，非测绘成果) that `wanmu serve` loads
// on first start: platforms.json, zones.geojson, layers.json and one GeoJSON file per layer, in
// EPSG:4490, as written by internal/synth (read them back with synth.ReadFS(geodata.FS)).
// README.md says how they were made; regenerate them with
//
//	go test ./internal/synth -run TestSampleGolden -update
package geodata

import "embed"

// FS holds the sample files at its root.
//
//go:embed *.json *.geojson
var FS embed.FS
