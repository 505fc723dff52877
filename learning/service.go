// Package learning is what learners and instructors do: browse the catalog,
// enroll, watch, answer, submit, see progress; import, export and publish
// courses. The HTTP API and the simulator both call it, so every rule lives
// here once.
package learning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/blob"
)

// Service is the learning platform's core.
type Service struct {
	Store  lyceum.Store
	Blobs  blob.Store
	Logger *slog.Logger
	// Now is the clock; nil is lyceum.TimeNow. The simulator sets a virtual
	// clock so that days of activity take minutes.
	Now func() time.Time
	// CourseCacheTTL is how long a decoded course is reused; 0 reads the
	// store every time. Changes made through another instance show after it.
	CourseCacheTTL time.Duration
	// ClientEventLimit bounds the events each user's browser reports
	// (RecordClientEvent), per user id; nil does not limit.
	ClientEventLimit *auth.Limiter

	courses courseCache
}

// course reads a course through the cache. The result is shared: do not
// change it; copy it first.
func (s *Service) course(ctx context.Context, id string) (*lyceum.Course, error) {
	return s.courses.get(ctx, s.Store, id, s.CourseCacheTTL)
}

// putCourse stores a course and drops it from the cache.
func (s *Service) putCourse(ctx context.Context, c *lyceum.Course) error {
	err := s.Store.PutCourse(ctx, c)
	s.courses.forget(c.ID)
	return err
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return lyceum.TimeNow()
}

// newEvent makes an event with a fresh time-ordered id.
func (s *Service) newEvent(typ lyceum.EventType, u *lyceum.User, courseID, itemID string, payload any) lyceum.Event {
	e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: s.now(), Type: typ, CourseID: courseID, ItemID: itemID}
	if u != nil {
		e.UserID = u.ID
	}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	return e
}

// record appends events and returns once they are durable.
func (s *Service) record(ctx context.Context, events ...lyceum.Event) error {
	if err := s.Store.AppendEvents(ctx, events...); err != nil {
		return fmt.Errorf("record events: %w", err)
	}
	return nil
}

// visibleCourse returns course id if u may see it: published, or u may edit
// it. Otherwise it is not found, so unpublished courses do not leak.
func (s *Service) visibleCourse(ctx context.Context, u *lyceum.User, id string) (*lyceum.Course, error) {
	c, err := s.course(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Published && (u == nil || !u.CanEditCourse(c)) {
		return nil, fmt.Errorf("course %s: %w", id, lyceum.ErrNotFound)
	}
	return c, nil
}

// learnerCourse returns the course and enrollment for a learner acting in
// it. Editors of the course may act in it without enrolling (to preview),
// and are enrolled on their first action.
func (s *Service) learnerCourse(ctx context.Context, u *lyceum.User, courseID string) (*lyceum.Course, *lyceum.Enrollment, error) {
	if u == nil {
		return nil, nil, lyceum.ErrUnauthorized
	}
	c, err := s.visibleCourse(ctx, u, courseID)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.enrollment(ctx, u.ID, courseID)
	if errors.Is(err, lyceum.ErrNotFound) {
		if !u.CanEditCourse(c) {
			return nil, nil, fmt.Errorf("enroll in %q first: %w", c.Title, lyceum.ErrForbidden)
		}
		if e, err = s.enroll(ctx, u, c); err != nil {
			return nil, nil, err
		}
	} else if err != nil {
		return nil, nil, err
	}
	return c, e, nil
}

// enrollment returns a learner's enrollment in a course they take:
// ErrNotFound when they never enrolled or left it.
func (s *Service) enrollment(ctx context.Context, userID, courseID string) (*lyceum.Enrollment, error) {
	e, err := s.Store.Enrollment(ctx, userID, courseID)
	if err == nil && e.LeftAt != nil {
		return nil, fmt.Errorf("enrollment in %s (left): %w", courseID, lyceum.ErrNotFound)
	}
	return e, err
}

// state loads a learner's progress and answers in one course.
func (s *Service) state(ctx context.Context, userID, courseID string) (*learnerState, error) {
	progress, err := s.Store.CourseProgress(ctx, userID, courseID)
	if err != nil {
		return nil, err
	}
	answers, err := s.Store.Answers(ctx, userID, courseID)
	if err != nil {
		return nil, err
	}
	return newLearnerState(progress, answers), nil
}
