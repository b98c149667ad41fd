package sample

import (
	"context"
	"encoding/json"
	"fmt"

	"wanmu/internal/store"
)

// Loaded reports whether this installation holds the sample data, loaded at
// its first start (LoadOnce): the page then says the map is illustrative.
func Loaded(ctx context.Context, st *store.Store) (bool, error) {
	v, ok, err := st.Setting(ctx, settingKey)
	if err != nil || !ok {
		return false, err
	}
	var loaded bool
	if err := json.Unmarshal(v, &loaded); err != nil {
		return false, fmt.Errorf("read setting %s: %w", settingKey, err)
	}
	return loaded, nil
}
