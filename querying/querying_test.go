package querying_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/scoped"
	"github.com/lyceum/lyceum/sqlite"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

type env struct {
	svc    *querying.Service
	store  *sqlite.DB
	engine *warehousetest.Counting
	wh     *duckdb.Engine
	blobs  *blob.Dir
}

func setup(t *testing.T, lim querying.Limits) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	wh, err := duckdb.Open(ctx, filepath.Join(dir, "wh.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	blobs, _ := blob.NewDir(filepath.Join(dir, "blobs"))
	rs, err := results.Open(ctx, blobs, filepath.Join(dir, "cache"), results.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	e := &warehousetest.Counting{Engine: wh}
	exec := &querying.Local{Warehouse: e, Scoped: &scoped.Warehouses{Source: wh, MaxAge: time.Hour}, Results: rs}
	svc := &querying.Service{Executor: exec, Store: store, Results: rs, Blobs: blobs, Limits: lim}
	startService(t, svc)
	return &env{svc: svc, store: store, engine: e, wh: wh, blobs: blobs}
}

// startService starts svc, and closes it when the test ends (before the stores
// close: cleanups run last first).
func startService(t *testing.T, svc *querying.Service) {
	t.Helper()
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Error(err)
		}
	})
}

func (e *env) user(t *testing.T, role lyceum.Role) *lyceum.User {
	t.Helper()
	u := &lyceum.User{ID: uuid.NewString(), Email: uuid.NewString() + "@example.org", Name: string(role), Role: role,
		PasswordHash: "x", CreatedAt: lyceum.TimeNow()}
	if err := e.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

var limits = querying.Limits{MaxRunning: 2, MaxQueued: 10, PerUser: 3, Timeout: 30 * time.Second, MaxRows: 1000, MaxBytes: 1 << 20}

const slow = `SELECT count(*) FROM generate_series(1, 30000000000) t(a)`

func wait(t *testing.T, e *env, u *lyceum.User, id string) *lyceum.QueryRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := e.svc.Wait(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	return &v.Run
}

func TestRunAndPage(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	v, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT i, i * 2 AS double, 'row ' || i AS label FROM range(0, 250) t(i)`})
	if err != nil {
		t.Fatal(err)
	}
	r := wait(t, e, a, v.Run.ID)
	if r.Status != lyceum.RunSucceeded || r.Rows != 250 || r.Truncated {
		t.Fatalf("run = %+v", r)
	}
	p, err := e.svc.ResultPage(ctx, a, r.ID, 100, 10, "double", true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 250 || len(p.Rows) != 10 || fmt.Sprint(p.Rows[0][1]) != "298" {
		t.Fatalf("page = %+v", p)
	}
	// The run is in the store and audited.
	stored, err := e.store.QueryRun(ctx, r.ID)
	if err != nil || stored.Status != lyceum.RunSucceeded {
		t.Fatalf("stored run = %+v, %v", stored, err)
	}
	if n := countEvents(t, e, lyceum.EventQueryRan); n != 1 {
		t.Fatalf("%d audit events, want 1", n)
	}
}

func countEvents(t *testing.T, e *env, typ lyceum.EventType) int {
	n := 0
	var pos lyceum.EventPosition
	for {
		evs, next, err := e.store.ReadEvents(context.Background(), pos, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return n
		}
		for _, ev := range evs {
			if ev.Type == typ {
				n++
			}
		}
		pos = next
	}
}

func TestRefusalsAndCaps(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	for sql, code := range map[string]string{
		`DROP TABLE users`:            "not_read_only",
		`SELECT * FROM no_such_table`: "invalid",
	} {
		v, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: sql})
		if err != nil {
			t.Fatal(err)
		}
		r := wait(t, e, a, v.Run.ID)
		if r.Status != lyceum.RunFailed || r.ErrorCode != code || r.Error == "" {
			t.Errorf("%s: run = %s %s %q", sql, r.Status, r.ErrorCode, r.Error)
		}
	}
	v, _ := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT * FROM range(0, 5000)`})
	if r := wait(t, e, a, v.Run.ID); !r.Truncated || r.Rows != 1000 {
		t.Errorf("row cap: %+v", r)
	}
	// Learners may not query.
	if _, err := e.svc.Submit(ctx, e.user(t, lyceum.RoleLearner), querying.RunRequest{SQL: `SELECT 1`}); !errors.Is(err, lyceum.ErrForbidden) {
		t.Errorf("learner: err = %v, want forbidden", err)
	}
	// Parameters are bound, never pasted.
	v, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT {{name}} AS x`, Params: map[string]string{"name": "'; DROP TABLE users; --"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := wait(t, e, a, v.Run.ID); r.Status != lyceum.RunSucceeded {
		t.Fatalf("parameter run: %+v", r)
	}
	if _, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT {{name}}`}); !lyceum.IsValidation(err) {
		t.Fatalf("missing parameter: %v", err)
	}
}

