package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
)

// Conformance tests for the run lifecycle: one-way status, saved-query
// versions that two edits cannot both take, instance heartbeats, and the
// index result retention walks.

// runReads checks that run r reads back as want through every read that
// lists it, and whether it is among the active runs.
func runReads(t *testing.T, s lyceum.Store, want *lyceum.QueryRun, stage string) {
	t.Helper()
	c := ctx(t)
	got, err := s.QueryRun(c, want.ID)
	check(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: QueryRun = %+v, want %+v", stage, got, want)
	}
	byUser, err := s.RunsByUser(c, want.UserID, 10)
	check(t, err)
	if i := slices.IndexFunc(byUser, func(r lyceum.QueryRun) bool { return r.ID == want.ID }); i < 0 || !reflect.DeepEqual(byUser[i], *want) {
		t.Fatalf("%s: RunsByUser = %+v, want it to hold %+v", stage, byUser, *want)
	}
	if want.QueryID != "" {
		byQuery, err := s.RunsByQuery(c, want.QueryID, 10)
		check(t, err)
		if i := slices.IndexFunc(byQuery, func(r lyceum.QueryRun) bool { return r.ID == want.ID }); i < 0 || !reflect.DeepEqual(byQuery[i], *want) {
			t.Fatalf("%s: RunsByQuery = %+v, want it to hold %+v", stage, byQuery, *want)
		}
	}
	active, err := s.ActiveRuns(c)
	check(t, err)
	listed := slices.ContainsFunc(active, func(r lyceum.QueryRun) bool { return r.ID == want.ID })
	if listed == want.Status.Final() {
		t.Fatalf("%s: run %s (%s) listed in ActiveRuns: %v", stage, want.ID, want.Status, listed)
	}
}

// testRunStatusOneWay: a run that finished stays finished. A stale write of
// an earlier state arriving after the final one (the executing goroutine's
// "running" after the result's "succeeded") is refused with ErrConflict,
// and every read, the active runs included, still says succeeded.
func testRunStatusOneWay(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	r := sampleRun(id(), id(), time.Now())
	check(t, s.PutQueryRun(c, r))
	queued := *r
	started := ms(time.Now())
	r.Status, r.StartedAt = lyceum.RunRunning, &started
	check(t, s.PutQueryRun(c, r))
	running := *r
	finished := started.Add(time.Second)
	r.Status, r.FinishedAt, r.Rows, r.ResultKey = lyceum.RunSucceeded, &finished, 7, "results/"+r.ID+".parquet"
	check(t, s.PutQueryRun(c, r))
	runReads(t, s, r, "succeeded")

	for _, stale := range []lyceum.QueryRun{queued, running} {
		err := s.PutQueryRun(c, &stale)
		if !errors.Is(err, lyceum.ErrConflict) {
			t.Fatalf("stale %s write after succeeded: err = %v, want ErrConflict", stale.Status, err)
		}
		runReads(t, s, r, "after a stale "+string(stale.Status)+" write")
	}
	// Nor does it become another final status (a cancel that lost the race).
	canceled := *r
	canceled.Status, canceled.ErrorCode, canceled.Error = lyceum.RunCanceled, "canceled", "the query was canceled"
	if err := s.PutQueryRun(c, &canceled); !errors.Is(err, lyceum.ErrConflict) {
		t.Fatalf("canceled after succeeded: err = %v, want ErrConflict", err)
	}
	runReads(t, s, r, "after a late cancel")

	// Its own status again is a change allowed: its result deleted.
	r.ResultKey = ""
	check(t, s.PutQueryRun(c, r))
	check(t, s.PutQueryRun(c, r)) // idempotent
	runReads(t, s, r, "result deleted")
}

