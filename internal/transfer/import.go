// Package transfer connects the file formats of internal/exchange with the
// store: import previews and all-or-nothing commits, and the layers, area
// tables and handover packages that exports are made of. The HTTP API and the
// command line both use it.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/exchange"
	"wanmu/internal/policy"
	"wanmu/internal/region"
	"wanmu/internal/store"
)

// Service imports and exports through the store.
type Service struct {
	Store   *store.Store
	Reports Reports
	// Scratch holds uploads and the files conversions work on; nil works in
	// os.TempDir(), and nothing is cleaned after a crash.
	Scratch *Scratch
	// Region is the city whose counties imported zones lie in (default 丽水).
	Region *region.Region
}

// region is the service's region, 丽水 unless set.
func (s *Service) region() *region.Region {
	if s.Region != nil {
		return s.Region
	}
	return region.Default()
}

// Reports returns a platform's report (normally the report cache).
type Reports interface {
	Report(ctx context.Context, platformID int64) (store.Report, error)
}

// Target is what an import writes: zones, or a new constraint layer.
type Target struct {
	Zones     bool
	LayerName string // constraint layer name (Zones false)
	LayerKind string // include, exclude, reference or vacant (store.LayerKinds)
}

// MaxLayerName is the longest constraint layer name, in characters (as the
// database allows).
const MaxLayerName = 200

// ParseTarget reads "zones" or "constraint:NAME" (kind via layerKind). A
// layer name is 1 to MaxLayerName characters of valid UTF-8 without control
// characters (NUL, line breaks, tabs, DEL, C1): it is refused here, before
// anything is read or written, rather than by the database after the wait
// for a preview. Errors are *store.FieldError for "layer" or "kind".
func ParseTarget(s, layerKind string) (Target, error) {
	if s == "zones" {
		return Target{Zones: true}, nil
	}
	name, ok := strings.CutPrefix(s, "constraint:")
	if !ok {
		return Target{}, &store.FieldError{Field: "layer",
			Message: fmt.Sprintf("must be zones or constraint:NAME (e.g. constraint:永久基本农田), not %q", clip(s, 60))}
	}
	if msg := checkLayerName(name); msg != "" {
		return Target{}, &store.FieldError{Field: "layer", Message: msg}
	}
	name = strings.TrimSpace(name)
	if layerKind == "" {
		layerKind = "exclude"
	}
	if !store.ValidLayerKind(layerKind) {
		return Target{}, &store.FieldError{Field: "kind", Message: fmt.Sprintf("must be include, exclude, reference or vacant, not %q", clip(layerKind, 40))}
	}
	return Target{LayerName: name, LayerKind: layerKind}, nil
}

// checkLayerName says what is wrong with a constraint layer name ("" when
// nothing is).
func checkLayerName(name string) string {
	if !utf8.ValidString(name) {
		return "the layer name is not valid UTF-8 text"
	}
	for i, c := range name {
		if unicode.IsControl(c) { // C0 (NUL, tab, line breaks), DEL and C1
			return fmt.Sprintf("the layer name has a control character (U+%04X) at character %d; use printable text only",
				c, utf8.RuneCountInString(name[:i])+1)
		}
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "the layer name is empty: write constraint:NAME (e.g. constraint:永久基本农田)"
	}
	if n := utf8.RuneCountInString(name); n > MaxLayerName {
		return fmt.Sprintf("the layer name is %d characters long; at most %d are allowed", n, MaxLayerName)
	}
	return ""
}

// clip shortens s so that %q prints at most about n bytes of it (a control
// character counts as its escape), so that no input makes a message long.
func clip(s string, n int) string {
	printed := 0
	for i, r := range s {
		printed += len(strconv.QuoteRune(r)) - 2
		if printed > n {
			return s[:i] + "…"
		}
	}
	return s
}

