package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

// A parameter the SQL uses without a value is the user's mistake: 422
// naming it, before anything reaches the warehouse.
func TestQueryParameterMistakes(t *testing.T) {
	ts := startServer(t)
	a := ts.userWithRole(t, lyceum.RoleAnalyst)
	for _, tt := range []struct {
		body        map[string]any
		field, want string
	}{
		{map[string]any{"sql": "SELECT {{course}}"}, "params.course", "{{course}}"},
		{map[string]any{"sql": "SELECT $1"}, "sql", "$1"},
		{map[string]any{"sql": "SELECT {{a}} || $1", "params": map[string]string{"a": "x"}}, "sql", "$1"},
		{map[string]any{"sql": "SELECT $name"}, "sql", "$name"},
	} {
		res := must(t, a.post("/api/v1/data/runs", tt.body), 422)
		var e struct {
			Error struct{ Field, Message string }
		}
		res.json(t, &e)
		if e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("%v: %s, want field %s naming %s", tt.body, res.body, tt.field, tt.want)
		}
	}
	// Inside a dollar-quoted string {{x}} is text, not a parameter.
	var v runView
	must(t, a.post("/api/v1/data/runs", map[string]any{"sql": "SELECT $$ {{x}} $$ AS s"}), 202).json(t, &v)
	if done := waitRun(t, a, v.Run.ID); done.Run.Status != "succeeded" {
		t.Fatalf("run: %+v", done.Run)
	}
}

// A CSV download does not carry formulas into a spreadsheet: text that
// starts like one is defused, numbers stay numbers.
func TestCSVDownloadDefusesFormulas(t *testing.T) {
	ts := startServer(t)
	a := ts.userWithRole(t, lyceum.RoleAnalyst)
	var v runView
	must(t, a.post("/api/v1/data/runs", map[string]any{"sql": `SELECT '=HYPERLINK("http://evil.example","x")' AS "@title", -3.5 AS n, '-1' AS s`}), 202).json(t, &v)
	if done := waitRun(t, a, v.Run.ID); done.Run.Status != "succeeded" {
		t.Fatalf("run: %+v", done.Run)
	}
	want := "'@title,n,s\r\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-3.5,'-1\r\n"
	if got := string(must(t, a.get("/api/v1/data/runs/"+v.Run.ID+"/csv"), 200).body); got != want {
		t.Fatalf("csv = %q, want %q", got, want)
	}
}

// Ranges of a media file: what a player asks for works; an impossible or
// malformed range is a 416 in the API's error format, with the size in
// Content-Range so the client can ask again.
func TestMediaRanges(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "ranges")
	c := ts.client(t).signUp()
	const path = "/api/v1/courses/ranges/media/media/intro.vtt" // 38 bytes
	const file = "WEBVTT\n\n00:00.000 --> 00:05.000\nHello\n"
	get := func(method string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	many := "bytes=" + strings.Repeat("0-0,", 20) + "1-1"
	for _, tt := range []struct {
		rng          string
		status       int
		contentRange string
		body         string
	}{
		{"bytes=0-1", 206, "bytes 0-1/38", "WE"},
		{"bytes=36-", 206, "bytes 36-37/38", "o\n"},
		{"bytes=-2", 206, "bytes 36-37/38", "o\n"},
		{"bytes=-0", 416, "bytes */38", ""},
		{"bytes=38-", 416, "bytes */38", ""},
		{"bytes=38-40", 416, "bytes */38", ""},
		{"bytes=99999999999999999999-", 416, "bytes */38", ""},
		{"bytes=0-99999999999999999999", 206, "bytes 0-37/38", file},
		{"bytes=-99999999999999999999", 206, "bytes 0-37/38", file},
		{"bytes=5-2", 416, "bytes */38", ""},
		{"bytes=-", 416, "bytes */38", ""},
		{"bytes=", 416, "bytes */38", ""},
		{"bytes=abc", 416, "bytes */38", ""},
		{"bytes=+1-2", 416, "bytes */38", ""},
		{"bytes=0x1-2", 416, "bytes */38", ""},
		{"bytes=1-2-3", 416, "bytes */38", ""},
		{"bytes 0-1", 416, "bytes */38", ""},
		{"bytes= 0-1", 206, "bytes 0-1/38", "WE"},
		{"bytes=0-1 ,\t", 206, "bytes 0-1/38", "WE"},
		{"BYTES=0-1", 206, "bytes 0-1/38", "WE"},
		{"bytes=0-1,-0", 206, "bytes 0-1/38", "WE"},
		{"bytes=40-50,-0", 416, "bytes */38", ""},
		{"bytes=0-1,3-4", 206, "", ""}, // multipart/byteranges
		{many, 416, "bytes */38", ""},
		{"items=0-1", 200, "", file}, // a unit we do not know is ignored
	} {
		res, body := get("GET", "Range", tt.rng)
		if res.StatusCode != tt.status || res.Header.Get("Content-Range") != tt.contentRange {
			t.Errorf("Range %q: %d, Content-Range %q; want %d, %q (%q)", tt.rng, res.StatusCode, res.Header.Get("Content-Range"), tt.status, tt.contentRange, body)
			continue
		}
		switch {
		case tt.status == 416:
			r := response{res.StatusCode, body, res.Header}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || r.errorCode(t) != "range_not_satisfiable" {
				t.Errorf("Range %q: 416 body %q (%s), want the JSON error format", tt.rng, body, res.Header.Get("Content-Type"))
			}
		case tt.contentRange == "" && tt.status == 206:
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "multipart/byteranges") {
				t.Errorf("Range %q: Content-Type %q", tt.rng, res.Header.Get("Content-Type"))
			}
		case string(body) != tt.body:
			t.Errorf("Range %q: body %q, want %q", tt.rng, body, tt.body)
		}
	}
	// HEAD gets the same status and headers, without a body.
	if res, body := get("HEAD", "Range", "bytes=-0"); res.StatusCode != 416 || res.Header.Get("Content-Range") != "bytes */38" || len(body) != 0 {
		t.Errorf("HEAD bytes=-0: %d %q %q", res.StatusCode, res.Header.Get("Content-Range"), body)
	}
	// A stale If-Range asks for the whole file, whatever the range.
	if res, body := get("GET", "Range", "bytes=-0", "If-Range", "Mon, 02 Jan 2006 15:04:05 GMT"); res.StatusCode != 200 || string(body) != file {
		t.Errorf("stale If-Range: %d %q", res.StatusCode, body)
	}
	res, _ := get("GET")
	// Preconditions come before the range: not modified is a 304.
	if res, _ := get("GET", "Range", "bytes=-0", "If-Modified-Since", res.Header.Get("Last-Modified")); res.StatusCode != 304 {
		t.Errorf("If-Modified-Since with a bad range: %d, want 304", res.StatusCode)
	}
	if res, body := get("GET", "Range", "bytes=0-1", "If-Range", res.Header.Get("Last-Modified")); res.StatusCode != 206 || string(body) != "WE" {
		t.Errorf("current If-Range: %d %q", res.StatusCode, body)
	}
}

