package results_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/results"
)

// BenchmarkWrite1M streams a million rows of six columns (~90 bytes of
// values a row) from a generating source into a stored result.
func BenchmarkWrite1M(b *testing.B) {
	e := open(b, results.Options{})
	var sum results.Summary
	for b.Loop() {
		sum = write(b, e.store, "bench/write", millionRows(million), results.Limits{})
	}
	b.ReportMetric(float64(million)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(sum.Bytes)/(1<<20), "MB-stored")
}

// BenchmarkPage pages through a stored million-row result: the first and
// the last page of 50 rows in stored order, sorted by a text column (the
// first page, a top-N sort; then one in the middle, read through the sort
// index built before the timer), and cold: fetched from the blob store
// again each time (and for the deep sorted page, its sort index built).
func BenchmarkPage(b *testing.B) {
	warm := open(b, results.Options{})
	write(b, warm.store, "bench/page", millionRows(million), results.Limits{})
	cold, err := results.Open(context.Background(), warm.blobs, b.TempDir(), results.Options{CacheBytes: 1, Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer cold.Close()
	for _, bc := range []struct {
		name   string
		store  *results.Store
		offset int64
		sortBy string
		desc   bool
	}{
		{"first", warm.store, 0, "", false},
		{"last", warm.store, million - 50, "", false},
		{"sorted-first", warm.store, 0, "name", true},
		{"sorted-middle", warm.store, million / 2, "note", false},
		{"cold-first", cold, 0, "", false},
		{"cold-sorted-middle", cold, million / 2, "name", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			page(b, bc.store, "bench/page", bc.offset, 50, bc.sortBy, bc.desc) // warm: a sort index is built once
			for b.Loop() {
				p := page(b, bc.store, "bench/page", bc.offset, 50, bc.sortBy, bc.desc)
				if len(p.Rows) != 50 {
					b.Fatalf("%d rows", len(p.Rows))
				}
			}
		})
	}
}

// BenchmarkCSV1M downloads a stored million-row result as CSV.
func BenchmarkCSV1M(b *testing.B) {
	e := open(b, results.Options{})
	write(b, e.store, "bench/csv", millionRows(million), results.Limits{})
	var cw *countWriter
	for b.Loop() {
		cw = &countWriter{}
		if err := e.store.CSV(context.Background(), "bench/csv", cw); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(cw.n)
	b.ReportMetric(float64(million)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// millionSQL makes the same kind of million rows in the warehouse.
const millionSQL = `SELECT i AS id, 'learner-' || lpad(((i * 7919) % 1000000)::VARCHAR, 7, '0') AS name, (i % 1000) / 10 AS score,
	TIMESTAMP '2024-01-01' + i * INTERVAL 1 SECOND AS at, i % 3 = 0 AS ok,
	CASE WHEN i % 10 <> 0 THEN 'a note about row ' || i || ', with some padding text' END AS note
	FROM range(1000000) t(i)`

// BenchmarkWrite1MFromDuckDB stores a million-row query result read from
// the embedded warehouse, as a query-page run does; "read-only" reads the
// same rows without storing them, for comparison.
func BenchmarkWrite1MFromDuckDB(b *testing.B) {
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, filepath.Join(b.TempDir(), "wh.duckdb"), duckdb.Options{Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer wh.Close()
	e := open(b, results.Options{})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			rows, err := wh.Query(ctx, millionSQL, nil)
			if err != nil {
				b.Fatal(err)
			}
			sum := write(b, e.store, "bench/wh", rows, results.Limits{})
			rows.Close()
			if sum.Rows != million {
				b.Fatalf("%d rows", sum.Rows)
			}
		}
	})
	b.Run("read-only", func(b *testing.B) {
		for b.Loop() {
			rows, err := wh.Query(ctx, millionSQL, nil)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				if _, err := rows.Next(); err != nil {
					break
				}
				n++
			}
			rows.Close()
			if n != million {
				b.Fatalf("%d rows", n)
			}
		}
	})
}
