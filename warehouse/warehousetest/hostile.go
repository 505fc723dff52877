package warehousetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum/warehouse"
)

// Verifier is an engine that can tell whether anything shared by all its
// queries changed since it opened (DuckDB: settings, attached databases,
// catalog). The hostile suite calls it after every case.
type Verifier interface {
	Verify(ctx context.Context) error
}

// writes are statements that would change the warehouse, its catalog,
// its settings or the audit trail, in both engines' dialects.
var writes = []string{
	`INSERT INTO users (id, email) VALUES ('mallory', 'm@example.org')`,
	`UPDATE users SET name = 'pwned'`,
	`DELETE FROM events`,
	`DELETE FROM events WHERE type = 'query_ran'`,
	`INSERT INTO events (id, time, type, user_id) VALUES ('forged', now(), 'query_ran', 'u1')`,
	`CREATE TABLE x AS SELECT 42`,
	`CREATE VIEW v AS SELECT 42`,
	`CREATE TEMP TABLE events AS SELECT * FROM events LIMIT 0`,
	`CREATE TEMPORARY VIEW enrollments AS SELECT 'mallory' AS user_id, 'c1' AS course_id, now() AS enrolled_at, NULL AS completed_at`,
	`CREATE TEMP VIEW users AS SELECT 'fake' AS id`,
	`DROP TABLE users`,
	`DROP TABLE events CASCADE`,
	`ALTER TABLE users ADD COLUMN x INTEGER`,
	`ALTER TABLE users RENAME TO users_gone`,
	`TRUNCATE users`,
	`INSERT INTO loader_state VALUES ('learning', 'forged', now())`,
	`DELETE FROM loader_state`,
	`ATTACH ':memory:' AS m`,
	`ATTACH '/tmp/lyceum-hostile.db' AS other`,
	`DETACH m`,
	`COPY users TO '/tmp/lyceum-stolen.csv'`,
	`COPY users FROM '/etc/passwd'`,
	`SET threads = 1`,
	`SET search_path = 'temp'`,
	`RESET ALL`,
	`PRAGMA threads = 1`,
	`CHECKPOINT`,
	`FORCE CHECKPOINT`,
	`VACUUM`,
	`ANALYZE`,
	`BEGIN`,
	`COMMIT`,
	`ROLLBACK`,
	`PREPARE p AS SELECT 1`,
	`CREATE SEQUENCE s`,
	`CREATE MACRO m(x) AS x`,
	`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
	`LOAD httpfs`,
	`INSTALL httpfs`,
	`CALL enable_logging()`,
	`LISTEN x`,
	`NOTIFY x`,
	`LOCK TABLE users`,
	`DECLARE c CURSOR WITH HOLD FOR SELECT 1`,
	`DISCARD ALL`,
	`GRANT SELECT ON users TO PUBLIC`,
	`SELECT * INTO newtable FROM users`,
	`EXPLAIN ANALYZE INSERT INTO users (id) VALUES ('explained')`,
	`EXPLAIN ANALYZE CREATE TABLE explained AS SELECT 1`,
	`WITH gone AS (DELETE FROM users RETURNING *) SELECT count(*) FROM gone`,
	`WITH added AS (INSERT INTO users (id) VALUES ('cte') RETURNING *) SELECT * FROM added`,
}

// hostileInputs puts a write in every position of a multi-statement input,
// with comments, blank statements and case games around it.
func hostileInputs(w string) []string {
	return []string{
		w,
		w + `;`,
		w + `; SELECT 1`,
		w + `;SELECT 1;`,
		`SELECT 1; ` + w,
		`SELECT 1; ` + w + `; SELECT 1`,
		`/* ; */ ` + w + ` -- ;` + "\n" + `; SELECT 1`,
		`;; ` + w + ` ;; SELECT 1`,
		strings.ToLower(w) + `; select 1`,
		w + "\n;\nSELECT count(*) FROM users",
	}
}

// probes read things a query may read but that must not help an attacker:
// they may fail or succeed, but must change nothing.
var probes = []string{
	`SELECT * FROM read_csv('/etc/passwd')`,
	`SELECT * FROM read_text('/etc/passwd')`,
	`SELECT * FROM read_parquet('http://127.0.0.1:1/x.parquet')`,
	`SELECT * FROM glob('/*')`,
	`SELECT pg_read_file('/etc/passwd')`,
	`SELECT pg_ls_dir('.')`,
	`SELECT lo_import('/etc/passwd')`,
	`SELECT * FROM pg_authid`,
	`SELECT usename, passwd FROM pg_shadow`,
	`SELECT pg_advisory_lock(hashtext('lyceum-warehouse-schema'))`,
	`SELECT pg_advisory_lock(42)`,
	`SELECT set_config('search_path', 'pg_temp', false)`,
	`SELECT set_config('statement_timeout', '0', false)`,
	`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
	`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
	`SELECT * FROM duckdb_settings()`,
	`SELECT * FROM duckdb_databases()`,
	`SELECT * FROM duckdb_secrets()`,
	`SELECT current_setting('memory_limit')`,
	`SELECT * FROM enable_logging()`,
	`SELECT * FROM enable_logging(storage = 'file', storage_path = '/tmp/lyceum-hostile-log')`,
	`SELECT * FROM (SELECT 1) a, LATERAL (SELECT * FROM "ENABLE_LOGGING"()) b`,
	`SELECT write_log('x')`,
	`SELECT * FROM checkpoint()`,
	`SELECT * FROM force_checkpoint()`,
	`SELECT * FROM query('SELECT * FROM enable_logging()')`,
	`SELECT * FROM truncate_duckdb_logs()`,
	`SELECT setseed(0.5)`,
	`SELECT nextval('s')`,
	`SELECT * FROM loader_state`,
}

// testHostile runs writes in every position, state-leaking statements and
// probes against e, and checks after each that every warehouse table is
// unchanged, and at the end that loading and other users' queries are
// still right.
func testHostile(t *testing.T, e warehouse.Engine) {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := e.Load(c, SampleBatch("u1", 3), "", "p1"); err != nil {
		t.Fatal(err)
	}
	theirs := SampleBatch("u2", 2)
	Retarget(theirs, "c2", "o2")
	if err := e.Load(c, theirs, "p1", "p2"); err != nil {
		t.Fatal(err)
	}
	before := Checksum(t, e)
	verify := func(what string) {
		t.Helper()
		if v, ok := e.(Verifier); ok {
			if err := v.Verify(c); err != nil {
				t.Fatalf("after %s: %v", what, err)
			}
		}
		if got := Checksum(t, e); got != before {
			t.Fatalf("after %s the warehouse changed", what)
		}
	}
	for _, w := range writes {
		for _, in := range hostileInputs(w) {
			_, err := All(c, e, in)
			var qe *warehouse.QueryError
			if !errors.As(err, &qe) || qe.Message == "" {
				t.Errorf("%q: err = %v, want a QueryError with a message", in, err)
			}
		}
		verify(w)
	}
	for _, p := range probes {
		All(c, e, p) // may fail or not; must change nothing
		verify(p)
	}

	// Whatever those left behind, nobody else sees it: the next queries
	// (many, so every pooled connection serves one) read the real tables.
	for i := range 20 {
		if got := one(t, e, `SELECT count(*) FROM users`); got != "2" {
			t.Fatalf("query %d after the hostile ones: users = %s, want 2", i, got)
		}
		if got := one(t, e, `SELECT count(*) FROM enrollments WHERE course_id = 'c1'`); got != "1" {
			t.Fatalf("query %d: c1 enrollments = %s, want 1", i, got)
		}
	}
	// The loader still loads, into the real tables.
	more := SampleBatch("u1", 4)
	more.Courses, more.Users = nil, nil
	if err := e.Load(c, more, "p2", "p3"); err != nil {
		t.Fatalf("load after the hostile queries: %v", err)
	}
	if got := one(t, e, `SELECT count(*) FROM events WHERE user_id = 'u1'`); got != "7" {
		t.Fatalf("events of u1 after a load = %s, want 7", got)
	}
	// The instructor scope's filter (what their copy is made of) selects
	// their course's learners only.
	spec, _ := warehouse.Spec("users")
	rows, err := All(c, e, `SELECT id FROM users WHERE `+spec.ScopeFilter("$1")+` ORDER BY id`, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[[u2]]" {
		t.Fatalf("c2's instructor's scope holds users %v, want [[u2]]", rows)
	}
}

// Checksum digests every row of every warehouse table and the loader's
// position, in one query both engines understand (each row as text, in
// sorted order, through md5).
func Checksum(t *testing.T, e warehouse.Engine) string {
	t.Helper()
	c := ctx(t)
	tables, err := e.Tables(c)
	if err != nil {
		t.Fatal(err)
	}
	pos, err := e.LoaderPosition(c)
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf(`(SELECT '%s ' || count(*) || ' ' || coalesce(md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))), '') FROM %s x)`,
			tb.Name, tb.Name)
	}
	rows, err := All(c, e, `SELECT `+strings.Join(parts, ", "))
	if err != nil {
		t.Fatalf("checksum: %v", err)
	}
	return fmt.Sprintf("position %s %v", pos, rows)
}

// testBombs runs queries that want too much time or memory: each fails
// cleanly and the engine serves the next query.
func testBombs(t *testing.T, e warehouse.Engine) {
	for _, q := range []string{
		`SELECT count(*) FROM generate_series(1, 3000000000) a, generate_series(1, 3000000000) b`,
		`SELECT string_agg(repeat('x', 1000), ',') FROM generate_series(1, 100000000) a`,
		`SELECT sum(length(repeat('x', 100000000))) FROM generate_series(1, 1000) a`,
	} {
		c, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err := All(c, e, q)
		cancel()
		var qe *warehouse.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%s: err = %v, want a QueryError", q, err)
		}
		if got := one(t, e, `SELECT 1`); got != "1" {
			t.Fatalf("after %s: %s", q, got)
		}
	}
}
