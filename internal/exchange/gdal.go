package exchange

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paulmach/orb"
)

// Drivers GDAL must not use on uploaded files: ones that follow references
// to other files or the network. Formats are sniffed before GDAL sees a
// file, so this is a second line of defence (GDAL 3.6 has no -if).
const importSkipDrivers = "OGR_VRT VRT WFS OAPIF OGCAPI CSW EEDA PLSCENES NGW Elasticsearch Carto AmigoCloud " +
	"PostgreSQL MySQL MSSQLSpatial ODBC PGeo GPSBabel HTTP SQLite MBTiles OGR_OGDI GMLAS WMS WMTS WCS"

// gdalCmd describes one run of a GDAL utility.
type gdalCmd struct {
	Tool     string   // "ogr2ogr" or "ogrinfo"
	Args     []string // without the tool name
	Config   []string // KEY=VALUE passed as --config
	Import   bool     // running on an uploaded file: skip risky drivers
	Progress func(pct float64)
}

// gdalResult is what a GDAL utility printed.
type gdalResult struct {
	Stdout   []byte // empty when Progress consumed it
	Warnings []string
}

// run executes the tool, killing its process group when ctx ends.
func (g gdalCmd) run(ctx context.Context) (gdalResult, error) {
	if _, err := exec.LookPath(g.Tool); err != nil {
		return gdalResult{}, &Error{Code: CodeGDAL, Message: g.Tool + " 未安装（需要 Debian 软件包 gdal-bin）",
			English: g.Tool + " is not installed (Debian package gdal-bin)", Err: err}
	}
	args := make([]string, 0, len(g.Args)+2*len(g.Config)+2)
	for _, c := range g.Config {
		k, v, _ := strings.Cut(c, "=")
		args = append(args, "--config", k, v)
	}
	if g.Progress != nil && g.Tool == "ogr2ogr" {
		args = append(args, "-progress")
	}
	args = append(args, g.Args...)
	cmd := exec.CommandContext(ctx, g.Tool, args...)
	cmd.Env = append(os.Environ(), "CPL_DEBUG=OFF", "GDAL_PAM_ENABLED=NO", "CPL_LOG_ERRORS=ON")
	if g.Import {
		cmd.Env = append(cmd.Env, "GDAL_SKIP="+importSkipDrivers)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stderr limitedBuffer
	stderr.max = 64 << 10
	cmd.Stderr = &stderr
	var stdout bytes.Buffer
	var pr *io.PipeReader
	done := make(chan struct{})
	if g.Progress != nil {
		var pw *io.PipeWriter
		pr, pw = io.Pipe()
		cmd.Stdout = pw
		go func() {
			defer close(done)
			parseProgress(pr, g.Progress)
		}()
		defer pw.Close()
	} else {
		close(done)
		cmd.Stdout = &stdout
	}
	err := cmd.Run()
	if pr != nil {
		cmd.Stdout.(*io.PipeWriter).Close()
		<-done
	}
	res := gdalResult{Stdout: stdout.Bytes(), Warnings: gdalMessages(stderr.String(), "Warning")}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if err != nil {
		msgs := gdalMessages(stderr.String(), "ERROR")
		if len(msgs) == 0 {
			msgs = []string{strings.TrimSpace(firstLines(stderr.String(), 3))}
		}
		return res, &gdalError{Tool: g.Tool, Messages: msgs, Err: err}
	}
	return res, nil
}

// gdalError is a failed GDAL run; callers turn it into an *Error that says
// whose fault it was.
type gdalError struct {
	Tool     string
	Messages []string
	Err      error
}

func (e *gdalError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Tool, strings.Join(e.Messages, "; "), e.Err)
}

func (e *gdalError) Unwrap() error { return e.Err }

// gdalDetail returns GDAL's own error text from err, if it is a gdalError,
// for a planner to read: paths in wanmu's working directories are cut to the
// file's name, which is all the planner knows it by.
func gdalDetail(err error) string {
	var ge *gdalError
	text := err.Error()
	if errors.As(err, &ge) {
		text = strings.Join(ge.Messages, "; ")
	}
	return hidePaths(text)
}

// hidePaths cuts the paths of wanmu's working directories in s (GDAL's
// messages and warnings, decoding errors) to the file's name: no message
// a planner sees names a directory of the server.
func hidePaths(s string) string {
	if tmp := strings.TrimSuffix(os.TempDir(), "/"); len(tmp) > 1 {
		s = strings.ReplaceAll(s, tmp+"/", "/") // a TMPDIR with spaces would stop workPath
	}
	return workPath.ReplaceAllString(s, "$1")
}

// workPath matches a path inside one of the temporary directories imports
// and exports work in; its last element is the file's name.
var workPath = regexp.MustCompile(`/(?:[^\s'":,;()]*/)?wanmu-(?:import|export|handover|uploads)-[^/\s'":,;()]*/(?:[^\s'":,;()]*/)?([^/\s'":,;()]+)`)

var gdalMsgRE = regexp.MustCompile(`(?m)^(ERROR|Warning) \d+: (.*)$`)

// gdalChatter matches what GDAL says about its own workings rather than
// the planner's data (progress reporting, drivers' debug notes): never
// shown to a planner.
var gdalChatter = regexp.MustCompile(`(?i)progress turned off|fast feature count|^GDAL: |^OGR: |^CPL|^\w+: (?:DEBUG|Trace)\b`)

