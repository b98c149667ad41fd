package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// ZoneDiff is one zone that differs between two states of the data, A and
// B (each the official data or a scenario): only in B (added), only in A
// (removed), or in both with another outline, other attributes or in
// another platform (changed). A scenario's copy and the official zone it
// stands for are the same zone; zones drawn in a scenario are its own.
type ZoneDiff struct {
	Status  string    `json:"status"`  // added | removed | changed
	Changes []string  `json:"changes"` // for changed: outline, attributes, platform
	A       *DiffSide `json:"a"`       // nil when added
	B       *DiffSide `json:"b"`       // nil when removed
	// GainedM2 and LostM2 are the ellipsoidal areas of B outside A and of
	// A outside B, for a changed outline.
	GainedM2 float64 `json:"gained_m2"`
	LostM2   float64 `json:"lost_m2"`
}

// DiffSide is a zone as one side of a difference has it.
type DiffSide struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Kind        string       `json:"kind"`
	Disposition string       `json:"disposition"`
	Platform    string       `json:"platform"`
	Version     int          `json:"version"`
	AreaM2      float64      `json:"area_m2"`
	Geom        orb.Geometry `json:"-"`
}

// MaxDiffZones bounds the zones one difference lists; Diff says when more
// differ.
const MaxDiffZones = 5000

// DiffZones lists the live zones that differ between scenarios a and b (0:
// the official data), at most MaxDiffZones of them, by name; more is true
// when further zones differ.
func (s *Store) DiffZones(ctx context.Context, a, b int64) (diffs []ZoneDiff, more bool, err error) {
	rows, err := s.db.Query(ctx, `
		WITH side AS (
			SELECT z.scenario_id AS sc, coalesce(z.origin_id, z.id) AS key, z.id, z.name, z.kind, z.disposition,
			       z.county_adcode, z.document_no, z.approved_area_ha, z.attributes, z.geom, z.area_m2, z.version,
			       coalesce(p.origin_id, p.id) AS pkey, coalesce(p.name, '') AS pname
			FROM zone z LEFT JOIN platform_member m ON m.zone_id = z.id LEFT JOIN platform p ON p.id = m.platform_id
			WHERE z.scenario_id IN ($1, $2) AND z.retired_at IS NULL),
		a AS (SELECT * FROM side WHERE sc = $1), b AS (SELECT * FROM side WHERE sc = $2),
		d AS (
			SELECT a.*, b.id AS b_id, b.name AS b_name, b.kind AS b_kind, b.disposition AS b_disposition,
			       b.pname AS b_pname, b.version AS b_version, b.area_m2 AS b_area_m2, b.geom AS b_geom,
			       a.id IS NOT NULL AND b.id IS NOT NULL AND ST_AsBinary(a.geom) <> ST_AsBinary(b.geom) AS outline,
			       a.id IS NOT NULL AND b.id IS NOT NULL AND (a.name, a.kind, a.disposition, a.county_adcode,
			           a.document_no, a.approved_area_ha, a.attributes) IS DISTINCT FROM (b.name, b.kind, b.disposition,
			           b.county_adcode, b.document_no, b.approved_area_ha, b.attributes) AS attrs,
			       a.id IS NOT NULL AND b.id IS NOT NULL AND a.pkey IS DISTINCT FROM b.pkey AS moved
			FROM a FULL JOIN b USING (key))
		SELECT id, coalesce(name, ''), coalesce(kind, ''), coalesce(disposition, ''), coalesce(pname, ''),
		       coalesce(version, 0), coalesce(area_m2, 0), ST_AsBinary(geom),
		       b_id, coalesce(b_name, ''), coalesce(b_kind, ''), coalesce(b_disposition, ''), coalesce(b_pname, ''),
		       coalesce(b_version, 0), coalesce(b_area_m2, 0), ST_AsBinary(b_geom),
		       outline, attrs, moved,
		       CASE WHEN outline THEN ellipsoidal_area(ST_Difference(b_geom, geom)) ELSE 0 END,
		       CASE WHEN outline THEN ellipsoidal_area(ST_Difference(geom, b_geom)) ELSE 0 END
		FROM d WHERE id IS NULL OR b_id IS NULL OR outline OR attrs OR moved
		ORDER BY coalesce(b_name, name), coalesce(b_id, id)
		LIMIT $3`, a, b, MaxDiffZones+1)
	if err != nil {
		return nil, false, fmt.Errorf("diff of %d and %d: %w", a, b, classify(err))
	}
	diffs, err = pgx.CollectRows(rows, scanZoneDiff)
	if err != nil {
		return nil, false, fmt.Errorf("diff of %d and %d: %w", a, b, classify(err))
	}
	if len(diffs) > MaxDiffZones {
		return diffs[:MaxDiffZones], true, nil
	}
	return diffs, false, nil
}

func scanZoneDiff(r pgx.CollectableRow) (ZoneDiff, error) {
	var d ZoneDiff
	var a, b DiffSide
	var aID, bID *int64
	var aWKB, bWKB []byte
	var outline, attrs, moved bool
	err := r.Scan(&aID, &a.Name, &a.Kind, &a.Disposition, &a.Platform, &a.Version, &a.AreaM2, &aWKB,
		&bID, &b.Name, &b.Kind, &b.Disposition, &b.Platform, &b.Version, &b.AreaM2, &bWKB,
		&outline, &attrs, &moved, &d.GainedM2, &d.LostM2)
	if err != nil {
		return d, err
	}
	if aID != nil {
		a.ID = *aID
		if a.Geom, err = decodeMulti(aWKB); err != nil {
			return d, err
		}
		d.A = &a
	}
	if bID != nil {
		b.ID = *bID
		if b.Geom, err = decodeMulti(bWKB); err != nil {
			return d, err
		}
		d.B = &b
	}
	switch {
	case d.A == nil:
		d.Status = "added"
	case d.B == nil:
		d.Status = "removed"
	default:
		d.Status = "changed"
	}
	for _, c := range []struct {
		on   bool
		name string
	}{{outline, "outline"}, {attrs, "attributes"}, {moved, "platform"}} {
		if c.on {
			d.Changes = append(d.Changes, c.name)
		}
	}
	return d, nil
}
