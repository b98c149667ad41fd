package publicurl

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestOrigin(t *testing.T) {
	for _, tt := range []struct {
		name    string
		tls     bool
		headers map[string]string
		trust   bool
		want    string
	}{
		{name: "plain", want: "http://example.org:8080"},
		{name: "tls", tls: true, want: "https://example.org:8080"},
		{name: "proxy headers ignored unless trusted", headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "gis.lishui.gov.cn"},
			want: "http://example.org:8080"},
		{name: "trusted proxy", trust: true, headers: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": " gis.lishui.gov.cn , inner"},
			want: "https://gis.lishui.gov.cn"},
		{name: "trusted proxy, odd scheme refused", trust: true, headers: map[string]string{"X-Forwarded-Proto": "javascript"},
			want: "http://example.org:8080"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "http://example.org:8080/ogc", nil)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := Origin(r, tt.trust); got != tt.want {
				t.Errorf("Origin = %q, want %q", got, tt.want)
			}
		})
	}
}
