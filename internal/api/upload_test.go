package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"wanmu/internal/api"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

// formPart is one part of a hand-made multipart form.
type formPart struct {
	name, filename string
	body           string
	header         string // extra header lines, each ending in \r\n
}

const testBoundary = "wanmu-test-boundary"

// multipartBody writes parts exactly as given (order, repeats, headers).
func multipartBody(parts []formPart) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		b.WriteString("--" + testBoundary + "\r\n")
		cd := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			cd += `; filename="` + p.filename + `"`
		}
		b.WriteString("Content-Disposition: " + cd + "\r\n" + p.header + "\r\n")
		b.WriteString(p.body + "\r\n")
	}
	b.WriteString("--" + testBoundary + "--\r\n")
	return b.Bytes()
}

// postForm posts a hand-made form to /api/v1/imports.
func (e *env) postForm(role string, body []byte) (int, []byte) {
	e.t.Helper()
	hr, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/imports", bytes.NewReader(body))
	hr.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	hr.Header.Set("Authorization", "Bearer "+e.tokens[role])
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// newScratchEnv is newEnv with the transfer service working in its own
// scratch directory under root.
func newScratchEnv(t *testing.T, root string, opts transfer.ScratchOptions) (*env, *transfer.Scratch) {
	t.Helper()
	sc, err := transfer.OpenScratch(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	svc := &transfer.Service{Scratch: sc}
	e := newEnv(t, api.Options{Transfer: svc})
	svc.Store, svc.Reports = e.st, e.st
	return e, sc
}

// uploads lists what is in the scratch besides its lock.
func uploads(t *testing.T, sc *transfer.Scratch) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(sc.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && p != sc.Dir() && filepath.Base(p) != "lock" {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// serverPath finds a server path or an SQLSTATE in an answer.
var serverPath = regexp.MustCompile(`/tmp/|/var/|wanmu-uploads|wanmu-import-|SQLSTATE|\([0-9A-Z]{5}\)`)

const oneZone = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}}]}`

// TestUploadDiskFull: a disk that fills during an upload is a 507 that
// names no server path (it was a 400 with the path), and the partial file
// is removed.
func TestUploadDiskFull(t *testing.T) {
	e, sc := newScratchEnv(t, filepath.Join(t.TempDir(), "scratch"), transfer.ScratchOptions{MinFree: math.MaxInt64})
	status, b := e.postUpload("editor", "zones.geojson", []byte(oneZone), nil)
	if status != http.StatusInsufficientStorage || !strings.Contains(string(b), "disk-full") {
		t.Fatalf("upload onto a full disk: %d %s, want 507 disk-full", status, b)
	}
	if serverPath.Match(b) || strings.Contains(string(b), sc.Dir()) {
		t.Errorf("the answer names a server path: %s", b)
	}
	if left := uploads(t, sc); len(left) > 0 {
		t.Errorf("the failed upload left %v", left)
	}
	if !strings.Contains(e.logs.String(), "no space left on device") {
		t.Errorf("the log does not keep the cause:\n%s", e.logs)
	}
}

// TestUploadLayerName: a constraint layer name with a control character
// (a NUL put a raw SQLSTATE in the job's error) or over 200 characters is a
// field error at the upload, before the file is stored or a job started.
func TestUploadLayerName(t *testing.T) {
	e, sc := newScratchEnv(t, filepath.Join(t.TempDir(), "scratch"), transfer.ScratchOptions{})
	for _, tc := range []struct{ layer, want string }{
		{"constraint:永久\x00基本农田", "control character (U+0000) at character 3"},
		{"constraint:农\r\n田", "control character (U+000D) at character 2"},
		{"constraint:" + strings.Repeat("田", 201), "201 characters long; at most 200"},
		{"constraint:\xff", "not valid UTF-8"},
		{"somewhere", "must be zones or constraint:NAME"},
	} {
		status, b := e.postForm("admin", multipartBody([]formPart{
			{name: "layer", body: tc.layer}, {name: "file", filename: "farm.geojson", body: oneZone}}))
		var p map[string]any
		_ = json.Unmarshal(b, &p)
		if status != http.StatusUnprocessableEntity || !strings.Contains(toJSON(p["errors"]), `"path":"layer"`) || !strings.Contains(string(b), tc.want) {
			t.Errorf("layer %q: %d %s; want 422 with a layer field error saying %q", tc.layer, status, b, tc.want)
		}
		if serverPath.Match(b) {
			t.Errorf("layer %q: the answer names a server path or SQLSTATE: %s", tc.layer, b)
		}
	}
	if left := uploads(t, sc); len(left) > 0 {
		t.Errorf("refused uploads left %v", left)
	}
	if ls, _ := e.st.ListLayers(t.Context()); len(ls) != 0 {
		t.Errorf("layers written: %v", ls)
	}
}

// TestUploadFormLimits: a form is a file and at most one of each known
// field; more parts, unknown or repeated fields, large part headers or
// field values are refused with 400/413 and a message saying what, and
// nothing is stored. A wrong field sent before the file is refused before
// the file is stored.
func TestUploadFormLimits(t *testing.T) {
	e, sc := newScratchEnv(t, filepath.Join(t.TempDir(), "scratch"), transfer.ScratchOptions{})
	file := formPart{name: "file", filename: "zones.geojson", body: oneZone}
	many := make([]formPart, 0, 5001)
	for i := range 5000 {
		many = append(many, formPart{name: fmt.Sprintf("f%d", i), body: "x"})
	}
	for _, tc := range []struct {
		name   string
		parts  []formPart
		status int
		want   string
	}{
		{"unknown field", []formPart{{name: "layers", body: "zones"}, file}, 400, `the form has a field \"layers\"`},
		{"thousands of fields", append(many, file), 400, `the form has a field \"f0\"`},
		{"repeated field", []formPart{{name: "crs", body: "EPSG:4528"}, {name: "crs", body: "EPSG:4528"}, file}, 400, "the field crs twice"},
		{"thousands of one field", append(slicesRepeat(formPart{name: "kind", body: "exclude"}, 3000), file), 400, "the field kind twice"},
		{"two files", []formPart{file, file}, 400, "one file per import"},
		{"huge part header", []formPart{{name: "crs", body: "EPSG:4528", header: "X-Padding: " + strings.Repeat("a", 20<<10) + "\r\n"}, file}, 413, "headers over 8 KiB"},
		{"many part headers", []formPart{{name: "crs", body: "EPSG:4528", header: strings.Repeat("X-A: b\r\n", 3000)}, file}, 413, "headers over 8 KiB"},
		{"long field", []formPart{{name: "layer", body: "constraint:" + strings.Repeat("a", 2000)}, file}, 413, "longer than 1024 bytes"},
		{"bad crs before the file", []formPart{{name: "crs", body: "EPSG:3857"}, file}, 422, "crs must be"},
		{"bad gcj02", []formPart{{name: "gcj02", body: "yes"}, file}, 422, "gcj02 must be true or false"},
		{"no file", []formPart{{name: "layer", body: "zones"}}, 400, "no file"},
		{"unnamed part", []formPart{{name: "", body: "x"}, file}, 400, `the form has a field \"\"`},
	} {
		status, b := e.postForm("admin", multipartBody(tc.parts))
		if status != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %.300s; want %d saying %q", tc.name, status, b, tc.status, tc.want)
		}
		if left := uploads(t, sc); len(left) > 0 {
			t.Errorf("%s: the refused upload left %v", tc.name, left)
		}
	}
	// The limits leave room for the form the page sends.
	status, b := e.postForm("editor", multipartBody([]formPart{{name: "layer", body: "zones"}, {name: "crs", body: ""},
		{name: "encoding", body: ""}, {name: "gcj02", body: "false"}, file}))
	if status != http.StatusAccepted {
		t.Fatalf("the page's form: %d %s", status, b)
	}
}

