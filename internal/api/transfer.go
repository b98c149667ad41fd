package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/exchange"
	"wanmu/internal/job"
	"wanmu/internal/problem"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

// MaxUploadBytes bounds an uploaded import file.
const MaxUploadBytes = 512 << 20

var jobID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// importData is what an import job keeps between preview and commit. It
// stays on the instance that read the file (the job's holder), which runs
// the commit wherever it was requested.
type importData struct {
	preview *transfer.Preview
	dir     string
}

// Close removes the upload; the job registry calls it when the import no
// longer needs its data (committed, cancelled, expired or lost).
func (d *importData) Close() error { return os.RemoveAll(d.dir) }

// startImport receives a multipart upload (file, layer, kind, crs, encoding,
// gcj02) and starts a job that reads and checks it: the job's result is the
// preview; nothing is written until commit.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return problem.New(http.StatusUnsupportedMediaType, "unsupported-media-type", "upload the file as multipart/form-data with a field named file")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return problem.New(http.StatusBadRequest, "bad-upload", "could not read the upload: %v", err)
	}
	dir, err := os.MkdirTemp("", "wanmu-import-")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	fields := map[string]string{}
	var path string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return problem.New(http.StatusRequestEntityTooLarge, "too-large", "the upload is larger than %d MB", MaxUploadBytes>>20)
			}
			return problem.New(http.StatusBadRequest, "bad-upload", "could not read the upload: %v", err)
		}
		if part.FormName() == "file" {
			if path != "" {
				return problem.New(http.StatusBadRequest, "bad-upload", "send one file per import")
			}
			// The client's file name only lends its extension; the path is ours.
			ext := strings.ToLower(filepath.Ext(filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))))
			if !regexp.MustCompile(`^\.[a-z0-9]{1,8}$`).MatchString(ext) {
				return problem.New(http.StatusBadRequest, "bad-upload", "the file name %q has no usable extension (.zip .gpkg .kml .kmz .dxf .geojson .json .csv)", truncate(part.FileName(), 80))
			}
			path = filepath.Join(dir, "upload"+ext)
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			n, err := io.Copy(f, io.LimitReader(part, MaxUploadBytes+1))
			f.Close()
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return problem.New(http.StatusRequestEntityTooLarge, "too-large", "the upload is larger than %d MB", MaxUploadBytes>>20)
				}
				return problem.New(http.StatusBadRequest, "bad-upload", "could not read the upload: %v", err)
			}
			if n > MaxUploadBytes {
				return problem.New(http.StatusRequestEntityTooLarge, "too-large", "the file is larger than %d MB", MaxUploadBytes>>20)
			}
			if n == 0 {
				return problem.New(http.StatusBadRequest, "bad-upload", "the file is empty")
			}
			continue
		}
		v, _ := io.ReadAll(io.LimitReader(part, 1024))
		fields[part.FormName()] = strings.TrimSpace(string(v))
	}
	if path == "" {
		return problem.New(http.StatusBadRequest, "bad-upload", "no file: send it in a multipart field named file")
	}
	target, err := transfer.ParseTarget(orDefault(fields["layer"], "zones"), fields["kind"])
	if err != nil {
		return fieldProblem("layer", "%v", err)
	}
	if !target.Zones {
		if err := requireAdminFor(r, "constraint layers"); err != nil {
			return err
		}
		// Said now rather than at the commit, after the planner has waited
		// for the preview (the commit still checks, for a layer made meanwhile).
		ls, err := s.store.ListLayers(r.Context())
		if err != nil {
			return err
		}
		for _, l := range ls {
			if l.Name == target.LayerName {
				return fieldProblem("layer", "a constraint layer named %q exists already; choose another name", target.LayerName)
			}
		}
	}
	opts := exchange.ImportOptions{CRS: fields["crs"], Encoding: fields["encoding"], GCJ02: fields["gcj02"] == "true" || fields["gcj02"] == "1", TempDir: dir}
	if opts.CRS != "" && !validCRS(opts.CRS) {
		return fieldProblem("crs", "must be EPSG:4490, EPSG:4326, EPSG:4528 or EPSG:4549 (or empty to read it from the file)")
	}
	if opts.Encoding != "" && opts.Encoding != "GBK" && opts.Encoding != "UTF-8" {
		return fieldProblem("encoding", "must be GBK or UTF-8 (or empty to detect it)")
	}
	rid := problem.RequestID(r.Context())
	j, err := s.jobs.Start(r.Context(), "import", actorName(r.Context()), func(ctx context.Context, rep job.Reporter) (any, any, bool, error) {
		ctx = problem.ContextWithRequestID(ctx, rid)
		p, err := s.transfer.Inspect(ctx, path, target, opts, rep)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, false, s.jobFailure(ctx, err)
		}
		return p, &importData{preview: p, dir: dir}, true, nil
	})
	if err != nil {
		return err
	}
	keep = true // the job has it now
	w.Header().Set("Location", "/api/v1/imports/"+j.ID)
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// jobFailure turns the error of a failing import step into what every
// instance shows for it: converted once, on the instance running the step.
func (s *Server) jobFailure(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err // cancelled: no error is shown
	}
	// Which feature of the file it was, when one was at fault: said once, in
	// front of what was wrong with it.
	cause, where, whereZH, feature := err, "", "", 0
	var fe *transfer.FeatureError
	if errors.As(err, &fe) {
		cause, where, whereZH, feature = fe.Err, fe.Where()+": ", fe.WhereZH()+"：", fe.Number
	}
	var d map[string]any
	var xe *exchange.Error
	if errors.As(cause, &xe) {
		d = map[string]any{"code": xe.Code, "detail": whereZH + xe.Message, "english": where + xe.English}
	} else {
		p := s.toProblem(ctx, cause)
		d = map[string]any{"code": p.Type, "detail": where + p.Detail, "errors": p.Errors}
	}
	if feature > 0 {
		d["feature"] = feature
	}
	return &job.Failure{Err: err, Detail: d}
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !jobID.MatchString(id) {
		return problem.New(http.StatusBadRequest, "bad-id", "%q is not an import id", truncate(id, 40))
	}
	j, err := s.jobs.Get(r.Context(), id, actorName(r.Context()))
	if errors.Is(err, job.ErrNotFound) {
		return problem.New(http.StatusNotFound, "not-found", "import %s does not exist (or belongs to someone else, or expired after an hour)", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

type commitBody struct {
	Mapping *transfer.Mapping `json:"mapping"`
	Reason  string            `json:"reason"`
}

// importCommit is the request of an import's commit, passed as JSON to the
// instance holding the import, whichever instance received it.
type importCommit struct {
	Mapping   *transfer.Mapping `json:"mapping,omitempty"`
	Reason    string            `json:"reason"`
	Actor     string            `json:"actor"` // the revision's "who"
	RequestID string            `json:"request_id"`
}

func (s *Server) commitImport(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !jobID.MatchString(id) {
		return problem.New(http.StatusBadRequest, "bad-id", "%q is not an import id", truncate(id, 40))
	}
	var b commitBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return err
	}
	c := s.change(r, b.Reason)
	j, err := s.jobs.Continue(r.Context(), id, actorName(r.Context()),
		importCommit{Mapping: b.Mapping, Reason: c.Reason, Actor: c.Actor, RequestID: problem.RequestID(r.Context())})
	if errors.Is(err, job.ErrNotFound) {
		return problem.New(http.StatusNotFound, "not-found", "import %s does not exist (or belongs to someone else, or expired)", id)
	}
	if errors.Is(err, job.ErrNotWaiting) {
		return problem.New(http.StatusConflict, "not-waiting", "%v: an import is committed once, after its preview", err)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// continueImport commits an import: the continuation of "import" jobs, run
// by the instance holding the preview with the request of commitImport.
func (s *Server) continueImport(ctx context.Context, rep job.Reporter, data any, request json.RawMessage) (any, error) {
	var req importCommit
	err := json.Unmarshal(request, &req)
	ctx = problem.ContextWithRequestID(ctx, req.RequestID)
	if err != nil {
		return nil, s.jobFailure(ctx, fmt.Errorf("read the commit request: %w", err))
	}
	d, ok := data.(*importData)
	if !ok {
		return nil, s.jobFailure(ctx, fmt.Errorf("import data of type %T", data))
	}
	// A commit refused for what the planner can change (the mapping, the
	// repair) or retry leaves the import waiting with its preview, so that
	// they need not upload the file again; the commit wrote nothing.
	refuse := func(err error) error {
		return &job.Refused{Err: s.jobFailure(ctx, err), Result: d.preview}
	}
	if req.Mapping != nil {
		if err := d.preview.Remap(*req.Mapping); err != nil {
			return nil, refuse(fieldProblem("mapping", "%v", err))
		}
	}
	res, err := s.transfer.Commit(ctx, d.preview, store.Change{Actor: req.Actor, Reason: req.Reason}, rep)
	if err != nil && ctx.Err() == nil {
		return nil, refuse(err)
	}
	return res, s.jobFailure(ctx, err)
}

func (s *Server) cancelImport(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !jobID.MatchString(id) {
		return problem.New(http.StatusBadRequest, "bad-id", "%q is not an import id", truncate(id, 40))
	}
	err := s.jobs.Cancel(r.Context(), id, actorName(r.Context()))
	if errors.Is(err, job.ErrNotFound) {
		return problem.New(http.StatusNotFound, "not-found", "import %s does not exist", id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func validCRS(crs string) bool {
	switch crs {
	case exchange.CRS4490, "EPSG:4326", "EPSG:4528", "EPSG:4549":
		return true
	}
	return false
}

// ParseExportQuery reads the export parameters.
func ParseExportQuery(q url.Values) (transfer.ExportRequest, exchange.ExportOptions, error) {
	var req transfer.ExportRequest
	var opts exchange.ExportOptions
	known := map[string]bool{"layer": true, "format": true, "crs": true, "encoding": true, "ids": true}
	for k := range q {
		if !known[k] {
			return req, opts, problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: use layer, format, crs, encoding, ids", truncate(k, 40))
		}
	}
	req.Layer = orDefault(q.Get("layer"), "zones")
	if req.Layer != "zones" && req.Layer != "platforms" && !regexp.MustCompile(`^layer-[1-9][0-9]{0,17}$`).MatchString(req.Layer) {
		return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "layer must be zones, platforms or layer-<id>, not %q", truncate(req.Layer, 40))
	}
	opts.Format = orDefault(q.Get("format"), exchange.FormatGeoJSON)
	ok := false
	for _, f := range exchange.ListFormats() {
		if f.ID == opts.Format && f.Export {
			ok = true
		}
	}
	if !ok {
		return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "format %q is not an export format: use geojson, shp, gpkg, filegdb, kml, kmz, dxf, csv or xlsx", truncate(opts.Format, 40))
	}
	opts.CRS = orDefault(q.Get("crs"), exchange.CRS4490)
	if !validCRS(opts.CRS) {
		return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "crs must be EPSG:4490, EPSG:4326, EPSG:4549 or EPSG:4528, not %q", truncate(opts.CRS, 40))
	}
	opts.Encoding = orDefault(q.Get("encoding"), "UTF-8")
	if opts.Encoding != "UTF-8" && opts.Encoding != "GBK" {
		return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "encoding must be UTF-8 or GBK")
	}
	if ids := q.Get("ids"); ids != "" {
		parts := strings.Split(ids, ",")
		if len(parts) > MaxListIDs {
			return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "at most %d ids", MaxListIDs)
		}
		for _, p := range parts {
			id, err := ParseID(strings.TrimSpace(p))
			if err != nil {
				return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "ids must be a comma-separated list of ids, %q is not one", truncate(p, 20))
			}
			req.IDs = append(req.IDs, id)
		}
	}
	return req, opts, nil
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	req, opts, err := ParseExportQuery(r.URL.Query())
	if err != nil {
		return err
	}
	release, err := s.exportTurn(r.Context())
	if err != nil {
		return err
	}
	defer release()
	var buf bytes.Buffer // whole file first: a failed export must not send half a file
	name, ctype, err := s.transfer.Export(r.Context(), &buf, req, opts)
	if err != nil {
		return err
	}
	sendFile(w, name, ctype, buf.Bytes())
	return nil
}

