package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
)

// clientEvents returns the events of the types a browser may report, in
// log order.
func clientEvents(t *testing.T, ts *testServer) []lyceum.Event {
	t.Helper()
	var out []lyceum.Event
	var pos lyceum.EventPosition
	for {
		evs, next, err := ts.Store.ReadEvents(context.Background(), pos, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		for _, e := range evs {
			if lyceum.ClientEventTypes[e.Type] {
				out = append(out, e)
			}
		}
		pos = next
	}
}

func TestClientEventsNeedASignedInUser(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "anon-events")
	anonymous := ts.client(t)
	for _, body := range []string{
		`{"type": "page_viewed", "payload": {"path": "/"}}`,
		`{"type": "page_viewed", "courseId": "anon-events", "payload": {"path": "/courses/anon-events"}}`,
		`{"type": "video_played", "courseId": "anon-events", "itemId": "intro", "payload": {"position": 1}}`,
	} {
		res := anonymous.do("POST", "/api/v1/events", strings.NewReader(body), "application/json")
		if res.status != 401 || res.errorCode(t) != "unauthorized" {
			t.Errorf("anonymous %s: %d %s, want 401", body, res.status, res.body)
		}
	}
	// A stale or forged session cookie is no better than none.
	forged := ts.client(t)
	forged.csrf = "x"
	req := `{"type": "page_viewed", "payload": {"path": "/"}}`
	u, _ := url.Parse(ts.URL)
	forged.http.Jar.SetCookies(u, []*http.Cookie{{Name: "lyceum_session", Value: "not-a-session"}})
	if res := forged.do("POST", "/api/v1/events", strings.NewReader(req), "application/json"); res.status != 401 {
		t.Errorf("forged cookie: %d %s, want 401", res.status, res.body)
	}
	if evs := clientEvents(t, ts); len(evs) != 0 {
		t.Fatalf("anonymous events reached the log: %+v", evs)
	}
}

