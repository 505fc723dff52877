package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
)

// runSQL submits sql as c and waits for the run to finish.
func runSQL(t *testing.T, c *client, sql string) runView {
	t.Helper()
	var v runView
	must(t, c.post("/api/v1/data/runs", map[string]any{"sql": sql}), 202).json(t, &v)
	return waitRun(t, c, v.Run.ID)
}

// rowsOf runs sql and returns its first page as text.
func rowsOf(t *testing.T, c *client, sql string) string {
	t.Helper()
	rows, v := tryRows(t, c, sql)
	if v.Run.Status != "succeeded" {
		t.Fatalf("%s: %s %s", sql, v.Run.Status, v.Run.Error)
	}
	return rows
}

// tryRows runs sql and returns its first page as text if it succeeded.
func tryRows(t *testing.T, c *client, sql string) (string, runView) {
	t.Helper()
	v := runSQL(t, c, sql)
	if v.Run.Status != "succeeded" {
		return "", v
	}
	var page struct{ Rows [][]any }
	must(t, c.get("/api/v1/data/runs/"+v.Run.ID+"/rows"), 200).json(t, &page)
	return fmt.Sprint(page.Rows), v
}

// warehouseChecksum digests every warehouse table through the query page.
const warehouseChecksum = `SELECT
	(SELECT count(*) || md5(coalesce(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR)), '')) FROM users x),
	(SELECT count(*) || md5(coalesce(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR)), '')) FROM courses x),
	(SELECT count(*) || md5(coalesce(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR)), '')) FROM enrollments x),
	(SELECT count(*) || md5(coalesce(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR)), '')) FROM answers x),
	(SELECT count(*) || md5(coalesce(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR)), '')) FROM items x),
	(SELECT count(*) FROM events WHERE type <> 'query_ran')`

