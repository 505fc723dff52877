// Package web holds the built web apps (web/dist/<app>/), embedded in the
// binary. `make build` builds them first; without a build, Dist is empty and
// the server says so instead of serving a page.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built apps, one directory per app, or nil when no app was
// built into this binary.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if e.IsDir() {
			return sub
		}
	}
	return nil
}
