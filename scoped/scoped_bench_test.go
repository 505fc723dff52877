package scoped_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/warehouse"
)

// BenchmarkCopy measures making an instructor's copy of a course with
// 500,000 events (a twentieth of 10 million):
//
//	go test ./scoped -bench Copy -benchtime 3x
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, filepath.Join(b.TempDir(), "wh.duckdb"), duckdb.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer wh.Close()
	const events = 500_000
	now := time.Now().UTC()
	pos := lyceum.EventPosition("")
	for done := 0; done < events; done += 50_000 {
		batch := &warehouse.Batch{}
		for i := range 50_000 {
			batch.Events = append(batch.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: now, Type: lyceum.EventVideoPlayed,
				UserID: uuid.NewString(), CourseID: "c1", ItemID: "v1", Payload: []byte(fmt.Sprintf(`{"position": %d}`, i))})
		}
		next := lyceum.EventPosition(fmt.Sprint(done))
		if err := wh.Load(ctx, batch, pos, next); err != nil {
			b.Fatal(err)
		}
		pos = next
	}
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		w := &scoped.Warehouses{Source: wh, Dir: dir}
		rows, err := w.Query(ctx, []string{"c1"}, `SELECT count(*) FROM events`, nil)
		if err != nil {
			b.Fatal(err)
		}
		rows.Close()
		w.Close()
	}
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
}
