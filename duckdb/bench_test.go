package duckdb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum/duckdb"
)

// BenchmarkSmallQuery is the access point's fixed cost per query: parsing
// twice, a connection of its own and a read-only transaction.
func BenchmarkSmallQuery(b *testing.B) {
	ctx := context.Background()
	e, err := duckdb.Open(ctx, filepath.Join(b.TempDir(), "w.duckdb"), duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		r, err := e.Query(ctx, "SELECT count(*) FROM events WHERE user_id = $1", []any{"u1"})
		if err != nil {
			b.Fatal(err)
		}
		r.Next()
		r.Close()
	}
}
