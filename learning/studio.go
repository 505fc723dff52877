package learning

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/bundle"
)

// ImportCourse reads a course bundle from fsys and stores it as u's course,
// copying its media into the blob store. Importing a course id that exists
// replaces that course if u may edit it, keeping its owner and published
// state; created reports whether the course is new.
func (s *Service) ImportCourse(ctx context.Context, u *lyceum.User, fsys fs.FS) (c *lyceum.Course, created bool, err error) {
	if u == nil {
		return nil, false, lyceum.ErrUnauthorized
	}
	if !u.CanAuthor() {
		return nil, false, fmt.Errorf("only instructors and admins import courses: %w", lyceum.ErrForbidden)
	}
	b, err := bundle.Read(fsys)
	if err != nil {
		return nil, false, err
	}
	c = b.Course
	now := s.now()
	c.OwnerID, c.CreatedAt, c.UpdatedAt, c.Published = u.ID, now, now, false
	old, err := s.Store.CourseByID(ctx, c.ID)
	switch {
	case err == nil:
		if !u.CanEditCourse(old) {
			return nil, false, fmt.Errorf("course id %q belongs to another instructor; pick another id: %w", c.ID, lyceum.ErrConflict)
		}
		c.OwnerID, c.CreatedAt, c.Published = old.OwnerID, old.CreatedAt, old.Published
	case errors.Is(err, lyceum.ErrNotFound):
		created = true
	default:
		return nil, false, err
	}
	prefix := MediaKeyPrefix(c.ID)
	for _, p := range b.Media {
		f, err := fsys.Open(p)
		if err != nil {
			return nil, false, bundle.ReadError(p, "", err)
		}
		// Count what is read rather than trust the size bundle.Read saw:
		// a file can grow, a header can lie.
		src := &mediaReader{r: f, name: p, left: bundle.MaxMediaSize}
		_, err = s.Blobs.Put(ctx, prefix+p, src)
		f.Close()
		switch {
		case src.err != nil:
			return nil, false, bundle.ReadError(p, "", src.err)
		case err != nil:
			return nil, false, fmt.Errorf("store media %s: %w", p, err)
		}
	}
	for mi := range c.Modules {
		for ii := range c.Modules[mi].Items {
			if v := c.Modules[mi].Items[ii].Video; v != nil {
				v.Blob = prefix + v.Blob
				if v.Captions != "" {
					v.Captions = prefix + v.Captions
				}
				if v.ContentType == "" {
					v.ContentType = mime.TypeByExtension(path.Ext(v.Blob))
				}
			}
		}
	}
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	if err := s.putCourse(ctx, c); err != nil {
		return nil, false, err
	}
	if err := s.record(ctx, s.newEvent(lyceum.EventCourseImported, u, c.ID, "", map[string]any{"created": created})); err != nil {
		return nil, false, err
	}
	return c, created, nil
}

// mediaReader reads a media file of a bundle for the blob store, refusing
// more than left bytes, and keeps the error of the reading side apart from
// the writing side's.
type mediaReader struct {
	r    io.Reader
	name string
	left int64
	err  error
}

func (m *mediaReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if m.left -= int64(n); m.left < 0 {
		m.err = lyceum.Invalid(m.name, "is larger than the %d MiB limit for a media file", bundle.MaxMediaSize>>20)
		return 0, m.err
	}
	if err != nil && err != io.EOF {
		m.err = err
	}
	return n, err
}

// editableCourse returns a course u may change.
func (s *Service) editableCourse(ctx context.Context, u *lyceum.User, id string) (*lyceum.Course, error) {
	if u == nil {
		return nil, lyceum.ErrUnauthorized
	}
	c, err := s.visibleCourse(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !u.CanEditCourse(c) {
		return nil, fmt.Errorf("only the course's instructor or an admin may change it: %w", lyceum.ErrForbidden)
	}
	return c, nil
}

// SetPublished publishes or unpublishes a course u may edit.
func (s *Service) SetPublished(ctx context.Context, u *lyceum.User, id string, published bool) (*lyceum.Course, error) {
	c, err := s.editableCourse(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if c.Published == published {
		return c, nil
	}
	cp := *c // c may be shared through the cache
	cp.Published, cp.UpdatedAt = published, s.now()
	if err := s.putCourse(ctx, &cp); err != nil {
		return nil, err
	}
	typ := lyceum.EventCourseUnpublished
	if published {
		typ = lyceum.EventCoursePublished
	}
	if err := s.record(ctx, s.newEvent(typ, u, cp.ID, "", nil)); err != nil {
		return nil, err
	}
	return &cp, nil
}

// ExportCourse writes a course u may edit as a zip of its bundle.
func (s *Service) ExportCourse(ctx context.Context, u *lyceum.User, id string, w io.Writer) error {
	c, err := s.editableCourse(ctx, u, id)
	if err != nil {
		return err
	}
	return bundle.WriteZip(w, bundleView(c), s.mediaOpener(ctx, c.ID))
}

// ExportCourseDir writes a course as a bundle directory (the CLI's export).
func (s *Service) ExportCourseDir(ctx context.Context, id, dir string) error {
	c, err := s.Store.CourseByID(ctx, id)
	if err != nil {
		return err
	}
	return bundle.Write(dir, bundleView(c), s.mediaOpener(ctx, c.ID))
}

// bundleView returns a copy of c whose media paths are bundle-relative.
func bundleView(c *lyceum.Course) *lyceum.Course {
	cp := *c
	prefix := MediaKeyPrefix(c.ID)
	cp.Modules = make([]lyceum.Module, len(c.Modules))
	for mi, m := range c.Modules {
		m.Items = append([]lyceum.Item(nil), m.Items...)
		for ii := range m.Items {
			if v := m.Items[ii].Video; v != nil {
				vc := *v
				vc.Blob = strings.TrimPrefix(v.Blob, prefix)
				vc.Captions = strings.TrimPrefix(v.Captions, prefix)
				m.Items[ii].Video = &vc
			}
		}
		cp.Modules[mi] = m
	}
	return &cp
}

func (s *Service) mediaOpener(ctx context.Context, courseID string) func(string) (io.ReadCloser, error) {
	return func(p string) (io.ReadCloser, error) {
		return s.Blobs.Open(ctx, MediaKeyPrefix(courseID)+p)
	}
}

// StudioCourses lists the courses u authors (every course's owner listing is
// per instructor).
func (s *Service) StudioCourses(ctx context.Context, u *lyceum.User) ([]lyceum.CourseSummary, error) {
	if u == nil {
		return nil, lyceum.ErrUnauthorized
	}
	if !u.CanAuthor() {
		return nil, fmt.Errorf("only instructors and admins author courses: %w", lyceum.ErrForbidden)
	}
	return s.Store.CoursesByOwner(ctx, u.ID)
}

// Media opens a course media file for u: anyone for a published course,
// editors for an unpublished one.
func (s *Service) Media(ctx context.Context, u *lyceum.User, courseID, p string) (blob.Object, error) {
	if _, err := s.visibleCourse(ctx, u, courseID); err != nil {
		return nil, err
	}
	if !fs.ValidPath(p) {
		return nil, fmt.Errorf("media %s: %w", p, lyceum.ErrNotFound)
	}
	return s.Blobs.Open(ctx, MediaKeyPrefix(courseID)+p)
}
