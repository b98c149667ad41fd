// Package web holds the planner's map, embedded into the wanmu binary. The
// third-party libraries under static/vendor come from npm (package-lock.json)
// and are copied there by `make web`; they are never committed.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"wanmu/internal/problem"
)

//go:embed static
var files embed.FS

// Static returns the files to serve at the site root.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Handler serves the map's files. A directory is never listed: "/" is the
// map itself, any other directory or missing file is a 404 problem.
func Handler() http.Handler {
	static := Static()
	files := http.FileServerFS(static)
	pages, err := bundle(static)
	if err != nil {
		panic(err) // the embedded pages cannot be read: a build error
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if pages.serve(w, r, name) {
			return
		}
		if st, err := fs.Stat(static, name); err != nil || st.IsDir() {
			problem.Write(w, r, problem.New(http.StatusNotFound, "not-found",
				"there is no page or file at %q: the map is at /, the API at /api/v1", problem.Clip(r.URL.Path, 80)))
			return
		}
		files.ServeHTTP(w, r)
	})
}
