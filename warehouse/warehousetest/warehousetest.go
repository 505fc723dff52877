// Package warehousetest is the conformance suite every warehouse engine
// runs unchanged: loading, exactly-once positions, read-only enforcement,
// timeouts and cancellation.
package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/warehouse"
)

// Run runs the suite. open returns a fresh, empty warehouse per call, with
// its memory limited to about 1 GB where the engine has such a setting.
func Run(t *testing.T, open func(t *testing.T) warehouse.Engine) {
	t.Run("LoadAndQuery", func(t *testing.T) { testLoadAndQuery(t, open(t)) })
	t.Run("ReadOnly", func(t *testing.T) { testReadOnly(t, open(t)) })
	t.Run("Timeout", func(t *testing.T) { testTimeout(t, open(t)) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, open(t)) })
	t.Run("Tables", func(t *testing.T) { testTables(t, open(t)) })
	t.Run("Hostile", func(t *testing.T) { testHostile(t, open(t)) })
	t.Run("Bombs", func(t *testing.T) { testBombs(t, open(t)) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// Querier runs read-only queries: an Engine, or an instructor's scope.
type Querier interface {
	Query(ctx context.Context, sql string, args []any) (warehouse.Rows, error)
}

// All reads the whole result of a query.
func All(ctx context.Context, e Querier, sql string, args ...any) ([][]any, error) {
	rows, err := e.Query(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for {
		r, err := rows.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}

func one(t *testing.T, e warehouse.Engine, sql string, args ...any) string {
	t.Helper()
	rows, err := All(ctx(t), e, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: %v, want one value", sql, rows)
	}
	return fmt.Sprint(rows[0][0])
}

// Counting counts the queries that reach an engine.
type Counting struct {
	warehouse.Engine
	N atomic.Int64
}

func (c *Counting) Query(ctx context.Context, sql string, args []any) (warehouse.Rows, error) {
	c.N.Add(1)
	return c.Engine.Query(ctx, sql, args)
}

// Retarget moves a sample batch to another course and owner.
func Retarget(b *warehouse.Batch, course, owner string) {
	b.Courses[0].ID, b.Courses[0].OwnerID = course, owner
	for i := range b.Enrollments {
		b.Enrollments[i].CourseID = course
	}
	for i := range b.Progress {
		b.Progress[i].CourseID = course
	}
	for i := range b.Answers {
		b.Answers[i].CourseID = course
	}
	for i := range b.Submissions {
		b.Submissions[i].CourseID = course
	}
	for i := range b.Events {
		b.Events[i].CourseID = course
	}
}

func ptr[T any](v T) *T { return &v }

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// SampleBatch is a batch of user's activity in course c1 (owner o1):
// n events and one row of each entity table.
func SampleBatch(user string, n int) *warehouse.Batch {
	now := ms(time.Now())
	b := &warehouse.Batch{
		Users: []warehouse.User{{ID: user, Email: user + "@example.org", Name: "Ada", Role: "learner", CreatedAt: now}},
		Courses: []warehouse.Course{{ID: "c1", Title: "Stats", Language: "en", OwnerID: "o1", Published: true, UpdatedAt: now,
			Modules: []warehouse.Module{{ID: "m1", Position: 1, Title: "One", Items: []warehouse.Item{
				{ID: "v1", Position: 1, Kind: "video", Title: "Intro", Required: true, DurationSeconds: 30, QuestionCount: 2},
				{ID: "q1", Position: 2, Kind: "quiz", Title: "Quiz", Required: true, QuestionCount: 4},
			}}}}},
		Enrollments: []warehouse.Enrollment{{UserID: user, CourseID: "c1", EnrolledAt: now}},
		Progress:    []warehouse.Progress{{UserID: user, CourseID: "c1", ItemID: "v1", Position: 12.5, WatchedPercent: 40, UpdatedAt: now}},
		Answers:     []warehouse.Answer{{UserID: user, CourseID: "c1", ItemID: "v1", QuestionID: "a", Correct: true, Score: 1, MaxScore: 1, Response: `{"choices":["x"]}`, AnsweredAt: now}},
		Submissions: []warehouse.Submission{{ID: uuid.NewString(), UserID: user, CourseID: "c1", ItemID: "q1", Score: 3, MaxScore: 4, Passed: ptr(true), SubmittedAt: now}},
	}
	for i := range n {
		b.Events = append(b.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: now, Type: lyceum.EventVideoPlayed,
			UserID: user, CourseID: "c1", ItemID: "v1", Payload: []byte(fmt.Sprintf(`{"position": %d}`, i))})
	}
	return b
}

func testLoadAndQuery(t *testing.T, e warehouse.Engine) {
	c := ctx(t)
	pos, err := e.LoaderPosition(c)
	if err != nil || pos != "" {
		t.Fatalf("fresh position = %q, %v", pos, err)
	}
	if err := e.Load(c, SampleBatch("u1", 5), "", "p1"); err != nil {
		t.Fatal(err)
	}
	// A second loader still at the old position changes nothing.
	if err := e.Load(c, SampleBatch("u1", 5), "", "p1"); !errors.Is(err, warehouse.ErrPositionMoved) {
		t.Fatalf("stale load: err = %v, want ErrPositionMoved", err)
	}
	if pos, _ := e.LoaderPosition(c); pos != "p1" {
		t.Fatalf("position = %q, want p1", pos)
	}
	if got := one(t, e, `SELECT count(*) FROM events WHERE user_id = 'u1'`); got != "5" {
		t.Fatalf("events = %s", got)
	}
	// Entity rows replace rows with the same key.
	b := SampleBatch("u1", 0)
	b.Progress[0].Position, b.Courses[0].Title = 20, "Statistics"
	b.Courses[0].Modules[0].Items = b.Courses[0].Modules[0].Items[:1]
	b.Submissions = nil
	if err := e.Load(c, b, "p1", "p2"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ sql, want string }{
		{`SELECT count(*) FROM users`, "1"},
		{`SELECT title FROM courses WHERE id = 'c1'`, "Statistics"},
		{`SELECT count(*) FROM items WHERE course_id = 'c1'`, "1"},
		{`SELECT count(*) FROM modules`, "1"},
		{`SELECT position FROM progress WHERE user_id = 'u1' AND item_id = 'v1'`, "20"},
		{`SELECT count(*) FROM enrollments`, "1"},
		{`SELECT count(*) FROM answers WHERE correct`, "1"},
		{`SELECT count(*) FROM grades WHERE passed`, "1"},
		{`SELECT count(*) FROM events`, "5"},
		// JSON columns hold the documents, not strings of them.
		{`SELECT max(CAST(payload->>'position' AS INTEGER)) FROM events`, "4"},
		{`SELECT response->>'choices' FROM answers`, `["x"]`},
	} {
		if got := one(t, e, q.sql); got != q.want {
			t.Errorf("%s = %s, want %s", q.sql, got, q.want)
		}
	}
	// Parameters bind.
	if got := one(t, e, `SELECT count(*) FROM events WHERE user_id = $1`, "u1"); got != "5" {
		t.Errorf("bound parameter: %s", got)
	}
}

func testReadOnly(t *testing.T, e warehouse.Engine) {
	c := ctx(t)
	if err := e.Load(c, SampleBatch("u1", 1), "", "p1"); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`INSERT INTO users (id) VALUES ('x')`,
		`UPDATE users SET name = 'x'`,
		`DELETE FROM users`,
		`CREATE TABLE evil (x INTEGER)`,
		`DROP TABLE users`,
		`ALTER TABLE users ADD COLUMN x INTEGER`,
		`COPY users TO '/tmp/lyceum-stolen.csv'`,
		`ATTACH '/tmp/lyceum-other.db' AS other`,
		`PRAGMA threads = 1`,
		`SET threads = 1`,
		`SELECT 1; DROP TABLE users`,
		`BEGIN`,
		`CHECKPOINT`,
		`TRUNCATE users`,
	} {
		_, err := All(c, e, sql)
		var qe *warehouse.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%s: err = %v, want a QueryError", sql, err)
			continue
		}
		if qe.Message == "" {
			t.Errorf("%s: error without a message", sql)
		}
	}
	// Nothing changed.
	if got := one(t, e, `SELECT count(*) FROM users`); got != "1" {
		t.Fatalf("users = %s after refused writes", got)
	}
	// Reads of every kind still work.
	for _, sql := range []string{
		`SELECT * FROM users`,
		`WITH x AS (SELECT id FROM users) SELECT count(*) FROM x`,
		`EXPLAIN SELECT * FROM events`,
	} {
		if _, err := All(c, e, sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

// slowQuery runs for a long time on every engine.
const slowQuery = `SELECT count(*) FROM generate_series(1, 3000000000) a`

func testTimeout(t *testing.T, e warehouse.Engine) {
	c, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := All(c, e, slowQuery)
	var qe *warehouse.QueryError
	if !errors.As(err, &qe) || qe.Code != "timeout" {
		t.Fatalf("err = %v, want a timeout QueryError", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the query ran %s past a 300 ms timeout: the engine did not stop it", d)
	}
	// The engine is usable afterwards.
	if got := one(t, e, `SELECT 1`); got != "1" {
		t.Fatal(got)
	}
}

func testCancel(t *testing.T, e warehouse.Engine) {
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := All(c, e, slowQuery)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		var qe *warehouse.QueryError
		if !errors.As(err, &qe) || qe.Code != "canceled" {
			t.Fatalf("err = %v, want a canceled QueryError", err)
		}
		t.Logf("stopped %s after cancel", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not stop the query inside the engine within 10 s")
	}
}

func testTables(t *testing.T, e warehouse.Engine) {
	// Loading first: whatever the engine uses to load must not show.
	if err := e.Load(ctx(t), SampleBatch("u1", 3), "", "p1"); err != nil {
		t.Fatal(err)
	}
	tables, err := e.Tables(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if spec, ok := warehouse.Spec(tb.Name); !ok || spec.Internal {
			t.Errorf("table %s is listed but is not one of the warehouse's tables", tb.Name)
		}
	}
	byName := map[string]warehouse.Table{}
	for _, tb := range tables {
		byName[tb.Name] = tb
	}
	for _, want := range warehouse.Tables {
		if want.Internal {
			continue
		}
		got, ok := byName[want.Name]
		if !ok {
			t.Errorf("table %s missing", want.Name)
			continue
		}
		if got.Description != want.Description {
			t.Errorf("%s description = %q", want.Name, got.Description)
		}
		if len(got.Columns) != len(want.Columns) {
			t.Errorf("%s has %d columns, specified %d", want.Name, len(got.Columns), len(want.Columns))
			continue
		}
		for i, c := range got.Columns {
			w := want.Columns[i]
			if c.Name != w.Name || c.Type == "" || c.Kind != w.Type || c.Description != w.Description {
				t.Errorf("%s column %d = %s %q (%s) %q, specified %s (%s) %q", want.Name, i+1, c.Name, c.Type, c.Kind, c.Description, w.Name, w.Type, w.Description)
			}
		}
	}
	if _, ok := byName["loader_state"]; ok {
		t.Error("loader_state is internal and should not be listed")
	}
}
