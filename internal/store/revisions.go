package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Revision is one entry of the append-only history.
type Revision struct {
	ID       int64           `json:"id"`
	Entity   string          `json:"entity"`
	EntityID int64           `json:"entity_id"`
	Version  int             `json:"version"`
	Action   string          `json:"action"`
	Actor    string          `json:"actor"`
	Reason   string          `json:"reason"`
	At       time.Time       `json:"at"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

func addRevision(ctx context.Context, tx pgx.Tx, entity string, id int64, version int, action string, c Change, before, after map[string]any) error {
	var b, a any
	if before != nil {
		b = before
	}
	if after != nil {
		a = after
	}
	_, err := tx.Exec(ctx, `INSERT INTO revision (entity, entity_id, version, action, actor, reason, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, entity, id, version, action, nullable(c.Actor), c.Reason, b, a)
	if err != nil {
		return fmt.Errorf("record revision of %s %d: %w", entity, id, err)
	}
	return nil
}

// History returns the revisions of a zone or platform, oldest first.
func (s *Store) History(ctx context.Context, entity string, id int64) ([]Revision, error) {
	rows, err := s.db.Query(ctx, `SELECT id, entity, entity_id, version, action, coalesce(actor, ''), reason, at,
		coalesce(before, 'null'::jsonb), coalesce(after, 'null'::jsonb)
		FROM revision WHERE entity = $1 AND entity_id = $2 ORDER BY id`, entity, id)
	if err != nil {
		return nil, fmt.Errorf("history of %s %d: %w", entity, id, err)
	}
	defer rows.Close()
	var rs []Revision
	for rows.Next() {
		var r Revision
		var before, after []byte
		if err := rows.Scan(&r.ID, &r.Entity, &r.EntityID, &r.Version, &r.Action, &r.Actor, &r.Reason, &r.At, &before, &after); err != nil {
			return nil, fmt.Errorf("history of %s %d: %w", entity, id, err)
		}
		r.Before, r.After = before, after
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

func geometryJSON(mp orb.MultiPolygon) any {
	if mp == nil {
		return nil
	}
	return geojson.NewGeometry(mp)
}
