package transfer

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/change"
	"wanmu/internal/exchange"
	"wanmu/internal/policy"
	"wanmu/internal/store"
)

var countyNames = map[string]string{
	"331102": "莲都区", "331121": "青田县", "331122": "缙云县", "331123": "遂昌县", "331124": "松阳县",
	"331125": "云和县", "331126": "庆元县", "331127": "景宁畲族自治县", "331181": "龙泉市",
}

// kindName is a zone kind's label (开发区/园区), as the files write it.
func kindName(code string) string {
	t, _ := policy.Code(policy.Kinds, code)
	return t.Label
}

// ExportRequest selects what to export.
type ExportRequest struct {
	Layer string  // zones, platforms or layer-<id>
	IDs   []int64 // zones or platforms to include; empty = all live ones
}

// Layer builds the export layer for a request.
func (s *Service) Layer(ctx context.Context, req ExportRequest) (exchange.ExportLayer, error) {
	switch req.Layer {
	case change.Zones:
		return s.zonesLayer(ctx, req.IDs)
	case change.Platforms:
		l, _, err := s.platformsLayer(ctx, req.IDs)
		return l, err
	}
	id, ok := change.LayerID(req.Layer)
	if !ok {
		return exchange.ExportLayer{}, fmt.Errorf("layer must be zones, platforms or layer-<id>, not %q: %w", req.Layer, store.ErrInvalid)
	}
	ls, err := s.Store.ListLayers(ctx)
	if err != nil {
		return exchange.ExportLayer{}, err
	}
	var layer *store.Layer
	for i := range ls {
		if ls[i].ID == id {
			layer = &ls[i]
		}
	}
	if layer == nil {
		return exchange.ExportLayer{}, fmt.Errorf("layer %d: %w", id, store.ErrNotFound)
	}
	out := exchange.ExportLayer{Name: fmt.Sprintf("layer_%d", id), Title: layer.Name,
		Fields: append([]exchange.Field{{Name: "fid", Title: "要素编号", Type: exchange.FieldInteger}}, areaFields...)}
	attrs := newAttributeColumns(out.Fields)
	err = s.Store.LayerFeatures(ctx, id, func(f store.StoredFeature) error {
		geom, err := wkb.Unmarshal(f.WKB)
		if err != nil {
			return err
		}
		props := map[string]any{"fid": f.ID}
		setArea(props, f.AreaM2)
		attrs.add(f.Attributes, props)
		out.Features = append(out.Features, exchange.Feature{Geometry: geom, Properties: props})
		return nil
	})
	out.Fields = append(out.Fields, attrs.fields()...)
	return out, err
}

// areaFields are the area columns of every exported polygon layer: the
// CGCS2000 ellipsoidal area in the three units planners use.
var areaFields = areaColumns("area", "面积")

// areaColumns are the three area columns prefix_m2, prefix_mu and
// prefix_ha: m² to 2 decimals, 亩 and 公顷 to 4.
func areaColumns(prefix, title string) []exchange.Field {
	return []exchange.Field{
		{Name: prefix + "_m2", Title: title + "（平方米，CGCS2000 椭球面积）", Type: exchange.FieldReal, Precision: 2},
		{Name: prefix + "_mu", Title: title + "（亩）", Type: exchange.FieldReal, Precision: 4},
		{Name: prefix + "_ha", Title: title + "（公顷）", Type: exchange.FieldReal, Precision: 4},
	}
}

// setArea writes the area columns (see areaColumns).
func setArea(props map[string]any, m2 float64) { setAreaAs(props, "area", m2) }

func setAreaAs(props map[string]any, prefix string, m2 float64) {
	a := store.AreaOf(m2)
	props[prefix+"_m2"], props[prefix+"_mu"], props[prefix+"_ha"] = round(a.M2, 2), round(a.Mu, 4), round(a.Ha, 4)
}

