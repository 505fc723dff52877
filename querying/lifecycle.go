package querying

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
)

// Lifecycle says how the service's background work runs: this instance's
// heartbeat, failing the runs of instances that died, result retention.
// Zero fields take the defaults (DefaultLifecycle).
type Lifecycle struct {
	// Instance names this server instance in the store (its runs, its
	// heartbeat). Start picks a fresh one when empty.
	Instance string
	// Heartbeat is how often the instance records that it is alive.
	Heartbeat time.Duration
	// LostAfter is how long an instance may be silent before its
	// unfinished runs are failed ("instance_lost").
	LostAfter time.Duration
	// Housekeeping is how often the holder of the housekeeping lease looks
	// for lost runs (and, every RetentionEvery, for old results).
	Housekeeping   time.Duration
	RetentionEvery time.Duration
	// ResultRetention is how long results are kept after their run
	// finished. Each saved query's latest result is kept however old.
	ResultRetention time.Duration
	// CancelPoll is how often the store is asked whether a run of this
	// instance was canceled through another one.
	CancelPoll time.Duration
}

// DefaultLifecycle suits a small deployment.
var DefaultLifecycle = Lifecycle{Heartbeat: 10 * time.Second, LostAfter: time.Minute, Housekeeping: 30 * time.Second,
	RetentionEvery: time.Hour, ResultRetention: 30 * 24 * time.Hour, CancelPoll: time.Second}

func (l Lifecycle) withDefaults() Lifecycle {
	d := DefaultLifecycle
	for _, f := range []struct{ v, def *time.Duration }{
		{&l.Heartbeat, &d.Heartbeat}, {&l.LostAfter, &d.LostAfter}, {&l.Housekeeping, &d.Housekeeping},
		{&l.RetentionEvery, &d.RetentionEvery}, {&l.ResultRetention, &d.ResultRetention}, {&l.CancelPoll, &d.CancelPoll},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// Validate says which setting is wrong, naming its flag.
func (l Lifecycle) Validate() error {
	l = l.withDefaults()
	if l.LostAfter < 3*l.Heartbeat {
		return fmt.Errorf("the time after which a silent instance is lost (%s) must be at least 3 heartbeats (%s)", l.LostAfter, 3*l.Heartbeat)
	}
	if l.ResultRetention < time.Hour {
		return fmt.Errorf("--result-retention %s: keep results at least an hour (e.g. 720h for 30 days)", l.ResultRetention)
	}
	return nil
}

// HousekeepingLease is the lease the instance that fails lost runs and
// deletes old results holds.
const HousekeepingLease = "query-housekeeping"

// Start records this instance as alive and starts the background work:
// the heartbeat, the watch for runs canceled through other instances, and
// (under a lease, on one instance at a time) failing lost runs and
// deleting old results. Queries are admitted once it returns.
func (s *Service) Start(ctx context.Context) error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if err := s.Lifecycle.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("the query service is already started")
	}
	l := s.Lifecycle.withDefaults()
	if l.Instance == "" {
		l.Instance = uuid.NewString()
	}
	s.Lifecycle.Instance = l.Instance
	if err := s.Store.BeatInstance(ctx, l.Instance, time.Now()); err != nil {
		return fmt.Errorf("query service: record this instance: %w", err)
	}
	sched := newScheduler(s.Executor, s.Limits, s.Logger, l.Instance)
	sched.finish = s.finish
	sched.save = func(ctx context.Context, r lyceum.QueryRun) error { return s.Store.PutQueryRun(ctx, &r) }
	bg, stop := context.WithCancel(context.Background())
	s.sched, s.stop, s.started = sched, stop, true
	for _, loop := range []struct {
		every time.Duration
		fn    func(context.Context)
	}{
		{l.Heartbeat, s.beat},
		{l.CancelPoll, s.watchCancels},
		{l.Housekeeping, s.housekeeping(l)},
	} {
		s.loops.Go(func() {
			t := time.NewTicker(loop.every)
			defer t.Stop()
			for {
				select {
				case <-bg.Done():
					return
				case <-t.C:
					loop.fn(bg)
				}
			}
		})
	}
	return nil
}

