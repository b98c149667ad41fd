package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Settings returns the administrator's settings (table setting) whose names
// are given; a name without a row is absent from the map.
func (s *Store) Settings(ctx context.Context, names ...string) (map[string]string, error) {
	rows, err := s.db.Query(ctx, `SELECT name, value FROM setting WHERE name = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, v string
		if err := rows.Scan(&n, &v); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		out[n] = v
	}
	return out, rows.Err()
}

// SetSettings writes the given settings together; an empty value removes
// the setting.
func (s *Store) SetSettings(ctx context.Context, actor string, values map[string]string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for n, v := range values {
			var err error
			if v == "" {
				_, err = tx.Exec(ctx, `DELETE FROM setting WHERE name = $1`, n)
			} else {
				_, err = tx.Exec(ctx, `INSERT INTO setting (name, value, updated_by) VALUES ($1, $2, $3)
					ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`, n, v, actor)
			}
			if err != nil {
				return fmt.Errorf("write setting %s: %w", n, err)
			}
		}
		return nil
	})
}
