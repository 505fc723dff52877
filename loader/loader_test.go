package loader_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/bundle"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/loader"
	"github.com/lyceum/lyceum/simulate"
	"github.com/lyceum/lyceum/sqlite"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

// setup makes a store with simulated activity in the sample course, and an
// empty warehouse.
func setup(t *testing.T) (*sqlite.DB, *duckdb.Engine) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs, _ := blob.NewDir(filepath.Join(dir, "blobs"))
	b, err := bundle.Read(os.DirFS("../courses/sample"))
	if err != nil {
		t.Fatal(err)
	}
	c := b.Course
	c.OwnerID, c.Published, c.UpdatedAt = "owner", true, time.Now().UTC()
	if err := store.PutCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	ev := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: time.Now().UTC(), Type: lyceum.EventCourseImported, UserID: "owner", CourseID: c.ID}
	if err := store.AppendEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := simulate.Run(ctx, simulate.Config{Learners: 30, Days: 5, Seed: 3}, store, blobs); err != nil {
		t.Fatal(err)
	}
	wh, err := duckdb.Open(ctx, filepath.Join(dir, "warehouse.duckdb"), duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return store, wh
}

func countLog(t *testing.T, store lyceum.Store) int {
	n := 0
	var pos lyceum.EventPosition
	for {
		evs, next, err := store.ReadEvents(context.Background(), pos, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return n
		}
		n += len(evs)
		pos = next
	}
}

