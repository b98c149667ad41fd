package report

import (
	"context"

	"wanmu/internal/change"
	"wanmu/internal/store"
)

// TileSource serves the store's tile layers and adds to each platform
// outline its current figures (developable_mu, meets) from the cache. The
// figures change only through edits that are announced on the change bus for
// the platforms layer, so tiles holding them are invalidated like any other.
type TileSource struct {
	*store.Store
	Reports *Cache
}

// TileLayerInfo announces the platform figures as fields.
func (s TileSource) TileLayerInfo(ctx context.Context, layer string) (store.TileLayer, error) {
	l, err := s.Store.TileLayerInfo(ctx, layer)
	if err == nil && layer == change.Platforms {
		if l.Fields == nil {
			l.Fields = map[string]string{}
		}
		l.Fields["developable_mu"] = "Number"
		l.Fields["threshold_mu"] = "Number"
		l.Fields["meets"] = "Boolean"
	}
	return l, err
}

// TileFeatures adds the platform figures to platform outlines.
func (s TileSource) TileFeatures(ctx context.Context, layer string, q store.TileQuery) ([]store.TileFeature, error) {
	fs, err := s.Store.TileFeatures(ctx, layer, q)
	if err != nil || layer != change.Platforms {
		return fs, err
	}
	for i := range fs {
		r, err := s.Reports.Report(ctx, fs[i].ID)
		if err != nil {
			return nil, err
		}
		if fs[i].Props == nil {
			fs[i].Props = map[string]any{}
		}
		fs[i].Props["developable_mu"] = r.Developable.Mu
		fs[i].Props["threshold_mu"] = r.ThresholdMu
		fs[i].Props["meets"] = r.Meets
	}
	return fs, nil
}
