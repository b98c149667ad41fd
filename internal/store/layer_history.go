package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"wanmu/internal/change"
)

// A layer's state in the history: what a report reads of it. Loading a
// layer (before: none) and switching it on or off are its revisions.
func layerState(l Layer) map[string]any {
	return map[string]any{"name": l.Name, "kind": l.Kind, "enabled": l.Enabled, "features": l.Features, "version": l.Version}
}

// lockLayer reads layer id locked for update (after any zones and
// platforms the transaction locks: the global order).
func lockLayer(ctx context.Context, tx pgx.Tx, id int64) (Layer, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM constraint_layer WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Layer{}, err
	}
	l, err := getLayer(ctx, tx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("layer %d: %w", id, ErrNotFound)
	}
	return l, err
}

// writeLayerEnabled switches a locked layer, records the revision and
// announces that every platform's figures moved.
func writeLayerEnabled(ctx context.Context, tx pgx.Tx, cur Layer, enabled bool, action string, c Change) (Layer, error) {
	if _, err := tx.Exec(ctx, `UPDATE constraint_layer SET enabled = $2, version = version + 1 WHERE id = $1`, cur.ID, enabled); err != nil {
		return Layer{}, err
	}
	if err := change.Publish(ctx, tx, change.Change{Layer: "platforms"}); err != nil {
		return Layer{}, err
	}
	l, err := getLayer(ctx, tx, cur.ID)
	if err != nil {
		return Layer{}, err
	}
	return l, addRevision(ctx, tx, "layer", l.ID, l.Version, action, c, layerState(cur), layerState(l))
}

// takeBackLayers switches the layers of an operation back to what they
// were before it: on or off as before a switch, off for a load (a layer is
// never deleted: its features stay on record, out of the figures). A layer
// switched since the operation is a conflict, as for zones.
func takeBackLayers(ctx context.Context, tx pgx.Tx, states []*opState, action string, c Change, res *UndoResult) error {
	type enabled struct {
		Enabled bool `json:"enabled"`
	}
	for _, st := range states {
		cur, err := lockLayer(ctx, tx, st.id)
		if err != nil {
			return err
		}
		var after, before enabled
		if err := json.Unmarshal(st.after, &after); err != nil {
			return fmt.Errorf("layer %d: %w", st.id, err)
		}
		if st.before != nil {
			if err := json.Unmarshal(st.before, &before); err != nil {
				return fmt.Errorf("layer %d: %w", st.id, err)
			}
		}
		if cur.Enabled != after.Enabled {
			e := &UndoConflictError{Entity: "layer", ID: cur.ID, Name: cur.Name}
			_ = tx.QueryRow(ctx, `SELECT coalesce(actor, ''), at FROM revision WHERE entity = 'layer' AND entity_id = $1 ORDER BY id DESC LIMIT 1`,
				cur.ID).Scan(&e.By, &e.At)
			return e
		}
		if cur.Enabled != before.Enabled {
			if _, err := writeLayerEnabled(ctx, tx, cur, before.Enabled, action, c); err != nil {
				return err
			}
		}
		res.Layers = append(res.Layers, cur.ID)
	}
	return nil
}
