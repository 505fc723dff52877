package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
)

func TestAccounts(t *testing.T) {
	ts := startServer(t)
	c := ts.client(t)
	must(t, c.get("/api/v1/me"), 401)
	c.signUp()
	var me struct{ User lyceum.User }
	must(t, c.get("/api/v1/me"), 200).json(t, &me)
	if me.User.Role != lyceum.RoleLearner || me.User.Email != c.user.Email {
		t.Fatalf("me = %+v", me.User)
	}
	if strings.Contains(string(c.get("/api/v1/me").body), "argon2") {
		t.Fatal("the password hash leaks through /me")
	}

	// The same email cannot sign up twice, in any case.
	other := ts.client(t)
	res := must(t, other.post("/api/v1/auth/signup", map[string]string{"email": strings.ToUpper(c.user.Email), "password": "another long password", "name": "X"}), 409)
	if res.errorCode(t) != "conflict" {
		t.Fatal(string(res.body))
	}
	res = must(t, other.post("/api/v1/auth/signup", map[string]string{"email": "not-an-email", "password": "a good long password", "name": "X"}), 422)
	if res.errorCode(t) != "invalid" {
		t.Fatal(string(res.body))
	}
	must(t, other.post("/api/v1/auth/signup", map[string]string{"email": "short@example.org", "password": "short", "name": "X"}), 422)

	// Session cookie flags.
	res = must(t, other.post("/api/v1/auth/login", map[string]string{"email": c.user.Email, "password": "a good long password"}), 200)
	cookie := res.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Fatalf("session cookie %q lacks HttpOnly or SameSite", cookie)
	}

	// Log out ends the session.
	must(t, c.post("/api/v1/auth/logout", nil), 204)
	must(t, c.get("/api/v1/me"), 401)
}

func TestSecureCookiesBehindTLSProxy(t *testing.T) {
	ts := startServer(t, func(c *lyceumConfig) { c.SecureCookies = true })
	c := ts.client(t)
	res := must(t, c.post("/api/v1/auth/signup", map[string]string{"email": "s@example.org", "password": "a good long password", "name": "S"}), 201)
	if !strings.Contains(res.header.Get("Set-Cookie"), "Secure") {
		t.Fatal("cookie is not Secure")
	}
}

func TestLoginRateLimit(t *testing.T) {
	ts := startServer(t)
	c := ts.client(t).signUp()
	attacker := ts.client(t)
	var codes []int
	for range 12 {
		codes = append(codes, attacker.post("/api/v1/auth/login", map[string]string{"email": c.user.Email, "password": "wrong password!"}).status)
	}
	if codes[0] != 401 || codes[len(codes)-1] != 429 {
		t.Fatalf("statuses %v: want 401s, then 429", codes)
	}
	res := attacker.post("/api/v1/auth/login", map[string]string{"email": c.user.Email, "password": "a good long password"})
	if res.status != 429 || res.header.Get("Retry-After") == "" {
		t.Fatalf("right password while limited: %d %s (Retry-After %q)", res.status, res.body, res.header.Get("Retry-After"))
	}
}

func TestCSRF(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "csrf-course")
	c := ts.client(t).signUp()
	token := c.csrf
	c.csrf = ""
	res := must(t, c.post("/api/v1/courses/csrf-course/enroll", nil), 403)
	if !strings.Contains(string(res.body), "X-CSRF-Token") {
		t.Fatalf("403 does not say what is missing: %s", res.body)
	}
	c.csrf = "wrong"
	must(t, c.post("/api/v1/courses/csrf-course/enroll", nil), 403)
	c.csrf = token
	must(t, c.post("/api/v1/courses/csrf-course/enroll", nil), 200)

	// A cross-site browser request is refused before it reaches a handler.
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/auth/login", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
	}
}

