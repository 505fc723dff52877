package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/learning"
)

// GET /api/v1/courses
func (s *Server) listCourses(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := checkSearchText(q.Get("q")); err != nil {
		return err
	}
	list, err := s.Learning.Search(r.Context(), learning.CatalogQuery{Text: q.Get("q"), Language: q.Get("language"), Tag: q.Get("tag")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": list})
	return nil
}

// GET /api/v1/courses/{courseId}
func (s *Server) getCourse(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Learning.Course(r.Context(), currentUser(r), r.PathValue("courseId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// POST /api/v1/courses/{courseId}/enroll
func (s *Server) enroll(w http.ResponseWriter, r *http.Request) error {
	e, err := s.Learning.Enroll(r.Context(), currentUser(r), r.PathValue("courseId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"enrollment": e})
	return nil
}

// GET /api/v1/me/enrollments
func (s *Server) myEnrollments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Learning.MyCourses(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"enrollments": list})
	return nil
}

// GET /api/v1/courses/{courseId}/progress
func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Learning.Progress(r.Context(), currentUser(r), r.PathValue("courseId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// GET /api/v1/courses/{courseId}/media/{path...} serves video and captions
// with HTTP range requests.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	p := r.PathValue("path")
	o, err := s.Learning.Media(r.Context(), currentUser(r), r.PathValue("courseId"), p)
	if err != nil {
		return err
	}
	defer o.Close()
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := vetRange(w, r, o.Size(), o.ModTime()); err != nil {
		return err
	}
	http.ServeContent(w, r, p, o.ModTime(), o)
	return nil
}

// GET /api/v1/courses/{courseId}/items/{itemId}
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	page, err := s.Learning.Item(r.Context(), currentUser(r), r.PathValue("courseId"), r.PathValue("itemId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// POST /api/v1/courses/{courseId}/items/{itemId}/open
func (s *Server) openItem(w http.ResponseWriter, r *http.Request) error {
	res, err := s.Learning.OpenItem(r.Context(), currentUser(r), r.PathValue("courseId"), r.PathValue("itemId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/courses/{courseId}/items/{itemId}/video-progress
func (s *Server) videoProgress(w http.ResponseWriter, r *http.Request) error {
	var in learning.VideoReport
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.Learning.ReportVideo(r.Context(), currentUser(r), r.PathValue("courseId"), r.PathValue("itemId"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/courses/{courseId}/items/{itemId}/questions/{questionId}/answer
func (s *Server) answerQuestion(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Response *lyceum.Response `json:"response"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Response == nil {
		return lyceum.Invalid("response", "is required")
	}
	res, err := s.Learning.AnswerVideoQuestion(r.Context(), currentUser(r), r.PathValue("courseId"), r.PathValue("itemId"),
		r.PathValue("questionId"), *in.Response)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/courses/{courseId}/items/{itemId}/quiz
func (s *Server) submitQuiz(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Responses map[string]lyceum.Response `json:"responses"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.Learning.SubmitQuiz(r.Context(), currentUser(r), r.PathValue("courseId"), r.PathValue("itemId"), in.Responses)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// POST /api/v1/events records what only the browser sees (page views,
// the video controls). The rules are the learning service's.
func (s *Server) postEvent(w http.ResponseWriter, r *http.Request) error {
	var in learning.ClientEvent
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Learning.RecordClientEvent(r.Context(), currentUser(r), in); err != nil {
		var tm *learning.TooManyEvents
		if errors.As(err, &tm) {
			w.Header().Set("Retry-After", strconv.Itoa(int(tm.RetryAfter.Seconds())+1))
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
