package querying_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/sqlite"
	"github.com/lyceum/lyceum/warehouse"
)

// gated is an Executor whose queries run until the test says: a query
// whose SQL holds "block" waits for release (or, once canceled, for
// stopped: an engine takes a moment to stop); any other query succeeds at
// once without writing a result.
type gated struct {
	calls   atomic.Int64
	started chan string   // the SQL of each blocking query as it starts
	release chan struct{} // closed: blocking queries succeed
	stopped chan struct{} // closed: canceled blocking queries return
}

func newGated() *gated {
	return &gated{started: make(chan string, 100), release: make(chan struct{}), stopped: make(chan struct{})}
}

func (g *gated) Execute(ctx context.Context, x querying.Execution) (results.Summary, error) {
	g.calls.Add(1)
	if !strings.Contains(x.SQL, "block") {
		return results.Summary{Rows: 1}, nil
	}
	g.started <- x.SQL
	select {
	case <-g.release:
		return results.Summary{Rows: 1}, nil
	case <-ctx.Done():
		<-g.stopped
		return results.Summary{}, ctx.Err()
	}
}

func (g *gated) Tables(context.Context) ([]warehouse.Table, error) { return nil, nil }
func (g *gated) Name() string                                      { return "gated" }

type gatedEnv struct {
	svc   *querying.Service
	store *sqlite.DB
	exec  *gated
}

func setupGated(t *testing.T, lim querying.Limits) *gatedEnv {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	g := newGated()
	svc := &querying.Service{Executor: g, Store: store, Limits: lim}
	startService(t, svc)
	t.Cleanup(func() { closeOnce(g.release); closeOnce(g.stopped) })
	return &gatedEnv{svc: svc, store: store, exec: g}
}

var closeMu sync.Mutex

func closeOnce(c chan struct{}) {
	closeMu.Lock()
	defer closeMu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

func (e *gatedEnv) user(t *testing.T, role lyceum.Role) *lyceum.User {
	t.Helper()
	u := &lyceum.User{ID: uuid.NewString(), Email: uuid.NewString() + "@example.org", Name: string(role), Role: role,
		PasswordHash: "x", CreatedAt: lyceum.TimeNow()}
	if err := e.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *gatedEnv) wait(t *testing.T, u *lyceum.User, id string) lyceum.QueryRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := e.svc.Wait(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	return v.Run
}

// TestRerunAfterCancel: a query canceled and sent again at once (by its
// author, or anyone else) starts a new execution; it used to join the one
// being stopped and be canceled with it.
func TestRerunAfterCancel(t *testing.T) {
	e := setupGated(t, querying.Limits{MaxRunning: 2, MaxQueued: 10, PerUser: 3, Timeout: time.Minute, MaxRows: 10, MaxBytes: 1 << 20})
	ctx := context.Background()
	a, b := e.user(t, lyceum.RoleAnalyst), e.user(t, lyceum.RoleAnalyst)
	const sql = `SELECT 'block' AS x`
	first, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: sql})
	if err != nil {
		t.Fatal(err)
	}
	<-e.exec.started
	if v, err := e.svc.Cancel(ctx, a, first.Run.ID); err != nil || v.Run.Status != lyceum.RunCanceled {
		t.Fatalf("cancel: %+v, %v", v, err)
	}
	// The engine has not stopped yet (stopped is open): send it again.
	again, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: sql})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.Submit(ctx, b, querying.RunRequest{SQL: sql})
	if err != nil {
		t.Fatal(err)
	}
	closeOnce(e.exec.stopped)
	closeOnce(e.exec.release)
	for _, r := range []struct {
		u  *lyceum.User
		id string
	}{{a, again.Run.ID}, {b, other.Run.ID}} {
		if got := e.wait(t, r.u, r.id); got.Status != lyceum.RunSucceeded {
			t.Errorf("run sent after the cancel: %s %s %q, want succeeded", got.Status, got.ErrorCode, got.Error)
		}
	}
	if got := e.wait(t, a, first.Run.ID); got.Status != lyceum.RunCanceled {
		t.Errorf("canceled run: %s", got.Status)
	}
	if n := e.exec.calls.Load(); n != 2 {
		t.Errorf("%d executions, want 2 (the canceled one, and one shared by the two sent after it)", n)
	}
}

