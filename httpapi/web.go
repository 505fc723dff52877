package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// webApps serves the built web apps: /studio/…, /data/…, /admin/… from their
// own directories when built, everything else from learn. Paths that are not
// files fall back to the app's index.html (client-side routing).
func (s *Server) webApps() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if s.Web == nil {
			http.Error(w, "the web UI is not built into this binary; run `make build`", http.StatusNotFound)
			return
		}
		app, rest := "learn", strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if first, after, _ := strings.Cut(rest, "/"); first != "learn" && first != "" {
			if info, err := fs.Stat(s.Web, first); err == nil && info.IsDir() {
				app, rest = first, after
			}
		}
		appFS, err := fs.Sub(s.Web, app)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if rest != "" {
			if info, err := fs.Stat(appFS, rest); err == nil && !info.IsDir() {
				if strings.HasPrefix(rest, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				http.ServeFileFS(w, r, appFS, rest)
				return
			}
			if path.Ext(rest) != "" && !strings.HasSuffix(rest, ".html") {
				http.NotFound(w, r) // a missing asset, not a page
				return
			}
		}
		index, err := fs.ReadFile(appFS, "index.html")
		if err != nil {
			http.Error(w, "the "+app+" app is not built; run `make build`", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
		w.Write(index)
	})
}
