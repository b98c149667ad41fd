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

// encodeValue renders a property value as JSON for the given field type.
func encodeValue(v any, t FieldType) ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	switch t {
	case FieldString:
		return json.Marshal(stringValue(v))
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
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case float32:
			f = float64(n)
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case int32:
			f = float64(n)
		case uint32:
			f = float64(n)
		case uint64:
			f = float64(n)
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return nil, err
			}
			f = x
		default:
			return nil, fmt.Errorf("%v 不是数值 / not a number", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return []byte("null"), nil
		}
		s := strconv.FormatFloat(f, 'f', -1, 64)
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
