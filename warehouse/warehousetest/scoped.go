package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/warehouse"
)

// testScoped checks that an instructor's copy of the warehouse holds their
// courses' rows and nothing else, whatever SQL reads it, and that the copy
// is refreshed after MaxAge.
func testScoped(t *testing.T, e warehouse.Engine) {
	c := ctx(t)
	mine, theirs := sampleBatch("u1", 3), sampleBatch("u2", 4)
	// u2 takes the other instructor's course c2, whose rows must stay out.
	retarget(theirs, "c2", "o2")
	mine.Users = append(mine.Users, warehouse.User{ID: "o1", Email: "o1@example.org", Name: "Owner", Role: "instructor", CreatedAt: ms(time.Now())})
	mine.Events = append(mine.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: ms(time.Now()), Type: lyceum.EventSignedUp, UserID: "u1", Payload: []byte(`{}`)})
	if err := e.Load(c, mine, "", "p1"); err != nil {
		t.Fatal(err)
	}
	if err := e.Load(c, theirs, "p1", "p2"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	w := &scoped.Warehouses{Source: e, MaxAge: time.Hour, Dir: dir}
	one := func(sql string) string {
		t.Helper()
		rows, err := All(c, scope{w, []string{"c1"}}, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(rows) != 1 || len(rows[0]) != 1 {
			t.Fatalf("%s: %v, want one value", sql, rows)
		}
		return fmt.Sprint(rows[0][0])
	}
	for _, q := range []struct{ sql, want string }{
		{`SELECT count(*) FROM events`, "3"}, // the sign-up belongs to no course
		{`SELECT count(*) FROM main.events WHERE course_id = 'c2'`, "0"},
		{`SELECT string_agg(id, ',' ORDER BY id) FROM courses`, "c1"},
		{`SELECT string_agg(id, ',' ORDER BY id) FROM users`, "o1,u1"},
		{`SELECT count(*) FROM enrollments`, "1"},
		{`SELECT count(*) FROM progress`, "1"},
		{`SELECT count(*) FROM answers`, "1"},
		{`SELECT count(*) FROM grades`, "1"},
		{`SELECT count(*) FROM items`, "2"},
		{`SELECT count(*) FROM modules`, "1"},
		{`SELECT response->>'choices' FROM answers`, `["x"]`},
		{`SELECT max(CAST(payload->>'position' AS INTEGER)) FROM events`, "2"},
	} {
		if got := one(q.sql); got != q.want {
			t.Errorf("scoped %s = %s, want %s", q.sql, got, q.want)
		}
	}
	// The copy is as locked down as a warehouse: no writes, no files.
	for _, sql := range []string{`DELETE FROM events`, `ATTACH 'other.db' AS o`, `SELECT * FROM read_csv('/etc/passwd')`} {
		if _, err := All(c, scope{w, []string{"c1"}}, sql); err == nil {
			t.Errorf("scoped %s ran", sql)
		}
	}
	// No courses, no data.
	var qe *warehouse.QueryError
	if _, err := All(c, scope{w, nil}, `SELECT 1`); !errors.As(err, &qe) || qe.Code != "no_courses" {
		t.Errorf("no courses: err = %v", err)
	}
	// New rows appear once the copy is older than MaxAge.
	more := sampleBatch("u1", 2)
	more.Courses, more.Users = nil, nil
	if err := e.Load(c, more, "p2", "p3"); err != nil {
		t.Fatal(err)
	}
	if got := one(`SELECT count(*) FROM events`); got != "3" {
		t.Errorf("within MaxAge the copy is kept: %s events", got)
	}
	w.MaxAge = time.Nanosecond
	if got := one(`SELECT count(*) FROM events`); got != "5" {
		t.Errorf("after MaxAge: %s events, want 5", got)
	}
	// The copies are files under Dir, gone after Close.
	w.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("after Close, %s holds %v", dir, left)
	}
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

// retarget moves a sample batch to another course and owner.
func retarget(b *warehouse.Batch, course, owner string) {
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

// scope reads a scoped copy through the Engine interface, for All.
type scope struct {
	w       *scoped.Warehouses
	courses []string
}

func (s scope) Query(ctx context.Context, sql string, args []any) (warehouse.Rows, error) {
	return s.w.Query(ctx, s.courses, sql, args)
}
