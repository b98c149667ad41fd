package transfer

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/internal/change"
	"wanmu/internal/exchange"
	"wanmu/internal/store"
)

// Handover writes the package for a land-use planner: platforms, zones, each
// platform's developable and deducted land and the constraint layers the
// figures used, as Shapefile and GeoPackage, the XLSX tables, an ISO 19139
// metadata file and a README stating provenance.
//
// The package is read in several statements; so that its README, metadata
// and figures describe one state of the data, the data's version (last
// revisions, constraint layers' versions) is read before and after, and the
// package is read again when an edit came in between.
func (s *Service) Handover(ctx context.Context, w io.Writer, opts exchange.HandoverOptions) error {
	const tries = 3
	for try := 1; ; try++ {
		before, err := s.dataStamp(ctx)
		if err != nil {
			return err
		}
		pkg, err := s.handoverPackage(ctx)
		if err != nil {
			return err
		}
		after, err := s.dataStamp(ctx)
		if err != nil {
			return err
		}
		if before == after {
			mark, err := s.planMark(ctx)
			if err != nil {
				return err
			}
			if mark != "" && opts.Title == "" {
				opts.Title = "产业平台整合成果" + titleMark(mark)
			}
			if opts.Definition == "" {
				opts.Definition, _ = s.definition(ctx)
			}
			if opts.TempDir == "" {
				opts.TempDir = s.Scratch.Dir()
			}
			return exchange.Handover(ctx, w, pkg, opts)
		}
		if try == tries {
			return fmt.Errorf("the data changed while the handover package was read (%d times); try again when the edits are done: %w",
				tries, store.ErrConflict)
		}
	}
}

// dataStamp identifies the state of the data a handover describes: the last
// zone and platform revisions and every constraint layer's version.
func (s *Service) dataStamp(ctx context.Context) (string, error) {
	ver, err := s.Store.DataVersion(ctx)
	if err != nil {
		return "", err
	}
	ls, err := s.Store.ListLayers(ctx)
	if err != nil {
		return "", err
	}
	stamp := fmt.Sprintf("%d/%d", ver.ZoneRevision, ver.PlatformRevision)
	for _, l := range ls {
		stamp += fmt.Sprintf(" %d:%d:%t", l.ID, l.Version, l.Enabled)
	}
	return stamp, nil
}

// handoverPackage reads what a handover holds.
func (s *Service) handoverPackage(ctx context.Context) (exchange.HandoverPackage, error) {
	var pkg exchange.HandoverPackage
	var err error
	if pkg.Platforms, pkg.Table, err = s.platformsLayer(ctx, nil); err != nil {
		return pkg, err
	}
	if pkg.Zones, err = s.zonesLayer(ctx, nil); err != nil {
		return pkg, err
	}
	ver, err := s.Store.DataVersion(ctx)
	if err != nil {
		return pkg, err
	}
	pkg.Provenance = exchange.Provenance{Zones: ver.Zones, Platforms: ver.Platforms,
		ZoneRevision: ver.ZoneRevision, PlatformRevision: ver.PlatformRevision,
		ZonesChangedAt: ver.ZonesChangedAt, PlatformsChangedAt: ver.PlatformsChangedAt,
		IllustrativeZones: ver.IllustrativeZones}
	for _, f := range pkg.Zones.Features {
		if name, _ := f.Properties["platform"].(string); name != "" {
			pkg.Provenance.MemberZones++
		}
	}
	if err := s.handoverConstraints(ctx, &pkg, ver); err != nil {
		return pkg, err
	}
	pkg.Developable, pkg.Deducted, err = s.developableLayers(ctx)
	return pkg, err
}