// Mapping says which source attributes hold the zone fields, and the values
// to use where a feature has none.
type Mapping struct {
	NameField         string `json:"name_field"`
	KindField         string `json:"kind_field"`
	CountyField       string `json:"county_field"`
	DispositionField  string `json:"disposition_field"`
	DocumentNoField   string `json:"document_no_field"`   // 批准文号
	ApprovedAreaField string `json:"approved_area_field"` // 核准面积, in 公顷
	// Skip lists source attributes not to keep as free attributes: the
	// columns wanmu computes on export (areas, id, version, platform,
	// county name), guessed when the file is a wanmu export.
	Skip          []string `json:"skip"`
	DefaultKind   string   `json:"default_kind"`   // park | township
	DefaultCounty string   `json:"default_county"` // a county of the region; else the reference county holding the feature
	Repair        bool     `json:"repair"`         // store ST_MakeValid's repair of invalid features
}

// Preview is what a planner sees before committing an import.
type Preview struct {
	Target     string           `json:"target"`
	Format     string           `json:"format"`
	SourceCRS  string           `json:"source_crs"`
	CRSAssumed bool             `json:"crs_assumed"`
	CRSNote    string           `json:"crs_note"`
	Encoding   string           `json:"encoding"`
	Fields     []string         `json:"fields"`
	Features   int              `json:"features"`
	TotalArea  store.Area       `json:"total_area"`
	Invalid    []FeatureIssue   `json:"invalid"`
	Overlaps   []FeatureIssue   `json:"overlaps"`
	Unplaced   []FeatureIssue   `json:"unplaced"` // zones whose county cannot be decided
	Mapping    Mapping          `json:"mapping"`  // guessed; the planner may change it
	Sample     []map[string]any `json:"sample"`   // the first rows as they would be stored
	Warnings   []string         `json:"warnings"`
	Bounds     [4]float64       `json:"bounds"`
	LayerKind  string           `json:"layer_kind,omitempty"`
	// SourceLayer is the layer of the file read; Layers are all of them,
	// so that a planner can choose another (ImportOptions.SourceLayer).
	SourceLayer string               `json:"source_layer"`
	Layers      []exchange.LayerInfo `json:"layers"`
	Checks      []store.FeatureCheck `json:"-"`
	dataset     *exchange.Dataset
	target      Target
	region      *region.Region // whose counties the zones must be in
}

// FeatureIssue is one feature the planner should look at.
type FeatureIssue struct {
	Index          int             `json:"index"` // 1-based, as in the file
	Name           string          `json:"name,omitempty"`
	Reason         string          `json:"reason"`
	ReasonCode     string          `json:"reason_code,omitempty"` // an invalid feature's reason, GEOS's words in lower case
	Location       []float64       `json:"location,omitempty"`    // where PostGIS found the problem
	Near           *Vertex         `json:"near,omitempty"`        // the feature's vertex nearest to it
	Hint           string          `json:"hint,omitempty"`        // what to do, in English
	Repair         string          `json:"repair,omitempty"`
	RepairedAreaMu float64         `json:"repaired_area_mu,omitempty"`
	Overlaps       []store.Overlap `json:"overlaps,omitempty"`
}

// maxListed bounds the issues listed per kind in a preview.
const maxListed = 500

