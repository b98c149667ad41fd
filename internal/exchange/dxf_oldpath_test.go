package exchange

// The DXF export before dxf_export.go: ogr2ogr -f DXF, then this rewrite
// of its polylines. BenchmarkDXFExport measures the new writer against it.

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// closeDXFPolylines rewrites the LWPOLYLINEs GDAL wrote from closed rings
// (open, with the first vertex repeated at the end) as closed polylines
// (flag 70 = 1, no repeated vertex), which is what CAD users expect: AREA,
// HATCH and OFFSET treat them as closed boundaries.
func closeDXFPolylines(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	crlf := bytes.Contains(b, []byte("\r\n"))
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); {
		if i+1 < len(lines) && strings.TrimSpace(lines[i]) == "0" && strings.TrimSpace(lines[i+1]) == "LWPOLYLINE" {
			// Collect the entity up to the next group code 0.
			j := i + 2
			for j+1 < len(lines) && strings.TrimSpace(lines[j]) != "0" {
				j += 2
			}
			out = append(out, closeLWPolyline(lines[i:j])...)
			i = j
			continue
		}
		out = append(out, lines[i])
		i++
	}
	res := strings.Join(out, "\n")
	if crlf {
		res = strings.ReplaceAll(res, "\n", "\r\n")
	}
	return os.WriteFile(path, []byte(res), 0o600)
}

// closeLWPolyline closes one LWPOLYLINE entity given as code/value lines.
func closeLWPolyline(e []string) []string {
	type pair struct{ code, value string }
	var pairs []pair
	for k := 0; k+1 < len(e); k += 2 {
		pairs = append(pairs, pair{strings.TrimSpace(e[k]), e[k+1]})
	}
	var xs, ys []int // pair indexes of vertex coordinates
	flag, count := -1, -1
	for k, p := range pairs {
		switch p.code {
		case "10":
			xs = append(xs, k)
		case "20":
			ys = append(ys, k)
		case "70":
			flag = k
		case "90":
			count = k
		}
	}
	n := len(xs)
	if n < 4 || len(ys) != n || flag < 0 || count < 0 ||
		strings.TrimSpace(pairs[xs[0]].value) != strings.TrimSpace(pairs[xs[n-1]].value) ||
		strings.TrimSpace(pairs[ys[0]].value) != strings.TrimSpace(pairs[ys[n-1]].value) {
		return e
	}
	f, err := strconv.Atoi(strings.TrimSpace(pairs[flag].value))
	if err != nil {
		return e
	}
	pairs[flag].value = strconv.Itoa(f | 1)
	pairs[count].value = strconv.Itoa(n - 1)
	drop := map[int]bool{xs[n-1]: true, ys[n-1]: true}
	// A 30 (elevation) right after the last 20 belongs to the dropped vertex.
	if ys[n-1]+1 < len(pairs) && pairs[ys[n-1]+1].code == "30" {
		drop[ys[n-1]+1] = true
	}
	out := make([]string, 0, len(e))
	for k, p := range pairs {
		if drop[k] {
			continue
		}
		out = append(out, e[2*k], p.value)
	}
	return out
}
