package store

import (
	"context"
	"fmt"
	"strings"
)

// ZoneTotals counts the zones matching a filter and adds up their areas,
// without reading them: the zone table's totals on large installations.
// The filter's page (After, Limit) is ignored.
func (s *Store) ZoneTotals(ctx context.Context, f ZoneFilter) (count int64, areaM2 float64, err error) {
	f.After, f.Limit = 0, 0
	q, args := zoneQuery(s.scenario, f)
	// The same FROM and WHERE as the list, so the totals match it row for row.
	rest := strings.TrimSuffix(strings.TrimPrefix(q, "SELECT "+zoneColumns), " ORDER BY z.id")
	if rest == q || !strings.HasPrefix(rest, zoneFrom) {
		return 0, 0, fmt.Errorf("zone totals: unexpected list query")
	}
	err = s.db.QueryRow(ctx, "SELECT count(*), coalesce(sum(z.area_m2), 0)"+rest, args...).Scan(&count, &areaM2)
	if err != nil {
		return 0, 0, fmt.Errorf("zone totals: %w", err)
	}
	return count, areaM2, nil
}