// platformFields are the columns of a platforms export: the report's
// figures in the three units.
var platformFields = concat(
	[]exchange.Field{
		{Name: "id", Title: "编号", Type: exchange.FieldInteger}, {Name: "name", Title: "平台名称", Type: exchange.FieldString},
		{Name: "role", Title: "布局", Type: exchange.FieldString}, {Name: "counties", Title: "涉及县（市、区）", Type: exchange.FieldString},
		{Name: "members", Title: "成员分区数", Type: exchange.FieldInteger},
	},
	areaColumns("gross", "总面积"), areaColumns("overlap", "成员重叠面积"), areaColumns("deduct", "扣除面积"),
	areaColumns("dev", "可开发空间"),
	[]exchange.Field{
		{Name: "threshold", Title: "门槛（亩）", Type: exchange.FieldReal, Precision: 4},
		{Name: "meets", Title: "是否达到万亩", Type: exchange.FieldString},
	},
	areaColumns("short", "缺口"),
	[]exchange.Field{
		{Name: "parts", Title: "地块数", Type: exchange.FieldInteger},
		{Name: "max_gap_m", Title: "最大间距（米）", Type: exchange.FieldReal, Precision: 2},
	},
)

func concat(lists ...[]exchange.Field) []exchange.Field {
	var out []exchange.Field
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// attributeColumns collects the free attributes of a layer's features, to
// export them as columns after the known ones, in a stable (sorted) order.
// An attribute whose key is also a known column's name is exported as
// attr_<key>, so that neither hides the other (see column).
type attributeColumns struct {
	known map[string]bool
	keys  map[string]bool
}

func newAttributeColumns(known []exchange.Field) *attributeColumns {
	a := &attributeColumns{known: map[string]bool{}, keys: map[string]bool{}}
	for _, f := range known {
		a.known[f.Name] = true
	}
	return a
}

// add copies a feature's attributes into its properties.
func (a *attributeColumns) add(attrs, props map[string]any) {
	for k, v := range attrs {
		a.keys[k] = true
		props[a.column(k)] = v
	}
}

// column is the column of attribute k: k itself, or attr_<k> when k is a
// known column's name or itself starts with attr_ (so that attributes id
// and attr_id cannot both become attr_id).
func (a *attributeColumns) column(k string) string {
	if a.known[k] || strings.HasPrefix(k, "attr_") {
		return "attr_" + k
	}
	return k
}

// fields returns the attribute columns, sorted by key.
func (a *attributeColumns) fields() []exchange.Field {
	keys := make([]string, 0, len(a.keys))
	for k := range a.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]exchange.Field, 0, len(keys))
	for _, k := range keys {
		out = append(out, exchange.Field{Name: a.column(k)})
	}
	return out
}

func (s *Service) zonesLayer(ctx context.Context, ids []int64) (exchange.ExportLayer, error) {
	zs, err := s.Store.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return exchange.ExportLayer{}, err
	}
	want := idSet(ids)
	mark, err := s.planMark(ctx)
	if err != nil {
		return exchange.ExportLayer{}, err
	}
	l := exchange.ExportLayer{Name: "zones", Title: "园区与乡镇工业功能区"}
	attrs := newAttributeColumns(zoneFields)
	for _, z := range zs {
		if len(want) > 0 && !want[z.ID] {
			continue
		}
		props := map[string]any{"id": z.ID, "name": z.Name, "kind": kindName(z.Kind), "county": countyNames[z.CountyAdcode],
			"adcode": z.CountyAdcode, "disposition": z.Disposition, "platform": z.PlatformName,
			"document_no": z.DocumentNo, "version": z.Version}
		setArea(props, z.AreaM2)
		if z.ApprovedAreaHa != nil {
			props["approved_area_ha"] = *z.ApprovedAreaHa
		}
		if mark != "" {
			props["plan"] = mark
		}
		attrs.add(z.Attributes, props)
		l.Features = append(l.Features, exchange.Feature{Geometry: z.Geom, Properties: props})
	}
	l.Fields = append(append([]exchange.Field{}, zoneFields...), attrs.fields()...)
	if mark != "" {
		l.Fields = append(l.Fields, planField)
	}
	return l, nil
}

// planField marks every feature of an export made in a consolidation plan
// (方案): whichever file or feature is forwarded, it says it is a draft.
var planField = exchange.Field{Name: "plan", Title: "方案", Type: exchange.FieldString}

