package exchange

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
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

// finishCSV re-encodes the CSV files as GBK when asked.
func (j *exportJob) finishCSV(_ context.Context, out string) error {
	if j.enc != EncodingGBK {
		return nil
	}
	for _, name := range j.names {
		if err := csvToGBK(filepath.Join(out, name+j.spec.Ext)); err != nil {
			return err
		}
	}
	return nil
}

// csvToGBK rewrites a UTF-8 CSV (with BOM) as GBK without BOM, streaming.
func csvToGBK(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	br := bufio.NewReader(in)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	tmp := path + ".gbk"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	enc := transform.NewWriter(out, simplifiedchinese.GBK.NewEncoder())
	_, err = io.Copy(enc, br)
	if err == nil {
		err = enc.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) { // the encoder's: a character GBK lacks
		return &Error{Code: CodeInvalidInput, Message: "CSV 中有 GBK 无法表示的字符，请改用 UTF-8", English: "the CSV holds characters GBK cannot encode; use UTF-8", Err: err}
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
