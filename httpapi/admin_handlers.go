package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
)

// The admin app's API: accounts, every course, the audit log. The
// services check that the caller is an admin.

// listLimit reads a list's page size: 50 by default, 1 to 200.
func listLimit(r *http.Request) (int, error) {
	n, err := intParam(r.URL.Query().Get("limit"), 50, "limit")
	if err != nil || n < 1 || n > 200 {
		return 0, lyceum.Invalid("limit", "must be a whole number from 1 to 200")
	}
	return int(n), nil
}

// timeParam reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func timeParam(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, lyceum.Invalid(name, "must be a date (2026-01-31) or a time (2026-01-31T09:00:00Z), got %q", s)
}

// maxSearchText bounds a search string.
const maxSearchText = 200

// checkSearchText refuses search text that is too long or holds control
// characters (a NUL would end the text early in some engines).
func checkSearchText(text string) error {
	if len(text) > maxSearchText {
		return lyceum.Invalid("q", "search for at most %d characters", maxSearchText)
	}
	if strings.ContainsFunc(text, unicode.IsControl) {
		return lyceum.Invalid("q", "search for text without control characters")
	}
	return nil
}

// GET /api/v1/admin/users
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := lyceum.UserFilter{Text: q.Get("q")}
	if err := checkSearchText(f.Text); err != nil {
		return err
	}
	if v := q.Get("role"); v != "" {
		role, err := lyceum.ParseRole(v)
		if err != nil {
			return err
		}
		f.Role = role
	}
	if v := q.Get("status"); v != "" {
		st, err := lyceum.ParseUserStatus(v)
		if err != nil {
			return err
		}
		f.Status = st
	}
	var err error
	if f.SignedUpFrom, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.SignedUpTo, err = timeParam(q, "to"); err != nil {
		return err
	}
	limit, err := listLimit(r)
	if err != nil {
		return err
	}
	page, err := s.Accounts.ListUsers(r.Context(), currentUser(r), f, q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// GET /api/v1/admin/users/{userId}
func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Accounts.User(r.Context(), currentUser(r), r.PathValue("userId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// PUT /api/v1/admin/users/{userId}/role
func (s *Server) adminSetRole(w http.ResponseWriter, r *http.Request) error {
	if err := accounts.RequireAdmin(currentUser(r)); err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := s.Accounts.SetRole(r.Context(), currentUser(r), r.PathValue("userId"), lyceum.Role(in.Role))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

// POST /api/v1/admin/users/{userId}/deactivate and …/reactivate
func (s *Server) adminSetActive(active bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.Accounts.SetActive(r.Context(), currentUser(r), r.PathValue("userId"), active)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"user": u})
		return nil
	}
}

// POST /api/v1/admin/users/{userId}/sign-out
func (s *Server) adminSignOut(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Accounts.SignOutEverywhere(r.Context(), currentUser(r), r.PathValue("userId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessionsEnded": n})
	return nil
}

// POST /api/v1/admin/users/{userId}/password-reset
func (s *Server) adminPasswordReset(w http.ResponseWriter, r *http.Request) error {
	token, expires, err := s.Accounts.IssuePasswordReset(r.Context(), currentUser(r), r.PathValue("userId"))
	if err != nil {
		return err
	}
	// The link's path; the admin app puts the origin in front.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"path": "/reset-password#token=" + url.QueryEscape(token), "expiresAt": expires})
	return nil
}

// GET /api/v1/admin/courses
func (s *Server) adminCourses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Learning.AllCourses(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": list})
	return nil
}

// PUT /api/v1/admin/courses/{courseId}/owner
func (s *Server) adminTransferCourse(w http.ResponseWriter, r *http.Request) error {
	if err := accounts.RequireAdmin(currentUser(r)); err != nil {
		return err
	}
	var in struct {
		OwnerID string `json:"ownerId"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Learning.TransferCourse(r.Context(), currentUser(r), r.PathValue("courseId"), in.OwnerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"course": c.Listing()})
	return nil
}

// GET /api/v1/admin/audit
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := lyceum.AuditFilter{UserID: q.Get("user"), Type: lyceum.EventType(q.Get("type"))}
	var err error
	if f.From, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return err
	}
	limit, err := listLimit(r)
	if err != nil {
		return err
	}
	page, err := s.Accounts.Audit(r.Context(), currentUser(r), f, q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
