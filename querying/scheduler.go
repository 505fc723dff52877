package querying

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// scheduler admits queries and runs them. It owns the state of this
// instance's active runs: every *lyceum.QueryRun it holds is read and
// changed only under mu, and leaves it as a copy (for the store, the
// audit, readers). A run's status moves one way, queued → running → a final
// status, here and in the store (which refuses a stale write).
type scheduler struct {
	exec     Executor
	limits   Limits
	logger   *slog.Logger
	instance string
	// finish saves a run that reached its final status, points its saved
	// query at it and audits it (Service.finish).
	finish func(ctx context.Context, r lyceum.QueryRun, scoped bool)
	// save saves a run's current state (Store.PutQueryRun).
	save func(ctx context.Context, r lyceum.QueryRun) error

	mu      sync.Mutex
	closing bool
	queue   []*execution          // waiting, first in first out
	running map[*execution]bool   // in the warehouse now
	byKey   map[string]*execution // executions a new identical query may join
	byRun   map[string]*execution // active runs
	execs   sync.WaitGroup        // execute goroutines
}

func newScheduler(exec Executor, limits Limits, logger *slog.Logger, instance string) *scheduler {
	return &scheduler{exec: exec, limits: limits, logger: logger, instance: instance,
		running: map[*execution]bool{}, byKey: map[string]*execution{}, byRun: map[string]*execution{}}
}

// execution is one query in the warehouse, shared by identical runs.
type execution struct {
	id    string
	key   string
	sql   string
	args  []any
	scope []string // instructors' queries: the only courses they read

	// Guarded by scheduler.mu.
	runs    []*lyceum.QueryRun
	started time.Time // zero while queued
	// ending: it is finishing, or every run left it (canceled) and the
	// engine is being stopped. No run joins it or is canceled from it.
	ending bool

	ctx      context.Context
	cancel   context.CancelCauseFunc
	finished chan struct{} // closed once its runs are final and saved
}

// Why an execution's context ends before the query does.
var (
	errCanceled = errors.New("the query was canceled")
	errShutdown = errors.New("the server shut down")
)

// errClosing refuses new queries on an instance that is shutting down.
var errClosing = fmt.Errorf("this server is shutting down; run the query again in a moment: %w", lyceum.ErrTooMany)

// submission is a validated run request for the scheduler.
type submission struct {
	run   *lyceum.QueryRun // queued, owned by the scheduler from now on
	key   string           // identical queries share an execution
	sql   string           // bound
	args  []any
	scope []string
	newID func() string
}

// submit admits a run: it joins an identical execution that may still be
// joined, or queues a new one. It returns a copy of the run as admitted.
func (s *scheduler) submit(sub submission) (RunView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return RunView{}, errClosing
	}
	run := sub.run
	mine := 0
	for _, e := range s.byRun {
		for _, r := range e.runs {
			if r.UserID == run.UserID {
				mine++
			}
		}
	}
	if mine >= s.limits.PerUser {
		return RunView{}, fmt.Errorf("you already have %d queries running or queued; wait for one to finish or cancel one: %w", mine, lyceum.ErrTooMany)
	}
	e := s.byKey[sub.key]
	if e == nil {
		if len(s.queue) >= s.limits.MaxQueued {
			return RunView{}, fmt.Errorf("the warehouse is busy (%d queries waiting); try again in a minute: %w", len(s.queue), lyceum.ErrTooMany)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		e = &execution{id: sub.newID(), key: sub.key, sql: sub.sql, args: sub.args, scope: sub.scope,
			ctx: ctx, cancel: cancel, finished: make(chan struct{})}
		s.byKey[sub.key] = e
		s.queue = append(s.queue, e)
	}
	run.Instance = s.instance
	if e.started.IsZero() {
		run.Status = lyceum.RunQueued
	} else {
		run.Status, run.StartedAt = lyceum.RunRunning, ptr(e.started)
	}
	e.runs = append(e.runs, run)
	s.byRun[run.ID] = e
	s.admitLocked()
	return s.viewLocked(e, run), nil
}

// admitLocked starts queued executions while slots are free. Admission is
// first in, first out, except that a query of someone with nothing running
// goes before those of people who already have queries in the warehouse,
// and the last slot is kept for such a query: one analyst's eight heavy
// queries do not make everyone else's small one wait behind them.
func (s *scheduler) admitLocked() {
	for len(s.queue) > 0 && len(s.running) < s.limits.MaxRunning && !s.closing {
		busy := map[string]bool{}
		for e := range s.running {
			for _, r := range e.runs {
				busy[r.UserID] = true
			}
		}
		pick := -1
		for i, e := range s.queue {
			if !slices.ContainsFunc(e.runs, func(r *lyceum.QueryRun) bool { return busy[r.UserID] }) {
				pick = i
				break
			}
		}
		if pick < 0 {
			if s.limits.MaxRunning >= 2 && len(s.running) == s.limits.MaxRunning-1 {
				return // the last slot waits for someone with nothing running
			}
			pick = 0
		}
		e := s.queue[pick]
		s.queue = slices.Delete(s.queue, pick, pick+1)
		s.running[e] = true
		e.started = lyceum.TimeNow()
		runs := make([]lyceum.QueryRun, len(e.runs))
		for i, r := range e.runs {
			r.Status, r.StartedAt = lyceum.RunRunning, ptr(e.started)
			runs[i] = *r
		}
		s.execs.Add(1)
		go s.execute(e, runs)
	}
}