func TestQueueCancelAndTimeout(t *testing.T) {
	e := setup(t, querying.Limits{MaxRunning: 1, MaxQueued: 10, PerUser: 2, Timeout: 30 * time.Second, MaxRows: 100, MaxBytes: 1 << 20})
	ctx := context.Background()
	a, b, admin := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAdmin)
	first, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: slow})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.Submit(ctx, b, querying.RunRequest{SQL: `SELECT 42`})
	if err != nil {
		t.Fatal(err)
	}
	if second.QueuePosition == nil || *second.QueuePosition != 0 {
		t.Fatalf("second run is not first in line: %+v", second)
	}
	// An identical query shares the running execution.
	twin, err := e.svc.Submit(ctx, b, querying.RunRequest{SQL: slow})
	if err != nil {
		t.Fatal(err)
	}
	if twin.Run.Status != lyceum.RunRunning {
		t.Fatalf("identical query did not join the running one: %+v", twin.Run)
	}
	// b now has two; a third is refused.
	if _, err := e.svc.Submit(ctx, b, querying.RunRequest{SQL: `SELECT 1`}); !errors.Is(err, lyceum.ErrTooMany) {
		t.Fatalf("per-user limit: err = %v", err)
	}
	running, queued, err := e.svc.Active(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(running) != 2 || len(queued) != 1 || queued[0].UserEmail != b.Email {
		t.Fatalf("active: %d running, %d queued", len(running), len(queued))
	}
	if _, _, err := e.svc.Active(ctx, a); !errors.Is(err, lyceum.ErrForbidden) {
		t.Fatal("a non-admin sees everyone's queries")
	}
	// b cancels the twin: a's query keeps running.
	if _, err := e.svc.Cancel(ctx, b, twin.Run.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.svc.Run(ctx, a, first.Run.ID); v.Run.Status != lyceum.RunRunning {
		t.Fatalf("a's query stopped when b canceled a twin: %+v", v.Run)
	}
	// b cannot cancel a's query; an admin can, and the engine stops.
	if _, err := e.svc.Cancel(ctx, b, first.Run.ID); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("b canceled a's query: %v", err)
	}
	start := time.Now()
	if _, err := e.svc.Cancel(ctx, admin, first.Run.ID); err != nil {
		t.Fatal(err)
	}
	// The queued query runs once the slot frees.
	r := wait(t, e, b, second.Run.ID)
	if r.Status != lyceum.RunSucceeded {
		t.Fatalf("queued query: %+v", r)
	}
	t.Logf("the queued query finished %s after the cancel", time.Since(start).Round(time.Millisecond))
	if stored, _ := e.store.QueryRun(ctx, first.Run.ID); stored.Status != lyceum.RunCanceled {
		t.Fatalf("canceled run stored as %s", stored.Status)
	}
	if n := e.engine.N.Load(); n != 2 {
		t.Fatalf("%d queries reached the engine, want 2 (the twin shared one)", n)
	}

	// A query past its timeout is stopped.
	short := &querying.Service{Executor: e.svc.Executor, Store: e.svc.Store, Results: e.svc.Results, Limits: e.svc.Limits}
	short.Limits.Timeout = 300 * time.Millisecond
	startService(t, short)
	v, err := short.Submit(ctx, a, querying.RunRequest{SQL: slow + ` WHERE a > 1`})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := short.Wait(ctx, a, v.Run.ID); err != nil || r.Run.Status != lyceum.RunFailed || r.Run.ErrorCode != "timeout" {
		t.Fatalf("timeout: %+v, %v", r, err)
	}
}

