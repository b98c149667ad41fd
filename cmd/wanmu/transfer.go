package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"wanmu/internal/exchange"
	"wanmu/internal/report"
	"wanmu/internal/store"
	"wanmu/internal/transfer"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var layer, sourceLayer, kind, crs, encoding, defaultKind, county, reason, regionFile string
	var gcj02, dryRun, repair bool
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.StringVar(&layer, "layer", "zones", "zones, or constraint:NAME for a new constraint layer")
	fs.StringVar(&sourceLayer, "source-layer", "", "the file's layer to read, when it has several (the error lists them)")
	fs.StringVar(&kind, "kind", "exclude", "kind of a new constraint layer: exclude, include, reference or vacant (闲置土地, never deducted)")
	fs.StringVar(&crs, "crs", "", "the file's CRS if it has none: EPSG:4528, EPSG:4549, EPSG:4490 or EPSG:4326")
	fs.StringVar(&encoding, "encoding", "", "text encoding of DBF/DXF/CSV: GBK or UTF-8 (default: detect)")
	fs.BoolVar(&gcj02, "gcj02", false, "coordinates are GCJ-02 (奥维, Amap): convert them")
	fs.StringVar(&defaultKind, "zone-kind", "", "kind of imported zones without one: park or township")
	fs.StringVar(&county, "county", "", "county adcode of imported zones without one (a county of the region)")
	regionFlag(fs, &regionFile)
	fs.BoolVar(&repair, "repair", false, "store ST_MakeValid's repair of invalid features instead of refusing the import")
	fs.BoolVar(&dryRun, "dry-run", false, "show the preview and write nothing")
	fs.StringVar(&reason, "reason", "", "why, for the history")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: wanmu import FILE --layer zones|constraint:NAME [--source-layer NAME] [--crs EPSG:…] [--encoding GBK|UTF-8] [--gcj02]")
	}
	file, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	target, err := transfer.ParseTarget(layer, kind)
	if err != nil {
		return err
	}
	rg, err := loadRegion(regionFile)
	if err != nil {
		return err
	}
	return withStore(ctx, &c, stderr, func(st *store.Store) error {
		svc, closeScratch, err := newTransfer(st, report.New(st), newLogger(stderr, slog.LevelWarn))
		if err != nil {
			return err
		}
		defer closeScratch()
		svc.Region = rg
		bar := stepProgress(stderr)
		p, err := svc.Inspect(ctx, file, target, exchange.ImportOptions{CRS: crs, Encoding: encoding, GCJ02: gcj02,
			SourceLayer: sourceLayer, Zones: target.Zones}, bar)
		if err != nil {
			printLayers(stderr, err)
			return err
		}
		fmt.Fprintf(stdout, "%s: %d features, %.2f mu (%.2f ha), CRS %s", filepath.Base(file), p.Features, p.TotalArea.Mu, p.TotalArea.Ha, p.SourceCRS)
		if p.CRSAssumed {
			fmt.Fprintf(stdout, " — assumed: %s", p.CRSNote)
		}
		fmt.Fprintln(stdout)
		for _, w := range p.Warnings {
			fmt.Fprintln(stdout, "  warning:", w)
		}
		for _, f := range p.Invalid {
			fmt.Fprintf(stdout, "  feature %d %s: invalid (%s); repair with ST_MakeValid → %.2f mu\n", f.Index, f.Name, f.Reason, f.RepairedAreaMu)
		}
		for _, f := range p.Overlaps {
			for _, o := range f.Overlaps {
				fmt.Fprintf(stdout, "  feature %d %s overlaps zone %d %s by %.2f mu\n", f.Index, f.Name, o.ZoneID, o.Name, o.AreaM2*0.0015)
			}
		}
		if target.Zones {
			m := p.Mapping
			if defaultKind != "" {
				m.DefaultKind = defaultKind
			}
			if county != "" {
				m.DefaultCounty = county
			}
			m.Repair = repair
			if err := p.Remap(m); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  mapping: name ← %q, kind ← %q (default %s), county ← %q (default %s)\n",
				m.NameField, m.KindField, m.DefaultKind, m.CountyField, orNone(m.DefaultCounty))
			for _, u := range p.Unplaced {
				fmt.Fprintf(stdout, "  feature %d: %s\n", u.Index, u.Reason)
			}
		}
		if dryRun {
			fmt.Fprintln(stdout, "dry run: nothing written")
			return nil
		}
		res, err := svc.Commit(ctx, p, store.Change{Actor: "cli:" + currentUser(), Reason: reason}, bar)
		if err != nil {
			return fmt.Errorf("nothing was written: %w", err)
		}
		fmt.Fprintf(stdout, "wrote %d features to %s (%d repaired)\n", res.Written, res.Target, res.Repaired)
		if len(res.Empty) > 0 {
			fmt.Fprintf(stdout, "left out %d features that enclose no area (even once repaired): %v\n", len(res.Empty), res.Empty)
		}
		return nil
	})
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var layer, format, crs, encoding, out string
	var handover bool
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.StringVar(&layer, "layer", "zones", "zones, platforms or layer-<id>")
	fs.StringVar(&format, "format", "gpkg", "geojson, shp, gpkg, filegdb, kml, kmz, dxf, csv or xlsx")
	fs.StringVar(&crs, "crs", "EPSG:4490", "EPSG:4490, EPSG:4326 or a CGCS2000 3-degree Gauss-Kruger code (丽水: EPSG:4549, or EPSG:4528 with the zone prefix)")
	fs.StringVar(&encoding, "encoding", "UTF-8", "Shapefile/CSV text encoding: UTF-8 or GBK")
	fs.BoolVar(&handover, "handover", false, "write the handover package for a land-use planner (zip)")
	fs.StringVar(&out, "out", "", "output file (default: the suggested name in the current directory)")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	return withStore(ctx, &c, stderr, func(st *store.Store) error {
		svc, closeScratch, err := newTransfer(st, report.New(st), newLogger(stderr, slog.LevelWarn))
		if err != nil {
			return err
		}
		defer closeScratch()
		var name string
		var send func(io.Writer) error
		if handover {
			name = "产业平台整合成果_" + time.Now().Format("20060102") + ".zip"
			bar := stepProgress(stderr)
			send = func(w io.Writer) error {
				return svc.Handover(ctx, w, exchange.HandoverOptions{CRS: crs, Encoding: encoding,
					Progress: func(d, t int64) { bar("export", d, t) }})
			}
		} else {
			d, err := svc.PrepareExport(ctx, transfer.ExportRequest{Layer: layer},
				exchange.ExportOptions{Format: format, CRS: crs, Encoding: encoding})
			if err != nil {
				return err
			}
			name, send = d.Name, d.Send
		}
		if out == "" {
			out = name
		}
		n, err := writeFileAtomically(out, send)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", out, n)
		return nil
	})
}

