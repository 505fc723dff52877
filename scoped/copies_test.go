package scoped_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/postgres/postgrestest"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

// testScoped checks that an instructor's copy of the warehouse holds their
// courses' rows and nothing else, whatever SQL reads it, and that the copy
// is refreshed after MaxAge.
func testScoped(t *testing.T, e warehouse.Engine) {
	c := context.Background()
	mine, theirs := warehousetest.SampleBatch("u1", 3), warehousetest.SampleBatch("u2", 4)
	// u2 takes the other instructor's course c2, whose rows must stay out.
	warehousetest.Retarget(theirs, "c2", "o2")
	mine.Users = append(mine.Users, warehouse.User{ID: "o1", Email: "o1@example.org", Name: "Owner", Role: "instructor", CreatedAt: time.Now().UTC().Truncate(time.Millisecond)})
	mine.Events = append(mine.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: time.Now().UTC().Truncate(time.Millisecond), Type: lyceum.EventSignedUp, UserID: "u1", Payload: []byte(`{}`)})
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
		rows, err := warehousetest.All(c, scope{w, []string{"c1"}}, sql)
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
		if _, err := warehousetest.All(c, scope{w, []string{"c1"}}, sql); err == nil {
			t.Errorf("scoped %s ran", sql)
		}
	}
	// No courses, no data.
	var qe *warehouse.QueryError
	if _, err := warehousetest.All(c, scope{w, nil}, `SELECT 1`); !errors.As(err, &qe) || qe.Code != "no_courses" {
		t.Errorf("no courses: err = %v", err)
	}
	// New rows appear once the copy is older than MaxAge.
	more := warehousetest.SampleBatch("u1", 2)
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

// scope reads a scoped copy through the Engine interface, for All.
type scope struct {
	w       *scoped.Warehouses
	courses []string
}

func (s scope) Query(ctx context.Context, sql string, args []any) (warehouse.Rows, error) {
	return s.w.Query(ctx, s.courses, sql, args)
}

// An instructor's copy is made the same from either engine.
func TestCopies(t *testing.T) {
	t.Run("duckdb", func(t *testing.T) {
		e, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "warehouse.duckdb"), duckdb.Options{Threads: 2, MemoryLimit: "1GB"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		testScoped(t, e)
	})
	t.Run("postgres", func(t *testing.T) {
		testScoped(t, postgrestest.Open(t, "scoped_test"))
	})
}
