package api

import (
	"net/http"
	"regexp"
	"strings"
)

// The 天地图 basemaps. The page offers them once an administrator has
// entered a 天地图 key (PUT /settings/basemap). Tiles come from the browser,
// so the key goes to every signed-in user with the page's config; it is never
// logged. tianditu_url overrides the tile server (an intranet proxy, or the
// tests' stub server).
const (
	settingTiandituKey = "tianditu_key"
	settingTiandituURL = "tianditu_url"
	// tiandituURL is the WMTS GetTile template of 天地图 in Web Mercator
	// (tile matrix set "w"); {layer} is vec, cva, img, cia, ter or cta.
	tiandituURL = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0" +
		"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
)

var tiandituKeyRE = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

// basemapConfig adds the 天地图 settings to the page's config: whether a key
// is set and the tile template for everyone, the key itself for signed-in
// users only.
func (s *Server) basemapConfig(r *http.Request, cfg map[string]any) {
	set, err := s.store.Settings(r.Context(), settingTiandituKey, settingTiandituURL)
	if err != nil {
		s.log.WarnContext(r.Context(), "reading the basemap settings", "err", err)
		return
	}
	td := map[string]any{"key_set": set[settingTiandituKey] != "", "url": tiandituURL}
	if u := set[settingTiandituURL]; u != "" {
		td["url"] = u
	}
	if currentUser(r.Context()) != nil && set[settingTiandituKey] != "" {
		td["key"] = set[settingTiandituKey]
	}
	cfg["tianditu"] = td
}

type basemapSettings struct {
	TiandituKey *string `json:"tianditu_key"` // "" removes the key
	TiandituURL *string `json:"tianditu_url"` // "" restores 天地图's own servers
}

// putBasemapSettings (admin) sets the 天地图 key and, optionally, the tile
// server; it answers with the page's new 天地图 config.
func (s *Server) putBasemapSettings(w http.ResponseWriter, r *http.Request) error {
	var b basemapSettings
	if err := decodeJSON(w, r, &b); err != nil {
		return err
	}
	values := map[string]string{}
	if b.TiandituKey != nil {
		k := strings.TrimSpace(*b.TiandituKey)
		if k != "" && !tiandituKeyRE.MatchString(k) {
			return fieldProblem("tianditu_key", "must be the 32 hexadecimal characters of a 天地图 key (console.tianditu.gov.cn), or empty to remove it")
		}
		values[settingTiandituKey] = k
	}
	if b.TiandituURL != nil {
		u := strings.TrimSpace(*b.TiandituURL)
		if u != "" && (!(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) ||
			!strings.Contains(u, "{z}") || !strings.Contains(u, "{x}") || !strings.Contains(u, "{y}") || !strings.Contains(u, "{layer}")) {
			return fieldProblem("tianditu_url", "must be an http(s) tile URL template with {layer}, {z}, {x} and {y} (and {tk} for the key), or empty for 天地图's own servers")
		}
		values[settingTiandituURL] = u
	}
	if len(values) == 0 {
		return fieldProblem("tianditu_key", "is required: the 天地图 key, or empty to remove it")
	}
	actor := ""
	if u := currentUser(r.Context()); u != nil {
		actor = u.Name
	}
	if err := s.store.SetSettings(r.Context(), actor, values); err != nil {
		return err
	}
	cfg := map[string]any{}
	s.basemapConfig(r, cfg)
	writeJSON(w, http.StatusOK, cfg["tianditu"])
	return nil
}
