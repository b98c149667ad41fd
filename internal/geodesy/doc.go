// Package geodesy holds the pure geodetic arithmetic wanmu needs and nothing
// else (no I/O): CGCS2000 constants, mu/hectare conversion, the ellipsoidal
// area formula of China's land surveys (国土调查办发〔2008〕32号), the
// Gauss-Kruger projection with its 3-degree zone 40 helpers (EPSG:4549 and
// EPSG:4528), recognition of projected coordinates posted as lon/lat, and the
// GCJ-02 offset used by Chinese web maps.
//
// Coordinates are always degrees in [lon, lat] order unless a name says
// otherwise. Projected coordinates follow Chinese survey usage: X (northing)
// first, Y (easting) second.
//
// The area and projection functions are the reference that PostGIS results
// are checked against; the service itself computes areas in PostGIS
// (ST_Area(geography) on SRID 4490). The survey formula follows the vertices
// it is given: with edges of survey length (tens of metres) it agrees with
// PostGIS's geodesic edges to well under 1 ppm, but a polygon with edges
// kilometres long can differ by 100 ppm or more (either sign), so densify
// such polygons with DensifyGaussKruger before comparing.
package geodesy
