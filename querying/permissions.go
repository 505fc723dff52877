package querying

import (
	"context"
	"fmt"

	"github.com/lyceum/lyceum"
)

// Who may do what on the query page: checked here, and only here.

// CanQuery reports whether u may use the query page: analysts and admins
// over the whole warehouse, instructors over their own courses' data.
func CanQuery(u *lyceum.User) bool { return u.CanQuery() }

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

// canCancel: one's own runs; admins all.
func canCancel(u *lyceum.User, r *lyceum.QueryRun) bool {
	return r.UserID == u.ID || u.Role == lyceum.RoleAdmin
}

// canSeeQuery: its owner, admins, and — for organization-visible queries —
// everyone who may use the query page.
func canSeeQuery(u *lyceum.User, q *lyceum.SavedQuery) bool {
	return q.OwnerID == u.ID || u.Role == lyceum.RoleAdmin || (q.Visibility == lyceum.Organization && CanQuery(u))
}

func canEditQuery(u *lyceum.User, q *lyceum.SavedQuery) bool {
	return q.OwnerID == u.ID || u.Role == lyceum.RoleAdmin
}

// CanEdit reports whether u may change q.
func CanEdit(u *lyceum.User, q *lyceum.SavedQuery) bool { return canEditQuery(u, q) }
