package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/bundle"
)

// POST /api/v1/courses/import takes a zip of a course bundle.
func (s *Server) importCourse(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	if !u.CanAuthor() {
		return fmt.Errorf("only instructors and admins import courses: %w", lyceum.ErrForbidden)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/zip" {
		return &clientError{http.StatusUnsupportedMediaType, "bad_request", "send the course bundle as a zip with Content-Type: application/zip"}
	}
	// Spooled to disk, not held in memory; checked as an archive before
	// anything in it is expanded.
	f, size, remove, err := s.spoolUpload(w, r)
	if err != nil {
		return err
	}
	defer remove()
	zr, err := bundle.OpenZip(f, size)
	if errors.Is(err, bundle.ErrNotZip) {
		return badRequest("the upload is not a valid zip archive; zip the bundle's folder from inside it and upload the .zip")
	}
	if err != nil {
		return err
	}
	c, created, err := s.Learning.ImportCourse(r.Context(), u, zr)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"course": c.Listing()})
	return nil
}

// GET /api/v1/courses/{courseId}/export
func (s *Server) exportCourse(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("courseId")
	// Write into memory first so that a failure is still a clean error.
	var buf bytes.Buffer
	if err := s.Learning.ExportCourse(r.Context(), currentUser(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, id))
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}

// POST /api/v1/courses/{courseId}/publish
func (s *Server) publish(w http.ResponseWriter, r *http.Request) error {
	return s.setPublished(w, r, true)
}

// POST /api/v1/courses/{courseId}/unpublish
func (s *Server) unpublish(w http.ResponseWriter, r *http.Request) error {
	return s.setPublished(w, r, false)
}

func (s *Server) setPublished(w http.ResponseWriter, r *http.Request, published bool) error {
	c, err := s.Learning.SetPublished(r.Context(), currentUser(r), r.PathValue("courseId"), published)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"course": c.Listing()})
	return nil
}

// GET /api/v1/studio/courses
func (s *Server) studioCourses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Learning.StudioCourses(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": list})
	return nil
}
