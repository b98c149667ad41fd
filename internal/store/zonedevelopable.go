package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ZoneDevelopable computes the developable area of live zone zoneID on its
// own: the report (computeReport, the platform report's engine) of a
// platform whose only member is the zone, under the constraint layers in
// force. Its figures are those the zone's platform would have if the zone
// were its single member; PlatformID is 0 and Name the zone's. A retired
// zone is ErrGone: it counts for nothing any more.
func (s *Store) ZoneDevelopable(ctx context.Context, zoneID int64) (Zone, Report, error) {
	var z Zone
	var r Report
	err := s.reportSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		if z, err = getZone(ctx, tx, zoneID, false); err != nil {
			return err
		}
		if z.RetiredAt != nil {
			return fmt.Errorf("zone %d is retired: %w", zoneID, ErrGone)
		}
		// The stored WKB, not z.Geom re-encoded: the very geometry the
		// platform report measures.
		var wkb []byte
		if err := tx.QueryRow(ctx, `SELECT ST_AsBinary(geom) FROM zone WHERE id = $1`, zoneID).Scan(&wkb); err != nil {
			return err
		}
		r, err = zoneReport(ctx, tx, z.Name, wkb)
		return err
	})
	if err != nil {
		return z, r, fmt.Errorf("developable area of zone %d: %w", zoneID, err)
	}
	return z, r, nil
}

// zoneReport is the report of the geometry wkb as a platform of its own:
// platform 0 has no members, so the geometry enters as the draft of a new
// member (the new-zone preview's path through reportSQL).
func zoneReport(ctx context.Context, tx pgx.Tx, name string, wkb []byte) (Report, error) {
	return computeReport(ctx, tx, Platform{Name: name}, memberDraft{wkb: wkb})
}
