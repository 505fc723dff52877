package cassandra_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/cassandra"
	"github.com/lyceum/lyceum/internal/testengines"
	"github.com/lyceum/lyceum/storetest"
)

// The tests run against a real cluster: `make test` starts one node with
// scripts/cassandra/cluster.sh and sets LYCEUM_TEST_CASSANDRA_HOSTS.
func testConfig(t testing.TB) cassandra.Config {
	hosts := testengines.CassandraHosts(t)
	dc := os.Getenv("LYCEUM_TEST_CASSANDRA_DC")
	if dc == "" {
		dc = "dc1"
	}
	rf := 1
	if len(hosts) >= 3 {
		rf = 3
	}
	return cassandra.Config{
		Hosts: hosts, LocalDC: dc,
		Keyspace:    fmt.Sprintf("lyceum_test_%d", time.Now().UnixNano()%1e9),
		Replication: map[string]int{dc: rf},
		EventLag:    time.Second,
		// A test node shares two cores with the rest of the suite: a
		// request may wait far longer than in production.
		Timeout: 20 * time.Second,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

var (
	sharedOnce sync.Once
	shared     *cassandra.DB
	sharedCfg  cassandra.Config
	sharedErr  error
)

// sharedStore is one migrated keyspace for the whole run: conformance
// tests use fresh random ids, so they do not see each other's data.
func sharedStore(t *testing.T) *cassandra.DB {
	cfg := testConfig(t)
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		sharedCfg = cfg
		shared, sharedErr = cassandra.Open(ctx, cfg)
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lyceum.Store { return sharedStore(t) })
}

// Several instances starting at once migrate the schema once, safely.
func TestConcurrentMigrate(t *testing.T) {
	cfg := testConfig(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			db, err := cassandra.Open(ctx, cfg)
			if err == nil {
				err = db.Ping(ctx)
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestBadConfig(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []cassandra.Config{
		{Hosts: nil, LocalDC: "dc1", Keyspace: "k"},
		{Hosts: []string{"127.0.0.1"}, LocalDC: "", Keyspace: "k"},
		{Hosts: []string{"127.0.0.1"}, LocalDC: "dc1", Keyspace: "bad-name; DROP"},
		{Hosts: []string{"127.0.0.1"}, LocalDC: "dc1", Keyspace: "k", Replication: map[string]int{"dc1": 0}},
	} {
		if _, err := cassandra.Open(ctx, cfg); err == nil {
			t.Errorf("Open(%+v) accepted a bad config", cfg)
		}
	}
}

// TestSegmentsWatchedBeforeTiming: rows written before migration 0005 have
// their segments in the watched set and no times; they count as they are.
func TestSegmentsWatchedBeforeTiming(t *testing.T) {
	// The shared keyspace, with ids of its own: a keyspace of its own
	// would cost a minute of schema changes.
	db := sharedStore(t)
	cfg := sharedCfg
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	user := fmt.Sprintf("legacy-user-%d", time.Now().UnixNano())
	cluster := gocql.NewCluster(cfg.Hosts...)
	cluster.Keyspace = cfg.Keyspace
	cluster.Timeout = time.Minute
	raw, err := cluster.CreateSession()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.Query(`INSERT INTO item_progress (user_id, course_id, item_id, position, watched, updated_at) VALUES (?, 'c', 'v', 3, {0, 1, 2, 7}, toTimestamp(now()))`, user).
		ExecContext(ctx); err != nil {
		t.Fatal(err)
	}
	k := lyceum.ItemKey{UserID: user, CourseID: "c", ItemID: "v"}
	p, err := db.ItemProgress(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.LegacyWatched, []int{0, 1, 2, 7}) || p.WatchStartedAt != nil || len(p.WatchedAt) != 0 {
		t.Fatalf("progress = %+v", p)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := db.UpdateItemProgress(ctx, k, lyceum.ProgressUpdate{WatchStarted: &now, WatchedAt: map[int]time.Time{3: now}, At: now}); err != nil {
		t.Fatal(err)
	}
	if p, err = db.ItemProgress(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got := p.WatchedSegments(); !slices.Equal(got, []int{0, 1, 2, 3, 7}) || p.WatchStartedAt == nil || !p.WatchStartedAt.Equal(now) {
		t.Fatalf("WatchedSegments = %v, progress %+v", got, p)
	}
}

// TestPeopleBackfill: rows written before migration 0007 (users without a
// status or list rows, sessions without ids, courses without the index,
// events without copies) are found by the new queries after its backfill.
func TestPeopleBackfill(t *testing.T) {
	db := sharedStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	raw := cassandra.Session(db)
	exec := func(stmt string, args ...any) {
		t.Helper()
		if err := raw.Query(stmt, args...).ExecContext(ctx); err != nil {
			t.Fatal(err)
		}
	}
	user, tag := uuid.NewString(), "old"+uuid.NewString()[:8]
	created := time.Date(2023, 5, 4, 3, 2, 1, 0, time.UTC)
	exec(`INSERT INTO users_by_id (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'analyst', 'h', ?)`,
		user, tag+"@example.org", "Old "+tag, created)
	exec(`INSERT INTO users_by_email (email, user_id) VALUES (?, ?)`, tag+"@example.org", user)
	hash := strings.Repeat("a", 24) + uuid.NewString()
	exec(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, 'c', ?, ?) USING TTL 3600`,
		hash, user, time.Now(), time.Now().Add(time.Hour))
	course := "old-course-" + uuid.NewString()[:8]
	exec(`INSERT INTO courses_by_owner (owner_id, course_id, summary) VALUES (?, ?, ?)`, user, course,
		`{"id":"`+course+`","title":"Old","ownerId":"`+user+`"}`)
	ran := uuid.Must(uuid.NewV7()).String()
	exec(`INSERT INTO events (bucket, shard, id, time, type, user_id, course_id, item_id, payload) VALUES (?, 0, ?, ?, 'query_ran', ?, '', '', '{}')`,
		time.Now().UTC().Truncate(time.Hour), ran, time.Now(), user)

	if err := cassandra.BackfillPeople(ctx, db); err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByID(ctx, user)
	if err != nil || u.Status != lyceum.UserActive {
		t.Fatalf("user = %+v, %v", u, err)
	}
	for _, f := range []lyceum.UserFilter{{Text: tag}, {Text: tag, Role: lyceum.RoleAnalyst}} {
		page, err := db.ListUsers(ctx, f, "", 10)
		if err != nil || len(page.Users) != 1 || page.Users[0].ID != user || !page.Users[0].CreatedAt.Equal(created) {
			t.Fatalf("ListUsers(%+v) = %+v, %v", f, page, err)
		}
	}
	sessions, err := db.SessionsByUser(ctx, user)
	if err != nil || len(sessions) != 1 || sessions[0].TokenHash != hash || sessions[0].ID == "" {
		t.Fatalf("sessions = %+v, %v", sessions, err)
	}
	if s, err := db.SessionByTokenHash(ctx, hash); err != nil || s.ID != sessions[0].ID {
		t.Fatalf("session by hash = %+v, %v; listed id %s", s, err, sessions[0].ID)
	}
	if err := db.DeleteSession(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if sessions, _ := db.SessionsByUser(ctx, user); len(sessions) != 0 {
		t.Fatalf("sessions after deleting = %+v", sessions)
	}
	courses, err := db.AllCourses(ctx)
	if err != nil || !slices.ContainsFunc(courses, func(c lyceum.CourseSummary) bool { return c.ID == course }) {
		t.Fatalf("AllCourses lacks %s: %v", course, err)
	}
	events, _, err := db.UserEvents(ctx, user, "", 10)
	if err != nil || len(events) != 1 || events[0].ID != ran {
		t.Fatalf("user events = %+v, %v", events, err)
	}
	audit, err := db.AuditEvents(ctx, lyceum.AuditFilter{UserID: user}, "", 10)
	if err != nil || len(audit.Events) != 1 || audit.Events[0].ID != ran {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
}
