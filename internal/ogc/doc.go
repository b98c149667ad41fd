// Package ogc serves wanmu's layers read-only as OGC API – Features, Part 1
// (Core, GeoJSON, with a small OpenAPI 3.0 definition) and Part 2 (CRS by
// reference), so that QGIS, GDAL and scripts open them directly. Mount Routes at /ogc behind the API's
// authentication, as the tiles are:
//
//	GET /ogc                                   landing page
//	GET /ogc/api                               the OpenAPI 3.0 definition
//	GET /ogc/conformance                       core, oas30, geojson, crs (Part 2)
//	GET /ogc/collections                       zones, platforms, layer-<id> …
//	GET /ogc/collections/{collectionId}        one, with its extent in CRS84, crs and storageCrs
//	GET /ogc/collections/{collectionId}/items  ?limit=&offset=&bbox=&bbox-crs=&after=&before=&datetime=&crs=&f=json
//	GET /ogc/collections/{collectionId}/items/{featureId}  ?crs=&f=json
//
// A session:
//
//	$ curl -H "Authorization: Bearer $TOKEN" 'http://localhost:8080/ogc/collections/zones/items?limit=2&bbox=119.8,28.3,120.0,28.5'
//	{"type":"FeatureCollection","features":[{"type":"Feature","id":3,…}],
//	 "links":[{"href":"…/items?limit=2&bbox=…","rel":"self",…},
//	          {"href":"…/items?limit=2&bbox=…&after=7","rel":"next",…}],
//	 "timeStamp":"2026-11-28T09:00:00Z","numberMatched":12,"numberReturned":2}
//
// The collections are the live zones (the properties of the REST API's zone
// features), the platforms (the dissolved outline of their live members,
// with the REST API's platform properties and report figures such as
// developable_mu, threshold_mu and meets) and one collection per
// constraint or reference layer, titled by its name, with its features'
// attributes. Feature ids are the stable ids of zones, platforms and layer
// features.
//
// Coordinates are stored in CGCS2000 longitude/latitude (storageCrs
// EPSG:4490) and served as CRS84 unless crs asks for EPSG:4490, EPSG:4326
// (taken as equal to CGCS2000: they agree to centimetres here, as everywhere
// in wanmu; PROJ's WGS 84 → CGCS2000 moves nothing either), or the
// Gauss-Kruger zone 40 of EPSG:4528 (easting with the zone prefix) or 4549
// (without), projected by internal/geodesy. Coordinates and a bbox-crs box
// are in the axis order of the CRS's EPSG definition, as Part 2 says:
// latitude first for EPSG:4490 and 4326, northing first for 4528 and 4549
// (X north, Y east), longitude first only for CRS84. Content-Crs names the
// CRS of every features answer. A box in Gauss-Kruger selects the features
// that meet the longitude/latitude box enclosing it.
//
// Pages are in id order. The first page, and any page asked for by offset,
// carries numberMatched; the next and prev links go by id (after=, before=),
// so that walking a layer of 200,000 parcels costs the same for its last
// page as for its first and nothing counts the layer again. An offset costs
// the features it skips. Unknown query parameters are refused with 400, as
// the standard recommends.
package ogc
