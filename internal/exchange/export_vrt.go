package exchange

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"

	"wanmu/internal/geodesy"
)

// crsColumn is the last column of every CSV: the CRS of its geometry, as
// "EPSG:4528", so that the file states its CRS on its own (the importer
// reads it back as the file's CRS and drops it from the attributes).
const crsColumn = "crs"

// writeSources writes each layer as a GeoJSON file in src with properties
// f0…fn in field order, and the VRT at vrtPath that gives them their names,
// types and CRS. For Shapefiles it fills j.fieldTable.
func (j *exportJob) writeSources(ctx context.Context, src, vrtPath string, report func(frac float64)) error {
	var total, done int
	for _, l := range j.layers {
		total += len(l.Features)
	}
	var vrt strings.Builder
	vrt.WriteString("<OGRVRTDataSource>\n")
	for i, l := range j.layers {
		fields := j.fields[i]
		outNames := make([]string, len(fields))
		for k, f := range fields {
			outNames[k] = f.Name
		}
		if j.spec.Spreadsheet {
			for k := range outNames {
				outNames[k] = neutralizeCell(outNames[k]) // the header row
			}
		}
		first := len(j.fieldTable)
		if j.spec.ShortFields {
			outNames = shortFieldNames(outNames)
			for k, f := range fields {
				j.fieldTable = append(j.fieldTable, fieldTableRow{Layer: j.names[i], Short: outNames[k], Name: f.Name, Title: f.Title, Type: string(f.Type)})
			}
		}
		path := filepath.Join(src, fmt.Sprintf("l%d.geojson", i))
		truncated, err := j.writeSourceGeoJSON(ctx, path, l, fields, func() {
			done++
			if done%1000 == 0 {
				report(float64(done) / float64(max(total, 1)))
			}
		})
		if err != nil {
			return err
		}
		for _, k := range truncated {
			r := &j.fieldTable[first+k]
			r.Title = strings.TrimSpace(r.Title + " （部分值超过 DBF 的 254 字节上限，已截断）")
		}
		j.outNames = append(j.outNames, outNames)
		j.writeVRTLayer(&vrt, l, i, path, fields, outNames)
	}
	vrt.WriteString("</OGRVRTDataSource>\n")
	return os.WriteFile(vrtPath, []byte(vrt.String()), 0o600)
}

// placeholderField marks the placeholder feature of an empty layer's
// source (see writeSourceGeoJSON), which the VRT filters out.
const placeholderField = "wanmu_placeholder"