func TestSavedQueriesVisibility(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	a, b, admin := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAdmin)
	private, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Mine", SQL: `SELECT 1 AS one`})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Ours", SQL: `SELECT 2 AS two`, Visibility: lyceum.Organization,
		Chart: &lyceum.Chart{Type: "bar", X: "two", Y: []string{"two"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SavedQuery(ctx, b, private.ID); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("b sees a's private query: %v", err)
	}
	if _, err := e.svc.SavedQuery(ctx, admin, private.ID); err != nil {
		t.Fatalf("admin: %v", err)
	}
	// Runs of the private query and ad hoc runs stay private too.
	v, _ := e.svc.RunSaved(ctx, a, private.ID, nil, "page")
	wait(t, e, a, v.Run.ID)
	if _, err := e.svc.Run(ctx, b, v.Run.ID); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("b sees the private query's run: %v", err)
	}
	if _, err := e.svc.ResultPage(ctx, b, v.Run.ID, 0, 10, "", false); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("b reads the private query's result: %v", err)
	}
	// The shared one: b sees it and its latest result, cannot edit, can fork.
	v, _ = e.svc.RunSaved(ctx, a, shared.ID, nil, "page")
	wait(t, e, a, v.Run.ID)
	latest, err := e.svc.LatestRun(ctx, b, shared.ID)
	if err != nil || latest.ID != v.Run.ID {
		t.Fatalf("latest run for b: %+v, %v", latest, err)
	}
	if _, err := e.svc.ResultPage(ctx, b, latest.ID, 0, 10, "", false); err != nil {
		t.Fatalf("b reads the shared result: %v", err)
	}
	if _, err := e.svc.Update(ctx, b, shared.ID, querying.QueryInput{Title: "x", SQL: "SELECT 3"}); !errors.Is(err, lyceum.ErrForbidden) {
		t.Fatalf("b edited a's query: %v", err)
	}
	fork, err := e.svc.Fork(ctx, b, shared.ID)
	if err != nil || fork.OwnerID != b.ID || fork.ForkedFrom != shared.ID || fork.Visibility != lyceum.Private {
		t.Fatalf("fork = %+v, %v", fork, err)
	}
	// Editing the text makes a version.
	if _, err := e.svc.Update(ctx, a, shared.ID, querying.QueryInput{Title: "Ours", SQL: `SELECT 3 AS three`, Visibility: lyceum.Organization}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.svc.Versions(ctx, b, shared.ID)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].SQL != `SELECT 2 AS two` {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	mine, others, err := e.svc.Queries(ctx, b)
	if err != nil || len(mine) != 1 || len(others) != 1 || others[0].ID != shared.ID {
		t.Fatalf("b's lists: mine %d, shared %d, %v", len(mine), len(others), err)
	}
}

// One analyst's heavy queries do not make another's small one wait.
func TestFairAdmission(t *testing.T) {
	e := setup(t, querying.Limits{MaxRunning: 2, MaxQueued: 10, PerUser: 3, Timeout: 30 * time.Second, MaxRows: 100, MaxBytes: 1 << 20})
	ctx := context.Background()
	a, b, admin := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAdmin)
	var heavy []string
	for i := range 3 {
		v, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: fmt.Sprintf("%s -- %d", slow, i)})
		if err != nil {
			t.Fatal(err)
		}
		heavy = append(heavy, v.Run.ID)
	}
	start := time.Now()
	v, err := e.svc.Submit(ctx, b, querying.RunRequest{SQL: `SELECT 1`})
	if err != nil {
		t.Fatal(err)
	}
	if r := wait(t, e, b, v.Run.ID); r.Status != lyceum.RunSucceeded {
		t.Fatalf("small query: %+v", r)
	}
	t.Logf("the small query finished %s after it was sent, behind 3 heavy ones", time.Since(start).Round(time.Millisecond))
	running, queued, _ := e.svc.Active(ctx, admin)
	if len(running) != 1 || len(queued) != 2 {
		t.Fatalf("a's queries: %d running, %d queued; want 1 and 2 (the last slot is kept for others)", len(running), len(queued))
	}
	for _, id := range heavy {
		e.svc.Cancel(ctx, a, id)
	}
}

