package store

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
)

// Free attributes are kept in jsonb, which has one number type. To bring
// integers back as integers and reals as reals (an export → import → export
// must not turn a count of 3 into 3.0, nor an area of 12.0 into 12), a real
// is written with a decimal point ("12.0") and jsonb keeps the literal as
// written; reading, a number with a point or an exponent is a real (float64)
// and one without is an integer (int64).

// encodeAttributes returns attrs ready for a jsonb parameter: integral
// float64 values (at any depth) written as "N.0".
func encodeAttributes(attrs map[string]any) map[string]any {
	if attrs == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[k] = encodeAttribute(v)
	}
	return out
}

func encodeAttribute(v any) any {
	switch v := v.(type) {
	case nil, string, bool, json.Number, int, int64, int32, []byte:
		return v
	case float64:
		return realNumber(v)
	case float32:
		return realNumber(float64(v))
	case map[string]any:
		return encodeAttributes(v)
	}
	// Other maps and slices (e.g. map[string][]any, []int64): walk them.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[it.Key().String()] = encodeAttribute(it.Value().Interface())
		}
		return out
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return v
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = encodeAttribute(rv.Index(i).Interface())
		}
		return out
	}
	return v
}

// realNumber writes f as a JSON number that reads back as a real.
func realNumber(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil // JSON has no NaN or infinity
	}
	// Never an exponent: jsonb would keep "2e+06" as 2000000, an integer.
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !bytesContainsAny(s, ".") {
		s += ".0"
	}
	return json.Number(s)
}

func bytesContainsAny(s, chars string) bool { return bytes.ContainsAny([]byte(s), chars) }

// DecodeAttributes reads a JSON object of free attributes as the store
// keeps them: numbers written without a point or exponent are integers
// (int64), the others reals (float64). The API reads request bodies with
// it, so that an integer a client sends stays an integer.
func DecodeAttributes(raw []byte) (map[string]any, error) { return decodeAttributes(raw) }

// decodeAttributes reads a jsonb object of free attributes.
func decodeAttributes(raw []byte) (map[string]any, error) {
	attrs := map[string]any{}
	if len(raw) == 0 {
		return attrs, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&attrs); err != nil {
		return nil, err
	}
	if attrs == nil { // a JSON null
		attrs = map[string]any{}
	}
	for k, v := range attrs {
		attrs[k] = typedNumber(v)
	}
	return attrs, nil
}

// typedNumber turns json.Number into int64 or float64, at any depth.
func typedNumber(v any) any {
	switch v := v.(type) {
	case json.Number:
		s := string(v)
		if !bytesContainsAny(s, ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = typedNumber(x)
		}
	case []any:
		for i, x := range v {
			v[i] = typedNumber(x)
		}
	}
	return v
}
