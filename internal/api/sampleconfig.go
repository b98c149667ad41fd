package api

import (
	"net/http"

	"wanmu/internal/sample"
)

// sampleConfig tells the page whether the data are the illustrative sample
// (示例数据，非测绘成果): it then says so in the attribution and on prints.
func (s *Server) sampleConfig(r *http.Request, cfg map[string]any) {
	loaded, err := sample.Loaded(r.Context(), s.store)
	if err != nil {
		s.log.WarnContext(r.Context(), "reading whether the sample data were loaded", "err", err)
	}
	cfg["sample_data"] = loaded
}
