package httpapi

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/lyceum/lyceum"
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
	if r.ContentLength > s.MaxUploadBytes {
		return &http.MaxBytesError{Limit: s.MaxUploadBytes}
	}
	// Zip needs random access; bundles are bounded by MaxUploadBytes, so
	// hold it in memory.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxUploadBytes))
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return badRequest("the upload is not a valid zip archive: " + err.Error())
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