func value(t *testing.T, wh warehouse.Engine, sql string) string {
	t.Helper()
	rows, err := warehousetest.All(context.Background(), wh, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return fmt.Sprint(rows[0][0])
}

func TestLoaderLoadsEverything(t *testing.T) {
	store, wh := setup(t)
	l := &loader.Loader{Store: store, Warehouse: wh, BatchSize: 500}
	for {
		n, err := l.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	want := countLog(t, store)
	if got := value(t, wh, `SELECT count(*) FROM events`); got != fmt.Sprint(want) {
		t.Fatalf("warehouse has %s events, the log %d", got, want)
	}
	for _, q := range []struct{ sql, want string }{
		{`SELECT count(*) FROM users WHERE role = 'learner'`, "30"},
		{`SELECT count(*) FROM courses WHERE published`, "1"},
		{`SELECT count(*) > 5 FROM items`, "true"},
		{`SELECT count(*) > 0 FROM modules`, "true"},
		{`SELECT count(DISTINCT user_id) FROM enrollments`, "30"},
		{`SELECT count(*) > 0 FROM progress WHERE completed_at IS NOT NULL`, "true"},
		{`SELECT count(*) > 0 FROM progress WHERE watched_percent > 0`, "true"},
		{`SELECT count(*) > 0 FROM answers WHERE NOT correct`, "true"},
		{`SELECT count(*) > 0 FROM grades`, "true"},
		// Every enrollment's user is in users, and every event's course in courses.
		{`SELECT count(*) FROM enrollments e LEFT JOIN users u ON u.id = e.user_id WHERE u.id IS NULL`, "0"},
		{`SELECT count(*) FROM events e LEFT JOIN courses c ON c.id = e.course_id WHERE e.course_id <> '' AND c.id IS NULL`, "0"},
	} {
		if got := value(t, wh, q.sql); got != q.want {
			t.Errorf("%s = %s, want %s", q.sql, got, q.want)
		}
	}
}

// flaky fails Load at random, before or after the real commit, as a crash
// or a lost acknowledgement would.
type flaky struct {
	warehouse.Engine
	rng           *rand.Rand
	before, after int
}

func (f *flaky) Load(ctx context.Context, b *warehouse.Batch, from, to lyceum.EventPosition) error {
	switch f.rng.IntN(3) {
	case 0:
		f.before++
		return errors.New("crash before commit")
	case 1:
		if err := f.Engine.Load(ctx, b, from, to); err != nil {
			return err
		}
		f.after++
		return errors.New("crash after commit: the acknowledgement was lost")
	}
	return f.Engine.Load(ctx, b, from, to)
}

func TestLoaderCrashesNeitherLoseNorDuplicate(t *testing.T) {
	store, wh := setup(t)
	f := &flaky{Engine: wh, rng: rand.New(rand.NewPCG(1, 2))}
	l := &loader.Loader{Store: store, Warehouse: f, BatchSize: 97}
	idle := 0
	for idle < 3 {
		n, err := l.Step(context.Background())
		if err != nil {
			continue // a "crash": the next step starts over from the committed position
		}
		if n == 0 {
			idle++
		}
	}
	// A second loader that lost the lease race cannot load the same events.
	stale := &loader.Loader{Store: store, Warehouse: wh, BatchSize: 97}
	if _, err := stale.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := countLog(t, store)
	got := value(t, wh, `SELECT count(*) FROM events`)
	distinct := value(t, wh, `SELECT count(DISTINCT id) FROM events`)
	t.Logf("%d crashes before commit, %d after; %s events loaded of %d", f.before, f.after, got, want)
	if f.before == 0 || f.after == 0 {
		t.Fatal("the test injected no crashes")
	}
	if got != fmt.Sprint(want) || distinct != got {
		t.Fatalf("warehouse has %s events (%s distinct), the log %d", got, distinct, want)
	}
	// Every user with an event is in the warehouse, crashes or not.
	if missing := value(t, wh, `SELECT count(DISTINCT e.user_id) FROM events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.user_id <> '' AND e.user_id <> 'owner' AND u.id IS NULL`); missing != "0" {
		t.Fatalf("%s users with events are missing from the warehouse", missing)
	}
}

func TestLoaderRunsOnlyWithTheLease(t *testing.T) {
	store, wh := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := store.AcquireLease(ctx, loader.LeaseName, "someone-else", time.Minute); err != nil {
		t.Fatal(err)
	}
	l := &loader.Loader{Store: store, Warehouse: wh, Interval: 50 * time.Millisecond, LeaseTTL: 3 * time.Second}
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	time.Sleep(time.Second)
	if got := value(t, wh, `SELECT count(*) FROM events`); got != "0" {
		t.Fatalf("loaded %s events without the lease", got)
	}
	// The holder goes away: the loader takes over.
	store.ReleaseLease(ctx, loader.LeaseName, "someone-else")
	want := fmt.Sprint(countLog(t, store))
	deadline := time.Now().Add(20 * time.Second)
	for value(t, wh, `SELECT count(*) FROM events`) != want {
		if time.Now().After(deadline) {
			t.Fatal("the loader did not take over the released lease")
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
}

// unreadableCourses fails every read of a course, as a store that is
// briefly unreachable would.
type unreadableCourses struct {
	lyceum.Store
}

func (unreadableCourses) CourseByID(ctx context.Context, id string) (*lyceum.Course, error) {
	return nil, errors.New("the store timed out")
}

// quizAttempts stores a failed attempt at the sample course's first quiz
// and one at a quiz that is not in the course, with their events, and
// returns the store and an empty warehouse.
func quizAttempts(t *testing.T) (*sqlite.DB, *duckdb.Engine) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	b, err := bundle.Read(os.DirFS("../courses/sample"))
	if err != nil {
		t.Fatal(err)
	}
	c := b.Course
	c.OwnerID, c.Published, c.UpdatedAt = "owner", true, time.Now().UTC()
	if err := store.PutCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	quiz := ""
	for _, m := range c.Modules {
		for _, it := range m.Items {
			if it.Quiz != nil && it.Quiz.PassPercent > 0 && quiz == "" {
				quiz = it.ID
			}
		}
	}
	if quiz == "" {
		t.Fatal("the sample course has no quiz with a pass mark")
	}
	for _, item := range []string{quiz, "gone-quiz"} {
		sub := &lyceum.QuizSubmission{ID: uuid.NewString(), UserID: "learner", CourseID: c.ID, ItemID: item, Score: 0, MaxScore: 4, SubmittedAt: time.Now().UTC()}
		if err := store.AddQuizSubmission(ctx, sub); err != nil {
			t.Fatal(err)
		}
		ev := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: time.Now().UTC(), Type: lyceum.EventQuizSubmitted, UserID: "learner", CourseID: c.ID, ItemID: item}
		if err := store.AppendEvents(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	wh, err := duckdb.Open(ctx, filepath.Join(dir, "warehouse.duckdb"), duckdb.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return store, wh
}

// A course that cannot be read (for its quizzes' pass mark) fails the step,
// which is retried from the same position: no quiz attempt is graded
// without its pass mark (a failed attempt stored as passed), and none is
// lost. An attempt at a quiz no longer in its course is not graded at all.
func TestLoaderCourseReadErrorFailsTheStep(t *testing.T) {
	store, wh := quizAttempts(t)
	failing := &loader.Loader{Store: unreadableCourses{store}, Warehouse: wh}
	if _, err := failing.Step(context.Background()); err == nil || !strings.Contains(err.Error(), "the store timed out") {
		t.Fatalf("step with an unreadable course: err = %v, want the store's error", err)
	}
	if got := value(t, wh, `SELECT count(*) FROM grades`); got != "0" {
		t.Fatalf("a failed step stored %s grades", got)
	}
	l := &loader.Loader{Store: store, Warehouse: wh}
	if _, err := l.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := value(t, wh, `SELECT string_agg(item_id || '=' || coalesce(CAST(passed AS VARCHAR), 'NULL'), ' ' ORDER BY item_id = 'gone-quiz') FROM grades`)
	if !strings.HasSuffix(got, "=false gone-quiz=NULL") {
		t.Fatalf("grades: %s, want the failed attempt not passed and the unknown quiz's NULL", got)
	}
}