func slicesRepeat(p formPart, n int) []formPart {
	out := make([]formPart, n)
	for i := range out {
		out[i] = p
	}
	return out
}

// TestUploadGoesToScratch: the upload is stored in the process's scratch
// directory while its import waits, and removed when it is cancelled; a
// corrupt file's error names no server path.
func TestUploadGoesToScratch(t *testing.T) {
	requireGDAL(t)
	e, sc := newScratchEnv(t, filepath.Join(t.TempDir(), "scratch"), transfer.ScratchOptions{})
	j := e.upload("editor", "zones.geojson", []byte(oneZone), nil)
	if j["state"] != "waiting" {
		t.Fatalf("preview: %v", j)
	}
	left := uploads(t, sc)
	if len(left) != 2 || !strings.HasSuffix(left[1], "upload.geojson") {
		t.Errorf("scratch while the import waits: %v, want its directory with upload.geojson", left)
	}
	if c := e.do(req{method: "DELETE", path: "/api/v1/imports/" + j["id"].(string), role: "editor"}); c.status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", c.status, c.body)
	}
	if left := uploads(t, sc); len(left) != 0 {
		t.Errorf("the cancelled import left %v", left)
	}
	for name, body := range map[string]string{"broken.gpkg": "this is not a GeoPackage", "broken.zip": "PK\x03\x04 not really"} {
		bad := e.upload("editor", name, []byte(body), nil)
		if bad["state"] != "failed" || serverPath.MatchString(toJSON(bad["error"])) {
			t.Errorf("%s: %s; want a failure naming no server path", name, toJSON(bad))
		}
	}
	if left := uploads(t, sc); len(left) != 0 {
		t.Errorf("failed imports left %v", left)
	}
}