// viewLocked copies a run with its queue position.
func (s *scheduler) viewLocked(e *execution, r *lyceum.QueryRun) RunView {
	v := RunView{Run: *r}
	if e.started.IsZero() {
		if i := slices.Index(s.queue, e); i >= 0 {
			v.QueuePosition = ptr(i)
		}
	}
	return v
}

// execute runs e in the warehouse, stores its result and finishes its
// runs. runs are copies of its runs as they started.
func (s *scheduler) execute(e *execution, runs []lyceum.QueryRun) {
	defer s.execs.Done()
	querier := ""
	if len(runs) > 0 {
		querier = runs[0].UserID // who started it
	}
	for _, r := range runs {
		if err := s.save(context.Background(), r); err != nil && !errors.Is(err, lyceum.ErrConflict) {
			s.logger.Error("save query run", "run", r.ID, "err", err)
		}
	}
	timeout := s.limits.Timeout
	qctx, cancel := context.WithTimeout(e.ctx, timeout)
	defer cancel()
	key := "results/" + e.id + ".parquet"
	sum, err := s.exec.Execute(qctx, Execution{SQL: e.sql, Args: e.args, Scope: e.scope, Querier: querier, Key: key,
		Limits: results.Limits{MaxRows: s.limits.MaxRows, MaxBytes: s.limits.MaxBytes}})
	if err != nil && qctx.Err() != nil {
		// Report why the engine stopped, whatever error it surfaced.
		switch context.Cause(e.ctx) {
		case errCanceled:
			err = &warehouse.QueryError{Code: "canceled", Message: "the query was canceled"}
		case errShutdown:
			err = &warehouse.QueryError{Code: "shutdown", Message: "the server shut down while the query ran; run it again"}
		default:
			err = &warehouse.QueryError{Code: "timeout", Message: "the query ran past its time limit of " + timeout.String() + " and was stopped"}
		}
	}

	// Its runs become final here, under the lock: a run canceled before
	// this point left e.runs (and was finished by Cancel); after it, Cancel
	// finds e ending and waits for e.finished. The final runs are copies:
	// until finish has saved them (and pointed their saved queries at
	// them), readers still see them running in memory, so whoever sees a
	// run final also finds its saved query's latest run.
	s.mu.Lock()
	e.ending = true
	if s.byKey[e.key] == e {
		delete(s.byKey, e.key) // identical queries from now on start anew
	}
	now := lyceum.TimeNow()
	final := make([]lyceum.QueryRun, len(e.runs))
	for i, run := range e.runs {
		r := *run
		r.FinishedAt = &now
		switch {
		case err == nil:
			r.Status, r.Rows, r.Bytes, r.Truncated, r.ResultKey = lyceum.RunSucceeded, sum.Rows, sum.Bytes, sum.Truncated, key
		default:
			r.Status, r.Error, r.ErrorCode = lyceum.RunFailed, err.Error(), "internal"
			var qe *warehouse.QueryError
			if errors.As(err, &qe) {
				r.ErrorCode = qe.Code
				if qe.Code == "canceled" {
					r.Status = lyceum.RunCanceled
				}
			} else {
				r.Error = "the warehouse failed to run the query; the administrators can find run " + r.ID + " in the log"
			}
		}
		final[i] = r
	}
	s.mu.Unlock()
	var qe *warehouse.QueryError
	if err != nil && !errors.As(err, &qe) {
		s.logger.Error("query failed", "execution", e.id, "err", err)
	}
	for _, r := range final {
		s.finish(context.Background(), r, e.scope != nil)
	}
	s.mu.Lock()
	delete(s.running, e)
	for _, r := range e.runs {
		delete(s.byRun, r.ID)
	}
	s.admitLocked()
	s.mu.Unlock()
	close(e.finished)
}

