package duckdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/warehouse"
)

// A load that fails after staging its rows leaves no staging table (and
// no staged row) on the pooled connection it used.
func TestFailedLoadEmptiesStaging(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, filepath.Join(t.TempDir(), "warehouse.duckdb"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.db.SetMaxOpenConns(1) // the load's connection is the one checked below
	now := time.Now().UTC()
	b := &warehouse.Batch{
		Events: []lyceum.Event{{ID: "e1", Time: now, Type: lyceum.EventSignedUp, UserID: "u1", Payload: []byte(`{}`)}},
		Users:  []warehouse.User{{ID: "u1", Email: "u1@example.org", CreatedAt: now}},
	}
	for _, c := range []struct {
		name     string
		from, to lyceum.EventPosition
		want     error
	}{
		{"moved position", "elsewhere", "p1", warehouse.ErrPositionMoved},
		{"success", "", "p1", nil},
	} {
		if err := e.Load(ctx, b, c.from, c.to); !errors.Is(err, c.want) {
			t.Fatalf("%s: load err = %v, want %v", c.name, err, c.want)
		}
		var n int
		if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE temporary`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d staging tables left on the loader's connection", c.name, n)
		}
	}
}
