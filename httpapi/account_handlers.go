package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
)

// Account settings: what every signed-in person may do with their own
// account.

// signedIn is the signed-in user of r (by session: settings are not for
// API tokens, which only reach /api/v1/data/).
func signedIn(r *http.Request) (*lyceum.User, error) {
	u := currentUser(r)
	if u == nil {
		return nil, lyceum.ErrUnauthorized
	}
	return u, nil
}

// PATCH /api/v1/me
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	var in accounts.ProfileChange
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err = s.Accounts.UpdateProfile(r.Context(), u, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

// POST /api/v1/me/password
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	var in struct {
		CurrentPassword string `json:"currentPassword"`
		NewPassword     string `json:"newPassword"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(r.Context(), u, currentSession(r), in.CurrentPassword, in.NewPassword, s.client(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/me/sessions
func (s *Server) mySessions(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	list, err := s.Accounts.Sessions(r.Context(), u, currentSession(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": list})
	return nil
}

// DELETE /api/v1/me/sessions/{sessionId}
func (s *Server) endMySession(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	id := r.PathValue("sessionId")
	if err := s.Accounts.EndSession(r.Context(), u, id); err != nil {
		return err
	}
	if sess := currentSession(r); sess != nil && sess.ID == id {
		http.SetCookie(w, s.sessionCookie(r, "", -1))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/me/export
func (s *Server) exportMe(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	// Built whole before the first byte, so that a failure is an error
	// response rather than a cut-off file.
	var buf bytes.Buffer
	if err := s.Accounts.ExportData(r.Context(), u, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="lyceum-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(w) // an error here is the client leaving: no one to tell
	return nil
}

// POST /api/v1/me/delete
func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Accounts.DeleteAccount(r.Context(), u, in.Password, s.client(r)); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /api/v1/auth/reset
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Accounts.ResetPassword(r.Context(), in.Token, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /api/v1/courses/{courseId}/leave
func (s *Server) leaveCourse(w http.ResponseWriter, r *http.Request) error {
	if err := s.Learning.LeaveCourse(r.Context(), currentUser(r), r.PathValue("courseId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
