// Package web holds the planner's map, embedded into the wanmu binary. The
// third-party libraries under static/vendor come from npm (package-lock.json)
// and are copied there by `make web`; they are never committed.
package web

import (
	"embed"
	"io/fs"
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