func (s *Server) handover(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opts := exchange.HandoverOptions{CRS: orDefault(q.Get("crs"), "EPSG:4528"), Encoding: orDefault(q.Get("encoding"), "UTF-8"), Date: time.Now()}
	if !validCRS(opts.CRS) {
		return problem.New(http.StatusBadRequest, "bad-parameter", "crs must be EPSG:4490, EPSG:4326, EPSG:4549 or EPSG:4528")
	}
	if opts.Encoding != "UTF-8" && opts.Encoding != "GBK" {
		return problem.New(http.StatusBadRequest, "bad-parameter", "encoding must be UTF-8 or GBK")
	}
	release, err := s.exportTurn(r.Context())
	if err != nil {
		return err
	}
	defer release()
	var buf bytes.Buffer
	if err := s.transfer.Handover(r.Context(), &buf, opts); err != nil {
		return err
	}
	sendFile(w, "产业平台整合成果_"+time.Now().Format("20060102")+".zip", "application/zip", buf.Bytes())
	return nil
}

// exportTurn waits until fewer than Options.Exports exports run, or until
// the client gives up, so that many at once (anonymous ones too, with public
// read) cannot exhaust the server's memory and CPU. release ends the turn.
func (s *Server) exportTurn(ctx context.Context) (release func(), err error) {
	select {
	case s.exports <- struct{}{}:
		return func() { <-s.exports }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Server) formats(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"formats": exchange.ListFormats(), "crs": exchange.ListCRS()})
	return nil
}

func sendFile(w http.ResponseWriter, name, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
		asciiName(name), url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func asciiName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c < 0x80 && c != '"' && c != '\\' && c >= 0x20 {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