// planMark is "方案：name（基于 … 的正式数据，非正式成果）" when the service
// works in a scenario, "" on the official data.
func (s *Service) planMark(ctx context.Context) (string, error) {
	if s.Store.Scenario() == store.Official {
		return "", nil
	}
	sc, err := s.Store.GetScenario(ctx, s.Store.Scenario())
	if err != nil {
		return "", err
	}
	return "方案：" + sc.Name + "（基于 " + sc.BaseAt.In(beijing).Format("2006-01-02 15:04") + " 的正式数据，非正式成果）", nil
}

// beijing is China Standard Time, in which planners read dates.
var beijing = time.FixedZone("UTC+8", 8*3600)

// titleMark is a layer or file title's addition for a plan.
func titleMark(mark string) string {
	if mark == "" {
		return ""
	}
	return "（" + mark + "）"
}

// zoneFields are the known columns of a zones export, in order; the names
// are the ones an import maps back (see guessMapping and computedColumns).
var zoneFields = []exchange.Field{
	{Name: "id", Title: "编号", Type: exchange.FieldInteger},
	{Name: "name", Title: "名称", Type: exchange.FieldString},
	{Name: "kind", Title: "类型", Type: exchange.FieldString},
	{Name: "county", Title: "县（市、区）", Type: exchange.FieldString},
	{Name: "adcode", Title: "行政区划代码", Type: exchange.FieldString},
	{Name: "disposition", Title: "处置方式", Type: exchange.FieldString},
	{Name: "platform", Title: "所属平台", Type: exchange.FieldString},
	areaFields[0], areaFields[1], areaFields[2],
	{Name: "approved_area_ha", Title: "核准面积（公顷）", Type: exchange.FieldReal},
	{Name: "document_no", Title: "批准文号", Type: exchange.FieldString},
	{Name: "version", Title: "版本", Type: exchange.FieldInteger},
}

// platformsLayer builds the dissolved platforms with their report figures,
// and the area-table rows for the same platforms.
func (s *Service) platformsLayer(ctx context.Context, ids []int64) (exchange.ExportLayer, []exchange.PlatformRow, error) {
	ps, err := s.Store.ListPlatforms(ctx, false)
	if err != nil {
		return exchange.ExportLayer{}, nil, err
	}
	outlines, err := s.Store.PlatformOutlines(ctx)
	if err != nil {
		return exchange.ExportLayer{}, nil, err
	}
	mark, err := s.planMark(ctx)
	if err != nil {
		return exchange.ExportLayer{}, nil, err
	}
	want := idSet(ids)
	l := exchange.ExportLayer{Name: "platforms", Title: "产业平台", Fields: platformFields}
	if mark != "" {
		l.Fields = append(append([]exchange.Field{}, platformFields...), planField)
	}
	var rows []exchange.PlatformRow
	for _, p := range ps {
		if len(want) > 0 && !want[p.ID] {
			continue
		}
		r, err := s.Reports.Report(ctx, p.ID)
		if err != nil {
			return l, nil, err
		}
		row, err := s.platformRow(ctx, p, r)
		if err != nil {
			return l, nil, err
		}
		rows = append(rows, row)
		g := outlines[p.ID]
		if g == nil {
			continue // no members: nothing to draw
		}
		geom, err := wkb.Unmarshal(g)
		if err != nil {
			return l, nil, err
		}
		meets := "否"
		if r.Meets {
			meets = "是"
		}
		props := map[string]any{"id": p.ID, "name": p.Name, "role": p.Role, "counties": row.Counties, "members": r.Members,
			"threshold": r.ThresholdMu, "meets": meets, "parts": r.Parts, "max_gap_m": round(r.LargestGapM, 2)}
		setAreaAs(props, "gross", r.Gross.M2)
		setAreaAs(props, "overlap", r.Overlap.M2)
		setAreaAs(props, "deduct", r.Deducted.M2)
		setAreaAs(props, "dev", r.Developable.M2)
		setAreaAs(props, "short", r.Shortfall.M2)
		if mark != "" {
			props["plan"] = mark
		}
		l.Features = append(l.Features, exchange.Feature{Geometry: geom, Properties: props})
	}
	return l, rows, nil
}

