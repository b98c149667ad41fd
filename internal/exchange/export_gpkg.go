package exchange

import (
	"context"
	"fmt"
	"strings"
)

// Field aliases in a GeoPackage. GDAL 3.6 neither reads nor writes field
// alternative names in GeoPackages (3.7 does), so the titles are written
// here into gpkg_data_columns, the table of the GeoPackage schema extension
// (OGC 12-128r18, F.9) that QGIS, ArcGIS Pro and GDAL ≥ 3.7 read: name and
// title are the field's title, description too.

// gpkgDataColumnsDDL are the tables of the schema extension, as the
// specification defines them, created when GDAL did not.
var gpkgDataColumnsDDL = []string{
	`CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, ` +
		`definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
	`CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, ` +
		`title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, ` +
		`CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
	`INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) ` +
		`SELECT 'gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write' ` +
		`WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_data_columns' AND extension_name = 'gpkg_schema')`,
}

// finishGPKG writes the field titles as aliases.
func (j *exportJob) finishGPKG(ctx context.Context, out string) error {
	var rows []string
	for i, fields := range j.fields {
		used := map[string]bool{}
		for k, f := range fields {
			title := strings.TrimSpace(f.Title)
			if title == "" {
				continue
			}
			name := "NULL" // name is unique within a table: a repeated title is a title only
			if !used[title] {
				used[title] = true
				name = sqlString(title)
			}
			rows = append(rows, fmt.Sprintf("(%s, %s, %s, %s, %s)", sqlString(j.names[i]), sqlString(j.outNames[i][k]),
				name, sqlString(title), sqlString(title)))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	stmts := append(append([]string{}, gpkgDataColumnsDDL...),
		"INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, description) VALUES "+strings.Join(rows, ", "))
	for _, sql := range stmts {
		cmd := gdalCmd{Tool: "ogrinfo", Args: []string{"-q", out, "-sql", sql}}
		if err := j.checkRun(ctx, cmd); err != nil {
			return err
		}
	}
	return nil
}

// sqlString quotes s as an SQLite string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), "'", "''") + "'"
}