// A cross-origin browser request is refused in the API's error format.
func TestCrossOriginRefusalIsJSON(t *testing.T) {
	ts := startServer(t)
	for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/auth/login", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(h[0], h[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r := response{res.StatusCode, body, res.Header}
		if res.StatusCode != 403 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || r.errorCode(t) != "forbidden" {
			t.Errorf("%s: %d %s %q", h[0], res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
}

// Error messages are for people: no blob keys, file paths or Go types;
// user mistakes in a URL (a NUL, a file that is not there) are 4xx.
func TestErrorsDoNotLeakInternals(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "leaks")
	c := ts.client(t).signUp()
	must(t, c.post("/api/v1/courses/leaks/enroll", nil), 200)
	for _, tt := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/api/v1/courses/leaks/media/media/nope.mp4", "", 404},
		{"GET", "/api/v1/courses/leaks/media/media/intro%00.mp4", "", 404},
		{"GET", "/api/v1/courses/leaks/media/%00", "", 404},
		{"GET", "/api/v1/courses/leaks/media/media%00/intro.mp4", "", 404},
		{"GET", "/api/v1/courses/leaks/media/media/intro.mp4%00.vtt", "", 404},
		{"GET", "/api/v1/courses/leaks%00/media/media/intro.mp4", "", 404},
		{"GET", "/api/v1/courses/leaks/items/intro%00", "", 404},
		{"GET", "/api/v1/courses/leaks/media/media", "", 404}, // a directory
		{"GET", "/api/v1/courses/leaks/media/media/intro.mp4/x", "", 404},
		{"GET", "/api/v1/courses/leaks/media/media/" + strings.Repeat("x", 300), "", 404},
		{"POST", "/api/v1/courses/leaks/items/intro/questions/q-single/answer", `{"response": {"choices": "a"}}`, 400},
		{"POST", "/api/v1/courses/leaks/items/intro/questions/q-single/answer", `{"response": []}`, 400},
		{"POST", "/api/v1/courses/leaks/items/check/quiz", `{"responses": []}`, 400},
		{"POST", "/api/v1/courses/leaks/items/check/quiz", `{"responses": {"s": 1}}`, 400},
		{"POST", "/api/v1/courses/leaks/items/intro/video-progress", `{"event": "heartbeat", "position": "1"}`, 400},
		{"POST", "/api/v1/courses/leaks/items/intro/video-progress", `{"event": "heartbeat", "position": 1e999}`, 400},
		{"POST", "/api/v1/auth/login", `{"email": {}}`, 400},
	} {
		var body io.Reader
		if tt.body != "" {
			body = strings.NewReader(tt.body)
		}
		res := c.do(tt.method, tt.path, body, "application/json")
		if res.status != tt.status {
			t.Errorf("%s %s %s: %d, want %d: %s", tt.method, tt.path, tt.body, res.status, tt.status, res.body)
			continue
		}
		if leak := leakIn(res.body); leak != "" {
			t.Errorf("%s %s %s: the message shows %q: %s", tt.method, tt.path, tt.body, leak, res.body)
		}
	}
}

