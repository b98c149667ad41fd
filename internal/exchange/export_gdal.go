package exchange

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"wanmu/internal/geodesy"
)

// runGDAL writes the layers as GeoJSON, describes them in a VRT (names,
// types, CRS) and lets ogr2ogr write out: one dataset, or one file per
// layer in the folder out for PerLayer formats.
func (j *exportJob) runGDAL(ctx context.Context, out string, prog *progress) error {
	src := filepath.Join(j.tmp, "src")
	if err := os.Mkdir(src, 0o700); err != nil {
		return err
	}
	vrtPath := filepath.Join(j.tmp, "src.vrt")
	if err := j.writeSources(ctx, src, vrtPath, prog.span(0, 300)); err != nil {
		return err
	}
	prog.set(300)
	args := []string{"-f", j.spec.Driver}
	for _, o := range j.spec.DSCO {
		args = append(args, "-dsco", o)
	}
	lco := j.spec.LCO
	if j.spec.lcoFor != nil {
		lco = append(append([]string{}, lco...), j.spec.lcoFor(j)...)
	}
	for _, o := range lco {
		args = append(args, "-lco", o)
	}
	if j.spec.OneGeomType {
		args = append(args, "-nlt", "PROMOTE_TO_MULTI")
	}
	if projectedEPSG(j.epsg) {
		args = append(args, "-t_srs", fmt.Sprintf("EPSG:%d", j.epsg))
	}
	run := func(a []string, from, to float64) error {
		cmd := gdalCmd{Tool: "ogr2ogr", Args: a}
		if prog.enabled() {
			cmd.Progress = prog.percent(from, to)
		}
		return j.checkRun(ctx, cmd)
	}
	if !j.spec.PerLayer {
		dst := out
		if j.spec.Zipped && !j.spec.DirDataset {
			dst = filepath.Join(out, j.base+j.spec.Ext) // the .gdb folder inside the zip
		}
		return run(append(args, dst, vrtPath), 300, 900)
	}
	step := 600 / float64(len(j.layers))
	for i, name := range j.names {
		a := append(append([]string{}, args...), filepath.Join(out, name+j.spec.Ext), vrtPath, name)
		if err := run(a, 300+step*float64(i), 300+step*float64(i+1)); err != nil {
			return err
		}
	}
	return nil
}

// checkRun runs ogr2ogr for an export; a failure here is ours, not the
// user's, except for text the target encoding cannot hold.
func (j *exportJob) checkRun(ctx context.Context, cmd gdalCmd) error {
	res, err := cmd.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Code: CodeGDAL, Message: "GDAL 写出 " + j.spec.Name + " 失败：" + gdalDetail(err),
			English: "GDAL failed to write " + j.spec.Name + ": " + gdalDetail(err), Err: err}
	}
	for _, w := range res.Warnings {
		if strings.Contains(w, "couldn't be converted correctly") {
			return &Error{Code: CodeInvalidInput, Message: "有文字无法用 " + j.enc + " 编码保存：" + hidePaths(w),
				English: "some text cannot be encoded as " + j.enc + ": " + hidePaths(w)}
		}
	}
	return nil
}

// geojsonLCO: RFC 7946 for WGS84, a crs member otherwise. Coordinates keep
// 15 decimals in degrees (a double's full precision at these magnitudes: the
// stored geometry is not rounded) and 4 in metres (0.1 mm), not GDAL's 15
// digits of noise in metres.
func geojsonLCO(j *exportJob) []string {
	// Metres to the micrometre: 0.1 mm moved areas of small zones by up
	// to 0.26 ppm after a round trip; degrees with every digit they hold.
	prec := "COORDINATE_PRECISION=15"
	if projectedEPSG(j.epsg) {
		prec = "COORDINATE_PRECISION=6"
	}
	if j.epsg == geodesy.EPSGWGS84 {
		return []string{"RFC7946=YES", prec}
	}
	return []string{"RFC7946=NO", prec}
}

// fileGDBLCO makes a projected File Geodatabase's coordinate grid 1 µm
// (GDAL's default is 0.1 mm, which moved areas of small zones by up to
// 0.26 ppm after a round trip); lon/lat keeps the default 1e-9°.
func fileGDBLCO(j *exportJob) []string {
	if projectedEPSG(j.epsg) {
		return []string{"XYSCALE=1000000"}
	}
	return nil
}

// projectedEPSG reports whether epsg is a CGCS2000 3-degree Gauss-Kruger
// CRS (EPSG:4513–4554, with or without the zone prefix): the projected
// CRSs exports offer, in metres.
func projectedEPSG(epsg int) bool {
	return epsg >= 4513 && epsg <= 4554
}