// TestConcurrentSubmitCancelRead is for the race detector: users submit,
// cancel, read and wait at once, identical queries shared or not, while an
// admin lists everything. In the end every run is final in the store and
// nothing is active.
func TestConcurrentSubmitCancelRead(t *testing.T) {
	e := setupGated(t, querying.Limits{MaxRunning: 2, MaxQueued: 100, PerUser: 100, Timeout: time.Minute, MaxRows: 10, MaxBytes: 1 << 20})
	ctx := context.Background()
	admin := e.user(t, lyceum.RoleAdmin)
	var mu sync.Mutex
	var runs []string
	var wg sync.WaitGroup
	for w := range 6 {
		u := e.user(t, lyceum.RoleAnalyst)
		wg.Go(func() {
			for i := range 15 {
				sql := fmt.Sprintf("SELECT %d", i%4) // shared between users
				if i%5 == 0 {
					sql = fmt.Sprintf("SELECT 'block %d %d'", w, i)
				}
				v, err := e.svc.Submit(ctx, u, querying.RunRequest{SQL: sql})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				runs = append(runs, v.Run.ID)
				mu.Unlock()
				if _, err := e.svc.Run(ctx, u, v.Run.ID); err != nil {
					t.Error(err)
				}
				if i%3 == 0 || strings.Contains(sql, "block") {
					if _, err := e.svc.Cancel(ctx, u, v.Run.ID); err != nil {
						t.Error(err)
					}
				}
				if _, _, err := e.svc.Active(ctx, admin); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() { // the engine stops canceled queries as they come
		closeOnce(e.exec.stopped)
	})
	wg.Wait()
	closeOnce(e.exec.release)
	for _, id := range runs {
		v, err := e.svc.Wait(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := e.store.QueryRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !stored.Status.Final() || stored.Status != v.Run.Status {
			t.Errorf("run %s: stored %s, read %s; want the same final status", id, stored.Status, v.Run.Status)
		}
	}
	active, err := e.store.ActiveRuns(ctx)
	if err != nil || len(active) != 0 {
		t.Fatalf("active runs left in the store: %d, %v", len(active), err)
	}
}

// TestCloseFailsWhatIsInFlight: closing the service fails its queued runs,
// stops its running ones once the deadline passes, and refuses new ones:
// nothing is left "running" for the data app to poll for ever.
func TestCloseFailsWhatIsInFlight(t *testing.T) {
	e := setupGated(t, querying.Limits{MaxRunning: 1, MaxQueued: 10, PerUser: 3, Timeout: time.Minute, MaxRows: 10, MaxBytes: 1 << 20})
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	running, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 'block'`})
	if err != nil {
		t.Fatal(err)
	}
	<-e.exec.started
	queued, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 1`})
	if err != nil || queued.Run.Status != lyceum.RunQueued {
		t.Fatalf("second run: %+v, %v", queued, err)
	}
	closeOnce(e.exec.stopped)
	expired, cancel := context.WithCancel(ctx)
	cancel() // no time for running queries to finish
	if err := e.svc.Close(expired); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{running.Run.ID, queued.Run.ID} {
		r, err := e.store.QueryRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != lyceum.RunFailed || r.ErrorCode != "shutdown" || r.FinishedAt == nil {
			t.Errorf("run %s after Close: %s %s %q", id, r.Status, r.ErrorCode, r.Error)
		}
	}
	if _, err := e.svc.Submit(ctx, a, querying.RunRequest{SQL: `SELECT 2`}); !errors.Is(err, lyceum.ErrTooMany) {
		t.Errorf("Submit after Close: err = %v, want a refusal (ErrTooMany)", err)
	}
	if active, _ := e.store.ActiveRuns(ctx); len(active) != 0 {
		t.Errorf("active after Close: %+v", active)
	}
}

// TestLostInstanceRunsFail: the runs of an instance that stopped beating
// become failed ("instance_lost"); those of live instances, and runs too
// new to judge, are left alone.
func TestLostInstanceRunsFail(t *testing.T) {
	e := setupGated(t, querying.Limits{MaxRunning: 1, MaxQueued: 10, PerUser: 3, Timeout: time.Minute, MaxRows: 10, MaxBytes: 1 << 20})
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	now := time.Now()
	if err := e.store.BeatInstance(ctx, "dead", now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.BeatInstance(ctx, "alive", now); err != nil {
		t.Fatal(err)
	}
	put := func(instance string, created time.Time, status lyceum.RunStatus) *lyceum.QueryRun {
		t.Helper()
		r := &lyceum.QueryRun{ID: uuid.NewString(), UserID: a.ID, SQL: "SELECT 1", Status: status, Source: "page",
			Instance: instance, CreatedAt: created.UTC().Truncate(time.Millisecond)}
		if status == lyceum.RunRunning {
			r.StartedAt = &r.CreatedAt
		}
		if err := e.store.PutQueryRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	old := now.Add(-5 * time.Minute)
	lostRunning := put("dead", old, lyceum.RunRunning)
	lostQueued := put("dead", old, lyceum.RunQueued)
	unknown := put("never-beat", old, lyceum.RunRunning) // e.g. written before instances beat
	live := put("alive", old, lyceum.RunRunning)
	fresh := put("dead", now, lyceum.RunQueued) // too new to judge

	if err := e.svc.FailLostRuns(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		r    *lyceum.QueryRun
		want lyceum.RunStatus
	}{{lostRunning, lyceum.RunFailed}, {lostQueued, lyceum.RunFailed}, {unknown, lyceum.RunFailed},
		{live, lyceum.RunRunning}, {fresh, lyceum.RunQueued}} {
		got, err := e.store.QueryRun(ctx, c.r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != c.want || (c.want == lyceum.RunFailed && (got.ErrorCode != "instance_lost" || got.FinishedAt == nil)) {
			t.Errorf("run of %s: %s %s, want %s", c.r.Instance, got.Status, got.ErrorCode, c.want)
		}
	}
	// What the data app polls says so, with a message to act on.
	v, err := e.svc.Run(ctx, a, lostRunning.ID)
	if err != nil || v.Run.Status != lyceum.RunFailed || !strings.Contains(v.Run.Error, "run the query again") {
		t.Fatalf("polled lost run: %+v, %v", v, err)
	}
}

// racingStore lets two saves of a query read it before either writes.
type racingStore struct {
	*sqlite.DB
	reads *sync.WaitGroup
}

func (s racingStore) SavedQuery(ctx context.Context, id string) (*lyceum.SavedQuery, error) {
	q, err := s.DB.SavedQuery(ctx, id)
	s.reads.Done()
	s.reads.Wait()
	return q, err
}

// TestConcurrentEditsConflict: two edits of the same version: one becomes
// the next version, the other is told to reload; neither author's SQL is
// silently lost.
func TestConcurrentEditsConflict(t *testing.T) {
	e := setupGated(t, limits)
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	q, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Q", SQL: "SELECT 1"})
	if err != nil {
		t.Fatal(err)
	}
	var reads sync.WaitGroup
	reads.Add(2)
	svc := &querying.Service{Executor: e.svc.Executor, Store: racingStore{DB: e.store, reads: &reads}, Limits: limits}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = svc.Update(ctx, a, q.ID, querying.QueryInput{Title: "Q", SQL: fmt.Sprintf("SELECT 'edit %d'", i)})
		})
	}
	wg.Wait()
	var won []int
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, i)
		case errors.Is(err, lyceum.ErrConflict) && strings.Contains(err.Error(), "reload"):
		default:
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("edits that went through: %v (errors %v), want exactly one", won, errs)
	}
	vs, err := e.store.QueryVersions(ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("SELECT 'edit %d'", won[0])
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].SQL != want {
		t.Fatalf("versions = %+v, want version 2 = %q", vs, want)
	}
	stored, _ := e.store.SavedQuery(ctx, q.ID)
	if stored.SQL != want || stored.Version != 2 {
		t.Fatalf("saved query = version %d %q, want 2 %q", stored.Version, stored.SQL, want)
	}
}

