package store

import (
	"context"
	"fmt"
	"sort"
)

// CountyUse is how much of the data names one county code.
type CountyUse struct {
	Adcode        string
	OfficialZones int // live zones of the official data
	ScenarioZones int // live zones of live scenarios
	Platforms     int // live platforms (official or in a scenario) listing it
}

// CountiesInUse is every county code live zones and platforms use, in the
// official data and in live scenarios, ordered by code: the server checks
// them against its region at start.
func (s *Store) CountiesInUse(ctx context.Context) ([]CountyUse, error) {
	rows, err := s.db.Query(ctx, `
		WITH live AS (SELECT id FROM scenario WHERE retired_at IS NULL AND adopted_at IS NULL UNION SELECT 0),
		z AS (SELECT county_adcode AS c, count(*) FILTER (WHERE scenario_id = 0) AS o, count(*) FILTER (WHERE scenario_id <> 0) AS d
		      FROM zone WHERE retired_at IS NULL AND scenario_id IN (SELECT id FROM live) GROUP BY 1),
		p AS (SELECT c, count(*) AS n FROM platform, unnest(counties) AS c
		      WHERE retired_at IS NULL AND scenario_id IN (SELECT id FROM live) GROUP BY 1)
		SELECT coalesce(z.c, p.c), coalesce(z.o, 0), coalesce(z.d, 0), coalesce(p.n, 0) FROM z FULL JOIN p ON p.c = z.c`)
	if err != nil {
		return nil, fmt.Errorf("counties in use: %w", err)
	}
	defer rows.Close()
	var out []CountyUse
	for rows.Next() {
		var u CountyUse
		var o, d, p int64
		if err := rows.Scan(&u.Adcode, &o, &d, &p); err != nil {
			return nil, fmt.Errorf("counties in use: %w", err)
		}
		u.OfficialZones, u.ScenarioZones, u.Platforms = int(o), int(d), int(p)
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Adcode < out[j].Adcode })
	return out, rows.Err()
}
