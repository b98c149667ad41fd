package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/exchange"
	"wanmu/internal/job"
	"wanmu/internal/problem"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

// MaxUploadBytes bounds an uploaded import file.
const MaxUploadBytes = 512 << 20

// Limits of an import's multipart form, besides MaxUploadBytes. The form
// holds one file and at most one of each uploadFields, so at most seven parts;
// anything else is refused, so that a client cannot make the server read
// thousands of parts or keep large part headers in memory.
const (
	// MaxPartHeaderBytes bounds the headers of one part (Go's multipart
	// reader would keep up to 10 MB of them).
	MaxPartHeaderBytes = 8 << 10
	// MaxFieldBytes bounds the value of one form field.
	MaxFieldBytes = 1 << 10
)

// uploadFields are the form fields an import takes besides file.
// source_layer names the file's layer to read (layer is the target).
var uploadFields = []string{"layer", "kind", "crs", "encoding", "gcj02", "source_layer"}

var (
	jobID     = regexp.MustCompile(`^[0-9a-f]{24}$`)
	uploadExt = regexp.MustCompile(`^\.[a-z0-9]{1,8}$`)
)

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

// upload is an import's multipart form as read so far.
type upload struct {
	fields map[string]string
	dir    string // the upload's own directory in the scratch
	path   string // the file, once written
}

// receiveUpload reads a multipart upload (what: the file's name for the
// messages, e.g. "the table") into its own scratch directory, which the
// caller then owns: it hands it to a job or removes it. Nothing is left
// behind when it fails.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, what string) (*upload, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, problem.New(http.StatusUnsupportedMediaType, "unsupported-media-type", "upload %s as multipart/form-data with a field named file", what)
	}
	if r.ContentLength > MaxUploadBytes+1<<20 {
		return nil, tooLarge("the upload")
	}
	up := &upload{fields: map[string]string{}}
	err := s.readUpload(r, http.MaxBytesReader(w, r.Body, MaxUploadBytes+1<<20), params["boundary"], up)
	if err == nil && up.path == "" {
		err = problem.New(http.StatusBadRequest, "bad-upload", "no file: send %s in a multipart field named file", what)
	}
	if err != nil {
		if up.dir != "" {
			os.RemoveAll(up.dir)
		}
		return nil, err
	}
	return up, nil
}

// startImport receives a multipart upload (file, layer, kind, crs, encoding,
// gcj02, source_layer) and starts a job that reads and checks it: the job's result is the
// preview; nothing is written until commit. Fields are checked as they
// arrive, so that a wrong field sent before the file (as the page sends
// them) is refused before the file is stored. The file streams to the
// scratch directory; a full disk is a 507 and no answer names a server path.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) error {
	up, err := s.receiveUpload(w, r, "the file")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(up.dir)
		}
	}()
	target, err := transfer.ParseTarget(orDefault(up.fields["layer"], "zones"), up.fields["kind"])
	if err != nil {
		return err
	}
	f := up.fields
	opts := exchange.ImportOptions{CRS: f["crs"], Encoding: f["encoding"], GCJ02: f["gcj02"] == "true" || f["gcj02"] == "1", TempDir: up.dir,
		SourceLayer: f["source_layer"], Zones: target.Zones}
	rid := problem.RequestID(r.Context())
	dir, path := up.dir, up.path
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

// readUpload reads the parts of an import's form into up: the file to the
// scratch, the fields checked as they come.
func (s *Server) readUpload(r *http.Request, body io.Reader, boundary string, up *upload) error {
	limit := &partHeaderLimit{r: body}
	mr := multipart.NewReader(limit, boundary)
	for {
		// The budget covers the headers and what the reader buffers ahead.
		limit.left = MaxPartHeaderBytes + 4096
		part, err := mr.NextPart()
		limit.left = -1
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if errors.Is(err, errPartHeaders) || errors.Is(err, multipart.ErrMessageTooLarge) {
				return problem.New(http.StatusRequestEntityTooLarge, "too-large",
					"a part of the upload has headers over %d KiB: send the file and the fields as a plain multipart/form-data form", MaxPartHeaderBytes>>10)
			}
			return uploadReadProblem(err)
		}
		name := part.FormName()
		switch {
		case name == "file":
			err = s.receiveFile(r, part, up)
		case slices.Contains(uploadFields, name):
			err = s.receiveField(r, name, part, up)
		default:
			err = problem.New(http.StatusBadRequest, "bad-upload", "the form has a field %q: an import takes file, layer, kind, crs, encoding, gcj02 and source_layer only",
				problem.Clip(name, 40))
		}
		part.Close()
		if err != nil {
			return err
		}
	}
}

