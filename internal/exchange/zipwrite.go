package exchange

import (
	"archive/zip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// zipWriter writes deflated entries stamped with one date.
type zipWriter struct {
	*zip.Writer
	date time.Time
}

func newZipWriter(w io.Writer, date time.Time) *zipWriter {
	return &zipWriter{Writer: zip.NewWriter(w), date: date}
}

// addReader adds an entry with the content of r.
func (z *zipWriter) addReader(name string, r io.Reader) error {
	w, err := z.CreateHeader(zipHeader(name, z.date))
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// addFile adds the file at path as name.
func (z *zipWriter) addFile(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return z.addReader(name, f)
}

// addDir adds every file under dir, sorted, with prefix before its
// relative path.
func (z *zipWriter) addDir(dir, prefix string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, p := range files {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if err := z.addFile(prefix+filepath.ToSlash(rel), p); err != nil {
			return err
		}
	}
	return nil
}

// zipHeader is a deflated entry header.
func zipHeader(name string, date time.Time) *zip.FileHeader {
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: date}
	hdr.SetMode(0o644)
	return hdr
}
