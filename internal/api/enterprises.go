package api

// Enterprise figures per year (亩均论英雄, issue 18): reading them, and
// their import. The import has routes of its own rather than a target of
// POST /imports: that flow reads geometry files through GDAL into zone or
// layer features, while an enterprise table is a spreadsheet of rows with
// a year and a mapping of its own. It shares the rest: the upload's limits
// and scratch, the job (progress and preview at GET /imports/{id}, cancel
// at DELETE /imports/{id}) and the refusal that keeps the preview waiting.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"wanmu/internal/evaluation"
	"wanmu/internal/job"
	"wanmu/internal/problem"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

// enterpriseJobKind is the job kind of enterprise imports.
const enterpriseJobKind = "enterprises"

// Years an enterprise table may be of.
const (
	minEnterpriseYear = 2000
	maxEnterpriseYear = 2100
)

// enterpriseJSON is one enterprise-year as the API shows it.
type enterpriseJSON struct {
	ID int64 `json:"id"`
	evaluation.Enterprise
	Location   []float64         `json:"location"` // [lon, lat] or null
	Parcel     *geojson.Geometry `json:"parcel"`
	Placements []store.Placement `json:"placements"` // zones holding its land, shares of it
	SourceRow  int               `json:"source_row"`
	ImportID   string            `json:"import_id"`
	CreatedAt  time.Time         `json:"created_at"`
	CreatedBy  string            `json:"created_by"`
}

func toEnterpriseJSON(e store.EnterpriseRecord) enterpriseJSON {
	j := enterpriseJSON{ID: e.ID, Enterprise: e.Enterprise, Placements: e.Placements, SourceRow: e.SourceRow,
		ImportID: e.ImportID, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy}
	if e.Location != nil {
		j.Location = []float64{e.Location[0], e.Location[1]}
	}
	if len(e.Parcel) > 0 {
		j.Parcel = geojson.NewGeometry(e.Parcel)
	}
	if j.Placements == nil {
		j.Placements = []store.Placement{}
	}
	return j
}

