// Package querying is the one access point to the warehouse: every query
// from the query page or the query API passes through Service, which
// decides who may run what, admits queries through a global queue with a
// configurable number running at once and a per-user limit, shares one
// execution between identical queries already running, streams each result
// into columnar storage under row and byte caps, lets users and admins
// cancel (which stops the work inside the engine), and audits every query
// in the event log.
package querying

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// Limits protect the warehouse and its users from each other.
type Limits struct {
	MaxRunning int           // queries running in the warehouse at once
	MaxQueued  int           // queries waiting; past it, new ones are refused
	PerUser    int           // one user's queued and running queries
	Timeout    time.Duration // per query, in the engine
	MaxRows    int64         // rows kept per result
	MaxBytes   int64         // bytes kept per result
}

// DefaultLimits suit the embedded warehouse on a small machine.
var DefaultLimits = Limits{MaxRunning: 4, MaxQueued: 100, PerUser: 3, Timeout: 5 * time.Minute, MaxRows: 10_000_000, MaxBytes: 1 << 30}

// Store is what the service keeps: runs, saved queries, the audit log;
// and whose courses are whose, for instructors' scope.
type Store interface {
	lyceum.QueryStore
	lyceum.EventLog
	UserByID(ctx context.Context, id string) (*lyceum.User, error)
	CoursesByOwner(ctx context.Context, ownerID string) ([]lyceum.CourseSummary, error)
}

// Scoped runs a query over the warehouse's rows of some courses only: how
// instructors query (package scoped). Its results can hold nothing else.
type Scoped interface {
	Query(ctx context.Context, courseIDs []string, sql string, args []any) (warehouse.Rows, error)
}

type Service struct {
	Executor Executor
	Store    Store
	// Results reads the stored results (Executor writes them).
	Results *results.Store
	Limits  Limits
	Logger  *slog.Logger

	mu      sync.Mutex
	queue   []*execution          // waiting, first in first out
	running map[*execution]bool   // in the warehouse now
	byKey   map[string]*execution // identical queries share one execution
	byRun   map[string]*execution // active runs
	// watching: watchCancels is running
	watching bool
}

type execution struct {
	id       string
	key      string
	sql      string
	args     []any
	scope    []string // instructors' queries: the only courses they read
	runs     []*lyceum.QueryRun
	ctx      context.Context
	cancel   context.CancelFunc
	started  time.Time
	done     bool // finishing: its runs can no longer be canceled
	finished chan struct{}
}

// MaxSQLBytes bounds the text of a query.
const MaxSQLBytes = 100 << 10

// CanQuery reports whether u may use the query page: analysts and admins
// over the whole warehouse, instructors over their own courses' data.
func CanQuery(u *lyceum.User) bool {
	return u != nil && (u.Role == lyceum.RoleAnalyst || u.Role == lyceum.RoleAdmin || u.Role == lyceum.RoleInstructor)
}

// scopedRole reports whether u's queries read only their own courses.
func scopedRole(u *lyceum.User) bool { return u.Role == lyceum.RoleInstructor }

func checkQuerier(u *lyceum.User) error {
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	if !CanQuery(u) {
		return fmt.Errorf("the query page is for analysts, admins and instructors: %w", lyceum.ErrForbidden)
	}
	return nil
}

// ScopeCourses tells which courses u's queries read: scoped is false for
// the whole warehouse; else courses are u's own (possibly none).
func (s *Service) ScopeCourses(ctx context.Context, u *lyceum.User) (courses []lyceum.CourseSummary, scoped bool, err error) {
	if err := checkQuerier(u); err != nil {
		return nil, false, err
	}
	if !scopedRole(u) {
		return nil, false, nil
	}
	courses, err = s.Store.CoursesByOwner(ctx, u.ID)
	return courses, true, err
}

// scopeOf is the course ids u's queries may read: nil for the whole
// warehouse, else u's own courses (possibly none, not nil).
func (s *Service) scopeOf(ctx context.Context, u *lyceum.User) ([]string, error) {
	courses, scoped, err := s.ScopeCourses(ctx, u)
	if err != nil || !scoped {
		return nil, err
	}
	scope := make([]string, 0, len(courses))
	for _, c := range courses {
		scope = append(scope, c.ID)
	}
	return scope, nil
}

// RunRequest asks for one execution.
type RunRequest struct {
	SQL     string
	Params  map[string]string
	QueryID string // set when running a saved query
	Version int
	Source  string // "page" or "api"
}

