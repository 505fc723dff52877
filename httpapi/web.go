package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// webApps serves the built web apps: /studio/…, /data/…, /admin/… from their
// own directories when built, everything else from learn. Paths that are not
// files get the app's index.html, which routes on the client: 200 for the
// app's own routes (its routes.json), 404 for any other path, so that
// crawlers, links checkers and monitors see a missing page as missing
// while people still see the app's "not found" page.
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
				if s.serveGzipped(w, r, app+"/"+rest, http.StatusOK) {
					return
				}
				http.ServeFileFS(w, r, appFS, rest)
				return
			}
			if path.Ext(rest) != "" && !strings.HasSuffix(rest, ".html") {
				http.NotFound(w, r) // a missing asset, not a page
				return
			}
		}
		status := http.StatusOK
		if !s.isPage(app, appFS, rest) {
			status = http.StatusNotFound
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
		if s.serveGzipped(w, r, app+"/index.html", status) {
			return
		}
		w.WriteHeader(status)
		w.Write(index)
	})
}

// compressible are the file types worth gzipping.
var compressible = map[string]string{
	".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
	".svg": "image/svg+xml", ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".vtt": "text/vtt",
}

// serveGzipped answers with the gzipped bytes of a web file when the client
// takes gzip. The apps are embedded and never change while the process
// runs, so each file is compressed once and kept.
// Every answer of a file that may be gzipped says it varies with
// Accept-Encoding, gzipped or not, so that no cache hands the one to a
// client that asked for the other.
func (s *Server) serveGzipped(w http.ResponseWriter, r *http.Request, name string, status int) bool {
	ctype, ok := compressible[path.Ext(name)]
	if !ok {
		return false
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r) {
		return false
	}
	v, ok := s.gzipped.Load(name)
	if !ok {
		raw, err := fs.ReadFile(s.Web, name)
		if err != nil {
			return false
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(raw)
		zw.Close()
		v, _ = s.gzipped.LoadOrStore(name, buf.Bytes())
	}
	body := v.([]byte)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// isPage reports whether rest (a path inside app, "" for its root) is one of
// the app's client-side routes, listed in its routes.json (built from
// web/apps/<app>/public/routes.json): patterns like "/courses/:id", where
// ":name" stands for one path segment. An app without the file has only
// its root.
func (s *Server) isPage(app string, appFS fs.FS, rest string) bool {
	v, ok := s.pageRoutes.Load(app)
	if !ok {
		var patterns []string
		if b, err := fs.ReadFile(appFS, "routes.json"); err == nil {
			if err := json.Unmarshal(b, &patterns); err != nil {
				s.Logger.Warn("the web app's routes.json is not a list of paths; only its root is a page", "app", app, "err", err)
				patterns = nil
			}
		}
		v, _ = s.pageRoutes.LoadOrStore(app, patterns)
	}
	if rest == "" {
		return true
	}
	for _, p := range v.([]string) {
		if matchRoute(strings.TrimPrefix(p, "/"), rest) {
			return true
		}
	}
	return false
}

// matchRoute matches a path against a pattern segment by segment; a
// pattern segment ":name" matches any one non-empty segment.
func matchRoute(pattern, p string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(p, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, seg := range ps {
		if xs[i] == "" || (!strings.HasPrefix(seg, ":") && seg != xs[i]) {
			return false
		}
	}
	return true
}