// parseEnterpriseFilter reads ?year=&county=&zone=&platform=&limit=&after=;
// without a year, the newest year with figures.
func (s *Server) parseEnterpriseFilter(r *http.Request, unplaced bool) (store.EnterpriseFilter, error) {
	q := r.URL.Query()
	known := map[string]bool{"year": true, "county": true, "zone": true, "platform": true, "limit": true, "after": true, "scenario": true}
	if unplaced {
		delete(known, "zone")
		delete(known, "platform")
	}
	for k := range q {
		if !known[k] {
			names := "year, county, zone, platform, limit or after"
			if unplaced {
				names = "year, county, limit or after"
			}
			return store.EnterpriseFilter{}, problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: use %s", truncate(k, 40), names)
		}
	}
	f := store.EnterpriseFilter{Limit: DefaultZonePage, Unplaced: unplaced}
	if y := q.Get("year"); y != "" {
		n, err := parseYear(y)
		if err != nil {
			return f, err
		}
		f.Year = n
	} else {
		ys, err := s.store.EnterpriseYears(r.Context())
		if err != nil {
			return f, err
		}
		if len(ys) > 0 {
			f.Year = ys[0].Year
		}
	}
	if c := q.Get("county"); c != "" {
		if !validAdcode(c) {
			return f, problem.New(http.StatusBadRequest, "bad-parameter", "county must be a 6-digit code, not %q", truncate(c, 40))
		}
		if err := s.checkCountyParam(c); err != nil {
			return f, err
		}
		f.County = c
	}
	for name, dst := range map[string]*int64{"zone": &f.ZoneID, "platform": &f.PlatformID, "after": &f.After} {
		if v := q.Get(name); v != "" {
			id, err := ParseID(v)
			if err != nil {
				return f, problem.New(http.StatusBadRequest, "bad-parameter", "%s must be an id, not %q", name, truncate(v, 40))
			}
			*dst = id
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxZonePage {
			return f, problem.New(http.StatusBadRequest, "bad-parameter",
				"limit must be a whole number from 1 to %d; follow the next links for more", MaxZonePage)
		}
		f.Limit = n
	}
	return f, nil
}

func parseYear(y string) (int, error) {
	n, err := strconv.Atoi(y)
	if err != nil || n < minEnterpriseYear || n > maxEnterpriseYear || strconv.Itoa(n) != y {
		return 0, problem.New(http.StatusBadRequest, "bad-parameter", "year must be a year from %d to %d, not %q",
			minEnterpriseYear, maxEnterpriseYear, truncate(y, 20))
	}
	return n, nil
}

// listEnterprises answers a page of a year's enterprises by id, with a
// next link while there are more (GET /enterprises and /enterprises/unplaced).
func (s *Server) listEnterprises(unplaced bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := s.parseEnterpriseFilter(r, unplaced)
		if err != nil {
			return err
		}
		out := map[string]any{"year": f.Year, "enterprises": []enterpriseJSON{}, "next": nil}
		if f.Year == 0 {
			writeJSON(w, http.StatusOK, out)
			return nil
		}
		limit := f.Limit
		f.Limit++ // one more tells whether there is a next page
		es, err := s.store.ListEnterprises(r.Context(), f)
		if err != nil {
			return err
		}
		list := make([]enterpriseJSON, 0, min(len(es), limit))
		for i, e := range es {
			if i == limit {
				q := r.URL.Query()
				q.Set("year", strconv.Itoa(f.Year))
				q.Set("after", strconv.FormatInt(es[limit-1].ID, 10))
				q.Set("limit", strconv.Itoa(limit))
				out["next"] = r.URL.Path + "?" + q.Encode()
				break
			}
			list = append(list, toEnterpriseJSON(e))
		}
		out["enterprises"] = list
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// enterpriseYears lists the years with figures, newest first.
func (s *Server) enterpriseYears(w http.ResponseWriter, r *http.Request) error {
	ys, err := s.store.EnterpriseYears(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"years": ys})
	return nil
}

// enterpriseImportData is what an enterprise import keeps between preview
// and commit, on the instance that read the file.
type enterpriseImportData struct {
	preview *transfer.EnterprisePreview
	dir     string
}

func (d *enterpriseImportData) Close() error { return os.RemoveAll(d.dir) }

// startEnterpriseImport receives a table (multipart: file, and optionally
// encoding and crs) for ?year= and starts a job that reads and checks it;
// its result is the preview.
func (s *Server) startEnterpriseImport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "year" && k != "scenario" {
			return problem.New(http.StatusBadRequest, "unknown-parameter", "unknown query parameter %q: an enterprise import takes year", truncate(k, 40))
		}
	}
	if q.Get("year") == "" {
		return problem.New(http.StatusBadRequest, "bad-parameter", "year is required: the year the figures are of (?year=2024)")
	}
	year, err := parseYear(q.Get("year"))
	if err != nil {
		return err
	}
	up, err := s.receiveUpload(w, r, "the table (.xlsx or .csv)")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(up.dir)
		}
	}()
	for _, f := range []string{"layer", "kind", "gcj02", "source_layer"} {
		if _, ok := up.fields[f]; ok {
			return problem.New(http.StatusBadRequest, "bad-upload", "an enterprise import takes file, encoding and crs only, not %s", f)
		}
	}
	crs := up.fields["crs"]
	if n, ok := strings.CutPrefix(crs, "EPSG:"); ok && (n == "4490" || n == "4326") {
		crs = "" // lon/lat columns are read as they are
	}
	rid := problem.RequestID(r.Context())
	dir, path, enc := up.dir, up.path, up.fields["encoding"]
	j, err := s.jobs.Start(r.Context(), enterpriseJobKind, actorName(r.Context()), func(ctx context.Context, rep job.Reporter) (any, any, bool, error) {
		ctx = problem.ContextWithRequestID(ctx, rid)
		rep("read", 0, 0)
		p, err := s.transfer.InspectEnterprises(ctx, path, year, enc)
		if err == nil && crs != "" {
			m := p.Mapping
			m.CRS = crs
			err = p.Remap(ctx, m)
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, false, s.jobFailure(ctx, err)
		}
		return p, &enterpriseImportData{preview: p, dir: dir}, true, nil
	})
	if err != nil {
		return err
	}
	keep = true
	w.Header().Set("Location", "/api/v1/imports/"+j.ID)
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

