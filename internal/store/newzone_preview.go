package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// JoinDistanceDeg is how close (in degrees, about 100 m in 丽水) a new
// zone's outline must come to a platform's zone for the preview to take
// that platform as the one it will join when the planner chose none.
const JoinDistanceDeg = 0.001

// PreviewNewZone computes, in one snapshot and without writing anything,
// the report of platform platformID as if a new zone with geometry wkb
// joined it. With platformID 0 the platform is the nearest live one whose
// zones the outline touches or comes within JoinDistanceDeg of; Reports is
// empty when there is none, or when the draft is invalid.
func (s *Store) PreviewNewZone(ctx context.Context, platformID int64, wkb []byte) (Preview, error) {
	var pv Preview
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		if pv.Area, pv.Reason, err = measure(ctx, tx, wkb); err != nil {
			return err
		}
		pv.Reports = []Report{}
		if pv.Reason != "" {
			return nil
		}
		if platformID == 0 {
			err := tx.QueryRow(ctx, `WITH d AS (SELECT ST_GeomFromWKB($1, 4490) AS g)
				SELECT p.id FROM d, zone z JOIN platform_member pm ON pm.zone_id = z.id JOIN platform p ON p.id = pm.platform_id
				WHERE z.retired_at IS NULL AND p.retired_at IS NULL AND z.scenario_id = $3 AND ST_DWithin(z.geom, d.g, $2)
				ORDER BY ST_Distance(z.geom, d.g), p.id LIMIT 1`, wkb, JoinDistanceDeg, s.scenario).Scan(&platformID)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
		}
		p, err := getPlatform(ctx, tx, platformID, false)
		if err != nil {
			return err
		}
		if p.RetiredAt != nil {
			return fmt.Errorf("platform %d is retired: %w", platformID, ErrGone)
		}
		r, err := computeReport(ctx, tx, p, memberDraft{zoneID: 0, wkb: wkb})
		if err != nil {
			return err
		}
		pv.Reports = append(pv.Reports, r)
		return nil
	})
	if err != nil {
		return pv, fmt.Errorf("preview of a new zone: %w", err)
	}
	return pv, nil
}