// receiveFile streams the file part into its own directory of the scratch.
func (s *Server) receiveFile(r *http.Request, part *multipart.Part, up *upload) error {
	if up.path != "" {
		return problem.New(http.StatusBadRequest, "bad-upload", "send one file per import")
	}
	// The client's file name only lends its extension; the path is ours.
	ext := strings.ToLower(filepath.Ext(filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))))
	if !uploadExt.MatchString(ext) {
		return problem.New(http.StatusBadRequest, "bad-upload", "the file name %q has no usable extension (.zip .gpkg .kml .kmz .dxf .geojson .json .csv)", problem.Clip(part.FileName(), 80))
	}
	dir, err := s.transfer.Scratch.MkdirTemp("wanmu-import-")
	if err != nil {
		return s.serverFault(r.Context(), err)
	}
	up.dir, up.path = dir, filepath.Join(dir, "upload"+ext)
	n, err := s.transfer.Scratch.WriteFile(up.path, part, MaxUploadBytes)
	var re *transfer.ReadError
	switch {
	case errors.As(err, &re):
		return uploadReadProblem(re.Err)
	case err != nil:
		return s.serverFault(r.Context(), err)
	case n > MaxUploadBytes:
		return tooLarge("the file")
	case n == 0:
		return problem.New(http.StatusBadRequest, "bad-upload", "the file is empty")
	}
	return nil
}

// receiveField reads one form field and checks it.
func (s *Server) receiveField(r *http.Request, name string, part *multipart.Part, up *upload) error {
	if _, seen := up.fields[name]; seen {
		return problem.New(http.StatusBadRequest, "bad-upload", "the form has the field %s twice", name)
	}
	b, err := io.ReadAll(io.LimitReader(part, MaxFieldBytes+1))
	if err != nil {
		return uploadReadProblem(err)
	}
	if len(b) > MaxFieldBytes {
		return problem.New(http.StatusRequestEntityTooLarge, "too-large", "the field %s is longer than %d bytes", name, MaxFieldBytes)
	}
	v := strings.TrimSpace(string(b))
	up.fields[name] = v
	switch name {
	case "layer":
		t, err := transfer.ParseTarget(orDefault(v, "zones"), "")
		if err != nil {
			return err
		}
		if t.Zones {
			return nil
		}
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
			if l.Name == t.LayerName {
				return fieldProblem("layer", "a constraint layer named %q exists already; choose another name", t.LayerName)
			}
		}
	case "kind":
		if v != "" && !store.ValidLayerKind(v) {
			return fieldProblem("kind", "must be include, exclude, reference or vacant")
		}
	case "crs":
		if v != "" && !validCRS(v) {
			return fieldProblem("crs", "must be %s (or empty to read it from the file)", crsChoices)
		}
	case "encoding":
		if v != "" && v != "GBK" && v != "UTF-8" {
			return fieldProblem("encoding", "must be GBK or UTF-8 (or empty to detect it)")
		}
	case "gcj02":
		if v != "" && v != "true" && v != "false" && v != "1" && v != "0" {
			return fieldProblem("gcj02", "must be true or false")
		}
	case "source_layer":
		if msg := layerNameProblem(v); msg != "" {
			return fieldProblem("source_layer", "%s", msg)
		}
	}
	return nil
}

