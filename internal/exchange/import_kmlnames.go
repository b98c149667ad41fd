package exchange

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// GDAL's LIBKML driver turns every byte of a non-ASCII <Data name> into
// "_": 批次 comes back as "______". The names are in the file, so they are
// read from it and put back (a name shared by two mangled ones stays as
// GDAL gave it).

// tidyKML is the KML entry's tidy step: LIBKML's display fields go, and
// the <Data> names it mangled come back.
func tidyKML(ds *Dataset, paths []string) {
	dropKMLNoise(ds)
	names := map[string]string{} // mangled → original ("" when ambiguous)
	for _, p := range paths {
		for _, n := range kmlDataNames(p) {
			m := mangleKMLName(n)
			if m == n {
				continue
			}
			if prev, seen := names[m]; seen && prev != n {
				names[m] = ""
				continue
			}
			names[m] = n
		}
	}
	have := map[string]bool{}
	for _, f := range ds.Fields {
		have[f] = true
	}
	for i, f := range ds.Fields {
		n := names[f]
		if n == "" || have[n] {
			continue
		}
		ds.Fields[i], have[n] = n, true
		for _, ft := range ds.Features {
			if v, ok := ft.Properties[f]; ok {
				delete(ft.Properties, f)
				ft.Properties[n] = v
			}
		}
	}
}

// mangleKMLName is what LIBKML makes of a <Data> name.
func mangleKMLName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 0x80 {
			b[i] = '_'
		}
	}
	return string(b)
}

// maxKMLScan bounds how much of a KML document is read for its names.
const maxKMLScan = 1 << 30

// kmlDataNames lists the distinct <Data name> values of a KML file, or of
// the first .kml inside a KMZ, in document order. A file it cannot read
// gives none (GDAL has read it already; the names then stay as GDAL gave
// them).
func kmlDataNames(path string) []string {
	var r io.Reader
	if strings.EqualFold(filepath.Ext(path), ".kmz") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil
		}
		defer zr.Close()
		for _, f := range zr.File {
			if strings.EqualFold(filepath.Ext(f.Name), ".kml") {
				rc, err := f.Open()
				if err != nil {
					return nil
				}
				defer rc.Close()
				r = rc
				break
			}
		}
		if r == nil {
			return nil
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		r = f
	}
	return dataNames(io.LimitReader(r, maxKMLScan))
}

// dataNames reads <Data name> values from a KML stream.
func dataNames(r io.Reader) []string {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var out []string
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Data" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "name" && !seen[a.Value] {
				seen[a.Value] = true
				out = append(out, a.Value)
			}
		}
	}
}
