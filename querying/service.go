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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
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

// Store is what the service keeps: runs, saved queries, the audit log,
// instances' heartbeats and leases; and whose courses are whose, for
// instructors' scope.
type Store interface {
	lyceum.QueryStore
	lyceum.EventLog
	lyceum.LeaseStore    // housekeeping runs on one instance at a time
	lyceum.InstanceStore // which instances are alive, for their runs
	UserByID(ctx context.Context, id string) (*lyceum.User, error)
	CoursesByOwner(ctx context.Context, ownerID string) ([]lyceum.CourseSummary, error)
}

// Scoped runs a query over the warehouse's rows of some courses only: how
// instructors query (package scoped). Its results can hold nothing else.
type Scoped interface {
	Query(ctx context.Context, courseIDs []string, sql string, args []any) (warehouse.Rows, error)
}

// Service is the query access point. Configure its fields, then Start it;
// Close it on shutdown.
type Service struct {
	Executor Executor
	Store    Store
	// Results reads the stored results (Executor writes them).
	Results *results.Store
	// Blobs is where results are stored: retention deletes old ones there
	// (nil: results are kept for ever).
	Blobs     blob.Store
	Limits    Limits
	Lifecycle Lifecycle
	Logger    *slog.Logger

	mu      sync.Mutex // guards sched and stop
	sched   *scheduler
	stop    context.CancelFunc // ends the background loops
	loops   sync.WaitGroup
	started bool
}

// MaxSQLBytes bounds the text of a query.
const MaxSQLBytes = 100 << 10

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

// Submit admits a query and returns its run, queued or running.
func (s *Service) Submit(ctx context.Context, u *lyceum.User, req RunRequest) (*RunView, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	sched, err := s.scheduler()
	if err != nil {
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
	view, err := sched.submit(submission{run: run, key: dedupeKey(bound, args, scope), sql: bound, args: args, scope: scope,
		newID: uuid.NewString})
	if err != nil {
		return nil, err
	}
	// The store may already hold a later state (the execution started,
	// or even finished): it refuses this one, which is then stale.
	if err := s.Store.PutQueryRun(ctx, &view.Run); err != nil && !errors.Is(err, lyceum.ErrConflict) {
		s.Cancel(context.WithoutCancel(ctx), u, run.ID)
		return nil, err
	}
	return &view, nil
}

// scheduler returns the started service's scheduler.
func (s *Service) scheduler() (*scheduler, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sched == nil {
		return nil, errors.New("the query service is not started (Service.Start)")
	}
	return s.sched, nil
}

func ptr[T any](v T) *T { return &v }

// dedupeKey identifies identical queries: the same SQL text and values
// over the same data (the whole warehouse, or the same courses).
func dedupeKey(sql string, args []any, scope []string) string {
	b, _ := json.Marshal([]any{args, scope})
	sum := sha256.Sum256([]byte(sql + "\x00" + string(b)))
	return hex.EncodeToString(sum[:])
}

// finish saves a finished run, points its saved query at it, and audits
// it. A scoped run (an instructor's) becomes the query's latest result only
// when it is the owner's: an instructor running an analyst's shared query
// does not replace the organization-wide result with their courses' slice.
func (s *Service) finish(ctx context.Context, r lyceum.QueryRun, scoped bool) {
	if err := s.Store.PutQueryRun(ctx, &r); errors.Is(err, lyceum.ErrConflict) {
		return // it was already final: whoever made it so saved and audited it
	} else if err != nil {
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
	s.audit(ctx, r)
}

// audit records a finished run in the event log.
func (s *Service) audit(ctx context.Context, r lyceum.QueryRun) {
	started := r.CreatedAt
	if r.StartedAt != nil {
		started = *r.StartedAt
	}
	ended := time.Now()
	if r.FinishedAt != nil {
		ended = *r.FinishedAt
	}
	entry := lyceum.AuditEntry{RunID: r.ID, SQL: r.SQL, Source: r.Source, StartedAt: started,
		DurationMS: ended.Sub(started).Milliseconds(), Rows: r.Rows, Bytes: r.Bytes, Status: r.Status, Error: r.Error}
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
	sched, err := s.scheduler()
	if err != nil {
		return nil, err
	}
	v, found, finishing, scoped, err := sched.cancel(runID, u, func(r *lyceum.QueryRun) bool { return canCancel(u, r) })
	switch {
	case err != nil:
		return nil, err
	case !found:
		return s.cancelElsewhere(ctx, u, runID)
	case finishing != nil:
		select { // already finishing: nothing to cancel
		case <-finishing:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return s.Run(ctx, u, runID)
	}
	s.finish(context.WithoutCancel(ctx), v.Run, scoped)
	return &v, nil
}

// cancelElsewhere cancels a run this instance does not hold: queued or
// running on another instance (which notices), or left active in the
// store by an instance that stopped.
func (s *Service) cancelElsewhere(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	r, err := s.Store.QueryRun(ctx, runID)
	if errors.Is(err, lyceum.ErrNotFound) || (err == nil && !canCancel(u, r)) {
		return nil, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if r.Status.Final() {
		return s.Run(ctx, u, runID) // already finished: nothing to cancel
	}
	markCanceled(r, u, lyceum.TimeNow())
	err = s.Store.PutQueryRun(context.WithoutCancel(ctx), r)
	if errors.Is(err, lyceum.ErrConflict) {
		return s.Run(ctx, u, runID) // it finished meanwhile
	}
	if err != nil {
		return nil, err
	}
	s.audit(context.WithoutCancel(ctx), *r)
	return &RunView{Run: *r}, nil
}

// Run returns a run u may see, with its queue position while active.
func (s *Service) Run(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	// An active run is read from memory (a copy); a finished one from the
	// store, where it was saved before it left memory.
	var v RunView
	found := false
	if sched, err := s.scheduler(); err == nil {
		v, _, found = sched.run(runID)
	}
	if !found {
		r, err := s.Store.QueryRun(ctx, runID)
		if err != nil {
			return nil, err
		}
		v = RunView{Run: *r}
	}
	if !s.canSeeRun(ctx, u, &v.Run) {
		return nil, fmt.Errorf("run %s: %w", runID, lyceum.ErrNotFound)
	}
	return &v, nil
}

// Wait blocks until run runID finishes or ctx ends.
func (s *Service) Wait(ctx context.Context, u *lyceum.User, runID string) (*RunView, error) {
	if sched, err := s.scheduler(); err == nil {
		if _, finished, ok := sched.run(runID); ok {
			select {
			case <-finished:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
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
	sched, err := s.scheduler()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	running, queued = sched.active(now)
	stored, err := s.Store.ActiveRuns(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range stored {
		if sched.has(r.ID) {
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
	if v.Run.ResultKey == "" {
		return nil, fmt.Errorf("the result of run %s was deleted: results are kept for %s (a saved query's latest result for ever); run the query again: %w",
			runID, s.Lifecycle.withDefaults().ResultRetention, lyceum.ErrNotFound)
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