func TestClientEventsAreChecked(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "ev-course")
	owner := ts.userWithRole(t, lyceum.RoleInstructor)
	must(t, owner.importCourse(testBundle(t, "ev-hidden", "Hidden")), 201) // unpublished
	c := ts.client(t).signUp()

	long := strings.Repeat("a", 600)
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		// Visibility: courses and items the user cannot see do not exist.
		{"unpublished course", `{"type": "page_viewed", "courseId": "ev-hidden", "payload": {"path": "/courses/ev-hidden"}}`, 404, ""},
		{"unknown course", `{"type": "page_viewed", "courseId": "no-such-course", "payload": {"path": "/x"}}`, 404, ""},
		{"unknown item", `{"type": "page_viewed", "courseId": "ev-course", "itemId": "nope", "payload": {"path": "/x"}}`, 404, ""},
		{"item of an unpublished course", `{"type": "page_viewed", "courseId": "ev-hidden", "itemId": "intro", "payload": {"path": "/x"}}`, 404, ""},
		{"item without a course", `{"type": "page_viewed", "itemId": "intro", "payload": {"path": "/x"}}`, 422, "courseId"},
		// Ids are slugs, whatever the encoding.
		{"course id with a path", `{"type": "page_viewed", "courseId": "../ev-course", "payload": {"path": "/x"}}`, 422, "courseId"},
		{"course id upper case", `{"type": "page_viewed", "courseId": "EV-COURSE", "payload": {"path": "/x"}}`, 422, "courseId"},
		{"course id escaped", `{"type": "page_viewed", "courseId": "ev%2Dcourse", "payload": {"path": "/x"}}`, 422, "courseId"},
		{"course id unicode escape", `{"type": "page_viewed", "courseId": "ev\u2010course", "payload": {"path": "/x"}}`, 422, "courseId"},
		{"course id too long", `{"type": "page_viewed", "courseId": "` + strings.Repeat("a", 64) + `", "payload": {"path": "/x"}}`, 422, "courseId"},
		{"item id with a space", `{"type": "page_viewed", "courseId": "ev-course", "itemId": "intro ", "payload": {"path": "/x"}}`, 422, "itemId"},
		{"item id wrong type", `{"type": "page_viewed", "courseId": "ev-course", "itemId": 5, "payload": {"path": "/x"}}`, 400, ""},
		// Only the kinds a browser sees; never the server's own.
		{"enrolled", `{"type": "enrolled", "courseId": "ev-course"}`, 422, "type"},
		{"quiz_submitted", `{"type": "quiz_submitted", "courseId": "ev-course", "itemId": "check"}`, 422, "type"},
		{"course_completed", `{"type": "course_completed", "courseId": "ev-course"}`, 422, "type"},
		{"signed_up", `{"type": "signed_up"}`, 422, "type"},
		{"query_ran", `{"type": "query_ran", "payload": {"sql": "select 1"}}`, 422, "type"},
		{"item_completed", `{"type": "item_completed", "courseId": "ev-course", "itemId": "intro"}`, 422, "type"},
		{"video_completed", `{"type": "video_completed", "courseId": "ev-course", "itemId": "intro", "payload": {"position": 20}}`, 422, "type"},
		{"question_answered", `{"type": "question_answered", "courseId": "ev-course", "itemId": "intro"}`, 422, "type"},
		{"course_published", `{"type": "course_published", "courseId": "ev-course"}`, 422, "type"},
		{"type in other case", `{"type": "PAGE_VIEWED", "payload": {"path": "/"}}`, 422, "type"},
		{"type with a space", `{"type": "page_viewed ", "payload": {"path": "/"}}`, 422, "type"},
		{"no type", `{"payload": {"path": "/"}}`, 422, "type"},
		// Payload: an object of the type's shape, small.
		{"page view without payload", `{"type": "page_viewed"}`, 422, "payload"},
		{"page view null payload", `{"type": "page_viewed", "payload": null}`, 422, "payload"},
		{"payload an array", `{"type": "page_viewed", "payload": [1, 2]}`, 422, "payload"},
		{"payload a string", `{"type": "page_viewed", "payload": "/x"}`, 422, "payload"},
		{"payload unknown key", `{"type": "page_viewed", "payload": {"path": "/", "admin": true}}`, 422, "payload"},
		{"payload nested", `{"type": "page_viewed", "payload": {"path": {"path": "/"}}}`, 422, "payload.path"},
		{"payload deep nesting", `{"type": "page_viewed", "payload": ` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}`, 422, "payload"},
		{"path too long", `{"type": "page_viewed", "payload": {"path": "/` + long + `"}}`, 422, "payload.path"},
		{"path not a path", `{"type": "page_viewed", "payload": {"path": "javascript:alert(1)"}}`, 422, "payload.path"},
		{"path with a control character", `{"type": "page_viewed", "payload": {"path": "/a\u0000b"}}`, 422, "payload.path"},
		{"path with a line break", `{"type": "page_viewed", "payload": {"path": "/a\nb"}}`, 422, "payload.path"},
		{"payload too large", `{"type": "page_viewed", "payload": {"path": "/", "pad": "` + strings.Repeat("x", 8000) + `"}}`, 422, "payload"},
		{"video event on a reading", `{"type": "video_played", "courseId": "ev-course", "itemId": "notes", "payload": {"position": 1}}`, 422, "itemId"},
		{"video event without an item", `{"type": "video_paused", "courseId": "ev-course", "payload": {"position": 1}}`, 422, "itemId"},
		{"video event without a position", `{"type": "video_seeked", "courseId": "ev-course", "itemId": "intro", "payload": {}}`, 422, "payload.position"},
		{"video position negative", `{"type": "video_seeked", "courseId": "ev-course", "itemId": "intro", "payload": {"position": -1}}`, 422, "payload.position"},
		{"video position past the end", `{"type": "video_seeked", "courseId": "ev-course", "itemId": "intro", "payload": {"position": 1e308}}`, 422, "payload.position"},
		{"video position a string", `{"type": "video_seeked", "courseId": "ev-course", "itemId": "intro", "payload": {"position": "1"}}`, 422, "payload.position"},
		// The time is the server's.
		{"client time", `{"type": "page_viewed", "payload": {"path": "/"}, "time": "2001-01-01T00:00:00Z"}`, 422, "time"},
		{"client time in the future", `{"type": "page_viewed", "payload": {"path": "/"}, "time": "2999-01-01T00:00:00Z"}`, 422, "time"},
		{"unknown field", `{"type": "page_viewed", "payload": {"path": "/"}, "userId": "someone-else"}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do("POST", "/api/v1/events", strings.NewReader(tt.body), "application/json")
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			var e struct {
				Error struct{ Code, Message, Field string }
			}
			res.json(t, &e)
			if e.Error.Message == "" || (tt.field != "" && e.Error.Field != tt.field) {
				t.Fatalf("error %s, want one on field %q", res.body, tt.field)
			}
		})
	}
	if evs := clientEvents(t, ts); len(evs) != 0 {
		t.Fatalf("refused events reached the log: %+v", evs)
	}

	// What is accepted is stored as checked: the user's id, the server's
	// time, and the payload re-encoded (a repeated key keeps one value).
	before := time.Now().Add(-time.Second)
	for _, body := range []string{
		`{"type": "page_viewed", "payload": {"path": "/me"}}`,
		`{"type": "page_viewed", "courseId": "ev-course", "itemId": "intro", "payload": {"path": "/courses/ev-course/items/intro", "path": "/x"}}`,
		`{"type": "video_paused", "courseId": "ev-course", "itemId": "intro", "payload": {"position": 7.5}}`,
	} {
		must(t, c.do("POST", "/api/v1/events", strings.NewReader(body), "application/json"), 204)
	}
	// The owner may report on their own unpublished course.
	must(t, owner.do("POST", "/api/v1/events", strings.NewReader(`{"type": "page_viewed", "courseId": "ev-hidden", "payload": {"path": "/courses/ev-hidden"}}`), "application/json"), 204)
	evs := clientEvents(t, ts)
	if len(evs) != 4 {
		t.Fatalf("events = %+v", evs)
	}
	want := []struct{ user, course, item, payload string }{
		{c.user.ID, "", "", `{"path":"/me"}`},
		{c.user.ID, "ev-course", "intro", `{"path":"/x"}`},
		{c.user.ID, "ev-course", "intro", `{"position":7.5}`},
		{owner.user.ID, "ev-hidden", "", `{"path":"/courses/ev-hidden"}`},
	}
	for i, e := range evs {
		w := want[i]
		if e.UserID != w.user || e.CourseID != w.course || e.ItemID != w.item || string(e.Payload) != w.payload {
			t.Errorf("event %d = %+v %s, want %+v", i, e, e.Payload, w)
		}
		if e.Time.Before(before) || e.Time.After(time.Now().Add(time.Second)) {
			t.Errorf("event %d at %v: not the server's time", i, e.Time)
		}
		var v map[string]any
		if err := json.Unmarshal(e.Payload, &v); err != nil {
			t.Errorf("event %d payload %s: %v", i, e.Payload, err)
		}
	}
}

