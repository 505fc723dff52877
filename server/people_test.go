package server_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/server"
)

// Accounts, settings and the admin's operations, over HTTP: each with its
// permission, and the input an attacker or a careless user sends.

// send sends v as JSON with any method.
func (c *client) send(method, path string, v any) response {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(method, path, bytes.NewReader(b), "application/json")
}

func (c *client) me() lyceum.User {
	c.t.Helper()
	var me struct{ User lyceum.User }
	must(c.t, c.get("/api/v1/me"), 200).json(c.t, &me)
	return me.User
}

// logIn signs a fresh client in with email and password.
func (ts *testServer) logIn(t *testing.T, email, password string) (*client, response) {
	t.Helper()
	c := ts.client(t)
	res := c.post("/api/v1/auth/login", map[string]string{"email": email, "password": password})
	if res.status == 200 {
		var me struct {
			User      lyceum.User
			CSRFToken string
		}
		res.json(t, &me)
		c.csrf, c.user = me.CSRFToken, &me.User
	}
	return c, res
}

func TestAdminEndpointsNeedAnAdmin(t *testing.T) {
	ts := startServer(t)
	target := ts.client(t).signUp()
	ts.publishedCourse(t, "guarded")
	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	id := target.user.ID
	calls := []struct{ method, path string }{
		{"GET", "/api/v1/admin/users"},
		{"GET", "/api/v1/admin/users/" + id},
		{"PUT", "/api/v1/admin/users/" + id + "/role"},
		{"POST", "/api/v1/admin/users/" + id + "/deactivate"},
		{"POST", "/api/v1/admin/users/" + id + "/reactivate"},
		{"POST", "/api/v1/admin/users/" + id + "/sign-out"},
		{"POST", "/api/v1/admin/users/" + id + "/password-reset"},
		{"GET", "/api/v1/admin/courses"},
		{"PUT", "/api/v1/admin/courses/guarded/owner"},
		{"GET", "/api/v1/admin/audit"},
	}
	bodyOf := func(path string) any {
		if strings.HasSuffix(path, "/role") {
			return map[string]any{"role": "admin"}
		}
		return map[string]any{"ownerId": target.user.ID}
	}
	for _, role := range []lyceum.Role{lyceum.RoleLearner, lyceum.RoleInstructor, lyceum.RoleAnalyst} {
		c := ts.userWithRole(t, role)
		for _, call := range calls {
			res := c.send(call.method, call.path, bodyOf(call.path))
			if res.status != 403 || res.errorCode(t) != "forbidden" {
				t.Errorf("%s: %s %s = %d %s, want 403", role, call.method, call.path, res.status, res.body)
			}
		}
	}
	anonymous := ts.client(t)
	for _, call := range calls {
		if res := anonymous.send(call.method, call.path, bodyOf(call.path)); res.status != 401 && res.status != 403 {
			t.Errorf("signed out: %s %s = %d, want 401 (or 403 for a write without a session)", call.method, call.path, res.status)
		}
	}
	// An analyst's API token reaches the data API only.
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	tok := ts.tokenFor(t, analyst)
	if res := tok.do("GET", "/api/v1/admin/users", ""); res.status != 401 {
		t.Errorf("token on the admin API: %d %s", res.status, res.body)
	}
	// Nothing changed: the target is still an active learner with its session.
	if u := target.me(); u.Role != lyceum.RoleLearner || u.Status != lyceum.UserActive {
		t.Fatalf("the target changed: %+v", u)
	}
	var courses struct{ Courses []learning.AdminCourse }
	must(t, admin.get("/api/v1/admin/courses"), 200).json(t, &courses)
	for _, c := range courses.Courses {
		if c.ID == "guarded" && c.OwnerID == target.user.ID {
			t.Fatal("a non-admin transferred the course")
		}
	}
}

