package duckdb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

func TestConformance(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Engine {
		e, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "warehouse.duckdb"), duckdb.Options{Threads: 2, MemoryLimit: "1GB"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	})
}

// Warehouses made before the JSON columns were text had them as DuckDB's
// JSON type, and some rows held a JSON string of the document (a loader
// bug); they had no record of migrations either. Opening one turns both
// kinds of row into the document's text (migration 1).
func TestConvertsJSONColumnsToText(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warehouse.duckdb")
	e, err := duckdb.Open(ctx, path, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DROP TABLE warehouse_migrations`,
		`ALTER TABLE events ALTER payload SET DATA TYPE JSON`,
		`ALTER TABLE answers ALTER response SET DATA TYPE JSON`,
		`INSERT INTO events VALUES ('e1', now(), 'video_played', 'u1', 'c1', 'v1', to_json('{"position": 3}'))`,
		`INSERT INTO events VALUES ('e2', now(), 'video_played', 'u1', 'c1', 'v1', '{"position": 4}'::JSON)`,
		`INSERT INTO answers VALUES ('u1', 'c1', 'v1', 'q1', true, 1, 1, to_json('{"choices": ["x"]}'), now())`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(stmt, err)
		}
	}
	db.Close()
	for range 2 { // the second open finds nothing to do
		e, err = duckdb.Open(ctx, path, duckdb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := warehousetest.All(ctx, e, `SELECT e.payload, e.payload->>'position', a.response->>'choices', typeof(e.payload)
			FROM events e, answers a ORDER BY e.id`)
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(rows) != `[[{"position": 3} 3 ["x"] VARCHAR] [{"position": 4} 4 ["x"] VARCHAR]]` {
			t.Fatalf("after conversion: %v", rows)
		}
	}
}

// Cancelling a query while its rows are read stops it: the rows end with
// a canceled QueryError, not with the rest of the result. (The query's
// connection is database/sql's, which closes the rows when ctx ends; the
// driver's own objects are used only inside conn.Raw.)
func TestCancelWhileReading(t *testing.T) {
	e, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "warehouse.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := e.Query(ctx, `SELECT * FROM range(10000000)`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if _, err := rows.Next(); err != nil {
		t.Fatal(err)
	}
	cancel()
	n := 0
	for {
		_, err := rows.Next()
		if err == nil {
			n++
			continue
		}
		var qe *warehouse.QueryError
		if !errors.As(err, &qe) || qe.Code != "canceled" {
			t.Fatalf("after cancel, %d more rows, then err = %v; want a canceled QueryError", n, err)
		}
		return
	}
}
