// Package publicurl tells the scheme and host a client used to reach this
// server, so that links in responses (tile URLs, OGC API links) work behind
// a reverse proxy too.
package publicurl

import (
	"net/http"
	"strings"
)

// Origin returns "scheme://host" as the client sees it: from the request
// itself, or, when trustProxy is set (the server sits behind a proxy that
// sets them), from X-Forwarded-Proto and the first X-Forwarded-Host.
func Origin(r *http.Request, trustProxy bool) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if trustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if fh := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Host"), ",")[0]); fh != "" {
			host = fh
		}
	}
	return scheme + "://" + host
}
