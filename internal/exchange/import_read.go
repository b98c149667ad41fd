package exchange

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/paulmach/orb"
)

// readLayers converts the chosen layers and fills ds.
func (im *importer) readLayers(ctx context.Context, layers []selected) error {
	ds, o, tmp, prog := im.ds, im.o, im.tmp, im.prog
	fieldSeen := map[string]bool{}
	var plans []crsPlan
	var starts []int
	for i, l := range layers {
		plan, err := planCRS(l, o, ds)
		if err != nil {
			return err
		}
		plans = append(plans, plan)
		starts = append(starts, len(ds.Features))
		from := 50 + 900*float64(i)/float64(len(layers))
		to := 50 + 900*float64(i+1)/float64(len(layers))
		mid := from + (to-from)/2
		out := filepath.Join(tmp, fmt.Sprintf("layer%d.geojson", i))
		// Z stays in the converted file so that dropping it can be said.
		args := []string{"-f", "GeoJSON", "-lco", "RFC7946=NO", "-lco", "WRITE_NAME=NO", "-nlt", "CONVERT_TO_LINEAR"}
		for _, op := range l.src.Open {
			args = append(args, "-oo", op)
		}
		if plan.gdalSRS != "" {
			args = append(args, "-s_srs", plan.gdalSRS)
		}
		if plan.gdal {
			args = append(args, "-t_srs", "EPSG:4490")
		}
		args = append(args, out, l.src.Path, l.info.Name)
		cmd := gdalCmd{Tool: "ogr2ogr", Args: args, Config: l.src.Config, Import: true}
		if prog.enabled() {
			cmd.Progress = prog.percent(from, mid)
		}
		res, err := cmd.run(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &Error{Code: CodeCorrupt,
				Message: fmt.Sprintf("转换 %s 的图层 %s 失败：%s", l.src.Name, l.name, gdalDetail(err)),
				English: fmt.Sprintf("converting layer %s of %s failed: %s", l.name, l.src.Name, gdalDetail(err)), Err: err}
		}
		for _, w := range res.Warnings {
			ds.warn("GDAL：%s", hidePaths(w))
		}
		if l.src.Enc != "" && ds.Encoding == "" {
			ds.Encoding = l.src.Enc
		}
		if err := im.decodeLayerFile(ctx, out, l, len(layers) > 1, fieldSeen, prog.span(mid, to)); err != nil {
			return err
		}
		os.Remove(out)
	}
	if len(ds.Features) == 0 {
		return errorf(CodeEmpty, "文件中没有要素", "the file holds no features")
	}
	spec := formatByID(ds.Format)
	if spec != nil && spec.rebuild != nil {
		if err := spec.rebuild(ds); err != nil {
			return err
		}
		// A drawing is one layer; the plan stands, features were replaced.
		starts = []int{0}
		plans = plans[:1]
	}
	for i, plan := range plans {
		end := len(ds.Features)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		if err := applyPlan(plan, ds, ds.Features[starts[i]:end], starts[i], o, i == 0); err != nil {
			return err
		}
	}
	if err := checkLonLat(ds.Features, 0); err != nil {
		return err
	}
	if err := checkRegion(ds, o.rg); err != nil {
		return err
	}
	if im.zFeatures > 0 {
		ds.warn("已忽略 Z 值（高程）：%d 个要素带有高程，只导入了平面坐标（面积按椭球面计算，不受高程影响）", im.zFeatures)
	}
	im.restoreFieldNames()
	if spec != nil && spec.tidy != nil {
		var paths []string
		for _, l := range layers {
			if !slices.Contains(paths, l.src.Path) {
				paths = append(paths, l.src.Path)
			}
		}
		spec.tidy(ds, paths)
	}
	finish(ds)
	return nil
}

// decodeLayerFile streams one converted layer into ds.
func (im *importer) decodeLayerFile(ctx context.Context, path string, l selected, folders bool, fieldSeen map[string]bool, report func(float64)) error {
	o, ds := im.o, im.ds
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read converted layer: %w", err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	size := max(fi.Size(), 1)
	cr := &countingReader{r: f, report: func(n int64) { report(float64(n) / float64(size)) }}
	n := 0
	err = decodeFeatureCollection(cr, func(g orb.Geometry, props map[string]any, keys []string, hasZ bool) error {
		n++
		if hasZ {
			im.zFeatures++
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if o.MaxFeatures > 0 && int64(len(ds.Features)) >= o.MaxFeatures {
			return errorf(CodeTooLarge, "要素超过 %d 个的上限", "more than %d features, over the limit", o.MaxFeatures)
		}
		if l.src.Format == FormatCSV {
			keys = restoreCSVCells(props, keys)
			if l.src.CRSColumn != 0 {
				keys = dropCSVCRSColumn(props, keys)
			}
		}
		if folders {
			props["folder"] = l.info.Name
			keys = append(keys, "folder")
		}
		for _, k := range keys {
			if !fieldSeen[k] {
				fieldSeen[k] = true
				ds.Fields = append(ds.Fields, k)
			}
		}
		ds.Features = append(ds.Features, Feature{Geometry: g, Properties: props})
		return nil
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) || ctx.Err() != nil {
			return err
		}
		return &Error{Code: CodeCorrupt, Message: "读取转换结果失败：" + hidePaths(err.Error()), English: "reading the converted data failed: " + hidePaths(err.Error()), Err: err}
	}
	return nil
}