// RunView is a run with where it stands in the queue.
type RunView struct {
	Run           lyceum.QueryRun `json:"run"`
	QueuePosition *int            `json:"queuePosition,omitempty"` // queries ahead of it
}

func (s *Service) init() {
	if s.running == nil {
		s.running, s.byKey, s.byRun = map[*execution]bool{}, map[string]*execution{}, map[string]*execution{}
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

// Submit admits a query and returns its run, queued or running.
func (s *Service) Submit(ctx context.Context, u *lyceum.User, req RunRequest) (*RunView, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	sql := strings.TrimSpace(req.SQL)
	if sql == "" {
		return nil, lyceum.Invalid("sql", "write a query first")
	}
	if len(sql) > MaxSQLBytes || !utf8.ValidString(sql) {
		return nil, lyceum.Invalid("sql", "a query is at most %d KB of UTF-8 text", MaxSQLBytes>>10)
	}
	bound, args, err := Bind(sql, req.Params)
	if err != nil {
		return nil, err
	}
	scope, err := s.scopeOf(ctx, u)
	if err != nil {
		return nil, err
	}
	source := req.Source
	if source == "" {
		source = "page"
	}
	run := &lyceum.QueryRun{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, QueryID: req.QueryID, Version: req.Version,
		SQL: sql, Params: req.Params, Status: lyceum.RunQueued, Source: source, CreatedAt: lyceum.TimeNow()}

	s.mu.Lock()
	s.init()
	mine := 0
	for _, e := range s.byRun {
		for _, r := range e.runs {
			if r.UserID == u.ID {
				mine++
			}
		}
	}
	if mine >= s.Limits.PerUser {
		s.mu.Unlock()
		return nil, fmt.Errorf("you already have %d queries running or queued; wait for one to finish or cancel one: %w", mine, lyceum.ErrTooMany)
	}
	key := dedupeKey(bound, args, scope)
	e, shared := s.byKey[key]
	if !shared {
		if len(s.queue) >= s.Limits.MaxQueued {
			s.mu.Unlock()
			return nil, fmt.Errorf("the warehouse is busy (%d queries waiting); try again in a minute: %w", len(s.queue), lyceum.ErrTooMany)
		}
		ectx, cancel := context.WithCancel(context.Background())
		e = &execution{id: uuid.NewString(), key: key, sql: bound, args: args, scope: scope, ctx: ectx, cancel: cancel, finished: make(chan struct{})}
		s.byKey[key] = e
		s.queue = append(s.queue, e)
	}
	if e.started.IsZero() {
		run.Status = lyceum.RunQueued
	} else {
		run.Status, run.StartedAt = lyceum.RunRunning, ptr(e.started)
	}
	e.runs = append(e.runs, run)
	s.byRun[run.ID] = e
	if !s.watching {
		s.watching = true
		go s.watchCancels()
	}
	view := s.viewLocked(run)
	s.admitLocked()
	s.mu.Unlock()

	if err := s.Store.PutQueryRun(ctx, run); err != nil {
		s.Cancel(context.WithoutCancel(ctx), u, run.ID)
		return nil, err
	}
	return view, nil
}

func ptr[T any](v T) *T { return &v }

// dedupeKey identifies identical queries: the same SQL text and values
// over the same data (the whole warehouse, or the same courses).
func dedupeKey(sql string, args []any, scope []string) string {
	b, _ := json.Marshal([]any{args, scope})
	sum := sha256.Sum256([]byte(sql + "\x00" + string(b)))
	return hex.EncodeToString(sum[:])
}

// admitLocked starts queued executions while slots are free. Admission is
// first in, first out, except that a query of someone with nothing running
// goes before those of people who already have queries in the warehouse,
// and the last slot is kept for such a query: one analyst's eight heavy
// queries do not make everyone else's small one wait behind them.
func (s *Service) admitLocked() {
	for len(s.queue) > 0 && len(s.running) < s.Limits.MaxRunning {
		busy := map[string]bool{}
		for e := range s.running {
			for _, r := range e.runs {
				busy[r.UserID] = true
			}
		}
		pick := -1
		for i, e := range s.queue {
			idle := true
			for _, r := range e.runs {
				if busy[r.UserID] {
					idle = false
				}
			}
			if idle {
				pick = i
				break
			}
		}
		if pick < 0 {
			if s.Limits.MaxRunning >= 2 && len(s.running) == s.Limits.MaxRunning-1 {
				return // the last slot waits for someone with nothing running
			}
			pick = 0
		}
		e := s.queue[pick]
		s.queue = append(s.queue[:pick:pick], s.queue[pick+1:]...)
		s.running[e] = true
		e.started = time.Now()
		for _, r := range e.runs {
			r.Status, r.StartedAt = lyceum.RunRunning, ptr(lyceum.TimeNow())
		}
		go s.execute(e)
	}
}

// viewLocked copies a run with its queue position.
func (s *Service) viewLocked(r *lyceum.QueryRun) *RunView {
	v := &RunView{Run: *r}
	if e := s.byRun[r.ID]; e != nil && e.started.IsZero() {
		for i, q := range s.queue {
			if q == e {
				v.QueuePosition = ptr(i)
			}
		}
	}
	return v
}

// execute runs e in the warehouse, stores its result and finishes its runs.
func (s *Service) execute(e *execution) {
	s.mu.Lock()
	querier := ""
	if len(e.runs) > 0 { // all canceled already: it stops at once
		querier = e.runs[0].UserID // who started it
	}
	s.mu.Unlock()
	ctx := e.ctx
	s.persistRuns(e)
	timeout := s.Limits.Timeout
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	key := "results/" + e.id + ".parquet"
	sum, err := s.Executor.Execute(qctx, Execution{SQL: e.sql, Args: e.args, Scope: e.scope, Querier: querier, Key: key,
		Limits: results.Limits{MaxRows: s.Limits.MaxRows, MaxBytes: s.Limits.MaxBytes}})
	if err != nil && qctx.Err() != nil {
		// Report why the engine stopped, whatever error it surfaced.
		code, msg := "timeout", "the query ran past its time limit of "+timeout.String()+" and was stopped"
		if errors.Is(ctx.Err(), context.Canceled) {
			code, msg = "canceled", "the query was canceled"
		}
		err = &warehouse.QueryError{Code: code, Message: msg}
	}
	// Identical queries submitted from now on start a new execution.
	s.mu.Lock()
	e.done = true
	delete(s.byKey, e.key)
	runs := e.runs
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, e)
		for _, r := range runs {
			delete(s.byRun, r.ID)
		}
		s.admitLocked()
		s.mu.Unlock()
		close(e.finished)
	}()

	now := lyceum.TimeNow()
	for _, r := range runs {
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
				s.Logger.Error("query failed", "run", r.ID, "err", err)
				r.Error = "the warehouse failed to run the query; the administrators can find run " + r.ID + " in the log"
			}
		}
		s.finish(context.Background(), r, start, e.scope != nil)
	}
}

