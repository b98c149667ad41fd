// Package api is wanmu's HTTP interface: the REST API under /api/v1 (JSON and
// GeoJSON), problem+json errors, and the middleware every request passes
// through. It is the only package that knows HTTP status codes.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/auth"
	"wanmu/internal/change"
	"wanmu/internal/job"
	"wanmu/internal/policy"
	"wanmu/internal/problem"
	"wanmu/internal/region"
	"wanmu/internal/store"
	"wanmu/internal/symbology"
	"wanmu/internal/transfer"
)

// Limits on requests, documented in the README.
const (
	MaxBodyBytes  = 8 << 20 // JSON request bodies
	MaxNameLength = 200     // characters in a name
	MaxListIDs    = 1000    // ids in one request (merge, membership)
	// A zone list answers DefaultZonePage zones unless asked for up to
	// MaxZonePage; the next link continues.
	DefaultZonePage = 1000
	MaxZonePage     = 5000
)

// Reports computes (or returns cached) platform reports.
type Reports interface {
	Report(ctx context.Context, platformID int64) (store.Report, error)
}

// Options configure a Server.
type Options struct {
	Logger     *slog.Logger
	Reports    Reports // defaults to computing every report afresh
	PublicRead bool    // anonymous visitors may read
	TrustProxy bool    // believe X-Forwarded-Proto (for Secure cookies behind a TLS proxy)
	BasemapURL string  // optional basemap URL template for the map
	// Transfer imports and exports files; defaults to one over the store.
	Transfer *transfer.Service
	// AfterWrite, if set, runs after every successful write before the
	// response is sent: wanmu waits there until this instance's caches have
	// heard the change, so a client reading right after its own write never
	// sees a stale tile.
	AfterWrite func(ctx context.Context) error
	// Jobs runs imports in the background, shared with the other instances
	// on the database; defaults to a registry over st. New registers the
	// import commit on it.
	Jobs *job.Registry
	// Exports is how many exports (and handovers) run at once; the others
	// wait their turn. Each runs GDAL over the whole layer, read from the
	// database first, and streams the file it makes.
	// Zero means one per CPU.
	Exports int
	// Heavy is how many heavy requests (measure, previews, reports, zone
	// lists, OGC items) run at once; the others wait up to HeavyWait for a
	// turn, then get 503. Zero means two per CPU and 5 seconds.
	Heavy     int
	HeavyWait time.Duration
	// Bus, if set, carries credential revocations from every instance:
	// sessions and tokens are then checked in memory (see signin).
	Bus *change.Bus
	// Region is the city and its counties (internal/region); defaults to
	// 丽水. Zone and platform counties must be its counties.
	Region *region.Region
}

// Server serves the REST API.
type Server struct {
	store      *store.Store
	reports    Reports
	log        *slog.Logger
	publicRead bool
	trustProxy bool
	basemapURL string
	signin     *signin
	transfer   *transfer.Service
	jobs       *job.Registry
	afterWrite func(ctx context.Context) error
	exports    chan struct{} // a token per running export
	heavy      *gate
	region     *region.Region
	evals      evalCache // the latest enterprise evaluations (evaluation_results.go)
}

