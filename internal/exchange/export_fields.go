package exchange

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// FieldType is the attribute type written for a field.
type FieldType string

// Field types. Integers are written from any integer Go type, reals from
// any number, dates from time.Time or "2006-01-02" strings, flags from
// bool (GDAL's Integer(Boolean): BOOLEAN in GeoPackage, true/false in
// GeoJSON, a logical L field in a DBF).
const (
	FieldString  FieldType = "String"
	FieldInteger FieldType = "Integer64"
	FieldReal    FieldType = "Real"
	FieldDate    FieldType = "Date"
	FieldBoolean FieldType = "Boolean"
)

// Field is one attribute column of an export layer.
type Field struct {
	Name  string    // property key, e.g. "name", "area_m2", "名称"
	Type  FieldType // "" infers it from the values
	Title string    // description: field alias in GPKG/FileGDB, fields.csv, KML and XLSX header, e.g. "面积（亩）"
	// Precision is the number of decimals a Real is written with (values
	// are rounded to it: 17999.98, not 17999.979999999999563), e.g. 2 for
	// m² and 4 for 亩 and 公顷. 0 writes each value as stored, with as many
	// decimals as the layer's values need.
	Precision int
}

// resolveFields returns the layer's fields with every type decided.
func resolveFields(l ExportLayer) ([]Field, error) {
	fields := l.Fields
	if fields == nil {
		keys := map[string]bool{}
		for _, f := range l.Features {
			for k := range f.Properties {
				keys[k] = true
			}
		}
		for k := range keys {
			fields = append(fields, Field{Name: k})
		}
		sort.Slice(fields, func(a, b int) bool { return fields[a].Name < fields[b].Name })
	}
	out := make([]Field, len(fields))
	seen := map[string]bool{}
	for i, f := range fields {
		if f.Name == "" || seen[f.Name] {
			return nil, errorf(CodeInvalidInput, "图层 %s 的字段名 %q 为空或重复", "layer %s: field name %q is empty or repeated", l.Name, f.Name)
		}
		seen[f.Name] = true
		if f.Type == "" {
			f.Type = inferType(l.Features, f.Name)
		}
		switch f.Type {
		case FieldString, FieldInteger, FieldReal, FieldDate, FieldBoolean:
		case "Integer":
			f.Type = FieldInteger
		default:
			return nil, errorf(CodeInvalidInput, "图层 %s 的字段 %s 类型 %q 不支持", "layer %s: field %s has unsupported type %q", l.Name, f.Name, string(f.Type))
		}
		out[i] = f
	}
	return out, nil
}

// inferType decides a field's type from its values.
func inferType(features []Feature, name string) FieldType {
	t := FieldType("")
	for _, f := range features {
		var vt FieldType
		switch v := f.Properties[name].(type) {
		case nil:
			continue
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			vt = FieldInteger
		case json.Number:
			vt = FieldReal
			if _, err := v.Int64(); err == nil { // "12" is an integer, "12.0" a real
				vt = FieldInteger
			}
		case float32, float64:
			vt = FieldReal
		case time.Time:
			vt = FieldDate
		case bool:
			vt = FieldBoolean
		default:
			return FieldString
		}
		switch {
		case t == "":
			t = vt
		case t == vt:
		case (t == FieldInteger && vt == FieldReal) || (t == FieldReal && vt == FieldInteger):
			t = FieldReal
		default:
			return FieldString
		}
	}
	if t == "" {
		return FieldString
	}
	return t
}

// geometry families, for formats with one geometry type per layer.
const (
	familyNone    = ""
	familyPoint   = "point"
	familyLine    = "line"
	familyPolygon = "polygon"
)

func familyOf(g orb.Geometry) string {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return familyPoint
	case orb.LineString, orb.MultiLineString:
		return familyLine
	case orb.Polygon, orb.MultiPolygon, orb.Ring:
		return familyPolygon
	}
	return "collection"
}