// persistRuns saves the current state of e's runs.
func (s *Service) persistRuns(e *execution) {
	s.mu.Lock()
	runs := make([]lyceum.QueryRun, len(e.runs))
	for i, r := range e.runs {
		runs[i] = *r
	}
	s.mu.Unlock()
	for i := range runs {
		if err := s.Store.PutQueryRun(context.Background(), &runs[i]); err != nil {
			s.Logger.Error("save query run", "run", runs[i].ID, "err", err)
		}
	}
}

// finish saves a finished run, points its saved query at it, and audits
// it. A scoped run (an instructor's) becomes the query's latest result only
// when it is the owner's: an instructor running an analyst's shared query
// does not replace the organization-wide result with their courses' slice.
func (s *Service) finish(ctx context.Context, r *lyceum.QueryRun, start time.Time, scoped bool) {
	if err := s.Store.PutQueryRun(ctx, r); err != nil {
		s.Logger.Error("save query run", "run", r.ID, "err", err)
	}
	if r.QueryID != "" && r.Status == lyceum.RunSucceeded {
		if q, err := s.Store.SavedQuery(ctx, r.QueryID); err == nil && (!scoped || q.OwnerID == r.UserID) {
			q.LatestRunID = r.ID
			if err := s.Store.PutSavedQuery(ctx, q); err != nil {
				s.Logger.Error("save latest run", "query", q.ID, "err", err)
			}
		}
	}
	started := start
	if r.StartedAt != nil {
		started = *r.StartedAt
	}
	entry := lyceum.AuditEntry{RunID: r.ID, SQL: r.SQL, Source: r.Source, StartedAt: started,
		DurationMS: time.Since(started).Milliseconds(), Rows: r.Rows, Bytes: r.Bytes, Status: r.Status, Error: r.Error}
	payload, _ := json.Marshal(entry)
	ev := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: lyceum.TimeNow(), Type: lyceum.EventQueryRan, UserID: r.UserID, Payload: payload}
	if err := s.Store.AppendEvents(ctx, ev); err != nil {
		s.Logger.Error("audit query", "run", r.ID, "err", err)
	}
}