func TestClientEventsAreRateLimited(t *testing.T) {
	// One more event an hour, so that a slow machine does not refill it.
	ts := startServer(t, func(c *server.Config) { c.ClientEventBurst, c.ClientEventEvery = 20, time.Hour })
	ts.publishedCourse(t, "ev-limit")
	c := ts.client(t).signUp()
	other := ts.client(t).signUp()
	view := `{"type": "page_viewed", "courseId": "ev-limit", "payload": {"path": "/courses/ev-limit"}}`
	accepted := 0
	var res response
	for range 1000 {
		res = c.do("POST", "/api/v1/events", strings.NewReader(view), "application/json")
		if res.status != 204 {
			break
		}
		accepted++
	}
	if res.status != 429 || res.errorCode(t) != "too_many_requests" || res.header.Get("Retry-After") == "" {
		t.Fatalf("after %d events: %d %s %v, want 429 with Retry-After", accepted, res.status, res.body, res.header)
	}
	if accepted != 20 {
		t.Fatalf("%d events accepted at once from one user, want the burst of 20", accepted)
	}
	// Bad requests count too: a script cannot probe for free.
	must(t, c.do("POST", "/api/v1/events", strings.NewReader(`{"type": "signed_up"}`), "application/json"), 429)
	// Signing in again (a new session) does not reset it; another user is not affected.
	again := ts.client(t)
	var me struct{ CSRFToken string }
	must(t, again.post("/api/v1/auth/login", map[string]string{"email": c.user.Email, "password": "a good long password"}), 200).json(t, &me)
	again.csrf = me.CSRFToken
	must(t, again.do("POST", "/api/v1/events", strings.NewReader(view), "application/json"), 429)
	must(t, other.do("POST", "/api/v1/events", strings.NewReader(view), "application/json"), 204)
	if n := len(clientEvents(t, ts)); n != accepted+1 {
		t.Fatalf("%d events in the log, want %d", n, accepted+1)
	}
}
