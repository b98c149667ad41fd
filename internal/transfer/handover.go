package transfer

import (
	"context"
	"io"

	"wanmu/internal/exchange"
)

// Handover writes the package for a land-use planner: platforms and zones as
// Shapefile and GeoPackage, the XLSX area table and a README.
func (s *Service) Handover(ctx context.Context, w io.Writer, opts exchange.HandoverOptions) error {
	platforms, rows, err := s.platformsLayer(ctx, nil)
	if err != nil {
		return err
	}
	zones, err := s.zonesLayer(ctx, nil)
	if err != nil {
		return err
	}
	if opts.Definition == "" {
		opts.Definition, _ = s.definition(ctx)
	}
	if opts.TempDir == "" {
		opts.TempDir = s.Scratch.Dir()
	}
	return exchange.Handover(ctx, w, platforms, zones, rows, opts)
}

// definition is the developable-area definition in force (of any platform's
// report; it is the same for all).
func (s *Service) definition(ctx context.Context) (string, error) {
	ps, err := s.Store.ListPlatforms(ctx, false)
	if err != nil || len(ps) == 0 {
		return "", err
	}
	r, err := s.Reports.Report(ctx, ps[0].ID)
	return r.Definition.Text, err
}
