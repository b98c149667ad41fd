package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/sample"
	"wanmu/internal/store"
	"wanmu/internal/synth"
)

// runGen writes or loads the seeded scale dataset of internal/synth: the
// sample's platforms and zones, a red line of a few hundred large polygons,
// the urban development boundary and --parcels farmland parcels.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	var seed uint64
	var parcels int
	var out string
	var load bool
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbFlags(fs, &c)
	fs.Uint64Var(&seed, "seed", synth.SampleSeed, "seed of the generator: the same seed always gives the same data")
	fs.IntVar(&parcels, "parcels", 200000, "number of 永久基本农田 parcels (200000 for a county, 1000000 for a province)")
	fs.StringVar(&out, "out", "", "write the dataset layout (platforms.json, zones.geojson, layers.json, layer-*.geojson) into this directory")
	fs.BoolVar(&load, "load", false, "load the dataset into the database (which must hold no zones yet)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: wanmu gen [--seed N] [--parcels N] (--out DIR | --load [--data DIR | --database-url URL])")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	case (out == "") == !load:
		return errors.New("give exactly one of --out DIR and --load")
	case parcels < 0 || parcels > 10_000_000:
		return errors.New("--parcels must be between 0 and 10000000")
	}
	start := time.Now()
	if out != "" {
		if err := writeScale(out, seed, parcels, stderr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote seed %d with %d parcels to %s in %s\n", seed, parcels, out, time.Since(start).Round(time.Millisecond))
		return nil
	}
	return loadScale(ctx, &c, seed, parcels, stdout, stderr)
}

// writeScale writes the layout of synth.Scale(seed, parcels) into dir,
// streaming the farmland layer so that a million parcels need not be held.
func writeScale(dir string, seed uint64, parcels int, stderr io.Writer) error {
	d := synth.Scale(seed, 0)
	// The layers' source names the number of parcels; Scale(seed, 0) says
	// 0. Should that text ever change shape, generate the whole dataset.
	streamed := true
	fix := func(ls []synth.Layer) {
		for i, l := range ls {
			if before, after, found := strings.Cut(l.Source, ", 0 parcels"); found {
				ls[i].Source = fmt.Sprintf("%s, %d parcels%s", before, parcels, after)
			} else {
				streamed = false
			}
		}
	}
	fix(d.Layers)
	fix(d.References)
	if !streamed {
		d = synth.Scale(seed, parcels)
	}
	if err := synth.WriteDir(dir, d); err != nil {
		return err
	}
	if !streamed {
		return nil
	}
	var file string
	for _, e := range synth.LayerFiles(d) {
		if e.Name == synth.LayerFarmland {
			file = filepath.Join(dir, e.File)
		}
	}
	if file == "" {
		return errors.New("the scale dataset has no farmland layer")
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr, synth.LayerFarmland)
	w := &countingWriter{w: f, bar: bar, total: int64(parcels)}
	err = synth.WriteLayerStream(w, seed, parcels)
	if err == nil {
		err = w.flush()
	}
	bar.set(w.total, w.total)
	bar.done()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// countingWriter advances a progress bar by the features written (one per
// line in synth's layout).
type countingWriter struct {
	w     io.Writer
	bar   *progressBar
	n     int64
	total int64
	buf   []byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	// Buffer to 1 MB: WriteLayerStream writes one feature per call.
	c.buf = append(c.buf, p...)
	for _, b := range p {
		if b == '\n' {
			c.n++
		}
	}
	if len(c.buf) >= 1<<20 {
		if err := c.flush(); err != nil {
			return 0, err
		}
		c.bar.set(min(c.n, c.total), c.total)
	}
	return len(p), nil
}

func (c *countingWriter) flush() error {
	_, err := c.w.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}

// loadScale generates the dataset and loads it in one transaction: the
// constraint and reference layers (with a progress bar), then the zones and
// platforms as sample.Load does.
func loadScale(ctx context.Context, c *config, seed uint64, parcels int, stdout, stderr io.Writer) error {
	return withStore(ctx, c, stderr, func(st *store.Store) error {
		zs, err := st.ListZones(ctx, store.ZoneFilter{Limit: 1, Retired: true})
		if err != nil {
			return err
		}
		if len(zs) > 0 {
			return errors.New("the database already holds zones: load the scale data into an empty installation (a new --data directory or database)")
		}
		start := time.Now()
		fmt.Fprintf(stderr, "generating seed %d with %d parcels…\n", seed, parcels)
		d := synth.Scale(seed, parcels)
		genTook := time.Since(start)
		loadStart := time.Now()
		var farmTook time.Duration
		err = st.InTx(ctx, func(tx *store.Store) error {
			for _, l := range append(append([]synth.Layer{}, d.Layers...), d.References...) {
				features, err := layerFeatures(l)
				if err != nil {
					return err
				}
				t0 := time.Now()
				bar := newProgressBar(stderr, l.Name)
				_, rep, err := tx.CreateLayer(ctx, store.Change{}, l.Name, l.Kind, l.Source, features, func(done, total int) {
					bar.set(int64(done), int64(total))
				})
				bar.done()
				if err != nil {
					return err
				}
				if l.Name == synth.LayerFarmland {
					farmTook = time.Since(t0)
				}
				if rep.Repaired > 0 {
					fmt.Fprintf(stderr, "%s: %d geometries repaired with ST_MakeValid\n", l.Name, rep.Repaired)
				}
				if len(rep.Empty) > 0 {
					fmt.Fprintf(stderr, "%s: %d features without area left out\n", l.Name, len(rep.Empty))
				}
			}
			fmt.Fprintf(stderr, "loading %d zones and %d platforms…\n", len(d.Zones.Features), len(d.Platforms))
			return sample.Load(ctx, tx, synth.Dataset{Platforms: d.Platforms, Zones: d.Zones})
		})
		if err != nil {
			return err
		}
		rate := float64(parcels) / max(farmTook.Seconds(), 1e-9)
		fmt.Fprintf(stdout, "loaded seed %d: %d parcels, %d zones, %d platforms (generated in %s, loaded in %s; farmland %s, %.0f parcels/s)\n",
			seed, parcels, len(d.Zones.Features), len(d.Platforms), genTook.Round(time.Millisecond),
			time.Since(loadStart).Round(time.Millisecond), farmTook.Round(time.Millisecond), rate)
		return nil
	})
}

// layerFeatures encodes a layer's features as WKB, releasing each GeoJSON
// feature once encoded so that a million parcels are not held twice.
func layerFeatures(l synth.Layer) ([]store.LayerFeature, error) {
	fs := l.Features.Features
	out := make([]store.LayerFeature, len(fs))
	for i, f := range fs {
		b, err := wkb.Marshal(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("layer %s feature %d: %w", l.Name, i, err)
		}
		out[i] = store.LayerFeature{Geom: b, Attributes: f.Properties}
		fs[i] = nil
	}
	l.Features.Features = nil
	return out, nil
}