func TestBadInput(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "bad-input")
	c := ts.client(t).signUp()
	must(t, c.post("/api/v1/courses/bad-input/enroll", nil), 200)
	answer := "/api/v1/courses/bad-input/items/intro/questions/q-single/answer"

	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		contentType string
		status      int
		code        string
	}{
		{"malformed JSON", "POST", answer, `{"response": {`, "application/json", 400, "bad_request"},
		{"not JSON", "POST", answer, `response=a`, "application/x-www-form-urlencoded", 415, "bad_request"},
		{"empty body", "POST", answer, ``, "application/json", 400, "bad_request"},
		{"unknown field", "POST", answer, `{"response": {"choices": ["a"]}, "admin": true}`, "application/json", 400, "bad_request"},
		{"wrong type", "POST", answer, `{"response": {"choices": "a"}}`, "application/json", 400, "bad_request"},
		{"two objects", "POST", answer, `{"response": {"choices": ["a"]}} {}`, "application/json", 400, "bad_request"},
		{"missing response", "POST", answer, `{}`, "application/json", 422, "invalid"},
		{"unknown choice", "POST", answer, `{"response": {"choices": ["zzz"]}}`, "application/json", 422, "invalid"},
		{"unknown course", "GET", "/api/v1/courses/no-such-course", ``, "", 404, "not_found"},
		{"unknown item", "GET", "/api/v1/courses/bad-input/items/nope", ``, "", 404, "not_found"},
		{"unknown question", "POST", "/api/v1/courses/bad-input/items/intro/questions/nope/answer", `{"response": {"choices": ["a"]}}`, "application/json", 404, "not_found"},
		{"answer on a reading", "POST", "/api/v1/courses/bad-input/items/notes/questions/q/answer", `{"response": {"text": "x"}}`, "application/json", 422, "invalid"},
		{"unknown route", "GET", "/api/v1/nope", ``, "", 404, "not_found"},
		{"video position past end", "POST", "/api/v1/courses/bad-input/items/intro/video-progress", `{"event": "heartbeat", "position": 999}`, "application/json", 422, "invalid"},
		{"video bad event", "POST", "/api/v1/courses/bad-input/items/intro/video-progress", `{"event": "rewind", "position": 1}`, "application/json", 422, "invalid"},
		{"video range backwards", "POST", "/api/v1/courses/bad-input/items/intro/video-progress", `{"event": "heartbeat", "position": 1, "watchedFrom": 5, "watchedTo": 2}`, "application/json", 422, "invalid"},
		{"quiz missing answer", "POST", "/api/v1/courses/bad-input/items/check/quiz", `{"responses": {"s": {"choices": ["x"]}}}`, "application/json", 422, "invalid"},
		{"quiz extra question", "POST", "/api/v1/courses/bad-input/items/check/quiz", `{"responses": {"s": {"choices": ["x"]}, "m": {"choices": ["x"]}, "n": {"number": 3}, "t": {"text": "a"}, "zz": {}}}`, "application/json", 422, "invalid"},
		{"client event of a server type", "POST", "/api/v1/events", `{"type": "course_completed"}`, "application/json", 422, "invalid"},
		{"huge JSON", "POST", "/api/v1/events", `{"type": "page_viewed", "payload": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`, "application/json", 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			res := c.do(tt.method, tt.path, body, tt.contentType)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if code := res.errorCode(t); code != tt.code {
				t.Fatalf("code %q, want %q: %s", code, tt.code, res.body)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	ts := startServer(t)
	inst := ts.userWithRole(t, lyceum.RoleInstructor)

	// Oversized upload (the test server allows 1 MiB).
	big := bytes.Repeat([]byte("x"), 2<<20)
	res := must(t, inst.importCourse(big), 413)
	if res.errorCode(t) != "too_large" {
		t.Fatal(string(res.body))
	}
	// Not a zip.
	must(t, inst.importCourse([]byte("hello")), 400)
	// Wrong content type.
	must(t, inst.do("POST", "/api/v1/courses/import", strings.NewReader("x"), "text/plain"), 415)

	// An invalid bundle names the file and field.
	for _, tt := range []struct {
		name     string
		files    map[string]string
		old, new string
		want     []string
	}{
		{"wrong type", nil, "number: 42", "number: forty-two", []string{"course.yaml", "number"}},
		{"two correct choices", nil, "- {id: b, text: B, feedback: Not B.}", "- {id: b, text: B, correct: true}", []string{"course.yaml", "choices"}},
		{"missing reading", map[string]string{"readings/notes.md": ""}, "", "", []string{"readings/notes.md"}},
		{"missing video", map[string]string{"media/intro.mp4": ""}, "", "", []string{"media/intro.mp4"}},
		{"unknown key", nil, "passPercent: 50", "passPercent: 50\n          shuffle: true", []string{"course.yaml", "shuffle"}},
		{"path escape", nil, "readings/notes.md", "../../etc/passwd", []string{"course.yaml", "reading"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := inst.importCourse(testBundleWith(t, "broken", tt.files, tt.old, tt.new))
			if res.status != 422 && res.status != 400 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(res.body), w) {
					t.Errorf("error %s does not mention %q", res.body, w)
				}
			}
		})
	}
	must(t, inst.get("/api/v1/courses/broken"), 404) // nothing half-written
}