// Inspect reads a file and checks every feature against the database
// without writing anything.
func (s *Service) Inspect(ctx context.Context, path string, t Target, opts exchange.ImportOptions, progress func(step string, done, total int64)) (*Preview, error) {
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	opts.Progress = func(done, total int64) { progress("read", done, total) }
	if opts.TempDir == "" {
		opts.TempDir = s.Scratch.Dir()
	}
	if opts.Region == nil {
		opts.Region = s.region() // its extent and GK zone(s) guide CRS guessing
	}
	d, err := exchange.Inspect(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	p := &Preview{Format: d.Format, SourceCRS: d.SourceCRS, CRSAssumed: d.CRSAssumed, CRSNote: d.CRSNote,
		Encoding: d.Encoding, Fields: d.Fields, Features: len(d.Features), Warnings: d.Warnings, dataset: d, target: t,
		SourceLayer: d.Layer, Layers: d.Layers, region: s.region(),
		Invalid: []FeatureIssue{}, Overlaps: []FeatureIssue{}, Unplaced: []FeatureIssue{}, Sample: []map[string]any{},
		Bounds: [4]float64{d.Bounds.Min[0], d.Bounds.Min[1], d.Bounds.Max[0], d.Bounds.Max[1]}}
	if t.Zones {
		p.Target = "zones"
		p.Mapping = guessMapping(d.Fields)
	} else {
		p.Target, p.LayerKind = "constraint:"+t.LayerName, t.LayerKind
		p.Mapping.Repair = true
		p.Mapping.Skip = skipColumns(d.Fields, "constraint")
	}
	if len(p.Mapping.Skip) > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("这是 wanmu 导出的文件：%s 是导出时计算的列，不作为属性保存（面积等导入后重新计算）",
			strings.Join(p.Mapping.Skip, "、")))
	}
	if len(d.Features) == 0 {
		return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "文件中没有要素", English: "the file holds no features"}
	}
	for i, f := range d.Features {
		if _, err := polygonal(f.Geometry); err != nil {
			return nil, &FeatureError{Number: i + 1, Err: err}
		}
	}
	// WKB is made a batch at a time: a second copy of every geometry of a
	// large file would double what the preview holds in memory.
	const batch = 2000
	geoms := make([][]byte, 0, batch)
	for start := 0; start < len(d.Features); start += batch {
		end := min(start+batch, len(d.Features))
		geoms = geoms[:0]
		for _, f := range d.Features[start:end] {
			mp, _ := polygonal(f.Geometry)
			g, err := wkb.Marshal(mp)
			if err != nil {
				return nil, err
			}
			geoms = append(geoms, g)
		}
		cs, err := s.Store.CheckFeatures(ctx, geoms)
		if err != nil {
			return nil, err
		}
		for i := range cs {
			cs[i].Index += start
		}
		p.Checks = append(p.Checks, cs...)
		progress("check", int64(end), int64(len(d.Features)))
	}
	var total float64
	for i, c := range p.Checks {
		name := ""
		if t.Zones {
			name = text(d.Features[i].Properties[p.Mapping.NameField])
		}
		if c.Valid {
			total += c.AreaM2
		} else {
			total += c.RepairedAreaM2
			if len(p.Invalid) < maxListed {
				p.Invalid = append(p.Invalid, invalidIssue(i+1, name, c.Reason, d.Features[i].Geometry, c.RepairedAreaM2))
			}
		}
		if t.Zones && len(c.Overlaps) > 0 && len(p.Overlaps) < maxListed {
			p.Overlaps = append(p.Overlaps, FeatureIssue{Index: i + 1, Name: name, Reason: "overlaps existing zones", Overlaps: c.Overlaps})
		}
	}
	p.TotalArea = store.AreaOf(total)
	if t.Zones {
		p.refreshZones()
	}
	return p, nil
}

// Remap applies a planner's mapping to a preview.
func (p *Preview) Remap(m Mapping) error {
	if !p.target.Zones {
		p.Mapping.Repair = m.Repair
		return nil
	}
	for _, f := range append([]string{m.NameField, m.KindField, m.CountyField, m.DispositionField, m.DocumentNoField, m.ApprovedAreaField}, m.Skip...) {
		if f != "" && !contains(p.Fields, f) {
			return fmt.Errorf("the file has no attribute %q; it has %s", f, strings.Join(p.Fields, ", "))
		}
	}
	p.Mapping = m
	p.refreshZones()
	return nil
}

// refreshZones recomputes the sample rows and unplaced zones for the mapping.
func (p *Preview) refreshZones() {
	p.Sample, p.Unplaced = []map[string]any{}, []FeatureIssue{}
	for i := range p.dataset.Features {
		z, err := p.zoneFields(i)
		if err != nil {
			if len(p.Unplaced) < maxListed {
				p.Unplaced = append(p.Unplaced, FeatureIssue{Index: i + 1, Reason: err.Error()})
			}
			continue
		}
		if len(p.Sample) < 5 {
			p.Sample = append(p.Sample, map[string]any{"index": i + 1, "name": *z.Name, "kind": *z.Kind,
				"county_adcode": *z.CountyAdcode, "disposition": *z.Disposition})
		}
	}
}

