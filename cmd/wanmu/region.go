package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"wanmu/internal/region"
	"wanmu/internal/store"
)

// regionFlag registers --region: the city and its counties (a JSON file,
// see internal/region); without it, 丽水.
func regionFlag(fs *flag.FlagSet, path *string) {
	fs.StringVar(path, "region", os.Getenv("WANMU_REGION"),
		"JSON file of the city and its county-level divisions (env WANMU_REGION); default 丽水市 and its nine")
}

// loadRegion reads the region file, or returns 丽水's for "".
func loadRegion(path string) (*region.Region, error) {
	if path == "" {
		return region.Default(), nil
	}
	rg, err := region.Load(path)
	if err != nil {
		return nil, fmt.Errorf("--region: %w", err)
	}
	return rg, nil
}

// checkStoredCounties says, at start, which stored zones and platforms name
// counties the region does not have — the database was filled for another
// region, or the region file lacks a county. They are kept and shown, but
// cannot be saved again until given one of the region's counties; wanmu
// says so on stderr and in the log rather than leave the planner to find
// out on their first edit.
func checkStoredCounties(ctx context.Context, st *store.Store, rg *region.Region, stderr io.Writer, log *slog.Logger) error {
	use, err := st.CountiesInUse(ctx)
	if err != nil {
		return err
	}
	var foreign []string
	zones, platforms := 0, 0
	for _, u := range use {
		if rg.Has(u.Adcode) {
			continue
		}
		foreign = append(foreign, fmt.Sprintf("%s (%d zones in the official data, %d in plans, %d platforms)",
			u.Adcode, u.OfficialZones, u.ScenarioZones, u.Platforms))
		zones += u.OfficialZones + u.ScenarioZones
		platforms += u.Platforms
	}
	if len(foreign) == 0 {
		log.Info("region", "city", rg.Adcode+" "+rg.Name, "counties", len(rg.Counties), "gk_zones", fmt.Sprint(rg.Zones()))
		return nil
	}
	fmt.Fprintf(stderr, "wanmu: WARNING: %d zones and %d platforms name counties that are not counties of %s (%s): %s. "+
		"They are kept and shown, but cannot be saved until given one of the region's counties (%s). "+
		"If the database belongs to another city, start wanmu with that city's --region file.\n",
		zones, platforms, rg.ShortName(), rg.Adcode, strings.Join(foreign, "; "), rg.CountyList())
	log.Warn("stored data names counties outside the region", "region", rg.Adcode, "zones", zones, "platforms", platforms,
		"counties", strings.Join(foreign, "; "))
	return nil
}