// layerNameProblem says what is wrong with a source_layer value, or "":
// a layer name is text, not control characters, of at most 200 characters.
func layerNameProblem(v string) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8"
	}
	if n := utf8.RuneCountInString(v); n > 200 {
		return fmt.Sprintf("is %d characters long; at most 200", n)
	}
	for i, r := range []rune(v) {
		if unicode.IsControl(r) {
			return fmt.Sprintf("has a control character (%U) at character %d", r, i+1)
		}
	}
	return ""
}

// serverFault answers a failure of the server's side in an upload or an
// import: a full disk is a 507, anything else a 500 logged with the request
// id; never the error's text, which names server paths. (problem.From
// would take ENOSPC, as any errno, for a database outage: a 503.)
func (s *Server) serverFault(ctx context.Context, err error) *problem.Problem {
	if !errors.Is(err, syscall.ENOSPC) {
		return s.toProblem(ctx, err)
	}
	rid := problem.RequestID(ctx)
	s.log.ErrorContext(ctx, "disk full", slog.String("request_id", rid), slog.Any("err", err))
	return problem.New(http.StatusInsufficientStorage, "disk-full",
		"the server's disk is full, so nothing was stored; tell the administrator (request id %s) and try again once space is freed", rid)
}

// uploadReadProblem is a failure to read the upload: the client's side.
func uploadReadProblem(err error) *problem.Problem {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge("the upload")
	}
	return problem.New(http.StatusBadRequest, "bad-upload", "could not read the upload (%q); send it again as multipart/form-data",
		problem.Clip(err.Error(), 100))
}

func tooLarge(what string) *problem.Problem {
	return problem.New(http.StatusRequestEntityTooLarge, "too-large", "%s is larger than %d MB", what, MaxUploadBytes>>20)
}

// errPartHeaders stops a multipart reader that reads too far for a part's
// headers.
var errPartHeaders = errors.New("part headers over the limit")

// partHeaderLimit lets the multipart reader under it read at most left
// bytes (< 0: any number) before it fails with errPartHeaders: set while
// the reader looks for the next part and reads its headers.
type partHeaderLimit struct {
	r    io.Reader
	left int64
}

func (l *partHeaderLimit) Read(p []byte) (int, error) {
	if l.left < 0 {
		return l.r.Read(p)
	}
	if l.left == 0 {
		return 0, errPartHeaders
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
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
		if xe.Layers != nil {
			d["layers"] = xe.Layers // to choose from: resend with source_layer
		}
		if feature == 0 {
			feature = xe.Feature // the file's feature the message names
		}
	} else {
		p := s.serverFault(ctx, cause)
		d = map[string]any{"code": p.Type, "detail": where + p.Detail, "errors": p.Errors}
	}
	if feature > 0 {
		d["feature"] = feature
	}
	return &job.Failure{Err: err, Detail: d}
}

// importID is the {id} of an import's route, checked.
func importID(r *http.Request) (string, error) {
	id := chi.URLParam(r, "id")
	if !jobID.MatchString(id) {
		return "", problem.New(http.StatusBadRequest, "bad-id", "%q is not an import id", truncate(id, 40))
	}
	return id, nil
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	id, err := importID(r)
	if err != nil {
		return err
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
	id, err := importID(r)
	if err != nil {
		return err
	}
	var b commitBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return err
	}
	c := s.change(r, b.Reason)
	return s.continueJob(w, r, id, actorName(r.Context()),
		importCommit{Mapping: b.Mapping, Reason: c.Reason, Actor: c.Actor, RequestID: problem.RequestID(r.Context())})
}