// Saving what is on screen shares its result.
func TestSaveAdoptsTheRunOnScreen(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	a, b := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAnalyst)
	v, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 7 AS seven`})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e, a, v.Run.ID)
	q, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Seven", SQL: `SELECT 7 AS seven`, Visibility: lyceum.Organization, RunID: v.Run.ID})
	if err != nil {
		t.Fatal(err)
	}
	latest, err := e.svc.LatestRun(ctx, b, q.ID)
	if err != nil || latest.ID != v.Run.ID || latest.QueryID != q.ID {
		t.Fatalf("latest run for another analyst: %+v, %v", latest, err)
	}
	if _, err := e.svc.ResultPage(ctx, b, v.Run.ID, 0, 10, "", false); err != nil {
		t.Fatalf("another analyst reads the shared result: %v", err)
	}
	runs, _ := e.svc.QueryRuns(ctx, b, q.ID)
	if len(runs) != 1 {
		t.Fatalf("query runs = %d, want 1", len(runs))
	}
	// Someone else's run cannot be adopted.
	if _, err := e.svc.SaveNew(ctx, b, querying.QueryInput{Title: "x", SQL: `SELECT 7 AS seven`, RunID: v.Run.ID}); !lyceum.IsValidation(err) {
		t.Fatalf("adopted another's run: %v", err)
	}
}

// Two instances share the store and the warehouse: an admin on one sees
// the queries running and queued on the other, and cancels them there.
func TestCancelAcrossInstances(t *testing.T) {
	e := setup(t, querying.Limits{MaxRunning: 1, MaxQueued: 10, PerUser: 3, Timeout: time.Minute, MaxRows: 100, MaxBytes: 1 << 20})
	// A second instance: the same store and warehouse, its own queue.
	second := &querying.Service{Executor: e.svc.Executor, Store: e.svc.Store, Results: e.svc.Results, Limits: e.svc.Limits}
	startService(t, second)
	ctx := context.Background()
	a, admin := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAdmin)
	running, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: slow})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: slow + " -- second"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the first is saved as running
	r, q, err := second.Active(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r[0].Run.ID != running.Run.ID || !r[0].Elsewhere || r[0].UserEmail != a.Email ||
		len(q) != 1 || q[0].Run.ID != queued.Run.ID || !q[0].Elsewhere {
		t.Fatalf("the other instance's list: running %+v, queued %+v", r, q)
	}
	// The other instance's analyst may not cancel a's query; its admin can.
	if _, err := second.Cancel(ctx, e.user(t, lyceum.RoleAnalyst), running.Run.ID); !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("another analyst canceled through the other instance: %v", err)
	}
	start := time.Now()
	for _, id := range []string{queued.Run.ID, running.Run.ID} {
		v, err := second.Cancel(ctx, admin, id)
		if err != nil || v.Run.Status != lyceum.RunCanceled {
			t.Fatalf("cancel %s through the other instance: %+v, %v", id, v, err)
		}
	}
	// The first instance notices and stops the work: nothing is left active.
	for {
		r, q, err := e.svc.Active(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(r)+len(q) == 0 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("10 s after the cancel, still running %+v, queued %+v", r, q)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("stopped on the first instance %s after the cancel on the second", time.Since(start).Round(time.Millisecond))
	if n := e.engine.N.Load(); n != 1 {
		t.Fatalf("%d queries reached the engine, want 1 (the queued one was canceled before it ran)", n)
	}
	for _, id := range []string{queued.Run.ID, running.Run.ID} {
		if stored, _ := e.store.QueryRun(ctx, id); stored.Status != lyceum.RunCanceled || stored.Error != "an administrator canceled the query" {
			t.Fatalf("run %s stored as %s %q", id, stored.Status, stored.Error)
		}
	}
}

// TestResultRetention: results older than the retention are deleted, and
// their runs say so; each saved query's latest result is kept however old.
func TestResultRetention(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	q, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Q", SQL: `SELECT 1 AS one`})
	if err != nil {
		t.Fatal(err)
	}
	var runs []*lyceum.QueryRun
	for _, submit := range []func() (*querying.RunView, error){
		func() (*querying.RunView, error) { return e.svc.RunSaved(ctx, a, q.ID, nil, "page") }, // older run of q
		func() (*querying.RunView, error) { return e.svc.RunSaved(ctx, a, q.ID, nil, "page") }, // q's latest
		func() (*querying.RunView, error) {
			return e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 2 AS two`})
		},
		func() (*querying.RunView, error) {
			return e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 3 AS three`})
		}, // recent
	} {
		v, err := submit()
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, wait(t, e, a, v.Run.ID))
	}
	older, latest, adhoc, recent := runs[0], runs[1], runs[2], runs[3]
	// Three of them finished three days ago.
	past := lyceum.TimeNow().Add(-72 * time.Hour)
	for _, r := range []*lyceum.QueryRun{older, latest, adhoc} {
		r.FinishedAt = &past
		if err := e.store.PutQueryRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	keeper := &querying.Service{Executor: e.svc.Executor, Store: e.store, Results: e.svc.Results, Blobs: e.blobs,
		Limits: limits, Lifecycle: querying.Lifecycle{ResultRetention: 48 * time.Hour}}
	n, err := keeper.DeleteOldResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("deleted %d results, want 2 (the older run of the saved query, the ad hoc run)", n)
	}
	for _, r := range []*lyceum.QueryRun{older, adhoc} {
		if _, err := e.blobs.Open(ctx, r.ResultKey); !errors.Is(err, lyceum.ErrNotFound) {
			t.Errorf("result of run %s still stored: %v", r.ID, err)
		}
		_, err := e.svc.ResultPage(ctx, a, r.ID, 0, 10, "", false)
		if !errors.Is(err, lyceum.ErrNotFound) || !strings.Contains(err.Error(), "deleted") {
			t.Errorf("page of a deleted result: %v, want not found saying it was deleted", err)
		}
	}
	for _, r := range []*lyceum.QueryRun{latest, recent} {
		if _, err := e.svc.ResultPage(ctx, a, r.ID, 0, 10, "", false); err != nil {
			t.Errorf("run %s: %v, want its result kept", r.ID, err)
		}
	}
	if n, err := keeper.DeleteOldResults(ctx); err != nil || n != 0 {
		t.Fatalf("second pass deleted %d, %v; want nothing more", n, err)
	}
}
