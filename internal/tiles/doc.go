// Package tiles serves every map layer of wanmu as GeoJSON and Mapbox
// vector tiles (MVT 2.1), with TileJSON 3.0 and a layer list:
//
//	GET /tiles                              layers, with their URLs
//	GET /tiles/{layer}.json                 TileJSON 3.0.0
//	GET /tiles/{layer}/{z}/{x}/{y}.mvt      application/vnd.mapbox-vector-tile
//	GET /tiles/{layer}/{z}/{x}/{y}.geojson  application/geo+json (lon/lat)
//
// where layer is zones, platforms or layer-<id>. Both encodings carry the
// same features with the same properties and the same quantised geometry.
//
// # Geometry
//
// The database returns the features whose boxes meet the tile plus a
// buffer of Buffer units (64 of 4096), as WKB in lon/lat; geometries with
// many vertices are first cut to a wider box there (ST_ClipByBox2D), so
// a county-sized polygon does not travel whole for every tile. Go then
// projects to Web Mercator tile units, clips each polygon exactly to the
// buffered tile (rings cut at the box and re-joined along it, so the
// result is a valid polygon, not Sutherland–Hodgman's zero-width bridges),
// snaps to whole units, removes repeated, collinear and spike points, and
// simplifies with Douglas–Peucker at Tolerance units (1/8 pixel). The
// result is checked exactly in integers (simple rings, no ring crossing
// another, holes inside shells, no part inside another); if simplifying
// broke it, it is redone with half the tolerance and then none. Rings
// smaller than a quarter pixel are dropped (a shell with its holes).
//
// Doing this in Go rather than with ST_AsMVTGeom measured faster: the
// database only filters by index and ships WKB, with no coordinate
// transformation (PROJ) and no GEOS validation per feature, and the Go
// clip touches only features that cross the tile edge.
//
// # Low zooms stay small
//
// A feature whose box is smaller than one pixel (Pixel = 16 units, a
// pixel of a 256-pixel tile) in both directions is not drawn as itself.
// The database sends only its box and area. Its area is added to the
// pixel cell (of the world grid at that zoom) holding its centre, and a
// cell is drawn as one full pixel square when the area gathered there
// covers at least a pseudo-random fraction in (0, 1] fixed per cell. The
// expected drawn area thus equals the true area (a field of farmland
// parcels keeps its density and shape), every tile reaching a cell makes
// the same choice (no seams), and a tile holds at most one square per
// pixel, whatever the number of features: the z8 tile of 100,000 parcels
// over 丽水 stays far below 500 KB (see the benchmark). Each square is a
// feature with the id and properties of the largest feature in its cell.
//
// # Caching
//
// Encoded tiles live in a size-bounded LRU (Options.CacheMB). Every
// instance hears every committed change through the change bus
// (internal/change, PostgreSQL LISTEN/NOTIFY) and drops the tiles the
// change reaches — by layer and lon/lat bounds, platform outlines also by
// platform id; after a reconnection, everything. While the bus is not
// connected the cache is bypassed. Tiles carry a strong ETag (a hash of
// the bytes, equal on every instance) and answer If-None-Match with 304;
// see Options.CacheControl for the Cache-Control policy. An empty tile is
// 204 No Content. Responses are gzip-compressed when the client accepts
// it (the compressed copy is cached too).
package tiles