// gdalMessages returns the distinct "ERROR n: …" or "Warning n: …" texts,
// less GDAL's chatter.
func gdalMessages(stderr, kind string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range gdalMsgRE.FindAllStringSubmatch(stderr, -1) {
		if m[1] != kind || seen[m[2]] || gdalChatter.MatchString(m[2]) {
			continue
		}
		seen[m[2]] = true
		out = append(out, strings.TrimSpace(m[2]))
		if len(out) == 10 {
			break
		}
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// parseProgress reads GDAL's "0...10...20...…100 - done." and reports
// percentages: each number is a tenth, each dot a quarter of a tenth.
func parseProgress(r io.Reader, report func(float64)) {
	br := bufio.NewReader(r)
	var num []byte
	var pct float64
	for {
		c, err := br.ReadByte()
		if err != nil {
			return
		}
		switch {
		case c >= '0' && c <= '9':
			num = append(num, c)
		case c == '.':
			if len(num) > 0 {
				if v, err := strconv.Atoi(string(num)); err == nil && v <= 100 {
					pct = float64(v)
					report(pct)
				}
				num = num[:0]
			} else if pct < 100 {
				pct += 2.5
				report(min(pct, 100))
			}
		default:
			if len(num) > 0 {
				if v, err := strconv.Atoi(string(num)); err == nil && v <= 100 {
					pct = float64(v)
					report(pct)
				}
				num = num[:0]
			}
		}
	}
}

// layerInfo is what ogrinfo says about one layer.
type layerInfo struct {
	Name     string
	Geometry string // "Polygon", "Unknown (any)", "None"
	Count    int64  // -1 when unknown
	Extent   *orb.Bound
	WKT      string // "" when the layer has no CRS
	EPSG     int    // top-level authority code, 0 if none
	SRSName  string // the CRS name from the WKT
}

// Geographic reports whether the layer's CRS is a lon/lat one.
func (l layerInfo) Geographic() bool {
	return strings.HasPrefix(l.WKT, "GEOGCRS[") || strings.HasPrefix(l.WKT, "GEOGCS[") || strings.HasPrefix(l.WKT, "GEODCRS[")
}

// ogrinfo lists the layers of a data source.
func ogrinfo(ctx context.Context, path string, openOpts, config []string) (driver string, layers []layerInfo, err error) {
	args := []string{"-ro", "-so", "-al", "-nomd"}
	for _, o := range openOpts {
		args = append(args, "-oo", o)
	}
	args = append(args, path)
	res, err := gdalCmd{Tool: "ogrinfo", Args: args, Config: config, Import: true}.run(ctx)
	if err != nil {
		return "", nil, err
	}
	driver, layers = parseOgrinfo(string(res.Stdout))
	return driver, layers, nil
}

var (
	driverRE = regexp.MustCompile("using driver `([^']+)' successful")
	extentRE = regexp.MustCompile(`^Extent: \(([-0-9.eE+]+), ([-0-9.eE+]+)\) - \(([-0-9.eE+]+), ([-0-9.eE+]+)\)`)
	idRE     = regexp.MustCompile(`ID\["EPSG",(\d+)\]\]$`)
	authRE   = regexp.MustCompile(`AUTHORITY\["EPSG","(\d+)"\]\]$`)
	nameRE   = regexp.MustCompile(`^[A-Z]+\["((?:[^"]|"")*)"`)
)

// parseOgrinfo reads the text of `ogrinfo -so -al` (GDAL 3.6 has no -json).
func parseOgrinfo(out string) (driver string, layers []layerInfo) {
	if m := driverRE.FindStringSubmatch(out); m != nil {
		driver = m[1]
	}
	lines := strings.Split(out, "\n")
	var cur *layerInfo
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		switch {
		case strings.HasPrefix(line, "Layer name: "):
			layers = append(layers, layerInfo{Name: strings.TrimPrefix(line, "Layer name: "), Count: -1})
			cur = &layers[len(layers)-1]
		case cur == nil:
		case strings.HasPrefix(line, "Geometry: "):
			cur.Geometry = strings.TrimPrefix(line, "Geometry: ")
		case strings.HasPrefix(line, "Feature Count: "):
			if n, err := strconv.ParseInt(strings.TrimPrefix(line, "Feature Count: "), 10, 64); err == nil {
				cur.Count = n
			}
		case strings.HasPrefix(line, "Extent: "):
			if m := extentRE.FindStringSubmatch(line); m != nil {
				var v [4]float64
				for k := range v {
					v[k], _ = strconv.ParseFloat(m[k+1], 64)
				}
				cur.Extent = &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
			}
		case line == "Layer SRS WKT:":
			var wkt []string
			for i+1 < len(lines) {
				next := strings.TrimRight(lines[i+1], "\r")
				if next == "(unknown)" {
					i++
					break
				}
				if !strings.HasPrefix(next, " ") && !strings.HasPrefix(next, "\t") && len(wkt) > 0 {
					break
				}
				wkt = append(wkt, strings.TrimSpace(next))
				i++
			}
			cur.WKT = strings.Join(wkt, "")
			if m := idRE.FindStringSubmatch(cur.WKT); m != nil {
				cur.EPSG, _ = strconv.Atoi(m[1])
			} else if m := authRE.FindStringSubmatch(cur.WKT); m != nil {
				cur.EPSG, _ = strconv.Atoi(m[1])
			}
			if m := nameRE.FindStringSubmatch(cur.WKT); m != nil {
				cur.SRSName = strings.ReplaceAll(m[1], `""`, `"`)
			}
		}
	}
	return driver, layers
}
