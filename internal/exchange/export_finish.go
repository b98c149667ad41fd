package exchange

import (
	"context"
	"os"
	"path/filepath"
)

// Finish hooks of the format registry: what GDAL leaves to us.

// shpEncoding is the ENCODING layer option; GDAL copies it into the .cpg.
// "936" is the code-page number ArcGIS documents for GBK and GDAL/QGIS read
// as CP936.
func shpEncoding(enc string) string {
	if enc == EncodingGBK {
		return "936"
	}
	return "UTF-8"
}

// stampDBFCodePage stamps GBK DBFs with language driver id 0x4D (CP936), so
// that readers that ignore the .cpg (and ArcGIS, which prefers the LDID)
// decode them right.
func stampDBFCodePage(dir, enc string) error {
	if enc != EncodingGBK {
		return nil
	}
	dbfs, err := filepath.Glob(filepath.Join(dir, "*.dbf"))
	if err != nil {
		return err
	}
	for _, p := range dbfs {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteAt([]byte{0x4D}, 29)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// finishShapefiles stamps GBK DBFs with the code page and writes the field
// table fields.csv beside the Shapefiles.
func (j *exportJob) finishShapefiles(_ context.Context, out string) error {
	if err := stampDBFCodePage(out, j.enc); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, fieldTableName))
	if err != nil {
		return err
	}
	err = writeFieldTable(f, j.fieldTable)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