// Close stops admitting queries and fails the queued ones; running ones
// may finish until ctx ends, then are stopped and failed ("shutdown"):
// nothing of this instance is left running. It then stops the background
// work. Closing a service never started, or twice, does nothing.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	sched, stop := s.sched, s.stop
	s.stop = nil
	s.mu.Unlock()
	if sched == nil || stop == nil {
		return nil
	}
	sched.close(ctx)
	stop()
	s.loops.Wait()
	if l := s.Lifecycle; l.Instance != "" {
		s.Store.ReleaseLease(context.WithoutCancel(ctx), HousekeepingLease, l.Instance)
	}
	return nil
}

func (s *Service) beat(ctx context.Context) {
	if err := s.Store.BeatInstance(ctx, s.Lifecycle.Instance, time.Now()); err != nil && ctx.Err() == nil {
		s.Logger.Error("query service heartbeat", "instance", s.Lifecycle.Instance, "err", err)
	}
}

// watchCancels stops this instance's runs that were canceled through
// another instance, as the store tells.
func (s *Service) watchCancels(ctx context.Context) {
	sched, err := s.scheduler()
	if err != nil {
		return
	}
	var canceled []string
	for _, id := range sched.activeIDs() {
		if r, err := s.Store.QueryRun(ctx, id); err == nil && r.Status == lyceum.RunCanceled {
			canceled = append(canceled, id)
		}
	}
	for _, id := range sched.canceledElsewhere(canceled) {
		s.Logger.Info("query canceled through another instance", "run", id)
	}
}

// housekeeping returns the leased work: fail lost runs every time, delete
// old results every RetentionEvery.
func (s *Service) housekeeping(l Lifecycle) func(context.Context) {
	var mu sync.Mutex
	var lastRetention time.Time
	return func(ctx context.Context) {
		err := s.Store.AcquireLease(ctx, HousekeepingLease, l.Instance, 3*l.Housekeeping)
		if errors.Is(err, lyceum.ErrConflict) || ctx.Err() != nil {
			return // another instance does it
		}
		if err != nil {
			s.Logger.Error("query housekeeping lease", "err", err)
			return
		}
		if err := s.FailLostRuns(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("fail lost query runs", "err", err)
		}
		mu.Lock()
		due := time.Since(lastRetention) >= l.RetentionEvery
		if due {
			lastRetention = time.Now()
		}
		mu.Unlock()
		if due {
			if n, err := s.DeleteOldResults(ctx); err != nil && ctx.Err() == nil {
				s.Logger.Error("delete old query results", "err", err)
			} else if n > 0 {
				s.Logger.Info("deleted old query results", "results", n)
			}
		}
	}
}

// FailLostRuns fails the unfinished runs of instances that stopped beating
// (crashed, killed, cut off from the store) more than LostAfter ago: they
// would otherwise stay "running" for ever. Housekeeping calls it under the
// lease; it is safe to call anywhere (the store keeps a final status).
func (s *Service) FailLostRuns(ctx context.Context) error {
	l := s.Lifecycle.withDefaults()
	runs, err := s.Store.ActiveRuns(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	alive := map[string]bool{}
	for _, r := range runs {
		if r.Instance == l.Instance || now.Sub(r.CreatedAt) < l.LostAfter {
			continue // this instance's (in memory), or too new to judge
		}
		live, known := alive[r.Instance]
		if !known {
			beat, err := s.Store.InstanceBeat(ctx, r.Instance)
			switch {
			case errors.Is(err, lyceum.ErrNotFound):
				live = false
			case err != nil:
				return err
			default:
				live = now.Sub(beat) < l.LostAfter
			}
			alive[r.Instance] = live
		}
		if live {
			continue
		}
		at := lyceum.TimeNow()
		r.Status, r.FinishedAt, r.ErrorCode = lyceum.RunFailed, &at, "instance_lost"
		r.Error = "the server running this query stopped before it finished; run the query again"
		err := s.Store.PutQueryRun(ctx, &r)
		if errors.Is(err, lyceum.ErrConflict) {
			continue // it finished meanwhile
		}
		if err != nil {
			return err
		}
		s.Logger.Warn("failed a query run of a lost instance", "run", r.ID, "instance", r.Instance)
		s.audit(ctx, r)
	}
	return nil
}
