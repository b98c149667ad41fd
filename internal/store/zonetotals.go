package store

import (
	"context"
	"fmt"
)

// ZoneTotals counts the zones matching a filter and adds up their areas,
// without reading them: the zone table's totals on large installations.
// The filter's page (After, Limit) is ignored.
func (s *Store) ZoneTotals(ctx context.Context, f ZoneFilter) (count int64, areaM2 float64, err error) {
	// The same FROM and WHERE as the list, so the totals match it row for row.
	q, args, err := zoneQuery(s.scenario, f, true)
	if err != nil {
		return 0, 0, err
	}
	err = s.db.QueryRow(ctx, q, args...).Scan(&count, &areaM2)
	if err != nil {
		return 0, 0, fmt.Errorf("zone totals: %w", err)
	}
	return count, areaM2, nil
}