// testBundleWith is testBundle with course.yaml text replaced and files
// overridden ("" deletes a file).
func testBundleWith(t *testing.T, id string, files map[string]string, old, new string) []byte {
	t.Helper()
	return rezip(t, testBundle(t, id, "Course "+id), files, old, new)
}

func TestPermissions(t *testing.T) {
	ts := startServer(t)
	owner := ts.userWithRole(t, lyceum.RoleInstructor)
	must(t, owner.importCourse(testBundle(t, "perm-course", "Permissions")), 201)
	learner := ts.client(t).signUp()
	anonymous := ts.client(t)
	otherInst := ts.userWithRole(t, lyceum.RoleInstructor)
	admin := ts.userWithRole(t, lyceum.RoleAdmin)

	// Unpublished: invisible to everyone but its editors.
	for name, c := range map[string]*client{"learner": learner, "anonymous": anonymous, "other instructor": otherInst} {
		if res := c.get("/api/v1/courses/perm-course"); res.status != 404 {
			t.Errorf("%s sees the unpublished course: %d", name, res.status)
		}
		if res := c.get("/api/v1/courses/perm-course/media/media/intro.mp4"); res.status != 404 {
			t.Errorf("%s fetches media of the unpublished course: %d", name, res.status)
		}
	}
	must(t, owner.get("/api/v1/courses/perm-course"), 200)
	must(t, admin.get("/api/v1/courses/perm-course"), 200)
	must(t, learner.post("/api/v1/courses/perm-course/enroll", nil), 404)

	// Only the owner and admins publish, unpublish, export or replace.
	must(t, learner.post("/api/v1/courses/perm-course/publish", nil), 404)
	must(t, otherInst.post("/api/v1/courses/perm-course/publish", nil), 404)
	must(t, owner.post("/api/v1/courses/perm-course/publish", nil), 200)
	must(t, learner.post("/api/v1/courses/perm-course/unpublish", nil), 403)
	must(t, otherInst.post("/api/v1/courses/perm-course/unpublish", nil), 403)
	must(t, learner.get("/api/v1/courses/perm-course/export"), 403)
	must(t, otherInst.get("/api/v1/courses/perm-course/export"), 403)
	must(t, anonymous.get("/api/v1/courses/perm-course/export"), 401)
	must(t, learner.importCourse(testBundle(t, "learner-course", "Mine")), 403)
	must(t, anonymous.importCourse(testBundle(t, "anon-course", "Mine")), 401)
	res := must(t, otherInst.importCourse(testBundle(t, "perm-course", "Hijacked")), 409)
	if res.errorCode(t) != "conflict" {
		t.Fatal(string(res.body))
	}
	must(t, admin.post("/api/v1/courses/perm-course/unpublish", nil), 200)
	must(t, admin.post("/api/v1/courses/perm-course/publish", nil), 200)
	var title struct{ Course struct{ Title string } }
	must(t, learner.get("/api/v1/courses/perm-course"), 200).json(t, &title)
	if title.Course.Title != "Permissions" {
		t.Fatalf("title = %q: another instructor replaced the course", title.Course.Title)
	}
	// Studio lists only one's own courses; learners have no studio.
	must(t, learner.get("/api/v1/studio/courses"), 403)
	var studio struct{ Courses []lyceum.CourseSummary }
	must(t, otherInst.get("/api/v1/studio/courses"), 200).json(t, &studio)
	if len(studio.Courses) != 0 {
		t.Fatalf("other instructor's studio lists %v", studio.Courses)
	}

	// Items need enrollment.
	must(t, learner.get("/api/v1/courses/perm-course/items/intro"), 403)
	must(t, anonymous.get("/api/v1/courses/perm-course/items/intro"), 401)
	must(t, learner.post("/api/v1/courses/perm-course/enroll", nil), 200)
	must(t, learner.get("/api/v1/courses/perm-course/items/intro"), 200)
}

