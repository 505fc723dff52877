package httpapi

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"path"
	"strconv"
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
				if s.serveGzipped(w, r, app+"/"+rest) {
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
		index, err := fs.ReadFile(appFS, "index.html")
		if err != nil {
			http.Error(w, "the "+app+" app is not built; run `make build`", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
		if s.serveGzipped(w, r, app+"/index.html") {
			return
		}
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
func (s *Server) serveGzipped(w http.ResponseWriter, r *http.Request, name string) bool {
	ctype, ok := compressible[path.Ext(name)]
	if !ok || !acceptsGzip(r) {
		return false
	}
	w.Header().Add("Vary", "Accept-Encoding")
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