func (p *Preview) zoneFields(i int) (store.ZoneFields, error) {
	m, f := p.Mapping, p.dataset.Features[i]
	name := strings.TrimSpace(text(f.Properties[m.NameField]))
	if name == "" {
		name = fmt.Sprintf("导入分区 %d", i+1)
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	kind := normaliseKind(text(f.Properties[m.KindField]))
	if kind == "" {
		kind = m.DefaultKind
	}
	if kind == "" {
		return store.ZoneFields{}, errors.New("kind unknown: choose a default kind (park or township) or map a kind attribute")
	}
	// The county: the mapped attribute (a code, a township's code or a
	// name), else the default, else the reference county holding the
	// feature — each only if it is a county of the region.
	rg := p.region
	if rg == nil {
		rg = region.Default()
	}
	raw := strings.TrimSpace(text(f.Properties[m.CountyField]))
	c, ok := rg.Find(raw)
	if !ok && raw == "" {
		c, ok = rg.County(m.DefaultCounty)
	}
	if !ok && raw == "" && m.DefaultCounty == "" && i < len(p.Checks) {
		c, ok = rg.Find(p.Checks[i].County)
	}
	if !ok {
		what := "county unknown"
		if raw != "" {
			what = fmt.Sprintf("county %q is not a county of %s", clip(raw, 40), rg.ShortName())
		} else if m.DefaultCounty != "" {
			what = fmt.Sprintf("default county %q is not a county of %s", clip(m.DefaultCounty, 40), rg.ShortName())
		}
		return store.ZoneFields{}, fmt.Errorf("%s: map a county attribute (code or name) or choose a default county, one of %s", what, rg.CountyList())
	}
	county := c.Adcode
	disp := normaliseDisposition(text(f.Properties[m.DispositionField]))
	zf := store.ZoneFields{Name: &name, Kind: &kind, CountyAdcode: &county, Disposition: &disp}
	if m.DocumentNoField != "" {
		doc := strings.TrimSpace(text(f.Properties[m.DocumentNoField]))
		zf.DocumentNo = &doc
	}
	if m.ApprovedAreaField != "" {
		ha, err := approvedArea(f.Properties[m.ApprovedAreaField])
		if err != nil {
			return store.ZoneFields{}, fmt.Errorf("%s: %w", m.ApprovedAreaField, err)
		}
		zf.ApprovedAreaHa = &ha
	}
	mapped := map[string]bool{m.NameField: true, m.KindField: true, m.CountyField: true, m.DispositionField: true,
		m.DocumentNoField: true, m.ApprovedAreaField: true}
	for _, k := range m.Skip {
		mapped[k] = true
	}
	zf.Attributes = map[string]any{"imported": true}
	for k, v := range f.Properties {
		if !mapped[k] {
			zf.Attributes[k] = v
		}
	}
	return zf, nil
}

// approvedArea reads an approved area in 公顷: a number, a numeric text, or
// nothing (no approved area).
func approvedArea(v any) (*float64, error) {
	var ha float64
	switch v := v.(type) {
	case nil:
		return nil, nil
	case float64:
		ha = v
	case int64:
		ha = float64(v)
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return nil, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "公顷"), 64)
		if err != nil {
			return nil, fmt.Errorf("the approved area %q is not a number of 公顷", clip(s, 40))
		}
		ha = f
	default:
		return nil, fmt.Errorf("the approved area %v is not a number of 公顷", v)
	}
	if math.IsNaN(ha) || math.IsInf(ha, 0) || ha < 0 {
		return nil, fmt.Errorf("the approved area %v is not a positive number of 公顷", ha)
	}
	return &ha, nil
}

// Result is what a committed import wrote.
type Result struct {
	Target   string `json:"target"`
	Written  int    `json:"written"`
	Repaired int    `json:"repaired"`
	// Empty lists the features (1-based) a layer import left out because
	// they enclose no area, as given or once repaired.
	Empty   []int   `json:"empty,omitempty"`
	ZoneIDs []int64 `json:"zone_ids,omitempty"`
	LayerID int64   `json:"layer_id,omitempty"`
}

