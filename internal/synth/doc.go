// Package synth generates deterministic, seeded illustrative data (示例数据，非测绘成果) over 丽水:
// the ten platforms of the 一心两翼三片区 layout, park and township zones, constraint layers
// (生态保护红线, 永久基本农田, 城镇开发边界) and illustrative county extents.
//
// Everything is a pure function of its seed: no global state, math/rand/v2 streams seeded
// explicitly per object, coordinates rounded to 1e-7° (about 1 cm) when generated, so the same
// seed always yields the same bytes. Sample feeds the committed data in geodata/ that
// `wanmu serve` loads on first start; Scale and WriteLayerStream feed benchmarks with
// 200,000 to 1,000,000 farmland parcels.
//
// Positions come from shared/reference/lishui-places.csv (public sources, approximate); every
// polygon is drawn by this package, not surveyed, and every feature carries illustrative=true.
package synth
