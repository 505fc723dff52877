package simulate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/bundle"
	"github.com/lyceum/lyceum/simulate"
	"github.com/lyceum/lyceum/sqlite"
)

func TestSimulate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	blobs, _ := blob.NewDir(filepath.Join(dir, "blobs"))
	// The simulator needs a published course; the sample course's
	// structure is used without its media.
	b, err := bundle.Read(os.DirFS("../courses/sample"))
	if err != nil {
		t.Fatalf("sample course: %v (make media generates its videos)", err)
	}
	c := b.Course
	c.OwnerID, c.Published, c.UpdatedAt = "owner", true, time.Now()
	if err := store.PutCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	st, err := simulate.Run(ctx, simulate.Config{Learners: 40, Days: 30, Seed: 7, End: end}, store, blobs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
	if st.Learners != 40 || st.Enrollments < 40 || st.Actions < 200 {
		t.Fatalf("too little activity: %+v", st)
	}
	if st.Completions == 0 || st.Dropouts == 0 {
		t.Fatalf("want some learners to finish and some to drop out: %+v", st)
	}
	// Events carry virtual times inside the simulated span, and both right
	// and wrong answers happen.
	var pos lyceum.EventPosition
	types := map[lyceum.EventType]int{}
	for {
		evs, next, err := store.ReadEvents(ctx, pos, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if e.Time.Before(end.AddDate(0, 0, -30)) || e.Time.After(end.Add(48*time.Hour)) {
				t.Fatalf("event at %v outside the simulated span", e.Time)
			}
			types[e.Type]++
		}
		pos = next
	}
	for _, typ := range []lyceum.EventType{lyceum.EventEnrolled, lyceum.EventVideoPlayed, lyceum.EventQuestionAnswered,
		lyceum.EventQuizSubmitted, lyceum.EventItemCompleted, lyceum.EventCourseCompleted, lyceum.EventVideoSeeked} {
		if types[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
}