// cancel takes run runID out of its execution if u may cancel it. found
// is false when this instance does not hold the run; wait is set when the
// run is already finishing (wait for it, then read the store).
func (s *scheduler) cancel(runID string, u *lyceum.User, mayCancel func(*lyceum.QueryRun) bool) (v RunView, found bool, wait <-chan struct{}, scoped bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byRun[runID]
	if e == nil {
		return RunView{}, false, nil, false, nil
	}
	if e.ending {
		return RunView{}, true, e.finished, false, nil
	}
	i := slices.IndexFunc(e.runs, func(r *lyceum.QueryRun) bool { return r.ID == runID })
	run := e.runs[i]
	if !mayCancel(run) {
		return RunView{}, true, nil, false, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	markCanceled(run, u, lyceum.TimeNow())
	s.removeRunLocked(e, runID)
	return RunView{Run: *run}, true, nil, e.scope != nil, nil
}

// removeRunLocked takes a run out of its execution. The last run out takes
// the execution out of the queue, or stops the engine's work; either way
// no new run joins it (a query sent again at once starts afresh instead of
// joining the execution being stopped, and being canceled with it).
func (s *scheduler) removeRunLocked(e *execution, runID string) {
	e.runs = slices.DeleteFunc(e.runs, func(r *lyceum.QueryRun) bool { return r.ID == runID })
	delete(s.byRun, runID)
	if len(e.runs) > 0 {
		return
	}
	e.ending = true
	if s.byKey[e.key] == e {
		delete(s.byKey, e.key)
	}
	if e.started.IsZero() {
		s.queue = slices.DeleteFunc(s.queue, func(q *execution) bool { return q == e })
		close(e.finished) // it never runs: nobody closes it later
	}
	e.cancel(errCanceled)
}

func markCanceled(r *lyceum.QueryRun, by *lyceum.User, at time.Time) {
	r.Status, r.FinishedAt, r.ErrorCode, r.Error = lyceum.RunCanceled, &at, "canceled", "the query was canceled"
	if by != nil && by.ID != r.UserID {
		r.Error = "an administrator canceled the query"
	}
}

// canceledElsewhere takes out runs that were canceled through another
// instance (the store says so: they are already saved as canceled), all
// under one lock, so that stopping a running one cannot admit a queued
// one that is being canceled too. It returns those it took out.
func (s *scheduler) canceledElsewhere(runIDs []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var taken []string
	for _, id := range runIDs {
		e := s.byRun[id]
		if e == nil || e.ending {
			continue
		}
		s.removeRunLocked(e, id)
		taken = append(taken, id)
	}
	return taken
}

// activeIDs lists the runs that may still be canceled.
func (s *scheduler) activeIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, e := range s.byRun {
		if !e.ending {
			ids = append(ids, id)
		}
	}
	return ids
}

// run returns a copy of an active run, with its queue position, and the
// channel closed when it is final and saved.
func (s *scheduler) run(runID string) (RunView, <-chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.byRun[runID]
	if e == nil {
		return RunView{}, nil, false
	}
	i := slices.IndexFunc(e.runs, func(r *lyceum.QueryRun) bool { return r.ID == runID })
	if i < 0 {
		return RunView{}, nil, false
	}
	return s.viewLocked(e, e.runs[i]), e.finished, true
}

// has reports whether this instance holds run runID.
func (s *scheduler) has(runID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byRun[runID] != nil
}

// active copies this instance's running and queued runs.
func (s *scheduler) active(now time.Time) (running, queued []ActiveRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := range s.running {
		for _, r := range e.runs {
			running = append(running, ActiveRun{Run: *r, DurationMS: now.Sub(e.started).Milliseconds()})
		}
	}
	for i, e := range s.queue {
		for _, r := range e.runs {
			queued = append(queued, ActiveRun{Run: *r, DurationMS: now.Sub(r.CreatedAt).Milliseconds(), QueuePosition: ptr(i)})
		}
	}
	return running, queued
}

// close stops admitting queries and fails the queued ones; the running
// ones go on until ctx ends, then are stopped. It returns once every
// execution has finished and saved its runs.
func (s *scheduler) close(ctx context.Context) {
	s.mu.Lock()
	s.closing = true
	now := lyceum.TimeNow()
	var failed []lyceum.QueryRun
	var scoped []bool
	for _, e := range s.queue {
		for _, r := range e.runs {
			r.Status, r.FinishedAt, r.ErrorCode = lyceum.RunFailed, &now, "shutdown"
			r.Error = "the server shut down before the query ran; run it again"
			failed, scoped = append(failed, *r), append(scoped, e.scope != nil)
			delete(s.byRun, r.ID)
		}
		e.runs, e.ending = nil, true
		if s.byKey[e.key] == e {
			delete(s.byKey, e.key)
		}
		e.cancel(errShutdown)
		close(e.finished)
	}
	s.queue = nil
	s.mu.Unlock()
	for i, r := range failed {
		s.finish(context.Background(), r, scoped[i])
	}

	done := make(chan struct{})
	go func() {
		s.execs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	s.mu.Lock()
	for e := range s.running {
		e.cancel(errShutdown)
	}
	s.mu.Unlock()
	<-done
}
