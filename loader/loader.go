// Package loader keeps the warehouse current from the event log and the
// learning store. It is the built-in ETL job: it reads events after its
// last committed position, refreshes the entities those events touched
// (users, courses, enrollments, progress, answers, grades) from the store,
// and loads both into the warehouse in one transaction with its new
// position. A crash mid-batch therefore neither loses nor duplicates a row,
// and with several instances only the holder of the loader lease runs.
package loader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/learning"
	"github.com/lyceum/lyceum/warehouse"
)

// LeaseName is the lease the running loader holds.
const LeaseName = "warehouse-loader"

// Warehouse is what the loader needs of a warehouse: a warehouse.Engine,
// or the query worker process that holds one.
type Warehouse interface {
	Name() string
	Load(ctx context.Context, b *warehouse.Batch, from, to lyceum.EventPosition) error
	LoaderPosition(ctx context.Context) (lyceum.EventPosition, error)
}

type Loader struct {
	Store     lyceum.Store
	Warehouse Warehouse
	Logger    *slog.Logger
	// Interval is how long to wait when the log has nothing new.
	Interval time.Duration
	// BatchSize bounds the events per warehouse transaction.
	BatchSize int
	// LeaseTTL is how long the lease lasts without renewal; a dead
	// instance's loader resumes elsewhere after it.
	LeaseTTL time.Duration

	holder  string
	metrics *metrics
	// knownUsers are users already loaded; they are refreshed again only
	// when an event says they changed (signed_up). Bounded: cleared when
	// full.
	knownUsers map[string]bool
}

// maxKnownUsers bounds the loader's memory of loaded users.
const maxKnownUsers = 1_000_000

type metrics struct {
	events  prometheus.Counter
	batches prometheus.Counter
	lag     prometheus.Gauge
	errors  prometheus.Counter
}

// Register adds the loader's metrics to reg.
func (l *Loader) Register(reg prometheus.Registerer) {
	m := &metrics{
		events:  prometheus.NewCounter(prometheus.CounterOpts{Name: "lyceum_loader_events_total", Help: "Events loaded into the warehouse."}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{Name: "lyceum_loader_batches_total", Help: "Warehouse load transactions."}),
		lag:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyceum_loader_lag_seconds", Help: "Age of the newest loaded event when it was loaded."}),
		errors:  prometheus.NewCounter(prometheus.CounterOpts{Name: "lyceum_loader_errors_total", Help: "Failed loader steps (retried)."}),
	}
	reg.MustRegister(m.events, m.batches, m.lag, m.errors)
	l.metrics = m
}

func (l *Loader) defaults() {
	if l.Interval <= 0 {
		l.Interval = 500 * time.Millisecond
	}
	if l.BatchSize <= 0 {
		l.BatchSize = 5000
	}
	if l.LeaseTTL <= 0 {
		l.LeaseTTL = 15 * time.Second
	}
	if l.Logger == nil {
		l.Logger = slog.Default()
	}
	if l.holder == "" {
		host, _ := os.Hostname()
		l.holder = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.NewString()[:8])
	}
}

