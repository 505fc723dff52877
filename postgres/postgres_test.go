package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lyceum/lyceum/internal/testengines"
	"github.com/lyceum/lyceum/postgres"
	"github.com/lyceum/lyceum/postgres/postgrestest"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

// The tests run against a real PostgreSQL: `make test` starts one with
// scripts/postgres/server.sh and sets LYCEUM_TEST_POSTGRES_URL.
func TestConformance(t *testing.T) {
	testURL(t) // skips or fails here, once, without PostgreSQL
	warehousetest.Run(t, func(t *testing.T) warehouse.Engine { return open(t) })
}

func testURL(t *testing.T) string {
	return testengines.PostgresURL(t)
}

// open makes a warehouse in a schema of its own, dropped after t.
func open(t *testing.T) *postgres.Engine { return postgrestest.Open(t, "wh_test") }

// A session-level advisory lock taken by a query dies with the query's
// connection: it cannot stop another instance from starting (which took
// such a lock to create the schema).
func TestQueryLeavesNoSessionState(t *testing.T) {
	url := testURL(t)
	e := open(t)
	ctx := warehouse.WithQuerier(context.Background(), "mallory")
	for _, q := range []string{
		`SELECT pg_advisory_lock(hashtext('lyceum-warehouse-schema'))`,
		`SELECT pg_advisory_lock(hashtext('lyceum-warehouse-reader'))`,
		`SELECT set_config('search_path', 'pg_temp', false)`,
	} {
		if _, err := warehousetest.All(ctx, e, q); err != nil {
			t.Logf("%s: %v", q, err)
		}
	}
	second := make(chan error, 1)
	go func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		schema := e.Schema()
		other, err := postgres.Open(c, postgres.Config{URL: url, Schema: schema})
		if err == nil {
			other.Close()
		}
		second <- err
	}()
	if err := <-second; err != nil {
		t.Fatalf("a second instance could not start after a query took advisory locks: %v", err)
	}
	rows, err := warehousetest.All(ctx, e, `SELECT current_setting('search_path')`)
	if err != nil || fmt.Sprint(rows) == "[[pg_temp]]" {
		t.Fatalf("search_path after another query set it: %v %v", rows, err)
	}
}

// People who query at the same time neither see each other's SQL nor stop
// each other's queries.
func TestQueriersAreIsolated(t *testing.T) {
	e := open(t)
	alice := warehouse.WithQuerier(context.Background(), "alice")
	mallory := warehouse.WithQuerier(context.Background(), "mallory")
	done := make(chan error, 1)
	go func() {
		_, err := warehousetest.All(alice, e, `SELECT pg_sleep(3) /* alice-secret-7731 */`)
		done <- err
	}()
	time.Sleep(time.Second)
	rows, err := warehousetest.All(mallory, e, `SELECT coalesce(query, '') FROM pg_stat_activity WHERE pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fmt.Sprint(rows), "alice-secret-7731") {
		t.Fatalf("mallory reads alice's running SQL in pg_stat_activity: %v", rows)
	}
	rows, err = warehousetest.All(mallory, e, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lyceum-query' AND pid <> pg_backend_pid()`)
	t.Logf("mallory's terminate: %v %v", rows, err)
	rows, err = warehousetest.All(mallory, e, `SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid()`)
	t.Logf("mallory's cancel: %v %v", rows, err)
	if err := <-done; err != nil {
		t.Fatalf("alice's query was stopped by mallory: %v", err)
	}
}

// What PostgreSQL refuses reaches the user in its own words.
func TestRefusalsSayWhy(t *testing.T) {
	e := open(t)
	ctx := warehouse.WithQuerier(context.Background(), "mallory")
	for _, c := range []struct{ sql, code, says string }{
		{`SELECT * FROM loader_state`, "permission_denied", "permission denied"},
		{`SELECT * FROM secrets`, "permission_denied", "permission denied"},
		{`INSERT INTO users (id) VALUES ('x')`, "", "read-only"},
		{`SELECT 1; SELECT 2`, "syntax", "multiple commands"},
		{`SELEC 1`, "syntax", "syntax error"},
	} {
		_, err := warehousetest.All(ctx, e, c.sql)
		var qe *warehouse.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%s: err = %v, want a QueryError", c.sql, err)
			continue
		}
		if (c.code != "" && qe.Code != c.code) || !strings.Contains(qe.Message, c.says) {
			t.Errorf("%s: %s %q, want %s saying %q", c.sql, qe.Code, qe.Message, c.code, c.says)
		}
	}
}

// The reader roles' password is random, not derived from the owner's.
func TestReaderPasswordIsRandom(t *testing.T) {
	url := testURL(t)
	a, b := open(t), open(t)
	pa, pb := secret(t, url, a.Schema()), secret(t, url, b.Schema())
	if pa == pb || len(pa) < 32 {
		t.Fatalf("reader passwords %q and %q: want random and distinct", pa, pb)
	}
}

func secret(t *testing.T, url, schema string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(context.Background(), `SELECT value FROM `+schema+`.secrets WHERE name = 'reader-password'`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
