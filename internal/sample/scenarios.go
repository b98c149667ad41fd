package sample

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"wanmu/internal/store"
)

// The sample ships two illustrative consolidation plans (方案), so that a
// newcomer sees drafting and comparing on first start: two ways of bringing
// the 云和 platform over 10,000 mu (it falls about 1,500 mu short).
const (
	planGrow  = "示例方案甲：云和主园区向外扩展"
	planMerge = "示例方案乙：云和、景宁合为云景片区"
	yunhe     = "云和产业平台"
	jingning  = "景宁产业平台"
)

// loadScenarios drafts the two plans from the official sample data.
func loadScenarios(ctx context.Context, st *store.Store) error {
	a, err := st.CreateScenario(ctx, planGrow,
		"把云和产业平台面积最大的园区边界按比例向外扩展，直到平台可开发面积达到 1 万亩（示例数据，仅演示方案比较）。", actor)
	if err != nil {
		return err
	}
	if err := growLargest(ctx, st.In(a.ID)); err != nil {
		return fmt.Errorf("%s: %w", planGrow, err)
	}
	b, err := st.CreateScenario(ctx, planMerge,
		"按“三片区·云景片区”的思路，把景宁产业平台的功能区并入云和产业平台，合为一个云景片区平台（示例数据）。", actor)
	if err != nil {
		return err
	}
	if err := mergePlatforms(ctx, st.In(b.ID)); err != nil {
		return fmt.Errorf("%s: %w", planMerge, err)
	}
	return nil
}

func platformNamed(ps []store.Platform, name string) (store.Platform, error) {
	i := slices.IndexFunc(ps, func(p store.Platform) bool { return p.Name == name })
	if i < 0 {
		return store.Platform{}, fmt.Errorf("no platform %s in the sample", name)
	}
	return ps[i], nil
}

// growLargest enlarges 云和's largest zone about its centre, step by step,
// until the platform reaches its threshold: the "move the boundary out"
// kind of plan. (The unassigned township zones near 云和 lie outside the
// urban development boundary, so adding them would change nothing.)
func growLargest(ctx context.Context, st *store.Store) error {
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		return err
	}
	p, err := platformNamed(ps, yunhe)
	if err != nil {
		return err
	}
	members, err := st.ListZones(ctx, store.ZoneFilter{PlatformID: p.ID})
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return fmt.Errorf("%s has no zones", yunhe)
	}
	z := slices.MaxFunc(members, func(a, b store.Zone) int { return int(math.Copysign(1, a.AreaM2-b.AreaM2)) })
	original := z.Geom
	for k := 1.05; k <= maxGrowth+1e-9; k += 0.05 {
		rep, err := st.Report(ctx, p.ID)
		if err != nil {
			return err
		}
		if rep.Meets {
			return nil
		}
		if z, err = st.UpdateZone(ctx, z.ID, z.Version, store.ZoneFields{Geom: scaled(original, k)}, actor); err != nil {
			return err
		}
	}
	return nil
}

// maxGrowth bounds the enlargement (linear factor).
const maxGrowth = 2.0

// scaled is g with each part's outer ring enlarged by factor k about the
// centre of the part's box (the parts stay where they are); holes (land the
// zone leaves out) stay as they are.
func scaled(g orb.MultiPolygon, k float64) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(g))
	for i, poly := range g {
		c := poly.Bound().Center()
		out[i] = slices.Clone(poly)
		ring := make(orb.Ring, len(poly[0]))
		for n, pt := range poly[0] {
			ring[n] = orb.Point{c[0] + (pt[0]-c[0])*k, c[1] + (pt[1]-c[1])*k}
		}
		out[i][0] = ring
	}
	return out
}

// mergePlatforms moves 景宁's zones into 云和, retires 景宁 and renames 云和
// to the 云景片区 platform.
func mergePlatforms(ctx context.Context, st *store.Store) error {
	ps, err := st.ListPlatforms(ctx, false)
	if err != nil {
		return err
	}
	y, err := platformNamed(ps, yunhe)
	if err != nil {
		return err
	}
	j, err := platformNamed(ps, jingning)
	if err != nil {
		return err
	}
	zones := append(slices.Clone(y.ZoneIDs), j.ZoneIDs...)
	if err := st.RetirePlatform(ctx, j.ID, j.Version, actor); err != nil {
		return err
	}
	if y, err = st.SetMembers(ctx, y.ID, y.Version, zones, actor); err != nil {
		return err
	}
	name, note := "云景片区产业平台", "三片区·云景片区：云和、景宁两县平台合一（示例方案）"
	counties := []string{"331125", "331127"}
	_, err = st.UpdatePlatform(ctx, y.ID, y.Version, store.PlatformFields{Name: &name, Note: &note, Counties: counties}, actor)
	return err
}