func (s *Service) platformRow(ctx context.Context, p store.Platform, r store.Report) (exchange.PlatformRow, error) {
	var counties []string
	for _, c := range p.Counties {
		counties = append(counties, countyNames[c])
	}
	row := exchange.PlatformRow{Name: p.Name, Role: p.Role, Counties: strings.Join(counties, "、"),
		GrossM2: r.Gross.M2, OverlapM2: r.Overlap.M2, DeductedM2: r.Deducted.M2, DevelopableM2: r.Developable.M2,
		ThresholdMu: r.ThresholdMu, Parts: r.Parts, MaxGapM: r.LargestGapM}
	for _, d := range r.Layers {
		row.Deductions = append(row.Deductions, exchange.Deduction{Layer: d.Name, Kind: d.Kind, M2: d.Own.M2})
	}
	zs, err := s.Store.ListZones(ctx, store.ZoneFilter{PlatformID: p.ID})
	if err != nil {
		return row, err
	}
	for _, z := range zs {
		row.Members = append(row.Members, exchange.MemberRow{Name: z.Name, Kind: kindName(z.Kind),
			County: countyNames[z.CountyAdcode], Disposition: z.Disposition, AreaM2: z.AreaM2})
	}
	return row, nil
}

// Download is an export ready to be written: its file name and media type
// are known before the first byte, so that an HTTP answer can send its
// headers and then stream the file instead of holding it in memory.
type Download struct {
	Name, ContentType string
	write             func(w io.Writer) error
}

// Send makes the file and writes it to w. Nothing is written to w unless
// the file was made; a failure while writing to w (a client gone) can leave
// it cut short.
func (d *Download) Send(w io.Writer) error { return d.write(w) }

// PrepareExport reads what an export of one layer in a format holds and
// names the file; Download.Send makes and writes it.
func (s *Service) PrepareExport(ctx context.Context, req ExportRequest, opts exchange.ExportOptions) (*Download, error) {
	if opts.Region == nil {
		opts.Region = s.region() // DXF's default Gauss-Kruger zone
	}
	if opts.Format == exchange.FormatXLSX && req.Layer == change.Platforms {
		_, rows, err := s.platformsLayer(ctx, req.IDs)
		if err != nil {
			return nil, err
		}
		def, _ := s.definition(ctx)
		ver, err := s.Store.DataVersion(ctx)
		if err != nil {
			return nil, err
		}
		illustrative := ver.IllustrativeZones > 0 || len(ver.IllustrativeLayers) > 0
		mark, err := s.planMark(ctx)
		if err != nil {
			return nil, err
		}
		title := ""
		if mark != "" {
			title = "产业平台可开发空间面积表" + titleMark(mark)
		}
		return &Download{Name: "产业平台可开发空间汇总" + titleMark(mark) + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			write: func(w io.Writer) error {
				return exchange.AreaTable(w, rows, exchange.AreaTableOptions{Title: title, Definition: def, Date: time.Now(), Illustrative: illustrative})
			}}, nil
	}
	l, err := s.Layer(ctx, req)
	if err != nil {
		return nil, err
	}
	if opts.TempDir == "" {
		opts.TempDir = s.Scratch.Dir()
	}
	if sid := s.Store.Scenario(); sid != store.Official && opts.Name == "" {
		sc, err := s.Store.GetScenario(ctx, sid)
		if err != nil {
			return nil, err
		}
		opts.Name = l.Title + "_方案_" + sc.Name // a draft's file says so by its name too
	}
	layers := []exchange.ExportLayer{l}
	name, ctype, err := exchange.ExportTarget(layers, opts)
	if err != nil {
		return nil, err
	}
	return &Download{Name: name, ContentType: ctype, write: func(w io.Writer) error {
		_, _, err := exchange.Export(ctx, w, layers, opts)
		return err
	}}, nil
}

// Export writes one layer in a format.
func (s *Service) Export(ctx context.Context, w io.Writer, req ExportRequest, opts exchange.ExportOptions) (filename, contentType string, err error) {
	d, err := s.PrepareExport(ctx, req, opts)
	if err != nil {
		return "", "", err
	}
	if err := d.Send(w); err != nil {
		return "", "", err
	}
	return d.Name, d.ContentType, nil
}

func idSet(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}