// Through the query page, as an analyst would attack it: writes in every
// position of a multi-statement query, state left for the next person,
// huge values. Each fails with a message; the warehouse, the loader and
// other people's results are unharmed; the server stays up.
func TestHostileQueriesThroughTheQueryPage(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.LoaderInterval = 50 * time.Millisecond })
	teacher := ts.publishedCourse(t, "hostile")
	learner := ts.client(t).signUp()
	must(t, learner.post("/api/v1/courses/hostile/enroll", nil), 200)
	mallory := ts.userWithRole(t, lyceum.RoleAnalyst)
	alice := ts.userWithRole(t, lyceum.RoleAnalyst)
	waitFor(t, alice, `SELECT count(*) FROM enrollments`, "[[1]]")
	rowsOf(t, mallory, `SELECT 1`)                           // the loader loads a user on their first event
	waitFor(t, alice, `SELECT count(*) FROM users`, "[[4]]") // instructor, learner, mallory, alice
	before := rowsOf(t, alice, warehouseChecksum)

	for _, sql := range []string{
		`CREATE TABLE x AS SELECT 42; SELECT 1`,
		`DROP TABLE users; SELECT 1`,
		`SELECT 1; DROP TABLE users`,
		`DELETE FROM events WHERE type = 'query_ran'; SELECT 1`,
		`INSERT INTO events (id, time, type, user_id) VALUES ('forged', now(), 'query_ran', 'x'); SELECT 1`,
		`UPDATE users SET name = 'pwned'; SELECT 1`,
		`ATTACH ':memory:' AS m; SELECT 1`,
		`CREATE TEMP TABLE events AS SELECT * FROM events LIMIT 0; SELECT 1`,
		`CREATE TEMP VIEW users AS SELECT 'fake' AS id`,
		`CREATE TEMP VIEW enrollments AS SELECT 'mallory' AS user_id, 'hostile' AS course_id`,
		`CREATE MACRO count_star() AS 1`,
		`SET VARIABLE x = 1`,
		`EXPLAIN ANALYZE DELETE FROM users`,
		`SELECT * FROM enable_logging(storage = 'file', storage_path = '/tmp/lyceum-log')`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`PRAGMA threads = 1`,
		`CHECKPOINT`,
	} {
		v := runSQL(t, mallory, sql)
		if v.Run.Status != "failed" || v.Run.Error == "" || strings.Contains(v.Run.Error, "no columns") {
			t.Errorf("%s: %s %q %q, want failed with the reason", sql, v.Run.Status, v.Run.ErrorCode, v.Run.Error)
		}
	}
	// A value too large to keep fails the query, not the server. (Its
	// size is above the cap; repeat('x', 300000000) fails the same way,
	// after DuckDB's half a minute of making it.)
	v := runSQL(t, mallory, `SELECT repeat('x', 20000000)`)
	if v.Run.Status != "failed" || v.Run.ErrorCode != "value_too_large" {
		t.Errorf("repeat('x', 20000000): %s %s %q", v.Run.Status, v.Run.ErrorCode, v.Run.Error)
	}
	must(t, ts.client(t).get("/healthz"), 200)
	// An instructor's private copy is read-only too: no filling the disk.
	if got := rowsOf(t, teacher, `SELECT count(*) FROM enrollments`); got != "[[1]]" {
		t.Fatalf("the instructor's copy: %s enrollments", got)
	}
	for _, sql := range []string{`CREATE TABLE big AS SELECT * FROM range(1000000000)`, `SELECT 1; CREATE TABLE big AS SELECT 1`,
		`CREATE TEMP TABLE big AS SELECT * FROM range(1000000000)`} {
		if v := runSQL(t, teacher, sql); v.Run.Status != "failed" || v.Run.ErrorCode == "no_courses" {
			t.Errorf("instructor %s: %s %s", sql, v.Run.Status, v.Run.ErrorCode)
		}
	}

	if after := rowsOf(t, alice, warehouseChecksum); after != before {
		t.Fatalf("the warehouse changed under the hostile queries:\n before %s\n after  %s", before, after)
	}
	// Alice reads the real tables, and the loader still loads into them.
	if got := rowsOf(t, alice, `SELECT count(*) FROM users WHERE id = 'fake'`); got != "[[0]]" {
		t.Fatalf("fake users: %s", got)
	}
	must(t, learner.post("/api/v1/courses/hostile/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200)
	waitFor(t, alice, fmt.Sprintf(`SELECT count(*) FROM answers WHERE user_id = '%s'`, learner.user.ID), "[[1]]")
	// Every query, refused or not, is in the audit.
	waitFor(t, alice, fmt.Sprintf(`SELECT count(*) > 17 FROM events WHERE type = 'query_ran' AND user_id = '%s'`, mallory.user.ID), "[[true]]")
}

// waitFor runs sql until its rows are want (the loader is a moment behind).
func waitFor(t *testing.T, c *client, sql, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, v := tryRows(t, c, sql)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %s (%s %s), want %s", sql, got, v.Run.Status, v.Run.Error, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// learnerLoad keeps learners reading their course and answering until
// stop, and counts the requests that did not succeed.
func learnerLoad(t *testing.T, ts *testServer, course string, n int) (stop func() (ok, failed int64)) {
	t.Helper()
	var okN, failedN atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		c := ts.client(t).signUp()
		must(t, c.post("/api/v1/courses/"+course+"/enroll", nil), 200)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				req, _ := http.NewRequest("GET", c.base+"/api/v1/courses/"+course+"/progress", nil)
				if i%2 == 1 {
					req, _ = http.NewRequest("POST", c.base+"/api/v1/courses/"+course+"/items/intro/questions/q-num/answer",
						bytes.NewReader([]byte(`{"response": {"number": 42}}`)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-CSRF-Token", c.csrf)
				}
				res, err := c.http.Do(req)
				if err == nil {
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					failedN.Add(1)
					continue
				}
				okN.Add(1)
			}
		}()
	}
	return func() (int64, int64) {
		close(done)
		wg.Wait()
		return okN.Load(), failedN.Load()
	}
}

// Queries that want too much CPU or memory, or crash the engine, cost
// themselves only: learners see no failed request meanwhile, the worker
// starts again, and the next query runs.
func TestQueryWorkerContainsBombs(t *testing.T) {
	ts := startServer(t, func(c *server.Config) {
		c.QueryMemory = "8GB"              // DuckDB would let the query grow…
		c.QueryWorkerMaxMemory = 500 << 20 // …but the worker may not
		c.QueryLimits.Timeout = 30 * time.Second
		c.QueryLimits.PerUser = 10
	})
	ts.publishedCourse(t, "bombs")
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	stop := learnerLoad(t, ts, "bombs", 4)

	// CPU: four heavy queries at once, canceled after a while.
	var ids []string
	for i := range 4 {
		var v runView
		must(t, analyst.post("/api/v1/data/runs", map[string]any{"sql": fmt.Sprintf(
			`SELECT count(*) FROM range(3000000000) a, range(%d) b`, i+2)}), 202).json(t, &v)
		ids = append(ids, v.Run.ID)
	}
	time.Sleep(3 * time.Second)
	for _, id := range ids {
		must(t, analyst.post("/api/v1/data/runs/"+id+"/cancel", nil), 200)
		if v := waitRun(t, analyst, id); v.Run.Status != "canceled" {
			t.Errorf("CPU bomb: %s %s %q", v.Run.Status, v.Run.ErrorCode, v.Run.Error)
		}
	}
	// Memory: a hash table past the worker's limit.
	v := runSQL(t, analyst, `SELECT sum(length(x)) FROM (SELECT list(repeat('y', 1000)) x FROM range(20000000))`)
	if v.Run.Status != "failed" || v.Run.ErrorCode != "engine_restarted" || !strings.Contains(v.Run.Error, "memory") {
		t.Errorf("memory bomb: %s %s %q", v.Run.Status, v.Run.ErrorCode, v.Run.Error)
	}
	// A crash of the engine (as DuckDB aborting the process would be).
	waitFor(t, analyst, `SELECT 1`, "[[1]]") // the worker is back
	var slow runView
	must(t, analyst.post("/api/v1/data/runs", map[string]any{"sql": `SELECT count(*) FROM range(3000000000) a, range(7) b`}), 202).json(t, &slow)
	time.Sleep(500 * time.Millisecond)
	if err := ts.Worker.Kill(); err != nil {
		t.Fatal(err)
	}
	if v := waitRun(t, analyst, slow.Run.ID); v.Run.Status != "failed" || v.Run.ErrorCode != "engine_restarted" || !strings.Contains(v.Run.Error, "crashed") {
		t.Errorf("crash: %s %s %q", v.Run.Status, v.Run.ErrorCode, v.Run.Error)
	}
	// The worker is back (once it has started again).
	waitFor(t, analyst, `SELECT 41 + 1`, "[[42]]")
	ok, failed := stop()
	t.Logf("learners meanwhile: %d requests, %d failed", ok+failed, failed)
	if failed != 0 || ok == 0 {
		t.Fatalf("learners saw %d failed requests of %d", failed, ok+failed)
	}
}
