package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// File names of the dataset layout written by WriteDir and read by ReadFS.
const (
	FilePlatforms = "platforms.json"
	FileZones     = "zones.geojson"
	FileLayers    = "layers.json"
)

// ErrLayout reports a dataset directory that does not follow the layout.
var ErrLayout = errors.New("synth: bad dataset layout")

// LayerEntry is one element of layers.json.
type LayerEntry struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Source string `json:"source"`
	File   string `json:"file"`
}

// LayerFiles returns the layers.json entries for d: constraint layers as layer-<slug>.geojson,
// reference layers as ref-<slug>.geojson, with ASCII slugs.
func LayerFiles(d Dataset) []LayerEntry {
	used := map[string]bool{}
	var out []LayerEntry
	for i, l := range slices.Concat(d.Layers, d.References) {
		prefix := "layer-"
		if l.Kind == KindReference {
			prefix = "ref-"
		}
		slug := layerSlug(l.Name)
		if slug == "" {
			slug = strconv.Itoa(i + 1)
		}
		name := prefix + slug + ".geojson"
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s%s-%d.geojson", prefix, slug, n)
		}
		used[name] = true
		out = append(out, LayerEntry{Name: l.Name, Kind: l.Kind, Source: l.Source, File: name})
	}
	return out
}

