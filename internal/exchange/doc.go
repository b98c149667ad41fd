// Package exchange converts the GIS files land-use planners exchange to and
// from in-memory features: it imports zipped Shapefiles, File Geodatabases,
// GeoPackages, KML/KMZ, DXF, GeoJSON and CSV with WKT into features in
// EPSG:4490 (CGCS2000 longitude/latitude), and exports layers to the same
// formats plus XLSX area tables and a handover package.
//
// GDAL's ogr2ogr and ogrinfo (Debian gdal-bin) read and write the binary
// formats; this package adds what a planner's files need on top of GDAL:
// archive safety checks, format sniffing, guessing the coordinate system of
// files that lack one (lon/lat, Gauss-Kruger with or without the zone
// prefix, X/Y swapped as in survey tables and CAD), the DBF code page (GBK or
// UTF-8), closed CAD polylines as polygons, GCJ-02 correction for 奥维 KML,
// short ASCII Shapefile field names with a field table, and errors a planner
// can act on (Error with a stable Code).
//
// The package never touches the database: callers turn a Dataset into rows
// and rows into ExportLayers. Areas are not recomputed on export: the
// caller passes the ellipsoidal areas it computed as properties.
package exchange
