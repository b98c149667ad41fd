package exchange

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// stringValue renders a property value as text.
func stringValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "是"
		}
		return "否"
	case time.Time:
		return v.Format("2006-01-02")
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// encodeValue renders a property value as JSON for field fd: integers as
// integers, reals rounded to the field's Precision.
func encodeValue(v any, fd Field) ([]byte, error) {
	t := fd.Type
	if v == nil {
		return []byte("null"), nil
	}
	switch t {
	case FieldString:
		return json.Marshal(stringValue(v))
	case FieldBoolean:
		if b, ok := v.(bool); ok {
			return json.Marshal(b)
		}
	case FieldDate:
		switch d := v.(type) {
		case time.Time:
			return json.Marshal(d.Format("2006-01-02"))
		case string:
			if d == "" {
				return []byte("null"), nil
			}
			if _, err := time.Parse("2006-01-02", d); err != nil {
				return nil, fmt.Errorf("%q 不是 YYYY-MM-DD 日期 / not a YYYY-MM-DD date", d)
			}
			return json.Marshal(d)
		}
	case FieldInteger:
		switch n := v.(type) {
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			return []byte(fmt.Sprint(n)), nil
		case bool:
			if n {
				return []byte("1"), nil
			}
			return []byte("0"), nil
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return []byte(strconv.FormatFloat(n, 'f', 0, 64)), nil
			}
		case json.Number:
			if _, err := n.Int64(); err == nil {
				return []byte(n), nil
			}
		}
	case FieldReal:
		f, ok := toFloat64(v)
		if !ok {
			return nil, fmt.Errorf("%v 不是数值 / not a number", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []byte("null"), nil
		}
		s := strconv.FormatFloat(roundTo(f, fd.Precision), 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%v 不是 %s 类型 / is not of type %s", v, t, t)
}

// truncateBytes cuts s to at most n bytes in the target encoding, at a
// character boundary.
func truncateBytes(s string, n int, enc string) string {
	size := func(r rune) int {
		if enc == EncodingGBK {
			if r < 0x80 {
				return 1
			}
			return 2
		}
		return utf8.RuneLen(r)
	}
	total := 0
	for i, r := range s {
		total += size(r)
		if total > n {
			return s[:i]
		}
	}
	return s
}

// firstNonGBK returns the first character of s that GBK cannot encode.
func firstNonGBK(s string) string {
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			return string(r)
		}
	}
	return ""
}

// toFloat64 reads any Go number (and json.Number) as a float64.
func toFloat64(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		x, _ := toInt64(n)
		return float64(x), true
	case json.Number:
		x, err := n.Float64()
		return x, err == nil
	}
	return 0, false
}

// toInt64 reads an integer of any Go type (and an integral json.Number).
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case json.Number:
		x, err := n.Int64()
		return x, err == nil
	}
	return 0, false
}

// roundTo rounds x to p decimals (p <= 0: unchanged). The result is the
// double nearest the decimal, so that it prints as that decimal.
func roundTo(x float64, p int) float64 {
	if p <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	s := strconv.FormatFloat(x, 'f', p, 64) // correctly rounded, unlike x*10^p
	r, _ := strconv.ParseFloat(s, 64)
	return r
}

// textValue renders a value as text for formats without types (KML), reals
// rounded to the field's Precision.
func textValue(v any, fd Field) string {
	if fd.Type == FieldReal && fd.Precision > 0 {
		if x, ok := toFloat64(v); ok {
			return strconv.FormatFloat(roundTo(x, fd.Precision), 'f', -1, 64)
		}
	}
	return stringValue(v)
}