// Commit writes a previewed import in one transaction: every feature lands
// or none does.
func (s *Service) Commit(ctx context.Context, p *Preview, c store.Change, progress func(step string, done, total int64)) (Result, error) {
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	res := Result{Target: p.Target}
	invalid := 0
	for _, ch := range p.Checks {
		if !ch.Valid {
			invalid++
		}
	}
	if invalid > 0 && !p.Mapping.Repair {
		return res, fmt.Errorf("%d features are invalid (first: feature %d, %s): fix them in the source, or commit with repair to store ST_MakeValid's repair: %w",
			invalid, p.Invalid[0].Index, p.Invalid[0].Reason, store.ErrInvalid)
	}
	if p.target.Zones && len(p.Unplaced) > 0 {
		u := p.Unplaced[0]
		return res, &FeatureError{Number: u.Index, Err: fmt.Errorf("%s: %w", u.Reason, store.ErrInvalid)}
	}
	if !p.target.Zones {
		features := make([]store.LayerFeature, len(p.dataset.Features))
		for i, f := range p.dataset.Features {
			mp, _ := polygonal(f.Geometry)
			g, err := wkb.Marshal(mp)
			if err != nil {
				return res, err
			}
			attrs := f.Properties
			for _, k := range p.Mapping.Skip {
				delete(attrs, k)
			}
			features[i] = store.LayerFeature{Geom: g, Attributes: attrs}
		}
		l, rep, err := s.Store.CreateLayer(ctx, c, p.target.LayerName, p.target.LayerKind, "import "+p.Format, features,
			func(done, total int) { progress("write", int64(done), int64(total)) })
		if err != nil {
			return res, err
		}
		res.Written, res.Repaired, res.Empty, res.LayerID = l.Features, rep.Repaired, rep.Empty, l.ID
		return res, nil
	}
	err := s.Store.InTx(ctx, func(tx *store.Store) error {
		res.ZoneIDs, res.Repaired = nil, 0 // the transaction may run again
		for i, f := range p.dataset.Features {
			if err := ctx.Err(); err != nil {
				return err
			}
			zf, err := p.zoneFields(i)
			if err != nil {
				return &FeatureError{Number: i + 1, Err: err}
			}
			mp, _ := polygonal(f.Geometry)
			if !p.Checks[i].Valid {
				g, _ := wkb.Marshal(mp)
				fixed, err := tx.Repair(ctx, g)
				if err != nil {
					return err
				}
				geom, err := wkb.Unmarshal(fixed)
				if err != nil {
					return err
				}
				if mp, err = polygonal(geom); err != nil {
					return &FeatureError{Number: i + 1, Err: err}
				}
				res.Repaired++
			}
			zf.Geom = mp
			z, err := tx.CreateZone(ctx, zf, c)
			if err != nil {
				return &FeatureError{Number: i + 1, Name: *zf.Name, Err: err}
			}
			res.ZoneIDs = append(res.ZoneIDs, z.ID)
			progress("write", int64(i+1), int64(len(p.dataset.Features)))
		}
		return nil
	})
	if err != nil {
		return Result{Target: p.Target}, err
	}
	res.Written = len(res.ZoneIDs)
	return res, nil
}

func polygonal(g orb.Geometry) (orb.MultiPolygon, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	case orb.MultiPolygon:
		return g, nil
	case orb.Collection:
		var mp orb.MultiPolygon
		for _, c := range g {
			if p, err := polygonal(c); err == nil {
				mp = append(mp, p...)
			}
		}
		if len(mp) > 0 {
			return mp, nil
		}
	case nil:
		return nil, &exchange.Error{Code: exchange.CodeCorrupt, Message: "要素没有几何", English: "a feature has no geometry"}
	}
	return nil, &exchange.Error{Code: exchange.CodeUnsupportedFormat,
		Message: fmt.Sprintf("要素的几何类型为 %s，只能导入面", g.GeoJSONType()),
		English: fmt.Sprintf("a feature is a %s; only polygons can be imported (close CAD polylines first)", g.GeoJSONType())}
}

