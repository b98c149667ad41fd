package tiles

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Media types of the two encodings.
const (
	MVTType     = "application/vnd.mapbox-vector-tile"
	GeoJSONType = "application/geo+json"
)

// Protocol buffer wire types and the field numbers of vector_tile.proto 2.1.
const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2

	tileLayers = 3

	layerVersion  = 15
	layerName     = 1
	layerFeatures = 2
	layerKeys     = 3
	layerValues   = 4
	layerExtent   = 5

	featureID       = 1
	featureTags     = 2
	featureType     = 3
	featureGeometry = 4
	geomPolygon     = 3

	valueString = 1
	valueDouble = 3
	valueSint   = 6
	valueBool   = 7

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func zigzag32(v int32) uint64 { return uint64(uint32((v << 1) ^ (v >> 31))) }

// encodeMVT writes the tile as a Mapbox Vector Tile 2.1 with one layer
// named after the tile layer, extent Extent. It returns nil for a tile
// without features.
func encodeMVT(lt *layerTile) []byte {
	if len(lt.features) == 0 {
		return nil
	}
	keys := map[string]uint64{}
	var keyList []string
	// Values are shared between features: one table per kind.
	strs := map[string]uint64{}
	nums := map[[2]uint64]uint64{} // kind ('i', 'f', 'b'), bits
	var valueBytes [][]byte

	var feats, feat, packed []byte
	feats = make([]byte, 0, 48*len(lt.features))
	for i := range lt.features {
		f := &lt.features[i]
		feat = feat[:0]
		feat = appendKey(feat, featureID, wireVarint)
		feat = binary.AppendUvarint(feat, uint64(f.id))
		packed = packed[:0]
		for _, p := range f.props {
			ki, ok := keys[p.key]
			if !ok {
				ki = uint64(len(keyList))
				keys[p.key] = ki
				keyList = append(keyList, p.key)
			}
			var (
				vi uint64
				vb []byte
			)
			if sv, isStr := p.val.(string); isStr {
				if vi, ok = strs[sv]; !ok {
					vi = uint64(len(valueBytes))
					strs[sv] = vi
					vb = appendBytesField(vb, valueString, []byte(sv))
				}
			} else {
				var nk [2]uint64
				switch v := p.val.(type) {
				case int64:
					nk = [2]uint64{'i', uint64(v)}
				case float64:
					nk = [2]uint64{'f', math.Float64bits(v)}
				case bool:
					nk = [2]uint64{'b', 0}
					if v {
						nk[1] = 1
					}
				}
				if vi, ok = nums[nk]; !ok {
					vi = uint64(len(valueBytes))
					nums[nk] = vi
					switch nk[0] {
					case 'i':
						vb = appendKey(vb, valueSint, wireVarint)
						n := int64(nk[1])
						vb = binary.AppendUvarint(vb, uint64((n<<1)^(n>>63)))
					case 'f':
						vb = appendKey(vb, valueDouble, wire64)
						vb = binary.LittleEndian.AppendUint64(vb, nk[1])
					default:
						vb = appendKey(vb, valueBool, wireVarint)
						vb = binary.AppendUvarint(vb, nk[1])
					}
				}
			}
			if vb != nil {
				valueBytes = append(valueBytes, vb)
			}
			packed = binary.AppendUvarint(packed, ki)
			packed = binary.AppendUvarint(packed, vi)
		}
		feat = appendBytesField(feat, featureTags, packed)
		feat = appendKey(feat, featureType, wireVarint)
		feat = binary.AppendUvarint(feat, geomPolygon)
		packed = appendGeometry(packed[:0], f.polys)
		feat = appendBytesField(feat, featureGeometry, packed)
		feats = appendBytesField(feats, layerFeatures, feat)
	}
	var head, tail []byte
	head = appendKey(head, layerVersion, wireVarint)
	head = binary.AppendUvarint(head, 2)
	head = appendBytesField(head, layerName, []byte(lt.layer))
	for _, k := range keyList {
		tail = appendBytesField(tail, layerKeys, []byte(k))
	}
	for _, v := range valueBytes {
		tail = appendBytesField(tail, layerValues, v)
	}
	tail = appendKey(tail, layerExtent, wireVarint)
	tail = binary.AppendUvarint(tail, Extent)
	n := len(head) + len(feats) + len(tail)
	out := make([]byte, 0, n+16)
	out = appendKey(out, tileLayers, wireBytes)
	out = binary.AppendUvarint(out, uint64(n))
	out = append(out, head...)
	out = append(out, feats...)
	return append(out, tail...)
}