// New returns a Server over st.
func New(st *store.Store, opts Options) *Server {
	s := &Server{store: st, reports: opts.Reports, log: opts.Logger, publicRead: opts.PublicRead,
		trustProxy: opts.TrustProxy, basemapURL: opts.BasemapURL, signin: newSignin(opts.Bus),
		transfer: opts.Transfer, jobs: opts.Jobs, afterWrite: opts.AfterWrite, region: opts.Region}
	if s.region == nil {
		s.region = region.Default()
	}
	if opts.Exports <= 0 {
		opts.Exports = runtime.NumCPU()
	}
	s.exports = make(chan struct{}, opts.Exports)
	if opts.Heavy <= 0 {
		opts.Heavy = 2 * runtime.NumCPU()
	}
	if opts.HeavyWait <= 0 {
		opts.HeavyWait = 5 * time.Second
	}
	s.heavy = newGate(opts.Heavy, opts.HeavyWait, s.caller)
	if s.reports == nil {
		s.reports = st
	}
	if s.transfer == nil {
		s.transfer = &transfer.Service{Store: st, Reports: s.reports, Region: s.region}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.jobs == nil {
		s.jobs = job.New(st, job.Options{Logger: s.log})
	}
	s.jobs.RegisterContinuation("import", s.continueImport)
	s.jobs.RegisterContinuation(enterpriseJobKind, s.continueEnterpriseImport) // enterprises.go
	return s
}

// Heavy is the gate of the heavy requests, for routes mounted elsewhere
// (the OGC API's items) to share the API's turns.
func (s *Server) Heavy(next http.Handler) http.Handler { return s.heavy.Heavy(next) }

// Routes returns the /api/v1 routes (mount at /api/v1). Every route states
// the role it needs; the access test walks this tree, so a route without a
// rule fails it.
func (s *Server) Routes() chi.Router {
	r := chi.NewRouter()
	r.Use(s.Authenticate, s.scope) // scope: ?scenario= (scenarios.go)
	viewer, editor, admin := s.Require(auth.Viewer), s.Require(auth.Editor), s.Require(auth.Admin)
	heavy := s.heavy.Heavy
	zone, platform := s.inScope("zone"), s.inScope("platform") // the {id} is of the request's scenario

	r.Post("/auth/login", s.handle(s.login))
	r.Post("/auth/logout", s.handle(s.logout))
	r.Post("/auth/token", s.handle(s.issueToken))
	r.Get("/auth/me", s.handle(s.me))
	r.Get("/config", s.handle(s.config))

	r.With(viewer, heavy).Get("/zones", s.handle(s.listZones))
	r.With(viewer).Get("/zones/summary", s.handle(s.zoneSummary))
	r.With(viewer).Get("/zones/totals", s.handle(s.zoneTotals)) // count and area under the list's filters (zonetotals.go)
	r.With(editor).Post("/zones", s.handle(s.createZone))
	r.With(editor, heavy).Post("/zones/merge", s.handle(s.mergeZones))
	r.With(editor, heavy).Post("/zones/preview", s.handleRead(s.previewNewZone)) // a new zone's effect on its platform
	r.With(viewer, zone).Get("/zones/{id}", s.handle(s.getZone))
	r.With(editor, zone).Put("/zones/{id}", s.handle(s.putZone))
	r.With(editor, zone).Patch("/zones/{id}", s.handle(s.patchZone))
	r.With(editor, zone).Delete("/zones/{id}", s.handle(s.deleteZone))
	r.With(editor, zone).Post("/zones/{id}/split", s.handle(s.splitZone))
	r.With(viewer, zone).Get("/zones/{id}/history", s.handle(s.zoneHistory))
	r.With(viewer, zone, heavy).Get("/zones/{id}/developable", s.handle(s.zoneDevelopable))
	r.With(editor, zone, heavy).Post("/zones/{id}/preview", s.handleRead(s.previewZone)) // a draft geometry's figures
	r.With(editor, zone).Post("/zones/{id}/restore", s.handle(s.restoreZone))            // editors: undo of their own latest change

	r.With(viewer).Get("/platforms", s.handle(s.listPlatforms))
	r.With(editor).Post("/platforms", s.handle(s.createPlatform))
	r.With(viewer, platform).Get("/platforms/{id}", s.handle(s.getPlatform))
	r.With(editor, platform).Put("/platforms/{id}", s.handle(s.putPlatform))
	r.With(editor, platform).Patch("/platforms/{id}", s.handle(s.putPlatform))
	r.With(editor, platform).Delete("/platforms/{id}", s.handle(s.deletePlatform))
	r.With(editor, platform).Put("/platforms/{id}/members", s.handle(s.setMembers))
	r.With(viewer, platform, heavy).Get("/platforms/{id}/report", s.handle(s.report))
	r.With(viewer, platform, heavy).Get("/platforms/{id}/developable", s.handle(s.developable)) // the report's land as GeoJSON
	r.With(viewer, platform).Get("/platforms/{id}/history", s.handle(s.platformHistory))
	r.With(editor, platform).Post("/platforms/{id}/restore", s.handle(s.restorePlatform)) // editors: undo of their own latest change
	// 缺口补足建议 (shortfall.go); adding works in a plan only.
	r.With(viewer, platform, heavy).Get("/platforms/{id}/shortfall", s.handle(s.shortfall))
	r.With(editor, platform).Post("/platforms/{id}/shortfall/add", s.handle(s.shortfallAdd))

	r.With(viewer).Get("/scenarios", s.handle(s.listScenarios)) // consolidation plans (scenarios.go)
	r.With(editor, heavy).Post("/scenarios", s.handle(s.createScenario))
	r.With(viewer, heavy).Get("/scenarios/compare", s.handle(s.compareScenarios)) // side by side (compare.go)
	r.With(viewer, heavy).Get("/scenarios/compare.xlsx", s.handle(s.compareXLSX)) // the same as a workbook (compare_xlsx.go)
	r.With(viewer, heavy).Get("/scenarios/diff", s.handle(s.diffScenarios))       // what differs on the map (diff.go)
	r.With(viewer).Get("/scenarios/{id}", s.handle(s.getScenario))
	r.With(editor).Delete("/scenarios/{id}", s.handle(s.retireScenario))             // its author or an administrator
	r.With(admin, heavy).Post("/scenarios/{id}/adopt", s.handle(s.adoptScenario))    // the scenario becomes the official data
	r.With(editor, heavy).Post("/scenarios/{id}/rebase", s.handle(s.rebaseScenario)) // brought up to date with the official data

	r.With(editor).Get("/undo", s.handle(s.undoStacks)) // the caller's own undo and redo stacks
	r.With(editor).Post("/undo", s.handle(s.undo))
	r.With(editor).Post("/redo", s.handle(s.redo))

	r.With(viewer).Get("/layers", s.handle(s.listLayers))
	r.With(admin).Patch("/layers/{id}", s.handle(s.patchLayer))
	r.With(viewer, heavy).Post("/measure", s.handleRead(s.measure))
	r.With(viewer, heavy).Post("/measure/length", s.handleRead(s.measureLength)) // the measuring tool's distances

	r.With(editor, officialOnly, cityEditors).Post("/imports", s.handle(s.startImport))
	r.With(editor).Get("/imports/{id}", s.handle(s.getImport))
	r.With(editor, officialOnly, cityEditors).Post("/imports/{id}/commit", s.handle(s.commitImport))
	r.With(editor).Delete("/imports/{id}", s.handle(s.cancelImport))
	// Enterprise figures per year (enterprises.go); their imports are jobs read and cancelled at /imports/{id}.
	r.With(viewer, heavy).Get("/enterprises", s.handle(s.listEnterprises(false)))
	r.With(viewer).Get("/enterprises/years", s.handle(s.enterpriseYears))
	r.With(viewer, heavy).Get("/enterprises/unplaced", s.handle(s.listEnterprises(true)))
	r.With(editor, officialOnly, cityEditors).Post("/enterprises/imports", s.handle(s.startEnterpriseImport))
	r.With(editor, officialOnly, cityEditors).Post("/enterprises/imports/{id}/commit", s.handle(s.commitEnterpriseImport))
	// 亩均效益评价: the schemes administrators edit (evaluation.go) and the results (evaluation_results.go).
	r.With(viewer).Get("/evaluation/scheme", s.handle(s.getScheme(enterpriseScheme)))
	r.With(admin).Put("/evaluation/scheme", s.handle(s.putScheme(enterpriseScheme)))
	r.With(viewer).Get("/evaluation/assessment-scheme", s.handle(s.getScheme(assessmentScheme)))
	r.With(admin).Put("/evaluation/assessment-scheme", s.handle(s.putScheme(assessmentScheme)))
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation", s.handle(s.getEvaluation))
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation/platforms", s.handle(s.allPlatformIndicators))
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation/assessment", s.handle(s.getAssessment))
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation/assessment/years", s.handle(s.assessmentYears))
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation.xlsx", s.handle(s.evaluationXLSX))            // evaluation_xlsx.go
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation/assessment.xlsx", s.handle(s.assessmentXLSX)) // evaluation_xlsx.go
	r.With(viewer, officialEvaluation, heavy).Get("/evaluation/map", s.handle(s.evaluationMap))              // evaluation_map.go
	r.With(viewer, officialEvaluation, platform, heavy).Get("/platforms/{id}/indicators", s.handle(s.onePlatformIndicators))
	r.With(viewer).Get("/exports", s.handle(s.export))
	r.With(viewer).Get("/exports/handover", s.handle(s.handover))
	r.With(viewer).Get("/exports/formats", s.handle(s.formats))
	r.With(viewer).Get("/exports/qgis-project", s.handle(s.qgisProject)) // the layers for QGIS (qgisproject.go)
	r.With(viewer).Get("/exports/maplibre-style", s.handle(s.maplibreStyle))

	r.With(admin).Get("/users", s.handle(s.listUsers))
	r.With(admin).Post("/users", s.handle(s.createUser))
	r.With(admin).Patch("/users/{name}", s.handle(s.updateUser))
	r.With(admin).Get("/tokens", s.handle(s.listTokens))
	r.With(admin).Delete("/tokens/{id}", s.handle(s.revokeToken))
	r.With(admin).Put("/settings/basemap", s.handle(s.putBasemapSettings)) // the 天地图 key (basemap.go)

	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, problem.New(http.StatusNotFound, "not-found", "there is no API resource at %s", r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, problem.New(http.StatusMethodNotAllowed, "method-not-allowed", "%s is not allowed on %s", r.Method, r.URL.Path))
	})
	return r
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) error {
	// policy: the vocabulary the page shows and checks (internal/policy).
	cfg := map[string]any{"basemap_url": s.basemapURL, "public_read": s.publicRead, "policy": policy.ForPage(),
		"region":    s.region.ForPage(),  // the city and its counties (internal/region)
		"symbology": symbology.ForPage()} // the map's colours (internal/symbology)
	s.basemapConfig(r, cfg)
	s.sampleConfig(r, cfg)
	writeJSON(w, http.StatusOK, cfg)
	return nil
}

