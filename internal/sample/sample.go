// Package sample loads the illustrative data of 丽水 (geodata/, 示例数据, not
// surveyed) into an empty installation, once.
package sample

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"wanmu/geodata"
	"wanmu/internal/policy"
	"wanmu/internal/store"
	"wanmu/internal/synth"
)

const settingKey = "sample_loaded"

// actor is recorded as the author of the sample data.
var actor = store.Change{Actor: "sample", Reason: "示例数据 loaded on first start"}

// LoadOnce loads the sample data unless it was loaded before or the
// installation already holds zones. It reports whether it loaded.
func LoadOnce(ctx context.Context, st *store.Store, log *slog.Logger) (bool, error) {
	d, err := synth.ReadFS(geodata.FS)
	if err != nil {
		return false, fmt.Errorf("read geodata: %w", err)
	}
	loaded := false
	// All or nothing, and once: a failed load leaves the installation empty
	// so the next start tries again, and instances starting together on one
	// database take turns.
	err = st.InTx(ctx, func(tx *store.Store) error {
		loaded = false // the transaction may run again
		if err := tx.Lock(ctx, lockKey); err != nil {
			return err
		}
		if _, done, err := tx.Setting(ctx, settingKey); err != nil || done {
			return err
		}
		zs, err := tx.ListZones(ctx, store.ZoneFilter{Limit: 1, Retired: true})
		if err != nil {
			return err
		}
		if len(zs) > 0 { // someone's own data: never mix the sample in
			return tx.SetSetting(ctx, settingKey, false)
		}
		if err := Load(ctx, tx, d); err != nil {
			return err
		}
		if err := loadScenarios(ctx, tx); err != nil {
			return fmt.Errorf("sample plans: %w", err)
		}
		if err := loadEnterprises(ctx, tx); err != nil { // enterprises.go
			return fmt.Errorf("sample enterprises: %w", err)
		}
		if err := loadVacant(ctx, tx); err != nil { // vacant.go
			return fmt.Errorf("sample vacant land: %w", err)
		}
		loaded = true
		return tx.SetSetting(ctx, settingKey, true)
	})
	return loaded && err == nil, err
}

// lockKey serialises sample loading between instances (arbitrary, fixed).
const lockKey = 7_202_056

// Load writes a dataset: layers, zones, then platforms with their members.
func Load(ctx context.Context, st *store.Store, d synth.Dataset) error {
	for _, l := range append(append([]synth.Layer{}, d.Layers...), d.References...) {
		features := make([]store.LayerFeature, 0, len(l.Features.Features))
		for _, f := range l.Features.Features {
			b, err := wkb.Marshal(f.Geometry)
			if err != nil {
				return fmt.Errorf("layer %s: %w", l.Name, err)
			}
			features = append(features, store.LayerFeature{Geom: b, Attributes: f.Properties})
		}
		if _, _, err := st.CreateLayer(ctx, store.Change{}, l.Name, l.Kind, l.Source, features, nil); err != nil {
			return err
		}
	}
	members := map[string][]int64{}
	for i, f := range d.Zones.Features {
		p := f.Properties
		kind, name, county, disp := p.MustString("kind", ""), p.MustString("name", ""), p.MustString("county_adcode", ""), p.MustString("disposition", "待定")
		attrs := map[string]any{}
		for k, v := range p {
			switch k {
			case "kind", "name", "county_adcode", "disposition", "platform", "approved_area_ha", "document_no":
			default:
				attrs[k] = v
			}
		}
		zf := store.ZoneFields{Kind: &kind, Name: &name, CountyAdcode: &county, Disposition: &disp, Attributes: attrs, Geom: multi(f.Geometry)}
		if v, ok := p["approved_area_ha"].(float64); ok {
			pv := &v
			zf.ApprovedAreaHa = &pv
		}
		if doc := p.MustString("document_no", ""); doc != "" {
			zf.DocumentNo = &doc
		}
		z, err := st.CreateZone(ctx, zf, actor)
		if err != nil {
			return fmt.Errorf("sample zone %d (%s): %w", i, name, err)
		}
		if pl := p.MustString("platform", ""); pl != "" {
			members[pl] = append(members[pl], z.ID)
		}
	}
	for _, p := range d.Platforms {
		name, role, threshold := p.Name, p.Role, p.ThresholdMu
		if threshold == 0 {
			threshold = policy.ThresholdMu
		}
		note := p.Note
		f := store.PlatformFields{Name: &name, Role: &role, Counties: p.Counties, ThresholdMu: &threshold, Note: &note}
		if _, err := st.CreatePlatform(ctx, f, members[p.Name], actor); err != nil {
			return fmt.Errorf("sample platform %s: %w", p.Name, err)
		}
	}
	return nil
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}
