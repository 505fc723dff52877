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
	for _, tt := range []struct{ path, want string }{
		{"/", "<html>learn</html>"},
		{"/courses/some-course/items/x", "<html>learn</html>"}, // client-side route
		{"/studio/", "<html>studio</html>"},
		{"/studio/courses/new", "<html>studio</html>"},
	} {
		res, body := get(tt.path, "")
		if res.StatusCode != 200 || body != tt.want || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: %d %q (CSP %q)", tt.path, res.StatusCode, body, res.Header.Get("Content-Security-Policy"))
		}
	}
	res, body := get("/assets/app-1.js", "gzip, deflate")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(body, "console.log") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("asset: %v %q", res.Header, body[:min(20, len(body))])
	}
	if res, _ := get("/assets/app-1.js", "identity"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzipped for a client that does not take it")
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