// TestStaleEditRefused: an edit made from a page opened at version 1
// after version 2 was saved (another tab) is refused, not saved over it;
// an edit from the current version, or one that does not say, goes on.
func TestStaleEditRefused(t *testing.T) {
	e := setupGated(t, limits)
	ctx := context.Background()
	a := e.user(t, lyceum.RoleAnalyst)
	q, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "Q", SQL: "SELECT 1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(ctx, a, q.ID, querying.QueryInput{Title: "Q", SQL: "SELECT 2", BaseVersion: 1}); err != nil {
		t.Fatalf("edit of the current version: %v", err)
	}
	// Both a new version and a description-only change are refused.
	for _, in := range []querying.QueryInput{
		{Title: "Q", SQL: "SELECT 3", BaseVersion: 1},
		{Title: "Q", SQL: "SELECT 2", Description: "from the old tab", BaseVersion: 1},
	} {
		_, err := e.svc.Update(ctx, a, q.ID, in)
		if !errors.Is(err, lyceum.ErrConflict) || !strings.Contains(err.Error(), "version 2 after you opened version 1") {
			t.Fatalf("stale edit %+v: err = %v, want a conflict naming both versions", in, err)
		}
	}
	stored, _ := e.store.SavedQuery(ctx, q.ID)
	if stored.SQL != "SELECT 2" || stored.Version != 2 || stored.Description != "" {
		t.Fatalf("saved query = version %d %q %q, want version 2 unchanged", stored.Version, stored.SQL, stored.Description)
	}
	// A version the query never had is a mistake, not a conflict: a
	// negative one, a future one, or one claimed when saving a new query.
	for _, base := range []int{-1, 3, 1 << 40} {
		_, err := e.svc.Update(ctx, a, q.ID, querying.QueryInput{Title: "Q", SQL: "SELECT 5", BaseVersion: base})
		if !lyceum.IsValidation(err) || !strings.Contains(err.Error(), "versions 1 to 2") {
			t.Fatalf("update from version %d: err = %v, want invalid naming the versions there are", base, err)
		}
	}
	if _, err := e.svc.SaveNew(ctx, a, querying.QueryInput{Title: "New", SQL: "SELECT 1", BaseVersion: 1}); !lyceum.IsValidation(err) {
		t.Fatalf("new query with a base version: err = %v, want invalid", err)
	}
	if stored, _ := e.store.SavedQuery(ctx, q.ID); stored.Version != 2 || stored.SQL != "SELECT 2" {
		t.Fatalf("after refused updates: version %d %q, want version 2 unchanged", stored.Version, stored.SQL)
	}
	if _, err := e.svc.Update(ctx, a, q.ID, querying.QueryInput{Title: "Q", SQL: "SELECT 4"}); err != nil {
		t.Fatalf("edit without a base version: %v", err)
	}
}