// testRunStatusConcurrent writes each run's three states at once, in no
// order: whatever order they land in, every run ends succeeded and out of
// the active runs (on Cassandra, a late "queued" put it back in
// active_runs).
func testRunStatusConcurrent(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user := id()
	var runs []*lyceum.QueryRun
	for range 8 {
		r := sampleRun(user, id(), time.Now())
		queued := *r
		check(t, s.PutQueryRun(c, &queued)) // created first, as the service does
		started, finished := ms(time.Now()), ms(time.Now().Add(time.Second))
		running := *r
		running.Status, running.StartedAt = lyceum.RunRunning, &started
		done := running
		done.Status, done.FinishedAt, done.ResultKey = lyceum.RunSucceeded, &finished, "results/"+r.ID+".parquet"
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i, w := range []lyceum.QueryRun{queued, running, done} {
			wg.Go(func() { errs[i] = s.PutQueryRun(c, &w) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, lyceum.ErrConflict) {
				t.Fatalf("write %d: %v", i, err)
			}
		}
		check(t, errs[2]) // the final write always lands
		runs = append(runs, &done)
	}
	for i, r := range runs {
		runReads(t, s, r, fmt.Sprint("run ", i))
	}
}

// testQueryVersionConflict: two edits of version 1 both try to become
// version 2; the second is refused, and the first author's SQL stays.
func testQueryVersionConflict(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	queryID := id()
	t0 := ms(time.Now())
	mine := lyceum.QueryVersion{QueryID: queryID, Version: 2, SQL: "SELECT 'mine'", Title: "t", AuthorID: id(), CreatedAt: t0}
	theirs := lyceum.QueryVersion{QueryID: queryID, Version: 2, SQL: "SELECT 'theirs'", Title: "t", AuthorID: id(), CreatedAt: t0.Add(time.Millisecond)}
	check(t, s.AddQueryVersion(c, &mine))
	if err := s.AddQueryVersion(c, &theirs); !errors.Is(err, lyceum.ErrConflict) {
		t.Fatalf("second version 2: err = %v, want ErrConflict", err)
	}
	check(t, s.AddQueryVersion(c, &mine)) // a retry of the one stored
	got, err := s.QueryVersions(c, queryID)
	check(t, err)
	if len(got) != 1 || !reflect.DeepEqual(got[0], mine) {
		t.Fatalf("QueryVersions = %+v, want only %+v", got, mine)
	}

	// At once: exactly one of several concurrent edits takes version 3.
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		v := lyceum.QueryVersion{QueryID: queryID, Version: 3, SQL: fmt.Sprintf("SELECT %d", i), Title: "t", AuthorID: id(), CreatedAt: t0}
		wg.Go(func() { errs[i] = s.AddQueryVersion(c, &v) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, lyceum.ErrConflict):
			t.Fatal(err)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent writes of version 3 succeeded, want 1 (errors %v)", won, errs)
	}
}

func testInstanceBeats(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	inst := "instance-" + id()
	_, err := s.InstanceBeat(c, inst)
	mustWrappedNotFound(t, "InstanceBeat(unknown)", err)
	t0 := ms(time.Now())
	check(t, s.BeatInstance(c, inst, t0))
	check(t, s.BeatInstance(c, inst, t0.Add(10*time.Second)))
	got, err := s.InstanceBeat(c, inst)
	check(t, err)
	if !got.Equal(t0.Add(10 * time.Second)) {
		t.Fatalf("InstanceBeat = %v, want the latest beat %v", got, t0.Add(10*time.Second))
	}
	if err := s.BeatInstance(c, "", t0); !lyceum.IsValidation(err) {
		t.Fatalf("BeatInstance without id: err = %v, want a validation error", err)
	}
}

// testResultDays: runs holding a result are found by the day they
// finished, until their result is deleted (ResultKey cleared). Days are
// far in the past, so that other tests' runs do not land on them.
func testResultDays(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	// A random day between 1990 and 2010, so parallel runs do not share it.
	base := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(time.Now().UnixNano()%7000))
	user := id()
	finish := func(r *lyceum.QueryRun, at time.Time, key string) {
		at = ms(at)
		r.Status, r.StartedAt, r.FinishedAt, r.ResultKey = lyceum.RunSucceeded, &at, &at, key
		check(t, s.PutQueryRun(c, r))
	}
	a := sampleRun(user, id(), base.Add(-time.Hour)) // created the day before
	finish(a, base.Add(2*time.Hour), "results/a.parquet")
	b := sampleRun(user, "", base)
	finish(b, base.Add(23*time.Hour), "results/b.parquet")
	other := sampleRun(user, "", base) // the next day
	finish(other, base.Add(25*time.Hour), "results/c.parquet")
	failed := sampleRun(user, "", base) // no result
	at := ms(base.Add(3 * time.Hour))
	failed.Status, failed.FinishedAt, failed.Error = lyceum.RunFailed, &at, "boom"
	check(t, s.PutQueryRun(c, failed))

	days, err := s.ResultDays(c, base.Add(time.Hour))
	check(t, err)
	if !slices.ContainsFunc(days, func(d time.Time) bool { return d.Equal(base) }) ||
		slices.ContainsFunc(days, func(d time.Time) bool { return d.Equal(base.AddDate(0, 0, 1)) }) {
		t.Fatalf("ResultDays(before %v) = %v, want %v and not the day after", base.Add(time.Hour), days, base)
	}
	if !slices.IsSortedFunc(days, func(x, y time.Time) int { return x.Compare(y) }) {
		t.Fatalf("ResultDays = %v, want oldest first", days)
	}
	onDay := func(d time.Time) []string {
		t.Helper()
		runs, err := s.RunsWithResultOn(c, d)
		check(t, err)
		got := ids(runs, runID)
		slices.Sort(got)
		return got
	}
	want := []string{a.ID, b.ID}
	slices.Sort(want)
	if got := onDay(base); !slices.Equal(got, want) {
		t.Fatalf("RunsWithResultOn(%v) = %v, want %v", base, got, want)
	}
	a.ResultKey = ""
	check(t, s.PutQueryRun(c, a))
	if got := onDay(base); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("after a's result was deleted: RunsWithResultOn = %v, want [%s]", got, b.ID)
	}
	if got := onDay(base.AddDate(0, 0, 1)); !slices.Equal(got, []string{other.ID}) {
		t.Fatalf("RunsWithResultOn(next day) = %v, want [%s]", got, other.ID)
	}
}