var (
	nameFields     = []string{"name", "名称", "NAME", "Name", "MC", "ZONE_NAME", "园区名称", "平台名称", "XMMC", "QYMC", "Text"} // Name: KML; Text: DXF labels
	kindFields     = []string{"kind", "类型", "KIND", "TYPE", "LX"}
	countyFields   = []string{"county_adcode", "adcode", "ADCODE", "XZQDM", "县代码", "XZDM", "XZQHDM"}
	dispFields     = []string{"disposition", "处置", "处置方式", "CZFS"}
	docFields      = []string{"document_no", "doc_no", "批准文号", "批复文号", "文号", "PZWH"}
	approvedFields = []string{"approved_area_ha", "approved_ha", "核准面积（公顷）", "核准面积(公顷)", "批复面积（公顷）", "批复面积(公顷)"} // the unit stated: a bare 核准面积 may be in 亩
)

// computedColumns are the columns a wanmu export adds that an import must
// not keep as free attributes: they are recomputed (areas, version), ids
// of this installation, or names of codes that are mapped (county).
var computedColumns = map[string][]string{
	"zones":      {"id", "county", "platform", "area_m2", "area_mu", "area_ha", "version", "plan"},
	"constraint": {"fid", "area_m2", "area_mu", "area_ha"},
}

// wanmuExport says whether fields look like a wanmu export: its three area
// columns together. Only then are the computed columns skipped, so that a
// third party's "id" is kept.
func wanmuExport(fields []string) bool {
	n := 0
	for _, f := range fields {
		if f == "area_m2" || f == "area_mu" || f == "area_ha" {
			n++
		}
	}
	return n == 3
}

// skipColumns are the computed columns of a wanmu export present in fields.
func skipColumns(fields []string, target string) []string {
	if !wanmuExport(fields) {
		return nil
	}
	var out []string
	for _, c := range computedColumns[target] {
		if contains(fields, c) {
			out = append(out, c)
		}
	}
	return out
}

func guessMapping(fields []string) Mapping {
	pick := func(cands []string) string {
		for _, c := range cands {
			for _, f := range fields {
				if strings.EqualFold(f, c) {
					return f
				}
			}
		}
		return ""
	}
	return Mapping{NameField: pick(nameFields), KindField: pick(kindFields), CountyField: pick(countyFields),
		DispositionField: pick(dispFields), DocumentNoField: pick(docFields), ApprovedAreaField: pick(approvedFields),
		Skip: skipColumns(fields, "zones"), DefaultKind: policy.KindTownship}
}

func normaliseKind(s string) string { return policy.Normalise(policy.Kinds, s) }

// normaliseDisposition reads a disposition; what is none of them is 待定.
func normaliseDisposition(s string) string {
	if d := policy.Normalise(policy.Dispositions, s); d != "" {
		return d
	}
	return policy.DispositionPending
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return fmt.Sprintf("%.0f", v)
		}
		return fmt.Sprint(v)
	default:
		return fmt.Sprint(v)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// FeatureError says which feature of the file an import stopped at (1-based,
// as planners count, with its name when it has one) and why.
type FeatureError struct {
	Number int
	Name   string
	Err    error
}

func (e *FeatureError) Error() string { return e.Where() + ": " + e.Err.Error() }

func (e *FeatureError) Unwrap() error { return e.Err }

// Where names the feature: "feature 7" or "feature 7 (甲园区)".
func (e *FeatureError) Where() string {
	if e.Name != "" {
		return fmt.Sprintf("feature %d (%s)", e.Number, e.Name)
	}
	return fmt.Sprintf("feature %d", e.Number)
}

// WhereZH names the feature in Chinese: "第 7 个要素" or "第 7 个要素（甲园区）".
func (e *FeatureError) WhereZH() string {
	if e.Name != "" {
		return fmt.Sprintf("第 %d 个要素（%s）", e.Number, e.Name)
	}
	return fmt.Sprintf("第 %d 个要素", e.Number)
}
