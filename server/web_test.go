package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lyceum/lyceum/server"
)

func TestWebApps(t *testing.T) {
	web := fstest.MapFS{
		"learn/index.html":        {Data: []byte("<html>learn</html>")},
		"learn/routes.json":       {Data: []byte(`["/", "/courses/:id", "/courses/:id/items/:itemId", "/me"]`)},
		"studio/routes.json":      {Data: []byte(`["/", "/courses/new"]`)},
		"learn/assets/app-1.js":   {Data: []byte(strings.Repeat("console.log('learn');", 100))},
		"studio/index.html":       {Data: []byte("<html>studio</html>")},
		"studio/assets/app-2.css": {Data: []byte("body{}")},
	}
	ts := startServer(t, func(c *server.Config) { c.Web = web })
	get := func(path, enc string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r io.Reader = res.Body
		if res.Header.Get("Content-Encoding") == "gzip" {
			if r, err = gzip.NewReader(res.Body); err != nil {
				t.Fatal(err)
			}
		}
		b, _ := io.ReadAll(r)
		return res, string(b)
	}
	// The apps' own routes are pages (200); any other path gets the app's
	// page too, which shows "not found", but with a 404.
	for _, tt := range []struct {
		path, want string
		status     int
	}{
		{"/", "<html>learn</html>", 200},
		{"/courses/some-course", "<html>learn</html>", 200},
		{"/courses/some-course/items/x", "<html>learn</html>", 200}, // client-side route
		{"/courses/some-course/items/x/", "<html>learn</html>", 200},
		{"/me", "<html>learn</html>", 200},
		{"/studio/", "<html>studio</html>", 200},
		{"/studio", "<html>studio</html>", 200},
		{"/studio/courses/new", "<html>studio</html>", 200},
		{"/no-such-page", "<html>learn</html>", 404},
		{"/courses", "<html>learn</html>", 404},
		{"/courses/x/items", "<html>learn</html>", 404},
		{"/courses/x/items/y/z", "<html>learn</html>", 404},
		{"/me/more", "<html>learn</html>", 404},
		{"/studio/nothing", "<html>studio</html>", 404},
		{"/studio/courses/new/x", "<html>studio</html>", 404},
		{"/page.html", "<html>learn</html>", 404},
	} {
		for _, enc := range []string{"", "gzip"} {
			res, body := get(tt.path, enc)
			if res.StatusCode != tt.status || body != tt.want || res.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("GET %s (Accept-Encoding %q): %d %q (CSP %q), want %d", tt.path, enc, res.StatusCode, body, res.Header.Get("Content-Security-Policy"), tt.status)
			}
			if res.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("GET %s (Accept-Encoding %q): Vary %q, want Accept-Encoding", tt.path, enc, res.Header.Get("Vary"))
			}
		}
	}
	res, body := get("/assets/app-1.js", "gzip, deflate")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(body, "console.log") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("asset: %v %q", res.Header, body[:min(20, len(body))])
	}
	if res.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("gzipped asset: Vary %q", res.Header.Get("Vary"))
	}
	// Not gzipped for a client that does not take it, but a cache must
	// still know the answer depends on Accept-Encoding.
	for _, enc := range []string{"identity", "", "gzip;q=0"} {
		res, _ := get("/assets/app-1.js", enc)
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzipped for a client that does not take it (Accept-Encoding %q)", enc)
		}
		if res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("plain asset (Accept-Encoding %q): Vary %q, want Accept-Encoding", enc, res.Header.Get("Vary"))
		}
	}
	if res, _ := get("/assets/missing.js", ""); res.StatusCode != 404 {
		t.Errorf("missing asset: %d, want 404", res.StatusCode)
	}
	if res, _ := get("/studio/assets/app-2.css", "gzip"); res.StatusCode != 200 {
		t.Errorf("studio asset: %d", res.StatusCode)
	}
	c := ts.client(t)
	if res := c.do("POST", "/", nil, ""); res.status != 405 {
		t.Errorf("POST /: %d, want 405", res.status)
	}
}