// writeVRTLayer describes one source GeoJSON as a VRT layer with explicit
// field names and types, the CRS, and the geometry type.
func (j *exportJob) writeVRTLayer(b *strings.Builder, l ExportLayer, i int, path string, fields []Field, outNames []string) {
	name := j.names[i]
	srs := "EPSG:4490"
	if j.epsg == geodesy.EPSGWGS84 {
		srs = "EPSG:4326" // the same coordinates, declared as WGS84
	}
	fmt.Fprintf(b, "  <OGRVRTLayer name=\"%s\">\n", xmlEscape(name))
	fmt.Fprintf(b, "    <SrcDataSource relativeToVRT=\"0\">%s</SrcDataSource>\n", xmlEscape(path))
	if len(l.Features) == 0 {
		fmt.Fprintf(b, "    <SrcSQL>SELECT * FROM l%d WHERE %s IS NULL</SrcSQL>\n", i, placeholderField)
	} else {
		fmt.Fprintf(b, "    <SrcLayer>l%d</SrcLayer>\n", i)
	}
	fmt.Fprintf(b, "    <LayerSRS>%s</LayerSRS>\n", srs)
	// A layer without features still has a geometry column in the target
	// CRS (GDAL would make an empty GeoJSON source a table with none).
	if j.spec.OneGeomType || len(l.Features) == 0 {
		fam, _ := layerFamily(l, j.spec.Name) // checked in newExportJob
		gt := map[string]string{familyPoint: "wkbMultiPoint", familyLine: "wkbMultiLineString"}[fam]
		if gt == "" {
			gt = "wkbMultiPolygon" // also for an empty layer
		}
		fmt.Fprintf(b, "    <GeometryType>%s</GeometryType>\n", gt)
	}
	for k, f := range fields {
		lay := j.layoutOf(l, f)
		fmt.Fprintf(b, "    <Field name=\"%s\" src=\"f%d\" type=\"%s\"", xmlEscape(outNames[k]), k, lay.Type)
		if lay.Subtype != "" {
			fmt.Fprintf(b, " subtype=\"%s\"", lay.Subtype)
		}
		if lay.Width > 0 {
			fmt.Fprintf(b, " width=\"%d\" precision=\"%d\"", lay.Width, lay.Precision)
		}
		b.WriteString("/>\n")
	}
	if j.spec.CRSColumn {
		fmt.Fprintf(b, "    <Field name=\"%s\" type=\"String\" width=\"16\"/>\n", crsColumn)
	}

	b.WriteString("  </OGRVRTLayer>\n")
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeSourceGeoJSON writes one layer as the GeoJSON ogr2ogr reads, with
// properties f0…fn in field order (and the crs column where the format has
// one). It returns the indexes of fields whose values were cut to fit a DBF.
func (j *exportJob) writeSourceGeoJSON(ctx context.Context, path string, l ExportLayer, fields []Field, tick func()) ([]int, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	first := true
	truncated := map[int]bool{}
	gbk := simplifiedchinese.GBK.NewEncoder()
	writeFeature := func(g orb.Geometry, props []byte) error {
		gj, err := geojson.NewGeometry(g).MarshalJSON()
		if err != nil {
			return err
		}
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		bw.WriteString(`{"type":"Feature","properties":`)
		bw.Write(props)
		bw.WriteString(`,"geometry":`)
		bw.Write(gj)
		bw.WriteString("}")
		return nil
	}
	for n, feat := range l.Features {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var pb strings.Builder
		pb.WriteByte('{')
		for k, fd := range fields {
			v := feat.Properties[fd.Name]
			enc, err := encodeValue(v, fd)
			if err != nil {
				return nil, errorf(CodeInvalidInput, "图层 %s 第 %d 个要素的字段 %s：%s", "layer %s feature %d field %s: %s", displayName(l), n+1, fd.Name, err.Error())
			}
			if fd.Type == FieldString && v != nil {
				s := stringValue(v)
				if j.enc == EncodingGBK {
					if _, err := gbk.String(s); err != nil {
						return nil, errorf(CodeInvalidInput, "图层 %s 第 %d 个要素的字段 %s 的值 %q 含 GBK 无法表示的字符 %q；请改用 UTF-8 编码导出",
							"layer %s feature %d field %s: value %q has the character %q, which GBK cannot hold; export as UTF-8", displayName(l), n+1, fd.Name, s, firstNonGBK(s))
					}
				}
				if j.spec.ShortFields {
					if cut := truncateBytes(s, 254, j.enc); cut != s {
						truncated[k] = true
						enc, _ = json.Marshal(cut)
					}
				}
				if j.spec.Spreadsheet {
					enc, _ = json.Marshal(neutralizeCell(s))
				}
			}
			if k > 0 {
				pb.WriteByte(',')
			}
			fmt.Fprintf(&pb, `"f%d":%s`, k, enc)
		}
		if j.spec.CRSColumn {
			fmt.Fprintf(&pb, `,"%s":"EPSG:%d"`, crsColumn, j.epsg)
		}
		pb.WriteByte('}')
		if feat.Geometry == nil {
			if !first {
				bw.WriteString(",\n")
			}
			first = false
			bw.WriteString(`{"type":"Feature","properties":` + pb.String() + `,"geometry":null}`)
		} else if err := writeFeature(feat.Geometry, []byte(pb.String())); err != nil {
			return nil, err
		}
		tick()
	}
	if len(l.Features) == 0 {
		// GDAL gives a GeoJSON without features neither fields nor a
		// geometry column, and the layer would come out as a table with
		// no CRS: one placeholder with every field gives it both, and
		// the VRT leaves it out (its SrcSQL, writeVRTLayer).
		var pb strings.Builder
		fmt.Fprintf(&pb, `{"%s":1`, placeholderField)
		for k := range fields {
			fmt.Fprintf(&pb, `,"f%d":null`, k)
		}
		if j.spec.CRSColumn {
			fmt.Fprintf(&pb, `,"%s":null`, crsColumn)
		}
		pb.WriteByte('}')
		if err := writeFeature(orb.MultiPolygon{{{{120, 28}, {120.001, 28}, {120, 28.001}, {120, 28}}}}, []byte(pb.String())); err != nil {
			return nil, err
		}
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	var cut []int
	for k := range truncated {
		cut = append(cut, k)
	}
	sort.Ints(cut)
	return cut, nil
}