func TestEscaping(t *testing.T) {
	ts := startServer(t)
	inst := ts.userWithRole(t, lyceum.RoleInstructor)
	hostile := `"<script>alert(1)</script> & <b>bold</b>"`
	must(t, inst.importCourse(testBundle(t, "escape", hostile)), 201)
	must(t, inst.post("/api/v1/courses/escape/publish", nil), 200)
	learner := ts.client(t).signUp()
	must(t, learner.post("/api/v1/courses/escape/enroll", nil), 200)

	// Titles are data: JSON carries them exactly, encoded so no HTML parser
	// sees a tag in the response.
	res := must(t, learner.get("/api/v1/courses/escape"), 200)
	if bytes.Contains(res.body, []byte("<script>")) {
		t.Fatalf("raw <script> in the JSON response: %s", res.body)
	}
	var v struct{ Course struct{ Title string } }
	res.json(t, &v)
	if v.Course.Title != "<script>alert(1)</script> & <b>bold</b>" {
		t.Fatalf("title = %q", v.Course.Title)
	}

	// Markdown is rendered with raw HTML and javascript: links removed.
	var page struct {
		Item struct{ Reading struct{ HTML string } }
	}
	must(t, learner.get("/api/v1/courses/escape/items/notes"), 200).json(t, &page)
	html := page.Item.Reading.HTML
	if !strings.Contains(html, "<em>text</em>") {
		t.Fatalf("Markdown not rendered: %s", html)
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
		t.Fatalf("hostile HTML survived rendering: %s", html)
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	ts := startServer(t)
	var doc struct {
		OpenAPI string                            `json:"openapi"`
		Paths   map[string]map[string]interface{} `json:"paths"`
	}
	must(t, ts.client(t).get("/api/v1/openapi.json"), 200).json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	for _, r := range ts.API.Routes() {
		method, pattern, _ := strings.Cut(r, " ")
		p := strings.ReplaceAll(pattern, "{path...}", "{path}")
		ops, ok := doc.Paths[p]
		if !ok {
			ops, ok = doc.Paths[strings.TrimPrefix(p, "/api/v1")]
		}
		if !ok {
			t.Errorf("route %s is not in openapi.yaml", r)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("route %s: openapi.yaml has the path but not %s", r, method)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ts := startServer(t)
	c := ts.client(t)
	must(t, c.get("/healthz"), 200)
	c.get("/api/v1/courses")
	res := must(t, c.get("/metrics"), 200)
	if !strings.Contains(string(res.body), `lyceum_http_requests_total{code="200",method="GET",route="GET /api/v1/courses"}`) {
		t.Fatalf("metrics lack the request counter:\n%s", res.body)
	}
	// The code label is the status code, not its class.
	c.get("/api/v1/courses/no-such-course")
	c.do("BREW", "/api/v1/courses", nil, "")
	res = must(t, c.get("/metrics"), 200)
	for _, want := range []string{`code="404",method="GET",route="GET /api/v1/courses/{courseId}"`, `code="405",method="other",route="/api/"`} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("metrics lack %s:\n%s", want, res.body)
		}
	}
	if !strings.Contains(string(res.body), "go_goroutines") {
		t.Fatal("metrics lack Go runtime metrics")
	}
}

// A method the path does not take is a 405 that says which it does, in the
// API's error format; a path the API does not have is a 404.
func TestWrongMethod(t *testing.T) {
	ts := startServer(t)
	c := ts.client(t).signUp()
	for _, tt := range []struct {
		method, path, allow string
		status              int
	}{
		{"DELETE", "/api/v1/courses", "GET, HEAD", 405},
		{"GET", "/api/v1/auth/signup", "POST", 405},
		{"PUT", "/api/v1/data/queries", "GET, HEAD, POST", 405},
		{"POST", "/api/v1/data/queries/some-id", "GET, HEAD, PUT, DELETE", 405},
		{"PATCH", "/api/v1/me/tokens/some-id", "DELETE", 405},
		{"POST", "/api/v1/openapi.json", "GET, HEAD", 405},
		{"GET", "/api/v1/no-such-thing", "", 404},
		{"DELETE", "/api/v2/courses", "", 404},
	} {
		res := c.do(tt.method, tt.path, nil, "")
		if res.status != tt.status || res.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, Allow %q", tt.method, tt.path, res.status, res.header.Get("Allow"), tt.status, tt.allow)
			continue
		}
		want := map[int]string{405: "method_not_allowed", 404: "not_found"}[tt.status]
		if code := res.errorCode(t); code != want {
			t.Errorf("%s %s: code %q, want %q", tt.method, tt.path, code, want)
		}
	}
}