func TestAdminFindsAndChangesUsers(t *testing.T) {
	ts := startServer(t)
	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	learner := ts.client(t).signUp()
	must(t, learner.send("PATCH", "/api/v1/me", map[string]any{"name": "Zelda Quintessa"}), 200)

	var page lyceum.UserPage
	must(t, admin.get("/api/v1/admin/users?q=zelda+QUINT"), 200).json(t, &page)
	if len(page.Users) != 1 || page.Users[0].ID != learner.user.ID {
		t.Fatalf("search by name: %+v", page)
	}
	must(t, admin.get("/api/v1/admin/users?q="+url.QueryEscape(learner.user.Email[:12])), 200).json(t, &page)
	if len(page.Users) != 1 || page.Users[0].ID != learner.user.ID {
		t.Fatalf("search by email: %+v", page)
	}
	// Hostile and careless searches: answered, nothing more.
	for _, q := range []string{"%", "_", "%_%", `\`, "'; DROP TABLE users_by_id; --", ".*", "[a-z]+", "(?i)z", "\x00"} {
		res := admin.get("/api/v1/admin/users?q=" + url.QueryEscape(q))
		if q == "\x00" {
			must(t, res, 422)
			continue
		}
		must(t, res, 200).json(t, &page)
		if len(page.Users) != 0 {
			t.Errorf("q %q matched %d users", q, len(page.Users))
		}
	}
	for _, bad := range []string{"role=owner", "status=banned", "from=yesterday", "to=2026-13-01", "limit=0", "limit=201",
		"limit=ten", "cursor=not-a-cursor", "q=" + strings.Repeat("a", 201)} {
		res := admin.get("/api/v1/admin/users?" + bad)
		if res.status != 422 || res.errorCode(t) != "invalid" {
			t.Errorf("%s: %d %s, want 422", bad, res.status, res.body)
		}
	}
	// Filters and pages.
	must(t, admin.get("/api/v1/admin/users?role=admin"), 200).json(t, &page)
	if len(page.Users) != 1 || page.Users[0].ID != admin.user.ID {
		t.Fatalf("admins: %+v", page.Users)
	}
	var all []string
	cursor := ""
	for range 10 {
		page = lyceum.UserPage{}
		must(t, admin.get("/api/v1/admin/users?limit=1&cursor="+url.QueryEscape(cursor)), 200).json(t, &page)
		for _, u := range page.Users {
			all = append(all, u.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(all) != 2 || all[0] != learner.user.ID || all[1] != admin.user.ID {
		t.Fatalf("pages of one, newest first: %v", all)
	}
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	must(t, admin.get("/api/v1/admin/users?from="+tomorrow), 200).json(t, &page)
	if len(page.Users) != 0 {
		t.Fatalf("signed up from tomorrow: %+v", page.Users)
	}

	// The user's page.
	var detail accounts.UserDetail
	must(t, admin.get("/api/v1/admin/users/"+learner.user.ID), 200).json(t, &detail)
	if detail.User.Name != "Zelda Quintessa" || len(detail.Sessions) != 1 || len(detail.RecentEvents) == 0 {
		t.Fatalf("user page: %+v", detail)
	}
	if detail.Sessions[0].Device == "" || detail.Sessions[0].Addr != "127.0.0.1" {
		t.Fatalf("session without device or address: %+v", detail.Sessions[0])
	}
	must(t, admin.get("/api/v1/admin/users/no-such-user"), 404)

	// Make the learner an analyst: their next request is an analyst's.
	var changed struct{ User lyceum.User }
	must(t, admin.send("PUT", "/api/v1/admin/users/"+learner.user.ID+"/role", map[string]string{"role": "analyst"}), 200).json(t, &changed)
	if changed.User.Role != lyceum.RoleAnalyst || learner.me().Role != lyceum.RoleAnalyst {
		t.Fatalf("role after the change: %+v", changed.User)
	}
	must(t, learner.get("/api/v1/data/schema"), 200)
	for _, bad := range []any{map[string]string{"role": "superuser"}, map[string]string{"role": ""}, map[string]int{"role": 1}} {
		if res := admin.send("PUT", "/api/v1/admin/users/"+learner.user.ID+"/role", bad); res.status != 422 && res.status != 400 {
			t.Errorf("role %v: %d %s", bad, res.status, res.body)
		}
	}
	// An admin cannot change their own role (nor lock themselves out).
	res := admin.send("PUT", "/api/v1/admin/users/"+admin.user.ID+"/role", map[string]string{"role": "learner"})
	if res.status != 409 || !strings.Contains(string(res.body), "own account") {
		t.Fatalf("own role: %d %s", res.status, res.body)
	}
	must(t, admin.post("/api/v1/admin/users/"+admin.user.ID+"/deactivate", nil), 409)
	if admin.me().Role != lyceum.RoleAdmin {
		t.Fatal("the admin lost their role")
	}

	// The audit log has the change, by the admin, about the learner.
	var audit lyceum.AuditPage
	must(t, admin.get("/api/v1/admin/audit?type=role_changed&user="+admin.user.ID), 200).json(t, &audit)
	if len(audit.Events) != 1 || !strings.Contains(string(audit.Events[0].Payload), learner.user.ID) ||
		!strings.Contains(string(audit.Events[0].Payload), `"to":"analyst"`) {
		t.Fatalf("audit: %+v", audit)
	}
	must(t, admin.get("/api/v1/admin/audit?type=role_changed&from="+tomorrow), 200).json(t, &audit)
	if len(audit.Events) != 0 {
		t.Fatalf("audit from tomorrow: %+v", audit)
	}
	for _, bad := range []string{"type=video_played", "type=nonsense", "from=soon", "limit=-1", "cursor=zzz"} {
		if res := admin.get("/api/v1/admin/audit?" + bad); res.status != 422 {
			t.Errorf("audit %s: %d %s", bad, res.status, res.body)
		}
	}
}

func TestDeactivationStopsSessionsAndTokens(t *testing.T) {
	ts := startServer(t)
	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	email := analyst.user.Email
	tok := ts.tokenFor(t, analyst)
	must(t, tok.do("GET", "/api/v1/data/schema", ""), 200)

	must(t, admin.post("/api/v1/admin/users/"+analyst.user.ID+"/deactivate", nil), 200)
	must(t, analyst.get("/api/v1/me"), 401)
	if res := tok.do("GET", "/api/v1/data/schema", ""); res.status != 401 || !strings.Contains(string(res.body), "deactivated") {
		t.Fatalf("token of a deactivated account: %d %s", res.status, res.body)
	}
	// The right password says why; a wrong one says nothing more than ever.
	_, res := ts.logIn(t, email, "a good long password")
	if res.status != 403 || !strings.Contains(string(res.body), "deactivated") {
		t.Fatalf("sign-in while deactivated: %d %s", res.status, res.body)
	}
	_, res = ts.logIn(t, email, "a wrong long password")
	if res.status != 401 || strings.Contains(string(res.body), "deactivated") {
		t.Fatalf("wrong password while deactivated: %d %s", res.status, res.body)
	}
	var page lyceum.UserPage
	must(t, admin.get("/api/v1/admin/users?status=deactivated"), 200).json(t, &page)
	if len(page.Users) != 1 || page.Users[0].ID != analyst.user.ID {
		t.Fatalf("deactivated users: %+v", page.Users)
	}

	must(t, admin.post("/api/v1/admin/users/"+analyst.user.ID+"/reactivate", nil), 200)
	must(t, tok.do("GET", "/api/v1/data/schema", ""), 200)
	again, res := ts.logIn(t, email, "a good long password")
	must(t, res, 200)
	must(t, analyst.get("/api/v1/me"), 401) // the old session stays ended

	// Signing a user out everywhere ends every session.
	second, _ := ts.logIn(t, email, "a good long password")
	var out struct{ SessionsEnded int }
	must(t, admin.post("/api/v1/admin/users/"+analyst.user.ID+"/sign-out", nil), 200).json(t, &out)
	if out.SessionsEnded != 2 {
		t.Fatalf("ended %d sessions, want 2", out.SessionsEnded)
	}
	must(t, again.get("/api/v1/me"), 401)
	must(t, second.get("/api/v1/me"), 401)
	must(t, admin.get("/api/v1/me"), 200)
}

func TestAccountSettings(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.LoginBurst = 3 })
	learner := ts.client(t).signUp()
	email := learner.user.Email

	var changed struct{ User lyceum.User }
	must(t, learner.send("PATCH", "/api/v1/me", map[string]any{"name": "  Ada  ", "language": "es", "timeZone": "Asia/Kolkata"}), 200).json(t, &changed)
	if u := learner.me(); u.Name != "Ada" || u.Language != "es" || u.TimeZone != "Asia/Kolkata" || changed.User.Name != "Ada" {
		t.Fatalf("after the change: %+v", u)
	}
	for _, bad := range []map[string]any{
		{"name": ""}, {"name": strings.Repeat("x", 101)}, {"language": "fr"}, {"language": "EN"},
		{"timeZone": "Mars/Olympus_Mons"}, {"timeZone": "Local"}, {"timeZone": "../../../etc/passwd"}, {"timeZone": "/etc/localtime"},
		{"timeZone": "UTC; DROP TABLE users_by_id"}, {"role": "admin"}, {"email": "x@example.org"}, {"status": "active"},
	} {
		res := learner.send("PATCH", "/api/v1/me", bad)
		if res.status != 422 && res.status != 400 {
			t.Errorf("PATCH %v: %d %s", bad, res.status, res.body)
		}
	}
	if u := learner.me(); u.Role != lyceum.RoleLearner || u.Email != email || u.TimeZone != "Asia/Kolkata" {
		t.Fatalf("a refused change changed something: %+v", u)
	}
	must(t, learner.send("PATCH", "/api/v1/me", map[string]any{"timeZone": "", "language": ""}), 200)

	// Sessions: this one and another, which can be ended from here.
	other, _ := ts.logIn(t, email, "a good long password")
	var list struct{ Sessions []accounts.SessionView }
	must(t, learner.get("/api/v1/me/sessions"), 200).json(t, &list)
	if len(list.Sessions) != 2 || list.Sessions[0].Current == list.Sessions[1].Current {
		t.Fatalf("sessions: %+v", list.Sessions)
	}
	var otherID string
	for _, s := range list.Sessions {
		if !s.Current {
			otherID = s.ID
		}
	}
	stranger := ts.client(t).signUp()
	must(t, stranger.send("DELETE", "/api/v1/me/sessions/"+otherID, nil), 404) // not theirs
	must(t, other.get("/api/v1/me"), 200)
	must(t, learner.send("DELETE", "/api/v1/me/sessions/"+otherID, nil), 204)
	must(t, other.get("/api/v1/me"), 401)
	must(t, learner.send("DELETE", "/api/v1/me/sessions/no-such-session", nil), 404)

	// Password: the current one is required, wrong ones are limited.
	change := func(current, next string) response {
		return learner.post("/api/v1/me/password", map[string]string{"currentPassword": current, "newPassword": next})
	}
	if res := change("a good long password", "short"); res.status != 422 {
		t.Fatalf("weak new password: %d %s", res.status, res.body)
	}
	if res := change("not my password at all", "a brand new password"); res.status != 422 || !strings.Contains(string(res.body), "currentPassword") {
		t.Fatalf("wrong current password: %d %s", res.status, res.body)
	}
	limited := false
	for range 5 {
		if res := change("not my password at all", "a brand new password"); res.status == 429 {
			limited = res.header.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Fatal("wrong current passwords are not rate-limited")
	}
	// A fresh server for the rest: the limiter holds this address now.
	ts2 := startServer(t)
	learner = ts2.client(t).signUp()
	email = learner.user.Email
	other, _ = ts2.logIn(t, email, "a good long password")
	must(t, learner.post("/api/v1/me/password", map[string]string{"currentPassword": "a good long password", "newPassword": "a brand new password"}), 204)
	must(t, learner.get("/api/v1/me"), 200)
	must(t, other.get("/api/v1/me"), 401) // other sessions end
	_, res := ts2.logIn(t, email, "a good long password")
	must(t, res, 401)
	_, res = ts2.logIn(t, email, "a brand new password")
	must(t, res, 200)

	// Settings need a session.
	anonymous := ts2.client(t)
	for _, call := range []struct{ method, path string }{{"PATCH", "/api/v1/me"}, {"POST", "/api/v1/me/password"},
		{"GET", "/api/v1/me/sessions"}, {"GET", "/api/v1/me/export"}, {"POST", "/api/v1/me/delete"}} {
		if res := anonymous.send(call.method, call.path, map[string]any{}); res.status != 401 && res.status != 403 {
			t.Errorf("signed out: %s %s = %d", call.method, call.path, res.status)
		}
	}
}

func TestExportMyData(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "exported")
	learner := ts.client(t).signUp()
	must(t, learner.post("/api/v1/courses/exported/enroll", nil), 200)
	must(t, learner.post("/api/v1/courses/exported/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200)
	stranger := ts.client(t).signUp()

	res := must(t, learner.get("/api/v1/me/export?userId="+stranger.user.ID), 200)
	if !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("Content-Disposition: %q", res.header.Get("Content-Disposition"))
	}
	var x accounts.Export
	res.json(t, &x)
	if x.Profile.ID != learner.user.ID || len(x.Enrollments) != 1 || len(x.Answers["exported"]) != 1 || len(x.Events) < 2 ||
		len(x.Sessions) != 1 {
		t.Fatalf("export: profile %s, %d enrollments, answers %v, %d events, %d sessions", x.Profile.ID, len(x.Enrollments),
			x.Answers, len(x.Events), len(x.Sessions))
	}
	for _, e := range x.Events {
		if e.UserID != "" && e.UserID != learner.user.ID {
			t.Fatalf("the export holds another user's event: %+v", e)
		}
	}
	if strings.Contains(string(res.body), "argon2") || strings.Contains(string(res.body), "csrf") {
		t.Fatal("the export holds a secret")
	}
}

func TestDeleteMyAccount(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "kept")
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	email, id := analyst.user.Email, analyst.user.ID
	must(t, analyst.post("/api/v1/courses/kept/enroll", nil), 200)
	tok := ts.tokenFor(t, analyst)

	if res := analyst.post("/api/v1/me/delete", map[string]string{"password": "wrong password here"}); res.status != 422 {
		t.Fatalf("delete with the wrong password: %d %s", res.status, res.body)
	}
	must(t, analyst.post("/api/v1/me/delete", map[string]string{"password": "a good long password"}), 204)
	must(t, analyst.get("/api/v1/me"), 401)
	must(t, tok.do("GET", "/api/v1/data/schema", ""), 401)
	_, res := ts.logIn(t, email, "a good long password")
	must(t, res, 401)

	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	var detail accounts.UserDetail
	must(t, admin.get("/api/v1/admin/users/"+id), 200).json(t, &detail)
	if detail.User.Status != lyceum.UserDeleted || detail.User.Email != "" || detail.User.Name != "" || len(detail.Enrollments) != 1 {
		t.Fatalf("deleted account: %+v", detail)
	}
	for _, tk := range detail.APITokens {
		if tk.RevokedAt == nil {
			t.Fatal("a deleted account's token is not revoked")
		}
	}
	must(t, admin.post("/api/v1/admin/users/"+id+"/reactivate", nil), 409)
	must(t, admin.post("/api/v1/admin/users/"+id+"/password-reset", nil), 409)
	// The address can sign up again, as a new account.
	fresh := ts.client(t)
	res = must(t, fresh.post("/api/v1/auth/signup", map[string]string{"email": email, "password": "a good long password", "name": "Again"}), 201)
	var me struct{ User lyceum.User }
	res.json(t, &me)
	if me.User.ID == id {
		t.Fatal("signing up again revived the deleted account")
	}

	// The last active admin cannot delete their account.
	res = admin.post("/api/v1/me/delete", map[string]string{"password": "a good long password"})
	if res.status != 409 || !strings.Contains(string(res.body), "last active admin") {
		t.Fatalf("last admin deletes their account: %d %s", res.status, res.body)
	}
	must(t, admin.get("/api/v1/me"), 200)
}

func TestPasswordResetLink(t *testing.T) {
	ts := startServer(t)
	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	learner := ts.client(t).signUp()
	var link struct {
		Path      string
		ExpiresAt time.Time
	}
	must(t, admin.post("/api/v1/admin/users/"+learner.user.ID+"/password-reset", nil), 201).json(t, &link)
	token, ok := strings.CutPrefix(link.Path, "/reset-password#token=")
	if !ok || time.Until(link.ExpiresAt) < 23*time.Hour {
		t.Fatalf("link: %+v", link)
	}
	token, _ = url.QueryUnescape(token)
	anonymous := ts.client(t)
	reset := func(token, password string) response {
		return anonymous.post("/api/v1/auth/reset", map[string]string{"token": token, "password": password})
	}
	must(t, reset(token, "short"), 422)
	must(t, reset("made-up-token", "a brand new password"), 404)
	must(t, reset(token+"x", "a brand new password"), 404)
	must(t, reset(token, "a brand new password"), 204)
	must(t, reset(token, "another new password"), 404) // once only
	must(t, learner.get("/api/v1/me"), 401)
	_, res := ts.logIn(t, learner.user.Email, "a brand new password")
	must(t, res, 200)
	must(t, admin.post("/api/v1/admin/users/"+admin.user.ID+"/password-reset", nil), 409)
}

func TestLeaveCourseAndSearchCatalog(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "left")
	learner := ts.client(t).signUp()
	must(t, learner.post("/api/v1/courses/left/leave", nil), 404) // not taking it
	must(t, learner.post("/api/v1/courses/left/enroll", nil), 200)
	must(t, learner.post("/api/v1/courses/left/items/intro/video-progress", map[string]any{"event": "paused", "position": 7}), 200)
	must(t, learner.post("/api/v1/courses/left/leave", nil), 204)
	var mine struct{ Enrollments []learning.EnrollmentView }
	must(t, learner.get("/api/v1/me/enrollments"), 200).json(t, &mine)
	if len(mine.Enrollments) != 0 {
		t.Fatalf("my courses after leaving: %+v", mine.Enrollments)
	}
	var page learning.CourseView
	must(t, learner.get("/api/v1/courses/left"), 200).json(t, &page)
	if page.Enrollment != nil || page.Teacher.Name == "" {
		t.Fatalf("course page after leaving: enrollment %+v, teacher %+v", page.Enrollment, page.Teacher)
	}
	must(t, learner.get("/api/v1/courses/left/items/intro"), 403)
	must(t, learner.post("/api/v1/courses/left/leave", nil), 404)
	// Coming back brings the progress back.
	must(t, learner.post("/api/v1/courses/left/enroll", nil), 200)
	var item learning.ItemPage
	must(t, learner.get("/api/v1/courses/left/items/intro"), 200).json(t, &item)
	if item.Status.Position != 7 {
		t.Fatalf("position after coming back: %v", item.Status.Position)
	}

	// The catalog: words, language, tag; hostile text finds nothing.
	search := func(query string) []string {
		var list struct{ Courses []lyceum.CourseSummary }
		must(t, ts.client(t).get("/api/v1/courses?"+query), 200).json(t, &list)
		var ids []string
		for _, c := range list.Courses {
			ids = append(ids, c.ID)
		}
		return ids
	}
	title := strings.ToLower(page.Course.Title)
	for query, want := range map[string]string{
		"q=" + url.QueryEscape(title): "left", "q=" + url.QueryEscape(strings.ToUpper(title)): "left",
		"language=en": "left", "language=EN": "left", "language=fr": "", "q=nothing+like+it": "",
		"q=" + url.QueryEscape("%"): "", "q=" + url.QueryEscape(".*"): "", "q=" + url.QueryEscape("' OR 1=1 --"): "",
	} {
		got := strings.Join(search(query), ",")
		if got != want {
			t.Errorf("catalog %s: %q, want %q", query, got, want)
		}
	}
	if res := ts.client(t).get("/api/v1/courses?q=" + strings.Repeat("x", 201)); res.status != 422 {
		t.Fatalf("long search: %d", res.status)
	}
}

func TestAdminManagesCourses(t *testing.T) {
	ts := startServer(t)
	owner := ts.publishedCourse(t, "handed")
	must(t, owner.post("/api/v1/courses/handed/unpublish", nil), 200)
	admin := ts.userWithRole(t, lyceum.RoleAdmin)
	heir := ts.userWithRole(t, lyceum.RoleInstructor)
	learner := ts.client(t).signUp()

	var list struct{ Courses []learning.AdminCourse }
	must(t, admin.get("/api/v1/admin/courses"), 200).json(t, &list)
	if len(list.Courses) != 1 || list.Courses[0].Published || list.Courses[0].OwnerName == "" {
		t.Fatalf("every course: %+v", list.Courses)
	}
	must(t, admin.post("/api/v1/courses/handed/publish", nil), 200)
	must(t, admin.send("PUT", "/api/v1/admin/courses/handed/owner", map[string]string{"ownerId": learner.user.ID}), 422)
	must(t, admin.send("PUT", "/api/v1/admin/courses/handed/owner", map[string]string{"ownerId": "nobody"}), 422)
	must(t, admin.send("PUT", "/api/v1/admin/courses/no-such-course/owner", map[string]string{"ownerId": heir.user.ID}), 404)
	must(t, admin.send("PUT", "/api/v1/admin/courses/handed/owner", map[string]string{"ownerId": heir.user.ID}), 200)
	must(t, heir.post("/api/v1/courses/handed/unpublish", nil), 200)
	must(t, owner.post("/api/v1/courses/handed/publish", nil), 404) // not theirs, and unpublished: not shown

	var audit lyceum.AuditPage
	must(t, admin.get("/api/v1/admin/audit?type=course_transferred"), 200).json(t, &audit)
	if len(audit.Events) != 1 || audit.Events[0].CourseID != "handed" || audit.Events[0].UserID != admin.user.ID {
		t.Fatalf("audit: %+v", audit.Events)
	}
	must(t, admin.get("/api/v1/admin/audit"), 200).json(t, &audit)
	types := map[lyceum.EventType]int{}
	for _, e := range audit.Events {
		types[e.Type]++
	}
	if types[lyceum.EventCoursePublished] < 2 || types[lyceum.EventCourseUnpublished] != 2 {
		t.Fatalf("audit types: %v", types)
	}
}
