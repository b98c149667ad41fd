package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// featureSink receives decoded features one at a time; keys lists the
// property keys in the order they appear in the feature; hasZ says the
// geometry had elevations (non-zero z), which it no longer holds.
type featureSink func(geom orb.Geometry, props map[string]any, keys []string, hasZ bool) error

// decodeFeatureCollection streams a GeoJSON FeatureCollection (as GDAL
// writes it) feature by feature, so that a large file is never held whole
// in memory next to its decoded features.
func decodeFeatureCollection(r io.Reader, sink featureSink) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read GeoJSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("read GeoJSON: not an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read GeoJSON: %w", err)
		}
		key, _ := tok.(string)
		if key != "features" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fmt.Errorf("read GeoJSON member %q: %w", key, err)
			}
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return fmt.Errorf("read GeoJSON features: %w", err)
		} else if d, ok := tok.(json.Delim); !ok || d != '[' {
			return fmt.Errorf("read GeoJSON: features is not an array")
		}
		var raw json.RawMessage
		for n := 1; dec.More(); n++ {
			// The decoder frames and validates each feature; the fast
			// parser then reads it in one pass.
			raw = raw[:0]
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("read GeoJSON feature %d: %w", n, err)
			}
			geom, props, keys, hasZ, err := parseFeatureJSON(raw)
			if err != nil {
				return fmt.Errorf("read GeoJSON feature %d: %w", n, err)
			}
			if err := sink(geom, props, keys, hasZ); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("read GeoJSON features: %w", err)
		}
	}
	return nil
}

// plainValue turns json.Number into int64 or float64, recursively.
func plainValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		s := string(v)
		if !bytes.ContainsAny([]byte(s), ".eE") {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return s
		}
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = plainValue(x)
		}
	case []any:
		for i, x := range v {
			v[i] = plainValue(x)
		}
	}
	return v
}

// countingReader counts bytes read and reports them now and then.
type countingReader struct {
	r      io.Reader
	n      int64
	next   int64
	report func(n int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.report != nil && c.n >= c.next {
		c.report(c.n)
		c.next = c.n + 1<<20
	}
	return n, err
}
