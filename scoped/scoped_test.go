package scoped_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

func source(t *testing.T, courses ...string) *warehousetest.Counting {
	t.Helper()
	ctx := context.Background()
	wh, err := duckdb.OpenMemory(ctx, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	b := &warehouse.Batch{}
	for i, c := range courses {
		for range i + 1 {
			b.Events = append(b.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: time.Now(), Type: lyceum.EventEnrolled,
				UserID: uuid.NewString(), CourseID: c, Payload: []byte(`{}`)})
		}
	}
	if err := wh.Load(ctx, b, "", "p1"); err != nil {
		t.Fatal(err)
	}
	return &warehousetest.Counting{Engine: wh}
}

func count(t *testing.T, w *scoped.Warehouses, courses ...string) string {
	t.Helper()
	rows, err := w.Query(context.Background(), courses, `SELECT count(*) FROM events`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	r, err := rows.Next()
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return fmt.Sprint(r[0])
}

// Queries that arrive while a copy is being made wait for that one copy.
func TestConcurrentQueriesShareOneCopy(t *testing.T) {
	src := source(t, "c1", "c2")
	w := &scoped.Warehouses{Source: src, Dir: t.TempDir()}
	defer w.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := count(t, w, "c2"); got != "2" {
				t.Errorf("events of c2 = %s, want 2", got)
			}
		}()
	}
	wg.Wait()
	perCopy := src.N.Load()
	if got := count(t, w, "c2", "c1"); got != "3" { // another scope: another copy
		t.Errorf("events of c1 and c2 = %s, want 3", got)
	}
	if src.N.Load() != 2*perCopy {
		t.Errorf("the source was read %d times for two copies, %d for the first", src.N.Load(), perCopy)
	}
}

// Past MaxCopies, the least recently used idle copy is dropped, file and all.
func TestMaxCopies(t *testing.T) {
	src := source(t, "c1", "c2", "c3")
	dir := t.TempDir()
	w := &scoped.Warehouses{Source: src, Dir: dir, MaxCopies: 2}
	defer w.Close()
	for i, c := range []string{"c1", "c2", "c3"} {
		if got := count(t, w, c); got != fmt.Sprint(i+1) {
			t.Fatalf("events of %s = %s, want %d", c, got, i+1)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*.duckdb"))
		if len(files) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("copies on disk: %v, want 2", files)
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := src.N.Load()
	count(t, w, "c3") // still kept: no new copy
	if src.N.Load() != before {
		t.Error("the most recent copy was made again")
	}
	count(t, w, "c1") // dropped: made again
	if src.N.Load() == before {
		t.Error("the least recently used copy was not dropped")
	}
}
