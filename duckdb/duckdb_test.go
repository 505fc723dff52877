package duckdb_test

import (
	"context"
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
