package duckdb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

func TestConformance(t *testing.T) {
	warehousetest.Run(t, func(t *testing.T) warehouse.Engine {
		e, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "warehouse.duckdb"), duckdb.Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	})
}

// A warehouse loaded before JSON columns were appended as documents holds
// JSON strings of them; opening it turns them into documents, once.
func TestRepairsJSONStrings(t *testing.T) {
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
		`DELETE FROM loader_state`,
		`INSERT INTO events VALUES ('e1', now(), 'video_played', 'u1', 'c1', 'v1', to_json('{"position": 3}'))`,
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
		rows, err := warehousetest.All(ctx, e, `SELECT payload->>'position', response->>'choices' FROM events, answers`)
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0][0] != "3" || rows[0][1] != `["x"]` {
			t.Fatalf("after repair: %v", rows)
		}
	}
}
