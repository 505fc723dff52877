package server_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/testengines"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/server"
)

// Two instances on one Cassandra keyspace behave as one: what is written
// through one is read through the other, and a session from one works on
// the other. Needs LYCEUM_TEST_CASSANDRA_HOSTS (make test starts a node).
func TestTwoInstancesOnCassandra(t *testing.T) {
	hosts := testengines.CassandraHosts(t)
	keyspace := fmt.Sprintf("lyceum_scaleout_%d", time.Now().UnixNano()%1e9)
	blobs := t.TempDir() // shared media, as S3 would be
	onCassandra := func(c *server.Config) {
		c.Store = "cassandra"
		c.DataDir = blobs
		c.Cassandra.Hosts = hosts
		c.Cassandra.Keyspace = keyspace
		c.Cassandra.Replication = map[string]int{"dc1": 1}
		c.Cassandra.EventLag = time.Second
		if len(c.Cassandra.Hosts) >= 3 {
			c.Cassandra.Replication["dc1"] = 3
		}
	}
	a := startServer(t, onCassandra)
	// The embedded DuckDB warehouse belongs to one instance.
	b := startServer(t, onCassandra, func(c *server.Config) { c.Warehouse = "none" })
	a.publishedCourse(t, "scale")

	// Sign up on A; the same cookie jar talks to B.
	onA := a.client(t).signUp()
	jar, _ := cookiejar.New(nil)
	onB := &client{t: t, base: b.URL, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, csrf: onA.csrf, user: onA.user}
	for _, c := range onA.http.Jar.Cookies(mustURL(t, a.URL)) {
		jar.SetCookies(mustURL(t, b.URL), []*http.Cookie{c})
	}
	var me struct{ User lyceum.User }
	must(t, onB.get("/api/v1/me"), 200).json(t, &me)
	if me.User.ID != onA.user.ID {
		t.Fatalf("B sees user %s, want %s", me.User.ID, onA.user.ID)
	}

	must(t, onA.post("/api/v1/courses/scale/enroll", nil), 200)
	var page learning.CourseView
	must(t, onB.get("/api/v1/courses/scale"), 200).json(t, &page)
	if page.Enrollment == nil {
		t.Fatal("enrollment made on A is not visible on B")
	}
	must(t, onB.post("/api/v1/courses/scale/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200)
	must(t, onB.post("/api/v1/courses/scale/items/intro/video-progress", map[string]any{"event": "paused", "position": 9.5}), 200)
	var item learning.ItemPage
	must(t, onA.get("/api/v1/courses/scale/items/intro"), 200).json(t, &item)
	if item.Status.Position != 9.5 || item.Item.Video.Questions[1].Answer == nil || !item.Item.Video.Questions[1].Answer.Grade.Correct {
		t.Fatalf("writes made on B are not visible on A: %+v", item)
	}
	// The course's media are served by both.
	must(t, onB.get(item.Item.Video.URL), 200)

	// An admin on A deactivates a user signed in on B: B refuses the
	// session at its next request.
	other := b.client(t).signUp()
	must(t, other.get("/api/v1/me"), 200)
	admin := a.userWithRole(t, lyceum.RoleAdmin)
	must(t, admin.post("/api/v1/admin/users/"+other.user.ID+"/deactivate", nil), 200)
	must(t, other.get("/api/v1/me"), 401)

	// Logging out on B ends the session on A too.
	must(t, onB.post("/api/v1/auth/logout", nil), 204)
	must(t, onA.get("/api/v1/me"), 401)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