// continueJob hands a commit request to the import's holder and answers
// 202 with the job, or why it cannot be committed.
func (s *Server) continueJob(w http.ResponseWriter, r *http.Request, id, owner string, request any) error {
	j, err := s.jobs.Continue(r.Context(), id, owner, request)
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
	id, err := importID(r)
	if err != nil {
		return err
	}
	err = s.jobs.Cancel(r.Context(), id, actorName(r.Context()))
	if errors.Is(err, job.ErrNotFound) {
		return problem.New(http.StatusNotFound, "not-found", "import %s does not exist", id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// validCRS accepts "EPSG:n" for lon/lat (4490, 4326) and the CGCS2000
// 3-degree Gauss-Kruger zones (4513–4554: 丽水's are 4528 and 4549).
func validCRS(crs string) bool {
	n, ok := strings.CutPrefix(crs, "EPSG:")
	code, err := strconv.Atoi(n)
	return ok && err == nil && "EPSG:"+strconv.Itoa(code) == crs && exchange.ExportableEPSG(code)
}

// crsChoices names the CRSs validCRS accepts, for messages.
const crsChoices = "EPSG:4490, EPSG:4326 or a CGCS2000 3-degree Gauss-Kruger code (EPSG:4513–4554, such as EPSG:4528 or EPSG:4549)"

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
		return req, opts, problem.New(http.StatusBadRequest, "bad-parameter", "crs must be %s, not %q", crsChoices, truncate(opts.CRS, 40))
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
	d, err := s.transferIn(r).PrepareExport(r.Context(), req, opts)
	if err != nil {
		return err
	}
	return s.stream(w, r, d.Name, d.ContentType, d.Send)
}

func (s *Server) handover(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	// By default in the region's Gauss-Kruger zone with its prefix (丽水: EPSG:4528).
	def := fmt.Sprintf("EPSG:%d", exchange.DefaultProjectedEPSG(s.region))
	opts := exchange.HandoverOptions{CRS: orDefault(q.Get("crs"), def), Encoding: orDefault(q.Get("encoding"), "UTF-8"), Date: time.Now()}
	if !validCRS(opts.CRS) {
		return problem.New(http.StatusBadRequest, "bad-parameter", "crs must be %s", crsChoices)
	}
	if opts.Encoding != "UTF-8" && opts.Encoding != "GBK" {
		return problem.New(http.StatusBadRequest, "bad-parameter", "encoding must be UTF-8 or GBK")
	}
	release, err := s.exportTurn(r.Context())
	if err != nil {
		return err
	}
	defer release()
	name := "产业平台整合成果_" + time.Now().Format("20060102")
	if sid := scenarioOf(r); sid != store.Official {
		sc, err := s.store.GetScenario(r.Context(), sid)
		if err != nil {
			return err
		}
		name += "_方案_" + sc.Name // a draft's package says so by its name too
	}
	return s.stream(w, r, name+".zip", "application/zip",
		func(w io.Writer) error { return s.transferIn(r).Handover(r.Context(), w, opts) })
}

// stream answers with the file send writes, as it writes it: the file is
// made on disk first (exchange writes nothing until it succeeded) and then
// copied to the client, never held in memory. An error before the first
// byte is an ordinary problem answer; after it, the connection is cut, so
// that the client sees a broken download rather than a short file.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, name, ctype string, send func(io.Writer) error) error {
	d := &download{w: w, name: name, ctype: ctype}
	err := send(d)
	switch {
	case err == nil && !d.started:
		d.start() // an empty file
	case err != nil && d.started:
		s.log.WarnContext(r.Context(), "download cut short", "request_id", problem.RequestID(r.Context()), "file", name, "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// download sends a file's headers with its first byte.
type download struct {
	w           http.ResponseWriter
	name, ctype string
	started     bool
}

func (d *download) start() {
	d.started = true
	h := d.w.Header()
	h.Set("Content-Type", d.ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(d.name), url.PathEscape(d.name)))
	h.Set("Cache-Control", "no-store")
	d.w.WriteHeader(http.StatusOK)
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.start()
	}
	return d.w.Write(p)
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
	writeJSON(w, http.StatusOK, map[string]any{"formats": exchange.ListFormats(), "crs": exchange.ListCRS(s.region)})
	return nil
}

func asciiName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c < 0x80 && c != '"' && c != '\\' && c >= 0x20 {
			b.WriteRune(c)
		}
	}
	// 生态保护红线_EPSG4528.gpkg: clients that only read filename get
	// wanmu_EPSG4528.gpkg; the others read filename*.
	out := strings.TrimLeft(b.String(), "_ ")
	if out == "" || strings.HasPrefix(out, ".") || strings.HasPrefix(out, "EPSG") || strings.HasPrefix(out, "WGS84") {
		out = "wanmu_" + out
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