// Cancel stops a run: its owner or an admin may. A queued run leaves the
// queue; a running one stops inside the engine unless an identical query
// by someone else still shares the execution. A run of another instance is
// marked canceled in the store, and that instance stops it within a second
// (watchCancels).
func (s *Service) Cancel(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.init()
	e := s.byRun[runID]
	if e == nil {
		s.mu.Unlock()
		return s.cancelElsewhere(ctx, u, runID)
	}
	if e.done {
		s.mu.Unlock()
		<-e.finished
		return s.Run(ctx, u, runID) // already finished: nothing to cancel
	}
	var run *lyceum.QueryRun
	for _, r := range e.runs {
		if r.ID == runID {
			run = r
		}
	}
	if run.UserID != u.ID && u.Role != lyceum.RoleAdmin {
		s.mu.Unlock()
		return nil, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	s.removeRunLocked(e, runID)
	now := lyceum.TimeNow()
	markCanceled(run, u, now)
	view := &RunView{Run: *run}
	s.mu.Unlock()
	s.finish(context.WithoutCancel(ctx), run, now, e.scope != nil)
	return view, nil
}

func markCanceled(r *lyceum.QueryRun, by *lyceum.User, at time.Time) {
	r.Status, r.FinishedAt, r.ErrorCode, r.Error = lyceum.RunCanceled, &at, "canceled", "the query was canceled"
	if by.ID != r.UserID {
		r.Error = "an administrator canceled the query"
	}
}

// removeRunLocked takes a run out of its execution; the last run out
// leaves the queue, or stops the engine's work.
func (s *Service) removeRunLocked(e *execution, runID string) {
	e.runs = slices.DeleteFunc(e.runs, func(r *lyceum.QueryRun) bool { return r.ID == runID })
	delete(s.byRun, runID)
	if len(e.runs) == 0 {
		if e.started.IsZero() {
			s.queue = slices.DeleteFunc(s.queue, func(q *execution) bool { return q == e })
			delete(s.byKey, e.key)
		}
		e.cancel()
	}
}

// cancelElsewhere cancels a run this instance does not hold: queued or
// running on another instance (which notices), or left active in the
// store by an instance that stopped.
func (s *Service) cancelElsewhere(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	r, err := s.Store.QueryRun(ctx, runID)
	if errors.Is(err, lyceum.ErrNotFound) || (err == nil && r.UserID != u.ID && u.Role != lyceum.RoleAdmin) {
		return nil, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if r.Status != lyceum.RunQueued && r.Status != lyceum.RunRunning {
		return s.Run(ctx, u, runID) // already finished: nothing to cancel
	}
	now := lyceum.TimeNow()
	markCanceled(r, u, now)
	s.finish(context.WithoutCancel(ctx), r, now, false)
	return &RunView{Run: *r}, nil
}

// cancelPoll is how often an instance looks in the store for its active
// runs canceled through another instance.
const cancelPoll = time.Second

// watchCancels stops this instance's runs that were canceled through
// another instance, as the store tells. It runs while runs are active.
func (s *Service) watchCancels() {
	for {
		time.Sleep(cancelPoll)
		s.mu.Lock()
		var ids []string
		for id, e := range s.byRun {
			if !e.done {
				ids = append(ids, id)
			}
		}
		if len(s.byRun) == 0 {
			s.watching = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, id := range ids {
			r, err := s.Store.QueryRun(context.Background(), id)
			if err != nil || r.Status != lyceum.RunCanceled {
				continue
			}
			s.mu.Lock()
			if e := s.byRun[id]; e != nil && !e.done {
				s.removeRunLocked(e, id)
				s.Logger.Info("query canceled through another instance", "run", id)
			}
			s.mu.Unlock()
		}
	}
}

// Run returns a run u may see, with its queue position while active.
func (s *Service) Run(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	// An active run is read from memory (a copy, so that the visibility
	// check's store read happens outside the lock); a finished one from
	// the store, where it was saved before it left memory.
	var v *RunView
	s.mu.Lock()
	s.init()
	if e := s.byRun[runID]; e != nil {
		for _, r := range e.runs {
			if r.ID == runID {
				v = s.viewLocked(r)
			}
		}
	}
	s.mu.Unlock()
	if v == nil {
		r, err := s.Store.QueryRun(ctx, runID)
		if err != nil {
			return nil, err
		}
		v = &RunView{Run: *r}
	}
	if !s.canSeeRun(ctx, u, &v.Run) {
		return nil, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	return v, nil
}

// canSeeRun: one's own runs; admins all; analysts a run of a saved query
// they may see (sharing a query shares its results). Instructors see only
// their own runs: anyone else's may hold other courses' rows.
func (s *Service) canSeeRun(ctx context.Context, u *lyceum.User, r *lyceum.QueryRun) bool {
	if r.UserID == u.ID || u.Role == lyceum.RoleAdmin {
		return true
	}
	if r.QueryID == "" || scopedRole(u) {
		return false
	}
	q, err := s.Store.SavedQuery(ctx, r.QueryID)
	return err == nil && canSeeQuery(u, q)
}

// Wait blocks until run runID finishes or ctx ends.
func (s *Service) Wait(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	s.mu.Lock()
	s.init()
	e := s.byRun[runID]
	s.mu.Unlock()
	if e != nil {
		select {
		case <-e.finished:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.Run(ctx, u, runID)
}

// ActiveRun is a running or queued query, for admins.
type ActiveRun struct {
	Run           lyceum.QueryRun `json:"run"`
	UserEmail     string          `json:"userEmail"`
	DurationMS    int64           `json:"durationMs"`
	QueuePosition *int            `json:"queuePosition,omitempty"`
	// Elsewhere: on another instance (or left active by one that stopped);
	// the queue position is that instance's to know.
	Elsewhere bool `json:"elsewhere,omitempty"`
}

// Active lists the running and the queued queries of every instance: this
// one's from memory, the others' from the store.
func (s *Service) Active(ctx context.Context, u *lyceum.User) (running, queued []ActiveRun, err error) {
	if u == nil || u.Role != lyceum.RoleAdmin {
		return nil, nil, fmt.Errorf("only admins see everyone's queries: %w", lyceum.ErrForbidden)
	}
	s.mu.Lock()
	s.init()
	now := time.Now()
	var all []ActiveRun
	for e := range s.running {
		for _, r := range e.runs {
			all = append(all, ActiveRun{Run: *r, DurationMS: now.Sub(e.started).Milliseconds()})
		}
	}
	running = all
	for i, e := range s.queue {
		for _, r := range e.runs {
			queued = append(queued, ActiveRun{Run: *r, DurationMS: now.Sub(r.CreatedAt).Milliseconds(), QueuePosition: ptr(i)})
		}
	}
	s.mu.Unlock()
	stored, err := s.Store.ActiveRuns(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	for _, r := range stored {
		if s.byRun[r.ID] != nil {
			continue // this instance's, listed above
		}
		since := r.CreatedAt
		if r.StartedAt != nil {
			since = *r.StartedAt
		}
		a := ActiveRun{Run: r, DurationMS: now.Sub(since).Milliseconds(), Elsewhere: true}
		if r.Status == lyceum.RunRunning {
			running = append(running, a)
		} else {
			queued = append(queued, a)
		}
	}
	s.mu.Unlock()
	for _, list := range [][]ActiveRun{running, queued} {
		for i := range list {
			if usr, err := s.Store.UserByID(ctx, list[i].Run.UserID); err == nil {
				list[i].UserEmail = usr.Email
			}
		}
	}
	if running == nil {
		running = []ActiveRun{}
	}
	if queued == nil {
		queued = []ActiveRun{}
	}
	return running, queued, nil
}

// Schema describes the warehouse for the schema browser.
func (s *Service) Schema(ctx context.Context, u *lyceum.User) ([]warehouse.Table, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	return s.Executor.Tables(ctx)
}

// ResultPage returns a page of a finished run's result.
func (s *Service) ResultPage(ctx context.Context, u *lyceum.User, runID string, offset, limit int64, sortBy string, desc bool) (*results.Page, error) {
	r, err := s.finishedRun(ctx, u, runID)
	if err != nil {
		return nil, err
	}
	return s.Results.Page(ctx, r.ResultKey, offset, limit, sortBy, desc)
}

func (s *Service) finishedRun(ctx context.Context, u *lyceum.User, runID string) (*lyceum.QueryRun, error) {
	v, err := s.Run(ctx, u, runID)
	if err != nil {
		return nil, err
	}
	if v.Run.Status != lyceum.RunSucceeded {
		return nil, fmt.Errorf("run %s has no result (it is %s): %w", runID, v.Run.Status, lyceum.ErrConflict)
	}
	return &v.Run, nil
}

// ResultKey is where a finished run's result is stored, for u.
func (s *Service) ResultKey(ctx context.Context, u *lyceum.User, runID string) (string, error) {
	r, err := s.finishedRun(ctx, u, runID)
	if err != nil {
		return "", err
	}
	return r.ResultKey, nil
}
