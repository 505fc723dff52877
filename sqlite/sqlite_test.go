package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/sqlite"
	"github.com/lyceum/lyceum/storetest"
)

func openTest(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lyceum.Store { return openTest(t) })
}

// TestSegmentsWatchedBeforeTiming: rows written before migration 0005 have
// their segments in the watched column and no times; they count as they are.
func TestSegmentsWatchedBeforeTiming(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lyceum.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO item_progress (user_id, course_id, item_id, position, watched, updated_at)
		VALUES ('u', 'c', 'v', 3, '[0,1,2,7]', 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k := lyceum.ItemKey{UserID: "u", CourseID: "c", ItemID: "v"}
	p, err := db.ItemProgress(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.LegacyWatched, []int{0, 1, 2, 7}) || p.WatchStartedAt != nil || len(p.WatchedAt) != 0 {
		t.Fatalf("progress = %+v", p)
	}
	// Timed reports add to them.
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := db.UpdateItemProgress(ctx, k, lyceum.ProgressUpdate{WatchStarted: &now, WatchedAt: map[int]time.Time{3: now}, At: now}); err != nil {
		t.Fatal(err)
	}
	if p, err = db.ItemProgress(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got := p.WatchedSegments(); !slices.Equal(got, []int{0, 1, 2, 3, 7}) {
		t.Fatalf("WatchedSegments = %v", got)
	}
}

// TestWriteAfterCloseReturns: a write that reaches the store as it closes
// gets an answer (done, or "closed"), never a wait that does not end. Before
// the fix, a write could be queued after the writer had drained its queue
// and exited, and its caller waited forever.
func TestWriteAfterCloseReturns(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const writers = 64
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			errs <- db.AcquireLease(ctx, "close-race-"+string(rune('a'+i%26)), "me", time.Minute)
		}()
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for range writers { // after Close: each write must still answer
		go func() { errs <- db.AcquireLease(ctx, "after-close", "me", time.Minute) }()
	}
	deadline := time.After(time.Minute) // a hang, not a slow write
	closed := 0
	for range 2 * writers {
		select {
		case err := <-errs:
			if err != nil {
				closed++
			}
		case <-deadline:
			t.Fatal("a write queued as the store closed never returned")
		}
	}
	if closed < writers {
		t.Fatalf("%d writes failed, want at least the %d made after Close", closed, writers)
	}
}