// Run loads until ctx ends. It only works while it holds the loader lease.
func (l *Loader) Run(ctx context.Context) error {
	l.defaults()
	defer l.Store.ReleaseLease(context.WithoutCancel(ctx), LeaseName, l.holder)
	var leased time.Time
	failures := 0
	for {
		wait := l.Interval
		if time.Since(leased) > l.LeaseTTL/3 {
			err := l.Store.AcquireLease(ctx, LeaseName, l.holder, l.LeaseTTL)
			switch {
			case err == nil:
				if leased.IsZero() {
					l.Logger.Info("warehouse loader started", "holder", l.holder, "warehouse", l.Warehouse.Name())
				}
				leased = time.Now()
			case errors.Is(err, lyceum.ErrConflict):
				leased = time.Time{}
				wait = l.LeaseTTL / 3 // another instance loads
			default:
				l.Logger.Warn("warehouse loader: lease", "err", err)
				leased = time.Time{}
			}
		}
		if !leased.IsZero() {
			n, err := l.Step(ctx)
			switch {
			case err == nil:
				failures = 0
				if n > 0 {
					wait = 0
				}
			case ctx.Err() != nil:
				return nil
			default:
				failures++
				if l.metrics != nil {
					l.metrics.errors.Inc()
				}
				wait = time.Duration(math.Min(float64(30*time.Second), float64(l.Interval)*math.Pow(2, float64(failures))))
				l.Logger.Warn("warehouse loader: step failed; retrying", "err", err, "retry_in", wait)
			}
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
	}
}

// Step loads one batch and returns how many events it loaded.
func (l *Loader) Step(ctx context.Context) (int, error) {
	l.defaults()
	from, err := l.Warehouse.LoaderPosition(ctx)
	if err != nil {
		return 0, err
	}
	events, to, err := l.Store.ReadEvents(ctx, from, l.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("read events after %q: %w", from, err)
	}
	if len(events) == 0 {
		return 0, nil
	}
	b, err := l.batch(ctx, events)
	if err != nil {
		return 0, err
	}
	if err := l.Warehouse.Load(ctx, b, from, to); err != nil {
		return 0, err
	}
	// Only users that are in the warehouse now count as known.
	for _, u := range b.Users {
		l.knownUsers[u.ID] = true
	}
	if l.metrics != nil {
		l.metrics.events.Add(float64(len(events)))
		l.metrics.batches.Inc()
		l.metrics.lag.Set(time.Since(events[len(events)-1].Time).Seconds())
	}
	return len(events), nil
}

type userCourse struct{ user, course string }

// batch turns events into warehouse rows: the events themselves, and the
// current state of every entity they touched, read from the store.
func (l *Loader) batch(ctx context.Context, events []lyceum.Event) (*warehouse.Batch, error) {
	b := &warehouse.Batch{Events: events}
	users := map[string]bool{}
	courses := map[string]bool{}
	enrollments := map[userCourse]bool{}
	progress := map[userCourse]bool{}
	answers := map[userCourse]bool{}
	quizzes := map[lyceum.ItemKey]bool{}
	if l.knownUsers == nil || len(l.knownUsers) > maxKnownUsers {
		l.knownUsers = map[string]bool{}
	}
	for _, e := range events {
		if e.UserID != "" && (!l.knownUsers[e.UserID] || e.Type == lyceum.EventSignedUp) {
			users[e.UserID] = true
		}
		uc := userCourse{e.UserID, e.CourseID}
		switch e.Type {
		case lyceum.EventCourseImported, lyceum.EventCoursePublished, lyceum.EventCourseUnpublished, lyceum.EventCourseTransferred:
			courses[e.CourseID] = true
			continue
		case lyceum.EventEnrolled, lyceum.EventCourseCompleted, lyceum.EventUnenrolled:
			enrollments[uc] = true
		case lyceum.EventProfileUpdated, lyceum.EventAccountDeleted, lyceum.EventRoleChanged, lyceum.EventUserDeactivated,
			lyceum.EventUserReactivated:
			// An account changed: its row again (the actor's, or the
			// account an admin acted on).
			users[e.UserID] = true
			var a lyceum.AdminAction
			if json.Unmarshal(e.Payload, &a) == nil && a.TargetUserID != "" {
				users[a.TargetUserID] = true
			}
		case lyceum.EventQuestionAnswered:
			answers[uc] = true
		case lyceum.EventQuizSubmitted:
			quizzes[lyceum.ItemKey{UserID: e.UserID, CourseID: e.CourseID, ItemID: e.ItemID}] = true
		}
		if e.UserID != "" && e.CourseID != "" && e.ItemID != "" {
			progress[uc] = true
		}
	}
	var mu sync.Mutex
	err := each(ctx, keys(users), func(id string) error {
		u, err := l.Store.UserByID(ctx, id)
		if errors.Is(err, lyceum.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		b.Users = append(b.Users, warehouse.User{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt,
			Status: string(u.Status)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs := map[string]*lyceum.Course{}
	course := func(id string) (*lyceum.Course, error) {
		mu.Lock()
		c, ok := docs[id]
		mu.Unlock()
		if ok {
			if c == nil {
				return nil, lyceum.ErrNotFound
			}
			return c, nil
		}
		c, err := l.Store.CourseByID(ctx, id)
		if err != nil && !errors.Is(err, lyceum.ErrNotFound) {
			return nil, err
		}
		mu.Lock()
		docs[id] = c // nil remembers that it is not there
		mu.Unlock()
		if c == nil {
			return nil, lyceum.ErrNotFound
		}
		return c, nil
	}
	for id := range courses {
		c, err := course(id)
		if errors.Is(err, lyceum.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		b.Courses = append(b.Courses, courseRow(c))
	}
	err = each(ctx, keys(enrollments), func(uc userCourse) error {
		e, err := l.Store.Enrollment(ctx, uc.user, uc.course)
		if errors.Is(err, lyceum.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		b.Enrollments = append(b.Enrollments, warehouse.Enrollment{UserID: e.UserID, CourseID: e.CourseID, EnrolledAt: e.EnrolledAt,
			CompletedAt: e.CompletedAt, LeftAt: e.LeftAt})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, keys(progress), func(uc userCourse) error {
		ps, err := l.Store.CourseProgress(ctx, uc.user, uc.course)
		if err != nil || len(ps) == 0 {
			return err
		}
		c, err := course(uc.course)
		if err != nil && !errors.Is(err, lyceum.ErrNotFound) {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ps {
			b.Progress = append(b.Progress, warehouse.Progress{UserID: uc.user, CourseID: uc.course, ItemID: p.ItemID,
				OpenedAt: p.OpenedAt, Position: p.Position, WatchedPercent: watchedPercent(c, &p), CompletedAt: p.CompletedAt,
				Score: p.Score, MaxScore: p.MaxScore, UpdatedAt: p.UpdatedAt})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, keys(answers), func(uc userCourse) error {
		as, err := l.Store.Answers(ctx, uc.user, uc.course)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, a := range as {
			b.Answers = append(b.Answers, warehouse.Answer{UserID: uc.user, CourseID: uc.course, ItemID: a.ItemID, QuestionID: a.QuestionID,
				Correct: a.Grade.Correct, Score: a.Grade.Score, MaxScore: a.Grade.Max, Response: jsonString(a.Response), AnsweredAt: a.AnsweredAt})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(ctx, keys(quizzes), func(k lyceum.ItemKey) error {
		subs, err := l.Store.QuizSubmissions(ctx, k)
		if err != nil {
			return err
		}
		// The pass mark is the course's: a course that cannot be read fails
		// the batch (the step is retried from the same position), so that
		// no attempt is graded without it. A quiz no longer in its course
		// has no pass mark: its attempts' passed is NULL.
		pass, known := 0.0, false
		c, err := course(k.CourseID)
		switch {
		case err == nil:
			if it, _, err := c.Item(k.ItemID); err == nil && it.Quiz != nil {
				pass, known = it.Quiz.PassPercent, true
			}
		case !errors.Is(err, lyceum.ErrNotFound):
			return fmt.Errorf("read course %s for the pass mark of quiz %s: %w", k.CourseID, k.ItemID, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, s := range subs {
			var passed *bool
			if known {
				p := s.MaxScore > 0 && s.Score/s.MaxScore*100 >= pass
				passed = &p
			}
			b.Submissions = append(b.Submissions, warehouse.Submission{ID: s.ID, UserID: k.UserID, CourseID: k.CourseID, ItemID: k.ItemID,
				Score: s.Score, MaxScore: s.MaxScore, Passed: passed, SubmittedAt: s.SubmittedAt})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func keys[K comparable](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// readers bounds the store reads a batch makes at once.
const readers = 16

// each calls fn for every item, readers at a time, and returns the first
// error; no item starts after it.
func each[T any](ctx context.Context, items []T, fn func(T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readers)
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(it) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func courseRow(c *lyceum.Course) warehouse.Course {
	row := warehouse.Course{ID: c.ID, Title: c.Title, Summary: c.Summary, Language: c.Language, OwnerID: c.OwnerID,
		Published: c.Published, UpdatedAt: c.UpdatedAt}
	pos := 0
	for mi, m := range c.Modules {
		wm := warehouse.Module{ID: m.ID, Position: mi + 1, Title: m.Title}
		for _, it := range m.Items {
			pos++
			wi := warehouse.Item{ID: it.ID, Position: pos, Kind: string(it.Kind), Title: it.Title, Required: learning.Required(&it)}
			switch {
			case it.Video != nil:
				wi.DurationSeconds, wi.QuestionCount = it.Video.DurationSeconds, len(it.Video.Questions)
			case it.Quiz != nil:
				wi.QuestionCount = len(it.Quiz.Questions)
			}
			wm.Items = append(wm.Items, wi)
		}
		row.Modules = append(row.Modules, wm)
	}
	return row
}

// watchedPercent is p's share of its video watched, 0 for other items.
func watchedPercent(c *lyceum.Course, p *lyceum.ItemProgress) float64 {
	if c == nil {
		return 0
	}
	it, _, err := c.Item(p.ItemID)
	if err != nil {
		return 0
	}
	return p.WatchedPercent(it.Video)
}
