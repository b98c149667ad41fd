package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"

	"wanmu/internal/api"
	"wanmu/internal/auth"
	"wanmu/internal/change"
	"wanmu/internal/job"
	"wanmu/internal/ogc"
	"wanmu/internal/region"
	"wanmu/internal/report"
	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/tiles"
	"wanmu/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr, slog.LevelInfo)
	rg, err := loadRegion(c.Region)
	if err != nil {
		return err
	}
	if c.MemoryMB > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(c.MemoryMB) << 20)
	}
	db, err := openDatabase(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.close()
	// While the database does not answer, the watcher cuts the pool's
	// connections and requests get 503 at once; the embedded cluster
	// restarts itself after a crash. Serving goes on through both.
	db.watch.Start(db.pool)
	st := store.New(db.pool)
	if !c.NoSample && rg.Adcode != region.Default().Adcode {
		log.Info("no sample data: it is 丽水's, and the region is " + rg.Name)
	} else if !c.NoSample {
		loaded, err := sample.LoadOnce(ctx, st, log)
		if err != nil {
			return fmt.Errorf("load sample data: %w", err)
		}
		if loaded {
			log.Info("sample data of 丽水 loaded (示例数据, illustrative, not surveyed)")
		}
	}
	if err := checkStoredCounties(ctx, st, rg, stderr, log); err != nil {
		return err
	}
	if err := ensureAdmin(ctx, st, c.DataDir, stdout, log); err != nil {
		return fmt.Errorf("first administrator: %w", err)
	}
	reports := report.New(st)
	// The change bus tells this instance's caches about every committed
	// change, made here or by another instance sharing the database.
	bus := &change.Bus{}
	busCtx, stopBus := context.WithCancel(context.Background())
	defer stopBus()
	go func() {
		if err := bus.Listen(busCtx, db.pool, log); err != nil && busCtx.Err() == nil {
			log.Error("change bus stopped", "err", err)
		}
	}()
	tileHandler := tiles.NewHandler(report.TileSource{Store: st, Reports: reports},
		tiles.Options{Bus: bus, CacheMB: c.TileCacheMB, TrustProxy: c.TrustProxy, Logger: log})
	defer tileHandler.Close()
	// Uploads live in this process's own scratch directory; what crashed
	// processes left there is removed now.
	xfer, closeScratch, err := newTransfer(st, reports, log)
	if err != nil {
		return err
	}
	defer closeScratch()
	xfer.Region = rg
	// Imports are jobs shared through the database: any instance shows,
	// commits or cancels them; the one that read the file does the work.
	// Closed after the HTTP server: its jobs then fail ("upload it again").
	jobs := job.New(st, job.Options{Logger: log})
	defer jobs.Close()
	apiServer := api.New(st, api.Options{Logger: log, Reports: reports, Transfer: xfer, Jobs: jobs,
		AfterWrite: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			return bus.Sync(ctx, db.pool)
		}, Bus: bus, PublicRead: c.PublicRead, TrustProxy: c.TrustProxy, BasemapURL: c.BasemapURL, Region: rg})

	r := chi.NewRouter()
	r.Use(api.Middleware(log)...)
	r.Get("/healthz", api.Health(db.watch, db.pool))
	r.With(db.watch.Gate).Mount("/api/v1", apiServer.Routes())
	r.With(db.watch.Gate, apiServer.Authenticate, apiServer.Require(auth.Viewer)).Mount("/tiles", tileHandler.Routes())
	// QGIS and other clients edit the zones through the OGC API (Part 4)
	// with the REST API's own handlers.
	ow := apiServer.OGCWrites()
	ogcHandler := ogc.New(st, ogc.Options{Reports: reports, TrustProxy: c.TrustProxy, Logger: log, GKZones: rg.Zones(), City: rg.ShortName(),
		Writes: &ogc.Writes{Create: ow.Create, Replace: ow.Replace, Update: ow.Update, Delete: ow.Delete, UpdatePlatform: ow.UpdatePlatform, CanEdit: ow.CanEdit}})
	r.With(db.watch.Gate, apiServer.Authenticate, apiServer.Require(auth.Viewer), apiServer.Heavy).Mount("/ogc", ogcHandler.Routes())
	r.Handle("/*", web.Handler())

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(stdout, "wanmu is serving the map at http://%s\n", displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case serveErr = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && (tcp.IP.IsLoopback() || tcp.IP.IsUnspecified()) {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}