// handoverConstraints adds the constraint layers the reports apply (the
// enabled include and exclude layers, include first, as the report orders
// them) with their provenance.
func (s *Service) handoverConstraints(ctx context.Context, pkg *exchange.HandoverPackage, ver store.DataVersion) error {
	ls, err := s.Store.ListLayers(ctx)
	if err != nil {
		return err
	}
	var used []store.Layer
	for _, l := range ls {
		if l.Enabled && (l.Kind == "include" || l.Kind == "exclude") {
			used = append(used, l)
		}
	}
	sort.SliceStable(used, func(i, j int) bool { return used[i].Kind == "include" && used[j].Kind != "include" })
	for _, l := range used {
		el, err := s.Layer(ctx, ExportRequest{Layer: change.ConstraintLayer(l.ID)})
		if err != nil {
			return fmt.Errorf("constraint layer %s: %w", l.Name, err)
		}
		pkg.Constraints = append(pkg.Constraints, el)
		pkg.Provenance.Layers = append(pkg.Provenance.Layers, exchange.LayerSource{Name: l.Name, Kind: l.Kind,
			Source: l.Source, Version: l.Version, Features: l.Features, ImportedAt: l.ImportedAt,
			Illustrative: ver.IllustrativeLayers[l.ID]})
	}
	return nil
}

// developableLayers builds, for every live platform, its developable land
// (one feature) and its deducted land (one feature per reason).
func (s *Service) developableLayers(ctx context.Context) (dev, ded exchange.ExportLayer, err error) {
	platformFields := []exchange.Field{
		{Name: "platform_id", Type: exchange.FieldInteger, Title: "平台编号"},
		{Name: "platform", Type: exchange.FieldString, Title: "平台名称"},
	}
	areas := areaFields
	dev = exchange.ExportLayer{Name: "developable", Title: "可开发空间",
		Fields: append(append([]exchange.Field{}, platformFields...), areas...)}
	ded = exchange.ExportLayer{Name: "deducted", Title: "扣除用地",
		Fields: append(append(append([]exchange.Field{}, platformFields...),
			exchange.Field{Name: "reason", Type: exchange.FieldString, Title: "扣除原因"},
			exchange.Field{Name: "kind", Type: exchange.FieldString, Title: "图层类型（纳入/扣除）"}), areas...)}
	ps, err := s.Store.ListPlatforms(ctx, false)
	if err != nil {
		return dev, ded, err
	}
	for _, p := range ps {
		land, err := s.Store.DevelopableLand(ctx, p.ID)
		if err != nil {
			return dev, ded, err
		}
		base := func() map[string]any { return map[string]any{"platform_id": p.ID, "platform": p.Name} }
		if land.Developable != nil {
			g, err := multiPolygon(land.Developable)
			if err != nil {
				return dev, ded, fmt.Errorf("developable land of %s: %w", p.Name, err)
			}
			dev.Features = append(dev.Features, exchange.Feature{Geometry: g, Properties: withArea(base(), land.Area.M2)})
		}
		for _, d := range land.Deducted {
			g, err := multiPolygon(d.Geom)
			if err != nil {
				return dev, ded, fmt.Errorf("deducted land of %s (%s): %w", p.Name, d.Reason, err)
			}
			kind := "扣除"
			if d.Kind == "include" {
				kind = "纳入"
			}
			props := base()
			props["reason"], props["kind"] = d.Reason, kind
			ded.Features = append(ded.Features, exchange.Feature{Geometry: g, Properties: withArea(props, d.Area.M2)})
		}
	}
	return dev, ded, nil
}

// withArea sets the area columns (setArea) and returns props.
func withArea(props map[string]any, m2 float64) map[string]any {
	setArea(props, m2)
	return props
}

func multiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, fmt.Errorf("geometry is %s, not MultiPolygon", g.GeoJSONType())
	}
	return mp, nil
}

// definition is the developable-area definition in force (of any platform's
// report; it is the same for all).
func (s *Service) definition(ctx context.Context) (string, error) {
	ps, err := s.Store.ListPlatforms(ctx, false)
	if err != nil || len(ps) == 0 {
		return "", err
	}
	r, err := s.Reports.Report(ctx, ps[0].ID)
	return r.Definition.Text, err
}
