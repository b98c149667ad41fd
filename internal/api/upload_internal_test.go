package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"wanmu/internal/transfer"
)

// FuzzReadUpload: whatever a client sends as an import's form, reading it
// never panics, keeps only known fields of bounded size and at most one
// file of bounded size, and refuses the rest with a client status (or 403
// for a constraint layer without an administrator) and a short message that
// names no server path.
func FuzzReadUpload(f *testing.F) {
	const b = "\r\n--B\r\n"
	for _, s := range []string{
		"--B\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\nzones" + b +
			"Content-Disposition: form-data; name=\"file\"; filename=\"a.geojson\"\r\n\r\n{}\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"crs\"\r\n\r\nEPSG:4528" + b + "Content-Disposition: form-data; name=\"crs\"\r\n\r\nEPSG:4528\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"layer\"\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\nzones\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\nconstraint:a\x00b\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x.zip\"\r\n\r\nPK\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"gcj02\"\r\n\r\n1\r\n--B",
		"preamble\r\n--B--\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	sc, err := transfer.OpenScratch(filepath.Join(f.TempDir(), "scratch"), transfer.ScratchOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { sc.Close() })
	s := &Server{transfer: &transfer.Service{Scratch: sc}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	path := regexp.MustCompile(`/tmp/|wanmu-uploads|wanmu-import-|SQLSTATE`)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/imports", strings.NewReader(string(body)))
		up := &upload{fields: map[string]string{}}
		err := s.readUpload(r, http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<20), "B", up)
		if up.dir != "" {
			defer os.RemoveAll(up.dir)
		}
		if err != nil {
			p := s.toProblem(r.Context(), err) // as writeProblem answers it
			if !slices.Contains([]int{400, 403, 413, 422}, p.Status) || len(p.Detail) > 400 || path.MatchString(p.Detail) {
				t.Fatalf("error %v: %d %s", err, p.Status, p.Detail)
			}
			return
		}
		for k, v := range up.fields {
			if !slices.Contains(uploadFields, k) || len(v) > MaxFieldBytes {
				t.Fatalf("kept field %q = %q", k, v)
			}
		}
		if up.path != "" {
			fi, err := os.Stat(up.path)
			if err != nil || fi.Size() == 0 || fi.Size() > MaxUploadBytes || filepath.Dir(up.path) != up.dir || filepath.Dir(up.dir) != sc.Dir() {
				t.Fatalf("upload %s: %v %v", up.path, fi, err)
			}
		}
	})
}

// TestDownloadCutShort: a download that fails after its first byte cuts
// the connection (the client must not take a short file for a whole one);
// one that fails before answers with a problem; headers go with the first
// byte.
func TestDownloadCutShort(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r := httptest.NewRequest("GET", "/api/v1/exports", nil)
	w := httptest.NewRecorder()
	boom := errors.New("disk read error")
	if err := s.stream(w, r, "区.zip", "application/zip", func(io.Writer) error { return boom }); err != boom || w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("failure before the first byte: %v, %d %q: want the error back and nothing sent", err, w.Code, w.Header())
	}
	w = httptest.NewRecorder()
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("failure after the first byte: recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		_ = s.stream(w, r, "区.zip", "application/zip", func(out io.Writer) error {
			if _, err := out.Write([]byte("PK")); err != nil {
				return err
			}
			if ct := w.Header().Get("Content-Disposition"); !strings.Contains(ct, "filename*=UTF-8''%E5%8C%BA.zip") {
				t.Errorf("headers with the first byte: Content-Disposition %q", ct)
			}
			return boom
		})
	}()
}