// Text that is not UTF-8 is refused naming where it is, never stored with
// its bytes replaced.
func TestInvalidUTF8IsRefused(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "utf8")
	c := ts.client(t).signUp()
	must(t, c.post("/api/v1/courses/utf8/enroll", nil), 200)
	a := ts.userWithRole(t, lyceum.RoleAnalyst)
	for _, tt := range []struct {
		c           *client
		path, body  string
		status      int
		field, code string
	}{
		{nil, "/api/v1/auth/signup", "{\"email\": \"u1@example.org\", \"password\": \"a good long password\", \"name\": \"Bad \xff\"}", 422, "name", "invalid"},
		{nil, "/api/v1/auth/signup", `{"email": "u2@example.org", "password": "a good long password", "name": "Bad \ud800"}`, 422, "name", "invalid"},
		{nil, "/api/v1/auth/signup", `{"email": "u3@example.org", "password": "a good long password", "name": "\udc00 low"}`, 422, "name", "invalid"},
		{nil, "/api/v1/auth/signup", `{"email": "u4@example.org", "password": "a good long password", "name": "x\ud800\u0041"}`, 422, "name", "invalid"},
		{nil, "/api/v1/auth/signup", "{\"email\": \"u5@example.org\", \"password\": \"a good long \xc0\xaf password\", \"name\": \"Overlong\"}", 422, "password", "invalid"},
		{nil, "/api/v1/auth/signup", "{\"email\": \"u6@example.org\", \"password\": \"a good long password\", \"name\": \"Surrogate \xed\xa0\x80\"}", 422, "name", "invalid"},
		{nil, "/api/v1/auth/signup", "{\"email\": \"u7@example.org\", \"password\": \"a good long password\", \"na\xffme\": \"x\"}", 422, "na\ufffdme", "invalid"},
		{c, "/api/v1/courses/utf8/items/check/quiz", "{\"responses\": {\"t\": {\"text\": \"\xc3\x28\"}}}", 422, "responses.t.text", "invalid"},
		{c, "/api/v1/courses/utf8/items/check/quiz", "{\"responses\": {\"m\": {\"choices\": [\"x\", \"\xff\"]}}}", 422, "responses.m.choices[1]", "invalid"},
		{a, "/api/v1/data/runs", "{\"sql\": \"SELECT {{a}}\", \"params\": {\"a\": \"\xfe\"}}", 422, "params.a", "invalid"},
		// Well-formed text passes: an escaped pair is one character.
		{nil, "/api/v1/auth/signup", `{"email": "u8@example.org", "password": "a good long password", "name": "Smile \ud83d\ude00 \\ud800"}`, 201, "", ""},
	} {
		if tt.c == nil {
			tt.c = ts.client(t) // a sign-up signs the client in: a new one each time
		}
		res := tt.c.do("POST", tt.path, strings.NewReader(tt.body), "application/json")
		if res.status != tt.status {
			t.Errorf("%s %q: %d, want %d: %s", tt.path, tt.body, res.status, tt.status, res.body)
			continue
		}
		if tt.status < 400 {
			continue
		}
		var e struct{ Error struct{ Code, Field string } }
		res.json(t, &e)
		if e.Error.Code != tt.code || e.Error.Field != tt.field {
			t.Errorf("%s %q: %s, want %s naming %q", tt.path, tt.body, res.body, tt.code, tt.field)
		}
	}
	var me struct{ User lyceum.User }
	must(t, ts.client(t).post("/api/v1/auth/login", map[string]string{"email": "u8@example.org", "password": "a good long password"}), 200).json(t, &me)
	if me.User.Name != "Smile \U0001F600 \\ud800" {
		t.Errorf("name = %q", me.User.Name)
	}
	// Nothing of the refused sign-ups was stored.
	must(t, ts.client(t).post("/api/v1/auth/login", map[string]string{"email": "u1@example.org", "password": "a good long password"}), 401)

	// The URL: query parameters name themselves; a path is malformed.
	for _, tt := range []struct {
		path        string
		status      int
		field, code string
	}{
		{"/api/v1/courses?q=%FF", 422, "q", "invalid"},
		{"/api/v1/data/runs/x/rows?limit=10&sort=%C0%AF", 422, "sort", "invalid"},
		{"/api/v1/courses?%FFkey=1", 422, "\ufffdkey", "invalid"},
		{"/api/v1/courses/%FF", 400, "", "bad_request"},
		{"/api/v1/courses/utf8/media/media/%ED%A0%80.mp4", 400, "", "bad_request"},
	} {
		res := a.get(tt.path)
		var e struct{ Error struct{ Code, Field string } }
		if res.status != tt.status {
			t.Errorf("%s: %d, want %d: %s", tt.path, res.status, tt.status, res.body)
			continue
		}
		res.json(t, &e)
		if e.Error.Code != tt.code || e.Error.Field != tt.field {
			t.Errorf("%s: %s, want %s naming %q", tt.path, res.body, tt.code, tt.field)
		}
	}
}