// appendGeometry appends the packed command stream of polygons: per ring
// MoveTo, LineTo, ClosePath, with zigzag deltas.
func appendGeometry(b []byte, polys []ipoly) []byte {
	var cx, cy int32
	for _, p := range polys {
		for _, r := range p {
			b = binary.AppendUvarint(b, 1<<3|cmdMoveTo)
			b = binary.AppendUvarint(b, zigzag32(r[0].x-cx))
			b = binary.AppendUvarint(b, zigzag32(r[0].y-cy))
			cx, cy = r[0].x, r[0].y
			b = binary.AppendUvarint(b, uint64(len(r)-1)<<3|cmdLineTo)
			for _, q := range r[1:] {
				b = binary.AppendUvarint(b, zigzag32(q.x-cx))
				b = binary.AppendUvarint(b, zigzag32(q.y-cy))
				cx, cy = q.x, q.y
			}
			b = binary.AppendUvarint(b, 1<<3|cmdClosePath)
		}
	}
	return b
}

// encodeGeoJSON writes the tile as an RFC 7946 FeatureCollection in
// lon/lat: the same features, properties and (quantised) geometry as the
// MVT, each tile unit mapped to its centre, shells counter-clockwise.
// It returns nil for a tile without features.
func encodeGeoJSON(lt *layerTile) []byte {
	if len(lt.features) == 0 {
		return nil
	}
	t := lt.tile
	// Enough decimals to resolve a tenth of a tile unit.
	unitsPerDegree := float64(uint64(Extent)<<t.Z) / 360
	prec := max(1, int(math.Ceil(math.Log10(unitsPerDegree*10))))
	// Latitudes per row: rows repeat a lot; cache them.
	lats := map[int32]float64{}
	lat := func(y int32) float64 {
		if v, ok := lats[y]; ok {
			return v
		}
		v := t.Unproject(orb.Point{0, float64(y) + 0.5})[1]
		lats[y] = v
		return v
	}
	x0 := float64(t.X) * Extent
	n := float64(uint64(Extent) << t.Z)
	lon := func(x int32) float64 { return (x0+float64(x)+0.5)/n*360 - 180 }

	b := make([]byte, 0, 256*len(lt.features))
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i := range lt.features {
		f := &lt.features[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = strconv.AppendInt(b, f.id, 10)
		b = append(b, `,"properties":{`...)
		for j, p := range f.props {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p.key)
			b = append(b, ':')
			b = appendJSONValue(b, p.val)
		}
		b = append(b, `},"geometry":{"type":`...)
		multi := len(f.polys) > 1
		if multi {
			b = append(b, `"MultiPolygon","coordinates":[`...)
		} else {
			b = append(b, `"Polygon","coordinates":`...)
		}
		for k, p := range f.polys {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for ri, r := range p {
				if ri > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				// Tile units run y down: reversing makes shells
				// counter-clockwise in lon/lat, as RFC 7946 asks.
				for q := len(r); q >= 0; q-- {
					pt := r[q%len(r)]
					if q < len(r) {
						b = append(b, ',')
					}
					b = append(b, '[')
					b = strconv.AppendFloat(b, lon(pt.x), 'f', prec, 64)
					b = append(b, ',')
					b = strconv.AppendFloat(b, lat(pt.y), 'f', prec, 64)
					b = append(b, ']')
				}
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		if multi {
			b = append(b, ']')
		}
		b = append(b, `}}`...)
	}
	b = append(b, `]}`...)
	return b
}

func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendJSONString(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping what JSON needs
// and replacing invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