// TestImportImpossibleCoordinate: a 1e308 coordinate (an internal error
// before) fails the import naming the feature and the coordinate, and
// writes nothing.
func TestImportImpossibleCoordinate(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	file := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"名称":"甲"},"geometry":{"type":"Polygon","coordinates":[[[119.90,28.40],[119.91,28.40],[119.91,28.41],[119.90,28.40]]]}},
		{"type":"Feature","properties":{"名称":"乙"},"geometry":{"type":"Polygon","coordinates":[[[119.92,28.40],[1e308,28.40],[119.93,28.41],[119.92,28.40]]]}}]}`
	j := e.upload("editor", "zones.geojson", []byte(file), nil)
	e0, _ := j["error"].(map[string]any)
	if j["state"] != "failed" || e0["code"] != "bad_coordinate" || e0["feature"] != float64(2) ||
		!strings.Contains(toJSON(e0), "第 2 个要素第 1 个环第 2 个点的坐标 (1e+308, 28.4)") || !strings.Contains(toJSON(e0), "feature 2: the coordinate (1e+308, 28.4) at ring 1, point 2") {
		t.Fatalf("import with a 1e308 coordinate: %s", toJSON(j))
	}
	if zs, _ := e.st.ListZones(t.Context(), store.ZoneFilter{}); len(zs) != 0 {
		t.Errorf("%d zones written", len(zs))
	}
}

// TestExportStreams: an export is streamed to the client as it is copied
// from disk (no Content-Length, chunked), not assembled in memory first.
func TestExportStreams(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	for i := range 40 {
		g := square()
		for _, r := range g[0] {
			for k := range r {
				r[k][0] += float64(i) * 0.03
			}
		}
		if _, err := e.st.CreateZone(t.Context(), store.ZoneFields{Kind: ptr("park"), Name: ptr(fmt.Sprintf("园区%d", i)), CountyAdcode: ptr("331102"), Geom: g}, store.Change{}); err != nil {
			t.Fatal(err)
		}
	}
	hr, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/exports?layer=zones&format=geojson", nil)
	hr.Header.Set("Authorization", "Bearer "+e.tokens["viewer"])
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), "园区39") {
		t.Fatalf("export: %d %.200s", res.StatusCode, b)
	}
	if res.ContentLength != -1 || len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("export of %d bytes sent with Content-Length %d, %v: it was buffered, not streamed", len(b), res.ContentLength, res.TransferEncoding)
	}
	// The layer's own name, and an ASCII fallback for old clients.
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="wanmu_EPSG4490.geojson"`) ||
		!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("园区与乡镇工业功能区_EPSG4490.geojson")) {
		t.Errorf("Content-Disposition %q", cd)
	}
}

// TestPreviewAcrossBatches: a file of more features than one check batch
// (2,000) is checked whole, each feature under its own number: an invalid
// feature in the second batch is reported as itself.
func TestPreviewAcrossBatches(t *testing.T) {
	requireGDAL(t)
	e := newEnv(t, api.Options{})
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	const n, bowtie = 2500, 2345
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(",\n")
		}
		x, y := 119.5+float64(i%50)*0.002, 28.2+float64(i/50)*0.002
		ring := fmt.Sprintf("[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]", x, y, x+0.001, y, x+0.001, y+0.001, x, y+0.001, x, y)
		if i == bowtie { // self-intersecting
			ring = fmt.Sprintf("[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]", x, y, x+0.001, y+0.001, x+0.001, y, x, y+0.001, x, y)
		}
		fmt.Fprintf(&b, `{"type":"Feature","properties":{"名称":"地块%d"},"geometry":{"type":"Polygon","coordinates":[%s]}}`, i, ring)
	}
	b.WriteString("]}")
	j := e.upload("editor", "parcels.geojson", []byte(b.String()), nil)
	p, _ := j["result"].(map[string]any)
	if j["state"] != "waiting" || p["features"] != float64(n) {
		t.Fatalf("preview: %.500s", toJSON(j))
	}
	inv, _ := p["invalid"].([]any)
	if len(inv) != 1 || inv[0].(map[string]any)["index"] != float64(bowtie) || inv[0].(map[string]any)["name"] != fmt.Sprintf("地块%d", bowtie) {
		t.Errorf("invalid features: %s, want only feature %d", toJSON(inv), bowtie)
	}
}
