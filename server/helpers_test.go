package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/queryworker"
	"github.com/lyceum/lyceum/server"
)

// testServer boots a whole Lyceum on port 0 with a temp data dir.
type testServer struct {
	*server.Server
	URL     string
	dataDir string
}

// DataDir is the server's data directory.
func (ts *testServer) DataDir() string { return ts.dataDir }

func startServer(t *testing.T, edit ...func(*server.Config)) *testServer {
	t.Helper()
	cfg := server.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.PasswordParams = auth.TestParams
	cfg.SignupBurst = 10000 // every test client signs up from 127.0.0.1
	cfg.MaxUploadBytes = 1 << 20
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, e := range edit {
		e(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	return &testServer{srv, "http://" + srv.Addr(), cfg.DataDir}
}

// client is a browser-like API client: a cookie jar and the CSRF token.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
	user *lyceum.User
}

func (ts *testServer) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: ts.URL, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: contractTransport{t, http.DefaultTransport}}}
}

type response struct {
	status int
	body   []byte
	header http.Header
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the error code of an error response.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	r.json(t, &e)
	if e.Error.Message == "" {
		t.Fatalf("error response without a message: %s", r.body)
	}
	if leak := leakIn(r.body); leak != "" {
		t.Fatalf("the error shows %q: %s", leak, r.body)
	}
	return e.Error.Code
}

func (c *client) do(method, path string, body io.Reader, contentType string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, b, res.Header}
}

func (c *client) get(path string) response { c.t.Helper(); return c.do("GET", path, nil, "") }

func (c *client) post(path string, v any) response {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	return c.do("POST", path, body, "application/json")
}

// must fails the test unless res has the wanted status, and when it is an
// error, unless its message is free of internals.
func must(t *testing.T, res response, status int) response {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
	}
	if status >= 400 {
		if leak := leakIn(res.body); leak != "" {
			t.Fatalf("the error shows %q: %s", leak, res.body)
		}
	}
	return res
}

// internals are what an error message must not show a client: file
// paths, blob keys, Go types and source lines.
var internals = regexp.MustCompile(`\.parquet|\bblob\b|(^|[^/\w])(courses|results)/\S|` +
	`\b(u?int(8|16|32|64)|float(32|64)|interface \{|struct \{)|map\[|\[\]|\*?\b(lyceum|json|time|http|sql|fs|os)\.[A-Z]|\.go:\d|goroutine \d`)

// leakIn returns what an error body's message shows of the server's
// internals, or "".
func leakIn(body []byte) string {
	var e struct {
		Error struct{ Message string }
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := e.Error.Message
	if tmp := os.TempDir(); strings.Contains(msg, tmp+"/") {
		return tmp
	}
	return internals.FindString(msg)
}

var userSeq int

func (c *client) signUp() *client {
	c.t.Helper()
	userSeq++
	res := must(c.t, c.post("/api/v1/auth/signup", map[string]string{
		"email": fmt.Sprintf("learner%d-%d@example.org", userSeq, time.Now().UnixNano()), "password": "a good long password", "name": "Learner"}), 201)
	var me struct {
		User      lyceum.User
		CSRFToken string
	}
	res.json(c.t, &me)
	c.csrf, c.user = me.CSRFToken, &me.User
	return c
}

// userWithRole creates an account with a role (as the CLI does) and signs
// a new client in as it.
func (ts *testServer) userWithRole(t *testing.T, role lyceum.Role) *client {
	t.Helper()
	userSeq++
	email := fmt.Sprintf("%s%d-%d@example.org", role, userSeq, time.Now().UnixNano())
	if _, err := ts.Accounts.CreateUser(context.Background(), email, "a good long password", string(role), role); err != nil {
		t.Fatal(err)
	}
	c := ts.client(t)
	res := must(t, c.post("/api/v1/auth/login", map[string]string{"email": email, "password": "a good long password"}), 200)
	var me struct {
		User      lyceum.User
		CSRFToken string
	}
	res.json(t, &me)
	c.csrf, c.user = me.CSRFToken, &me.User
	return c
}

// testBundle is a small course: a 20 s video with two questions, a reading
// with hostile HTML, a quiz with every question kind, an assignment.
func testBundle(t *testing.T, id, title string) []byte {
	t.Helper()
	files := map[string]string{
		"course.yaml": `id: ` + id + `
title: ` + title + `
summary: A course for tests.
language: en
modules:
  - id: m1
    title: First module
    items:
      - id: intro
        title: Introduction
        video:
          file: media/intro.mp4
          duration: 20
          captions: media/intro.vtt
          questions:
            - at: 5
              id: q-single
              kind: single
              prompt: Pick A
              choices:
                - {id: a, text: A, correct: true}
                - {id: b, text: B, feedback: Not B.}
            - at: 12
              id: q-num
              kind: numeric
              prompt: Six times seven?
              number: 42
      - id: notes
        title: Notes
        reading: readings/notes.md
  - id: m2
    title: Second module
    items:
      - id: check
        title: Check
        quiz:
          passPercent: 50
          questions:
            - {id: s, kind: single, prompt: "S?", choices: [{id: x, text: X, correct: true}, {id: y, text: Y}]}
            - {id: m, kind: multiple, prompt: "M?", choices: [{id: x, text: X, correct: true}, {id: y, text: Y, correct: true}, {id: z, text: Z}]}
            - {id: n, kind: numeric, prompt: "N?", number: 3.14, tolerance: 0.01}
            - {id: t, kind: text, prompt: "T?", accept: [median]}
      - id: essay
        title: Essay
        assignment:
          instructions: assignments/essay.md
`,
		"media/intro.mp4":      strings.Repeat("not really a video ", 500),
		"media/intro.vtt":      "WEBVTT\n\n00:00.000 --> 00:05.000\nHello\n",
		"readings/notes.md":    "# Notes\n\nSafe *text*.\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1))\n",
		"assignments/essay.md": "Write **200 words**.",
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importCourse uploads a bundle as c and returns the response.
func (c *client) importCourse(bundle []byte) response {
	c.t.Helper()
	return c.do("POST", "/api/v1/courses/import", bytes.NewReader(bundle), "application/zip")
}

// publishedCourse makes an instructor, imports and publishes a test course.
func (ts *testServer) publishedCourse(t *testing.T, id string) *client {
	t.Helper()
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	must(t, inst.importCourse(testBundle(t, id, "Course "+id)), 201)
	must(t, inst.post("/api/v1/courses/"+id+"/publish", nil), 200)
	return inst
}

type lyceumConfig = server.Config

// rezip rewrites a zip: files maps names to new contents ("" deletes), and
// old is replaced by new in course.yaml.
func rezip(t *testing.T, in []byte, files map[string]string, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = string(b)
	}
	if old != "" {
		if !strings.Contains(out["course.yaml"], old) {
			t.Fatalf("course.yaml has no %q", old)
		}
		out["course.yaml"] = strings.Replace(out["course.yaml"], old, new, 1)
	}
	for name, body := range files {
		if body == "" {
			delete(out, name)
		} else {
			out[name] = body
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range out {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	zw.Close()
	return buf.Bytes()
}

// TestMain lets this test binary be the query worker of the servers the
// tests start (server.Open runs this program with LYCEUM_QUERY_WORKER=1).
func TestMain(m *testing.M) {
	if queryworker.IsChild() {
		queryworker.Main()
	}
	os.Exit(m.Run())
}
