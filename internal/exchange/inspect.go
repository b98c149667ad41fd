package exchange

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"

	"wanmu/internal/region"
)

// Default limits of ImportOptions.
const (
	// DefaultMaxBytes caps the uploaded file (or directory) size.
	DefaultMaxBytes = 1 << 30
	// DefaultMaxUncompressed caps what an uploaded zip may unpack to.
	DefaultMaxUncompressed = 4 << 30
	// DefaultMaxFeatures caps the number of features read.
	DefaultMaxFeatures = 2_000_000
)

// ImportOptions control Inspect. The zero value reads the CRS and encoding
// from the file, guessing what is missing, with the default limits.
type ImportOptions struct {
	// CRS overrides the file's coordinate system: "EPSG:4528", "EPSG:4549",
	// "EPSG:4490", … "" takes it from the file or guesses it.
	CRS string
	// Encoding of DBF, DXF and CSV text: "", "UTF-8" or "GBK". "" reads the
	// .cpg or DBF code page, or judges the bytes.
	Encoding string
	// GCJ02 says lon/lat coordinates are GCJ-02 (as 奥维 and Amap write
	// them) and converts them to WGS84/CGCS2000.
	GCJ02 bool
	// SourceLayer selects a layer of the file by name. "" takes the only
	// layer, the only polygon layer, all folders of a KML, or with Zones
	// the layer wanmu's exports call zones; with several polygon layers
	// and none of these, Inspect fails with CodeChooseLayer listing them.
	SourceLayer string
	// Zones says the file is imported as zones: among several polygon
	// layers the one named zones (分区) is read, never platforms.
	Zones bool
	// MaxBytes caps the file size; 0 means DefaultMaxBytes, < 0 no cap.
	MaxBytes int64
	// MaxFeatures caps the feature count; 0 means DefaultMaxFeatures, < 0 no cap.
	MaxFeatures int64
	// MaxUncompressed caps an archive's unpacked size; 0 means
	// DefaultMaxUncompressed, < 0 no cap.
	MaxUncompressed int64
	// TempDir is where scratch files go; "" means os.TempDir().
	TempDir string
	// Progress, if set, is called with done/ProgressTotal as work proceeds.
	Progress func(done, total int64)
	// Region is the city the data must lie in (nil: 丽水): features far
	// from its extent are refused, and eastings without a zone prefix are
	// read in its Gauss-Kruger zone.
	Region *region.Region
}

// Feature is one feature: geometry in EPSG:4490 lon/lat (nil when the file
// has none) and attributes with text decoded to UTF-8. Integers are int64,
// other numbers float64.
type Feature struct {
	Geometry   orb.Geometry
	Properties map[string]any
}

// LayerInfo describes a layer found in an imported file, for choosing one.
type LayerInfo struct {
	Name     string `json:"name"`     // what ImportOptions.SourceLayer takes
	Geometry string `json:"geometry"` // GDAL's geometry type name, e.g. "Polygon", "Unknown (any)"
	Count    int64  `json:"features"` // -1 when GDAL cannot tell without reading
	CRS      string `json:"crs"`      // e.g. "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"; "" when the layer has none
}

// Dataset is an imported file's selected layer, ready for a preview.
// Features[i] is the (i+1)-th feature of the file, for per-feature reports.
type Dataset struct {
	Features   []Feature
	Fields     []string    // attribute names in file order
	Format     string      // a Format constant: what was uploaded
	Layer      string      // the layer read ("" for several merged KML folders)
	Layers     []LayerInfo // every layer in the file
	SourceCRS  string      // e.g. "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"
	CRSAssumed bool        // SourceCRS was guessed, not read from the file or options
	CRSNote    string      // how the CRS was decided, in Chinese
	Encoding   string      // text encoding used for DBF/DXF/CSV, "" where fixed by the format
	Bounds     orb.Bound   // of all geometries, lon/lat
	Warnings   []string    // things the planner should check, in Chinese
}

// warn adds a warning once.
func (d *Dataset) warn(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	for _, w := range d.Warnings {
		if w == s {
			return
		}
	}
	d.Warnings = append(d.Warnings, s)
}

// importOpts is ImportOptions checked and with defaults applied.
type importOpts struct {
	ImportOptions
	epsg int
	enc  string
	rg   *region.Region
}

func (o ImportOptions) check() (importOpts, error) {
	epsg, err := parseCRS(o.CRS)
	if err != nil {
		return importOpts{}, err
	}
	enc, err := normalizeEncoding(o.Encoding)
	if err != nil {
		return importOpts{}, err
	}
	def := func(v, d int64) int64 {
		switch {
		case v == 0:
			return d
		case v < 0:
			return 0
		}
		return v
	}
	o.MaxBytes = def(o.MaxBytes, DefaultMaxBytes)
	o.MaxFeatures = def(o.MaxFeatures, DefaultMaxFeatures)
	o.MaxUncompressed = def(o.MaxUncompressed, DefaultMaxUncompressed)
	rg := o.Region
	if rg == nil {
		rg = region.Default()
	}
	return importOpts{ImportOptions: o, epsg: epsg, enc: enc, rg: rg}, nil
}

// source is one readable data source found in the upload.
type source struct {
	Path   string // what GDAL opens
	Format string // a Format constant
	Name   string // for messages: the name inside the upload
	Open   []string
	Config []string
	Enc    string // encoding label used
	// CRSColumn is the EPSG code a CSV's crs column declares, or 0.
	CRSColumn int
}

// selected is one layer chosen for reading.
type selected struct {
	src  *source
	info layerInfo
	name string // display name
}

// Inspect reads an uploaded file — a zip of Shapefiles or a FileGDB, a
// GeoPackage, KML/KMZ, DXF, GeoJSON, CSV with WKT, a .shp beside its
// siblings, or a .gdb directory — into features in EPSG:4490. It never
// writes anywhere but a scratch directory it removes. Errors are *Error
// for anything wrong with the file or the options.
func Inspect(ctx context.Context, path string, opts ImportOptions) (*Dataset, error) {
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	prog := newProgress(o.Progress)
	prog.set(0)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", filepath.Base(path), err)
	}
	size := st.Size()
	if st.IsDir() {
		size = dirSize(path)
	}
	if o.MaxBytes > 0 && size > o.MaxBytes {
		return nil, errorf(CodeTooLarge, "文件 %s 大小 %s，超过 %s 的上限", "file %s is %s, over the %s limit",
			filepath.Base(path), humanBytes(size), humanBytes(o.MaxBytes))
	}
	tmp, err := os.MkdirTemp(o.TempDir, "wanmu-import-")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(tmp)

	im := &importer{o: o, ds: &Dataset{}, tmp: tmp, prog: prog}
	sources, err := im.locate(ctx, path, st.IsDir())
	if err != nil {
		return nil, err
	}
	prog.set(50)
	layers, err := im.selectLayers(ctx, sources)
	if err != nil {
		return nil, err
	}
	if err := im.readLayers(ctx, layers); err != nil {
		return nil, err
	}
	prog.set(ProgressTotal)
	return im.ds, nil
}

// importer holds the state of one Inspect call.
type importer struct {
	o           importOpts
	ds          *Dataset
	tmp         string
	prog        *progress
	fieldTables []string // fields.csv files found beside Shapefiles
	zFeatures   int      // features whose elevations (z) were dropped
}
