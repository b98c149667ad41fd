package transfer

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/change"
	"wanmu/internal/exchange"
	"wanmu/internal/store"
)

var countyNames = map[string]string{
	"331102": "莲都区", "331121": "青田县", "331122": "缙云县", "331123": "遂昌县", "331124": "松阳县",
	"331125": "云和县", "331126": "庆元县", "331127": "景宁畲族自治县", "331181": "龙泉市",
}

var kindNames = map[string]string{"park": "开发区/园区", "township": "乡镇工业功能区"}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

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
		Fields: []exchange.Field{{Name: "fid", Title: "要素编号"}}}
	seen := map[string]bool{}
	err = s.Store.LayerFeatures(ctx, id, func(fid int64, g []byte, attrs map[string]any) error {
		geom, err := wkb.Unmarshal(g)
		if err != nil {
			return err
		}
		props := map[string]any{"fid": fid}
		for k, v := range attrs {
			props[k] = v
			if !seen[k] {
				seen[k] = true
				out.Fields = append(out.Fields, exchange.Field{Name: k})
			}
		}
		out.Features = append(out.Features, exchange.Feature{Geometry: geom, Properties: props})
		return nil
	})
	return out, err
}

func (s *Service) zonesLayer(ctx context.Context, ids []int64) (exchange.ExportLayer, error) {
	zs, err := s.Store.ListZones(ctx, store.ZoneFilter{})
	if err != nil {
		return exchange.ExportLayer{}, err
	}
	want := idSet(ids)
	l := exchange.ExportLayer{Name: "zones", Title: "园区与乡镇工业功能区", Fields: []exchange.Field{
		{Name: "id", Title: "编号"}, {Name: "name", Title: "名称"}, {Name: "kind", Title: "类型"},
		{Name: "county", Title: "县（市、区）"}, {Name: "adcode", Title: "行政区划代码"},
		{Name: "disposition", Title: "处置方式"}, {Name: "platform", Title: "所属平台"},
		{Name: "area_m2", Title: "面积（平方米，椭球面积）"}, {Name: "area_mu", Title: "面积（亩）"},
		{Name: "area_ha", Title: "面积（公顷）"}, {Name: "approved_ha", Title: "核准面积（公顷）"},
		{Name: "doc_no", Title: "批准文号"}, {Name: "version", Title: "版本"},
	}}
	for _, z := range zs {
		if len(want) > 0 && !want[z.ID] {
			continue
		}
		a := store.AreaOf(z.AreaM2)
		props := map[string]any{"id": z.ID, "name": z.Name, "kind": kindNames[z.Kind], "county": countyNames[z.CountyAdcode],
			"adcode": z.CountyAdcode, "disposition": z.Disposition, "platform": z.PlatformName,
			"area_m2": round2(a.M2), "area_mu": round2(a.Mu), "area_ha": round2(a.Ha), "doc_no": z.DocumentNo, "version": z.Version}
		if z.ApprovedAreaHa != nil {
			props["approved_ha"] = *z.ApprovedAreaHa
		}
		l.Features = append(l.Features, exchange.Feature{Geometry: z.Geom, Properties: props})
	}
	return l, nil
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
	want := idSet(ids)
	l := exchange.ExportLayer{Name: "platforms", Title: "产业平台", Fields: []exchange.Field{
		{Name: "id", Title: "编号"}, {Name: "name", Title: "平台名称"}, {Name: "role", Title: "布局"},
		{Name: "counties", Title: "涉及县（市、区）"}, {Name: "members", Title: "成员分区数"},
		{Name: "gross_mu", Title: "总面积（亩）"}, {Name: "gross_m2", Title: "总面积（平方米）"},
		{Name: "overlap_mu", Title: "重叠面积（亩）"}, {Name: "deduct_mu", Title: "扣除面积（亩）"},
		{Name: "dev_mu", Title: "可开发空间（亩）"}, {Name: "dev_ha", Title: "可开发空间（公顷）"},
		{Name: "dev_m2", Title: "可开发空间（平方米）"}, {Name: "threshold", Title: "门槛（亩）"},
		{Name: "meets", Title: "是否达到万亩"}, {Name: "short_mu", Title: "缺口（亩）"},
		{Name: "parts", Title: "地块数"}, {Name: "max_gap_m", Title: "最大间距（米）"},
	}}
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
		l.Features = append(l.Features, exchange.Feature{Geometry: geom, Properties: map[string]any{
			"id": p.ID, "name": p.Name, "role": p.Role, "counties": row.Counties, "members": r.Members,
			"gross_mu": round2(r.Gross.Mu), "gross_m2": round2(r.Gross.M2), "overlap_mu": round2(r.Overlap.Mu),
			"deduct_mu": round2(r.Deducted.Mu), "dev_mu": round2(r.Developable.Mu), "dev_ha": round2(r.Developable.Ha),
			"dev_m2": round2(r.Developable.M2), "threshold": r.ThresholdMu, "meets": meets,
			"short_mu": round2(r.Shortfall.Mu), "parts": r.Parts, "max_gap_m": round2(r.LargestGapM),
		}})
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
		row.Members = append(row.Members, exchange.MemberRow{Name: z.Name, Kind: kindNames[z.Kind],
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
	if opts.Format == exchange.FormatXLSX && req.Layer == change.Platforms {
		_, rows, err := s.platformsLayer(ctx, req.IDs)
		if err != nil {
			return nil, err
		}
		def, _ := s.definition(ctx)
		return &Download{Name: "产业平台可开发空间汇总.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			write: func(w io.Writer) error {
				return exchange.AreaTable(w, rows, exchange.AreaTableOptions{Definition: def, Date: time.Now()})
			}}, nil
	}
	l, err := s.Layer(ctx, req)
	if err != nil {
		return nil, err
	}
	if opts.TempDir == "" {
		opts.TempDir = s.Scratch.Dir()
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