// layerSlug returns the ASCII slug of a layer name: known names by table, others by keeping
// ASCII letters and digits.
func layerSlug(name string) string {
	switch name {
	case LayerRedLine:
		return "redline"
	case LayerFarmland:
		return "farmland"
	case LayerUrban:
		return "ubg"
	case LayerCounties:
		return "counties"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// WriteDir writes d into dir (created if missing): platforms.json, zones.geojson, layers.json and
// one GeoJSON file per layer. Output is compact, one feature per line, properties in key order,
// coordinates rounded to 7 decimals: the same dataset always gives the same bytes.
func WriteDir(dir string, d Dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synth: write %s: %w", dir, err)
	}
	var b bytes.Buffer
	b.WriteString("[")
	for i, p := range d.Platforms {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if err := appendJSON(&b, p); err != nil {
			return fmt.Errorf("synth: write %s: %w", FilePlatforms, err)
		}
	}
	b.WriteString("\n]\n")
	if err := os.WriteFile(filepath.Join(dir, FilePlatforms), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("synth: write %s: %w", FilePlatforms, err)
	}
	if err := writeFCFile(filepath.Join(dir, FileZones), d.Zones); err != nil {
		return err
	}
	entries := LayerFiles(d)
	b.Reset()
	b.WriteString("[")
	for i, e := range entries {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if err := appendJSON(&b, e); err != nil {
			return fmt.Errorf("synth: write %s: %w", FileLayers, err)
		}
	}
	b.WriteString("\n]\n")
	if err := os.WriteFile(filepath.Join(dir, FileLayers), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("synth: write %s: %w", FileLayers, err)
	}
	for i, l := range slices.Concat(d.Layers, d.References) {
		if err := writeFCFile(filepath.Join(dir, entries[i].File), l.Features); err != nil {
			return err
		}
	}
	return nil
}

func writeFCFile(path string, fc *geojson.FeatureCollection) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", filepath.Base(path), err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = WriteFeatureCollection(bw, fc)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// WriteFeatureCollection writes fc in the package's deterministic GeoJSON form (see WriteDir).
// Feature ids and bounding boxes are not written.
func WriteFeatureCollection(w io.Writer, fc *geojson.FeatureCollection) error {
	fw := featureWriter{w: w}
	if err := fw.begin(); err != nil {
		return err
	}
	if fc != nil {
		for _, f := range fc.Features {
			if err := fw.feature(f); err != nil {
				return err
			}
		}
	}
	return fw.end()
}

// featureWriter streams a FeatureCollection one feature at a time.
type featureWriter struct {
	w   io.Writer
	buf []byte
	n   int
}

func (fw *featureWriter) begin() error {
	_, err := io.WriteString(fw.w, `{"type":"FeatureCollection","features":[`)
	return err
}

func (fw *featureWriter) feature(f *geojson.Feature) error {
	b := fw.buf[:0]
	if fw.n > 0 {
		b = append(b, ',')
	}
	b = append(b, '\n')
	b, err := appendFeature(b, f)
	if err != nil {
		return err
	}
	fw.buf = b
	fw.n++
	_, err = fw.w.Write(b)
	return err
}

func (fw *featureWriter) end() error {
	_, err := io.WriteString(fw.w, "\n]}\n")
	return err
}

func appendFeature(b []byte, f *geojson.Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","geometry":`...)
	b, err := appendGeometry(b, f.Geometry)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"properties":{`...)
	keys := make([]string, 0, len(f.Properties))
	for k := range f.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendValue(b, k); err != nil {
			return nil, err
		}
		b = append(b, ':')
		if b, err = appendValue(b, f.Properties[k]); err != nil {
			return nil, err
		}
	}
	return append(b, "}}"...), nil
}

// appendValue appends v as JSON; plain strings and booleans take a fast path.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		if plainString(v) {
			b = append(b, '"')
			b = append(b, v...)
			return append(b, '"'), nil
		}
	}
	var buf bytes.Buffer
	if err := appendJSON(&buf, v); err != nil {
		return nil, err
	}
	return append(b, buf.Bytes()...), nil
}

// plainString reports whether encoding/json (without HTML escaping) writes s unchanged.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(s) && !strings.ContainsAny(s, "\u2028\u2029")
}

// appendJSON appends compact JSON for v without HTML escaping and without a newline.
func appendJSON(b *bytes.Buffer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return nil
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, round7(p[0]), 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, round7(p[1]), 'f', -1, 64)
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = append(b, '[')
	for i, r := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPoints(b, r)
	}
	return append(b, ']')
}

func appendGeometry(b []byte, g orb.Geometry) ([]byte, error) {
	head := func(t string) []byte { return append(b, `{"type":"`+t+`","coordinates":`...) }
	switch g := g.(type) {
	case nil:
		return append(b, "null"...), nil
	case orb.Point:
		return append(appendPoint(head("Point"), g), '}'), nil
	case orb.MultiPoint:
		return append(appendPoints(head("MultiPoint"), g), '}'), nil
	case orb.LineString:
		return append(appendPoints(head("LineString"), g), '}'), nil
	case orb.MultiLineString:
		b = head("MultiLineString")
		b = append(b, '[')
		for i, l := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l)
		}
		return append(b, "]}"...), nil
	case orb.Polygon:
		return append(appendPolygon(head("Polygon"), g), '}'), nil
	case orb.MultiPolygon:
		b = head("MultiPolygon")
		b = append(b, '[')
		for i, p := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPolygon(b, p)
		}
		return append(b, "]}"...), nil
	case orb.Collection:
		b = append(b, `{"type":"GeometryCollection","geometries":[`...)
		for i, c := range g {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendGeometry(b, c); err != nil {
				return nil, err
			}
		}
		return append(b, "]}"...), nil
	}
	return nil, fmt.Errorf("synth: cannot write geometry %T", g)
}

// ReadFS reads a dataset in the layout written by WriteDir from the root of fsys.
func ReadFS(fsys fs.FS) (Dataset, error) {
	var d Dataset
	b, err := fs.ReadFile(fsys, FilePlatforms)
	if err != nil {
		return d, fmt.Errorf("synth: read %s: %w", FilePlatforms, err)
	}
	if err := json.Unmarshal(b, &d.Platforms); err != nil {
		return d, fmt.Errorf("synth: read %s: %w", FilePlatforms, err)
	}
	if d.Zones, err = readFC(fsys, FileZones); err != nil {
		return d, err
	}
	b, err = fs.ReadFile(fsys, FileLayers)
	if err != nil {
		return d, fmt.Errorf("synth: read %s: %w", FileLayers, err)
	}
	var entries []LayerEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		return d, fmt.Errorf("synth: read %s: %w", FileLayers, err)
	}
	for _, e := range entries {
		if !fs.ValidPath(e.File) || strings.Contains(e.File, "/") || !strings.HasSuffix(e.File, ".geojson") {
			return d, fmt.Errorf("%w: layer %q: file %q is not a .geojson file name", ErrLayout, e.Name, e.File)
		}
		fc, err := readFC(fsys, e.File)
		if err != nil {
			return d, err
		}
		l := Layer{Name: e.Name, Kind: e.Kind, Source: e.Source, Features: fc}
		switch e.Kind {
		case KindInclude, KindExclude:
			d.Layers = append(d.Layers, l)
		case KindReference:
			d.References = append(d.References, l)
		default:
			return d, fmt.Errorf("%w: layer %q: kind %q is not include, exclude or reference", ErrLayout, e.Name, e.Kind)
		}
	}
	return d, nil
}

func readFC(fsys fs.FS, name string) (*geojson.FeatureCollection, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("synth: read %s: %w", name, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("synth: read %s: %w", name, err)
	}
	return fc, nil
}