// handle adapts a handler that returns an error to http.HandlerFunc. After a
// successful write it runs afterWrite before the response leaves.
func (s *Server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return s.adapt(h, true)
}

// handleRead is handle for a POST that only reads (its body is a question,
// like a geometry to measure): there is no write to wait for. The map asks
// these several times a second while a shape is dragged.
func (s *Server) handleRead(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return s.adapt(h, false)
}

func (s *Server) adapt(h func(w http.ResponseWriter, r *http.Request) error, writes bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		write := writes && r.Method != http.MethodGet && r.Method != http.MethodHead
		if write && s.afterWrite != nil {
			buf := &bufferedResponse{header: http.Header{}}
			if err := h(buf, r); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			if buf.status < 400 {
				if err := s.afterWrite(r.Context()); err != nil {
					s.log.WarnContext(r.Context(), "waiting for the change bus", "err", err, "request_id", problem.RequestID(r.Context()))
				}
			}
			buf.flush(w)
			return
		}
		if err := h(w, r); err != nil {
			s.writeProblem(w, r, err)
		}
	}
}

// bufferedResponse holds a response until the write it reports is visible.
type bufferedResponse struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // names are data, never markup
	_ = enc.Encode(v)
}

func writeGeoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo is shared by the middleware of one request: the outer access
// log reads the user that the inner authentication sets.
type requestInfo struct {
	user *User
	// csrf is the session's CSRF token when the user signed in with a cookie;
	// empty for bearer tokens, which a browser never sends on its own.
	csrf   string
	cookie bool
}

func info(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

// withInfo returns r with a requestInfo the inner middleware fills in, or
// r itself when an outer one made it already.
func withInfo(r *http.Request) (*requestInfo, *http.Request) {
	if ri, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		return ri, r
	}
	ri := &requestInfo{}
	return ri, r.WithContext(context.WithValue(r.Context(), requestInfoKey, ri))
}