// scratchMinFree is the disk space uploads to a server leave free for the
// database (see transfer.ScratchOptions.MinFree).
const scratchMinFree = 1 << 30

// printLayers lists the file's layers when the error asks for one to be
// chosen, with what --source-layer takes.
func printLayers(w io.Writer, err error) {
	var xe *exchange.Error
	if !errors.As(err, &xe) || len(xe.Layers) == 0 {
		return
	}
	fmt.Fprintln(w, "layers in the file (choose one with --source-layer NAME):")
	for _, l := range xe.Layers {
		count := "? features"
		if l.Count >= 0 {
			count = fmt.Sprintf("%d features", l.Count)
		}
		fmt.Fprintf(w, "  %s	%s	%s	%s\n", l.Name, l.Geometry, count, orNone(l.CRS))
	}
}

// newTransfer is the import and export service of a process: its own
// scratch directory under transfer.DefaultScratchRoot, made at start, which
// removes what crashed processes left there. Call done at exit: it removes
// the directory.
func newTransfer(st *store.Store, reports transfer.Reports, log *slog.Logger) (svc *transfer.Service, done func(), err error) {
	sc, err := transfer.OpenScratch(transfer.DefaultScratchRoot(), transfer.ScratchOptions{MinFree: scratchMinFree, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return &transfer.Service{Store: st, Reports: reports, Scratch: sc}, func() {
		if err := sc.Close(); err != nil {
			log.Warn("removing the scratch directory", "err", err)
		}
	}, nil
}

// writeFileAtomically streams what send writes into a temporary file beside
// path and renames it to path once complete: no half-written file is ever
// left under the name, and the file is not held in memory.
func writeFileAtomically(path string, send func(io.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return 0, err
	}
	cw := &byteCounter{w: f}
	err = send(cw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	return cw.n, nil
}

// byteCounter counts the bytes written through it.
type byteCounter struct {
	w io.Writer
	n int64
}

func (c *byteCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
