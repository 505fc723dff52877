package learning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lyceum/lyceum"
)

// Teacher is who teaches a course, as learners see them: a public name.
type Teacher struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// teacher names a course's owner; an owner who left or cannot be read is
// shown without a name rather than failing the course page.
func (s *Service) teacher(ctx context.Context, ownerID string) Teacher {
	t := Teacher{ID: ownerID}
	if u, err := s.Store.UserByID(ctx, ownerID); err == nil && u.Status != lyceum.UserDeleted {
		t.Name = u.Name
	}
	return t
}

// CatalogQuery selects courses of the catalog; zero fields select all.
type CatalogQuery struct {
	// Text matches words of the title, summary or tags, ignoring case:
	// every word must appear in one of them.
	Text     string
	Language string // a BCP 47 tag; "en" also selects "en-GB"
	Tag      string
}

// MaxCatalogText bounds a catalog search's text.
const MaxCatalogText = 200

// Search lists the published courses q selects, ordered by title. The
// catalog is one partition of a few thousand courses at most, filtered in
// memory (BenchmarkSearchCatalog).
func (s *Service) Search(ctx context.Context, q CatalogQuery) ([]lyceum.CourseSummary, error) {
	if len(q.Text) > MaxCatalogText {
		return nil, lyceum.Invalid("q", "search for at most %d characters", MaxCatalogText)
	}
	all, err := s.Store.PublishedCourses(ctx)
	if err != nil {
		return nil, err
	}
	return SearchCatalog(all, q), nil
}

// SearchCatalog filters a catalog by q.
func SearchCatalog(all []lyceum.CourseSummary, q CatalogQuery) []lyceum.CourseSummary {
	words := strings.Fields(strings.ToLower(q.Text))
	lang, tag := strings.ToLower(q.Language), strings.ToLower(strings.TrimSpace(q.Tag))
	out := []lyceum.CourseSummary{}
	for _, c := range all {
		if lang != "" {
			l := strings.ToLower(c.Language)
			if l != lang && !strings.HasPrefix(l, lang+"-") {
				continue
			}
		}
		if tag != "" && !slices.Contains(c.Tags, tag) {
			continue
		}
		if len(words) > 0 {
			text := strings.ToLower(c.Title + "\n" + c.Summary + "\n" + strings.Join(c.Tags, "\n"))
			if slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// LeaveCourse takes u out of a course: it leaves their courses, their
// progress is kept, and enrolling again brings it back.
func (s *Service) LeaveCourse(ctx context.Context, u *lyceum.User, courseID string) error {
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	if _, err := s.enrollment(ctx, u.ID, courseID); err != nil {
		if errors.Is(err, lyceum.ErrNotFound) {
			return fmt.Errorf("you are not taking course %s: %w", courseID, lyceum.ErrNotFound)
		}
		return err
	}
	if err := s.Store.LeaveCourse(ctx, u.ID, courseID, s.now()); err != nil {
		return err
	}
	return s.record(ctx, s.newEvent(lyceum.EventUnenrolled, u, courseID, "", nil))
}

func requireAdmin(u *lyceum.User) error {
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	if u.Role != lyceum.RoleAdmin {
		return fmt.Errorf("only admins may manage every course: %w", lyceum.ErrForbidden)
	}
	return nil
}

// AdminCourse is a course in the admin's list: with its owner's name.
type AdminCourse struct {
	lyceum.CourseSummary
	OwnerName string `json:"ownerName"`
}

// AllCourses lists every course, published or not, for an admin.
func (s *Service) AllCourses(ctx context.Context, admin *lyceum.User) ([]AdminCourse, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	list, err := s.Store.AllCourses(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]AdminCourse, len(list))
	for i, c := range list {
		name, ok := names[c.OwnerID]
		if !ok {
			name = s.teacher(ctx, c.OwnerID).Name
			names[c.OwnerID] = name
		}
		out[i] = AdminCourse{CourseSummary: c, OwnerName: name}
	}
	return out, nil
}

// TransferCourse makes another instructor (or admin) the course's owner.
func (s *Service) TransferCourse(ctx context.Context, admin *lyceum.User, courseID, ownerID string) (*lyceum.Course, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	owner, err := s.Store.UserByID(ctx, ownerID)
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil, lyceum.Invalid("ownerId", "there is no account %q", ownerID)
	}
	if err != nil {
		return nil, err
	}
	if !owner.CanAuthor() || !owner.Active() {
		return nil, lyceum.Invalid("ownerId", "%s is not an active instructor or admin: change their role first", owner.Email)
	}
	c, err := s.Store.CourseByID(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if c.OwnerID == ownerID {
		return c, nil
	}
	from := c.OwnerID
	c.OwnerID, c.UpdatedAt = ownerID, s.now()
	if err := s.putCourse(ctx, c); err != nil {
		return nil, err
	}
	err = s.record(ctx, s.newEvent(lyceum.EventCourseTransferred, admin, courseID, "", lyceum.AdminAction{From: from, To: ownerID}))
	return c, err
}