type enterpriseCommitBody struct {
	Mapping *transfer.EnterpriseMapping `json:"mapping"`
	Reason  string                      `json:"reason"`
}

// enterpriseCommit is the request passed to the instance holding the
// import. Kind tells it apart from a zone import's commit, which a client
// might send to /imports/{id}/commit.
type enterpriseCommit struct {
	Kind      string                      `json:"kind"`
	ImportID  string                      `json:"import_id"`
	Mapping   *transfer.EnterpriseMapping `json:"mapping,omitempty"`
	Actor     string                      `json:"actor"`
	RequestID string                      `json:"request_id"`
}

func (s *Server) commitEnterpriseImport(w http.ResponseWriter, r *http.Request) error {
	id, err := importID(r)
	if err != nil {
		return err
	}
	var b enterpriseCommitBody
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := checkText("reason", b.Reason, 2000); err != nil {
		return err
	}
	owner := actorName(r.Context())
	j, err := s.jobs.Get(r.Context(), id, owner)
	if errors.Is(err, job.ErrNotFound) {
		return problem.New(http.StatusNotFound, "not-found", "import %s does not exist (or belongs to someone else, or expired)", id)
	}
	if err != nil {
		return err
	}
	if j.Kind != enterpriseJobKind {
		return problem.New(http.StatusConflict, "not-enterprise-import", "import %s is not an enterprise import: commit it at /api/v1/imports/%s/commit", id, id)
	}
	c := s.change(r, b.Reason)
	return s.continueJob(w, r, id, owner,
		enterpriseCommit{Kind: enterpriseJobKind, ImportID: id, Mapping: b.Mapping, Actor: c.Actor, RequestID: problem.RequestID(r.Context())})
}

// continueEnterpriseImport commits an enterprise import on the holder. A
// commit refused for the mapping or for rows with errors leaves the import
// waiting with its (remapped) preview, which lists the rows.
func (s *Server) continueEnterpriseImport(ctx context.Context, rep job.Reporter, data any, request json.RawMessage) (any, error) {
	var req enterpriseCommit
	err := json.Unmarshal(request, &req)
	ctx = problem.ContextWithRequestID(ctx, req.RequestID)
	if err != nil {
		return nil, s.jobFailure(ctx, fmt.Errorf("read the commit request: %w", err))
	}
	d, ok := data.(*enterpriseImportData)
	if !ok {
		return nil, s.jobFailure(ctx, fmt.Errorf("enterprise import data of type %T", data))
	}
	refuse := func(detail map[string]any, err error) error {
		return &job.Refused{Err: &job.Failure{Err: err, Detail: detail}, Result: d.preview}
	}
	if req.Kind != enterpriseJobKind {
		err := errors.New("an enterprise import is committed at /api/v1/enterprises/imports/{id}/commit")
		return nil, refuse(map[string]any{"code": "not-enterprise-commit", "detail": "企业数据的导入请在 /api/v1/enterprises/imports/{id}/commit 提交", "english": err.Error()}, err)
	}
	if req.Mapping != nil {
		if err := d.preview.Remap(ctx, *req.Mapping); err != nil {
			if ctx.Err() != nil {
				return nil, s.jobFailure(ctx, err)
			}
			return nil, refuse(map[string]any{"code": "invalid-field", "detail": "列映射有误：" + err.Error(), "english": "mapping: " + err.Error()}, err)
		}
	}
	rep("write", 0, 0)
	res, err := s.transfer.CommitEnterprises(ctx, d.preview, req.ImportID, req.Actor)
	var re *transfer.RowsError
	if errors.As(err, &re) {
		return nil, refuse(map[string]any{"code": "row-errors", "detail": re.Chinese(), "english": re.Error(), "row": re.First.Row}, err)
	}
	if err != nil && ctx.Err() == nil {
		return nil, &job.Refused{Err: s.jobFailure(ctx, err), Result: d.preview}
	}
	return res, s.jobFailure(ctx, err)
}
