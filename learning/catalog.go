package learning

import (
	"context"
	"errors"

	"github.com/lyceum/lyceum"
)

// Catalog lists published courses; anyone may see it.
func (s *Service) Catalog(ctx context.Context) ([]lyceum.CourseSummary, error) {
	return s.Store.PublishedCourses(ctx)
}

// OutlineItem is an item as the outline shows it: no content, no answers.
type OutlineItem struct {
	ID              string          `json:"id"`
	Kind            lyceum.ItemKind `json:"kind"`
	Title           string          `json:"title"`
	Optional        bool            `json:"optional"`
	DurationSeconds float64         `json:"durationSeconds,omitempty"`
	QuestionCount   int             `json:"questionCount,omitempty"`
}

type OutlineModule struct {
	ID    string        `json:"id"`
	Title string        `json:"title"`
	Items []OutlineItem `json:"items"`
}

type CourseOutline struct {
	ID        string          `json:"id"`
	Title     string          `json:"title"`
	Summary   string          `json:"summary"`
	Language  string          `json:"language"`
	OwnerID   string          `json:"ownerId"`
	Published bool            `json:"published"`
	Modules   []OutlineModule `json:"modules"`
}

func outlineOf(c *lyceum.Course) CourseOutline {
	o := CourseOutline{ID: c.ID, Title: c.Title, Summary: c.Summary, Language: c.Language, OwnerID: c.OwnerID,
		Published: c.Published, Modules: []OutlineModule{}}
	for _, m := range c.Modules {
		om := OutlineModule{ID: m.ID, Title: m.Title, Items: []OutlineItem{}}
		for _, it := range m.Items {
			oi := OutlineItem{ID: it.ID, Kind: it.Kind, Title: it.Title, Optional: !Required(&it)}
			switch {
			case it.Video != nil:
				oi.DurationSeconds, oi.QuestionCount = it.Video.DurationSeconds, len(it.Video.Questions)
			case it.Quiz != nil:
				oi.QuestionCount = len(it.Quiz.Questions)
			}
			om.Items = append(om.Items, oi)
		}
		o.Modules = append(o.Modules, om)
	}
	return o
}

// CourseView is a course page: the outline, and for an enrolled learner
// their enrollment and progress.
type CourseView struct {
	Course     CourseOutline      `json:"course"`
	Enrollment *lyceum.Enrollment `json:"enrollment"`
	Progress   *CourseProgress    `json:"progress"`
	// Teacher is who teaches the course: its owner's public name.
	Teacher Teacher `json:"teacher"`
}

// Course returns the course page for u (nil when not signed in).
func (s *Service) Course(ctx context.Context, u *lyceum.User, id string) (*CourseView, error) {
	c, err := s.visibleCourse(ctx, u, id)
	if err != nil {
		return nil, err
	}
	v := &CourseView{Course: outlineOf(c), Teacher: s.teacher(ctx, c.OwnerID)}
	if u == nil {
		return v, nil
	}
	e, err := s.enrollment(ctx, u.ID, id)
	if errors.Is(err, lyceum.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	st, err := s.state(ctx, u.ID, id)
	if err != nil {
		return nil, err
	}
	v.Enrollment, v.Progress = e, computeProgress(c, e, st)
	return v, nil
}

// Progress returns u's progress in a course they are enrolled in.
func (s *Service) Progress(ctx context.Context, u *lyceum.User, courseID string) (*CourseProgress, error) {
	c, e, err := s.learnerCourse(ctx, u, courseID)
	if err != nil {
		return nil, err
	}
	st, err := s.state(ctx, u.ID, courseID)
	if err != nil {
		return nil, err
	}
	return computeProgress(c, e, st), nil
}

// Enroll enrolls u in a published course (or one they edit). Enrolling
// twice returns the first enrollment.
func (s *Service) Enroll(ctx context.Context, u *lyceum.User, courseID string) (*lyceum.Enrollment, error) {
	if u == nil {
		return nil, lyceum.ErrUnauthorized
	}
	c, err := s.visibleCourse(ctx, u, courseID)
	if err != nil {
		return nil, err
	}
	if e, err := s.enrollment(ctx, u.ID, courseID); err == nil {
		return e, nil
	} else if !errors.Is(err, lyceum.ErrNotFound) {
		return nil, err
	}
	return s.enroll(ctx, u, c)
}

func (s *Service) enroll(ctx context.Context, u *lyceum.User, c *lyceum.Course) (*lyceum.Enrollment, error) {
	e := &lyceum.Enrollment{UserID: u.ID, CourseID: c.ID, EnrolledAt: s.now()}
	if err := s.Store.Enroll(ctx, e); err != nil {
		return nil, err
	}
	if err := s.record(ctx, s.newEvent(lyceum.EventEnrolled, u, c.ID, "", nil)); err != nil {
		return nil, err
	}
	// Read back: a concurrent enrollment may have won.
	return s.Store.Enrollment(ctx, u.ID, c.ID)
}

// EnrollmentView is one of a learner's courses.
type EnrollmentView struct {
	Enrollment lyceum.Enrollment    `json:"enrollment"`
	Course     lyceum.CourseSummary `json:"course"`
	Percent    float64              `json:"percent"`
}

// MyCourses lists u's enrollments with their progress.
func (s *Service) MyCourses(ctx context.Context, u *lyceum.User) ([]EnrollmentView, error) {
	if u == nil {
		return nil, lyceum.ErrUnauthorized
	}
	es, err := s.Store.EnrollmentsByUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := []EnrollmentView{}
	for _, e := range es {
		if e.LeftAt != nil {
			continue
		}
		c, err := s.course(ctx, e.CourseID)
		if errors.Is(err, lyceum.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !c.Published && !u.CanEditCourse(c) {
			continue
		}
		st, err := s.state(ctx, u.ID, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, EnrollmentView{Enrollment: e, Course: c.Listing(), Percent: computeProgress(c, &e, st).Percent})
	}
	return out, nil
}
