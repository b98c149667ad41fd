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
// are checked against; the service itself computes areas in PostGIS, with
// the SQL function ellipsoidal_area (ST_Area(geography) on SRID 4490 after
// densifying to 0.0005°, so that an edge is the straight line in longitude
// and latitude, as here). The survey formula's trapezoids assume short
// edges: on edges of survey length (tens of metres) the two agree to
// hundredths of a ppm; a polygon with slanted edges kilometres long should be
// densified (in longitude and latitude) before comparing.
package geodesy