// layerFamily returns the single geometry family of a layer.
func layerFamily(l ExportLayer, format string) (string, error) {
	fam := familyNone
	for i, f := range l.Features {
		if f.Geometry == nil {
			continue
		}
		g := familyOf(f.Geometry)
		if g == "collection" {
			return "", errorf(CodeInvalidInput, "图层 %s 第 %d 个要素是几何集合，%s 无法保存",
				"layer %s feature %d is a geometry collection, which %s cannot hold", l.Name, i+1, format)
		}
		if fam == familyNone {
			fam = g
		} else if g != fam {
			return "", errorf(CodeInvalidInput, "图层 %s 混有点、线、面（第 %d 个要素），%s 每个图层只能有一种几何类型",
				"layer %s mixes points, lines and polygons (feature %d); %s holds one geometry type per layer", l.Name, i+1, format)
		}
	}
	return fam, nil
}

// fieldLayout is how a field is declared to GDAL: type, width and
// precision. Widths matter for Shapefiles (DBF) only; they hold any value
// the store allows rather than the widest value of this export, so that a
// file edited later does not overflow (GDAL's RESIZE made id N(2,0)).
type fieldLayout struct {
	Type      string // OGR field type: String, Integer, Integer64, Real, Date
	Subtype   string // OGR field subtype: "" or Boolean
	Width     int    // 0 for the driver's default
	Precision int    // decimals of a Real
}

// intWidth is the DBF width of integers: 18 digits is the widest GDAL
// still reads back as Integer64 (ids, counts, versions never come near).
const intWidth = 18

// layoutOf decides the declaration of field f of layer l.
func (j *exportJob) layoutOf(l ExportLayer, f Field) fieldLayout {
	switch f.Type {
	case FieldBoolean:
		return fieldLayout{Type: "Integer", Subtype: "Boolean", Width: 1}
	case FieldInteger:
		if j.spec.ShortFields && anyBeyond(l, f, dbfMaxInt) {
			// GDAL reads 19 DBF digits back as a Real, rounded: keep such
			// integers as text; fields.csv says Integer64, and an import
			// reads them back as integers (restoreFieldNames).
			return fieldLayout{Type: "String", Width: 20}
		}
		if !j.spec.NoInt64 {
			return fieldLayout{Type: "Integer64", Width: intWidth}
		}
		// FileGDB before ArcGIS Pro 3.2 has no 64-bit integers: a 32-bit
		// integer when every value fits, else a real with no decimals.
		if anyBeyond(l, f, 1<<53) { // a double would round it: text
			return fieldLayout{Type: "String", Width: 20}
		}
		if anyBeyond(l, f, math.MaxInt32) {
			return fieldLayout{Type: "Real", Width: intWidth + 2}
		}
		return fieldLayout{Type: "Integer", Width: 10}
	case FieldReal:
		p, digits := realDigits(l.Features, f)
		return fieldLayout{Type: "Real", Width: max(20, digits+p+3), Precision: p}
	}
	return fieldLayout{Type: string(f.Type)}
}

// dbfMaxInt is the largest magnitude a DBF integer of width intWidth holds
// with its sign.
const dbfMaxInt = 99_999_999_999_999_999

// anyBeyond says whether an integer of field f of layer l is beyond ±limit.
func anyBeyond(l ExportLayer, f Field, limit int64) bool {
	for _, feat := range l.Features {
		if x, ok := toInt64(feat.Properties[f.Name]); ok && (x > limit || x < -limit) {
			return true
		}
	}
	return false
}

// realDigits returns the decimals a Real field is written with (its
// Precision, or the most any value needs, up to 15) and the digits of its
// largest integer part.
func realDigits(features []Feature, f Field) (decimals, intDigits int) {
	decimals = f.Precision
	for _, feat := range features {
		x, ok := toFloat64(feat.Properties[f.Name])
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if n := len(strconv.FormatFloat(math.Trunc(math.Abs(x)), 'f', 0, 64)); n > intDigits {
			intDigits = n
		}
		if f.Precision == 0 {
			s := strconv.FormatFloat(x, 'f', -1, 64)
			if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > decimals {
				decimals = min(len(s)-i-1, 15)
			}
		}
	}
	return decimals, intDigits
}
