package httpapi

import (
	"net"
	"net/http"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
)

type meResponse struct {
	User      *lyceum.User `json:"user"`
	CSRFToken string       `json:"csrfToken"`
}

// POST /api/v1/auth/signup
func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, sess, token, err := s.Accounts.SignUp(r.Context(), in.Email, in.Password, in.Name)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(accounts.SessionLifetime.Seconds())))
	writeJSON(w, http.StatusCreated, meResponse{u, sess.CSRFToken})
	return nil
}

// POST /api/v1/auth/login
func (s *Server) logIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, sess, token, err := s.Accounts.LogIn(r.Context(), in.Email, in.Password, clientAddr(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(accounts.SessionLifetime.Seconds())))
	writeJSON(w, http.StatusOK, meResponse{u, sess.CSRFToken})
	return nil
}

// clientAddr is the caller's IP, for rate limiting. Behind a proxy this is
// the proxy's address unless the proxy is trusted (not supported yet).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// POST /api/v1/auth/logout
func (s *Server) logOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && currentUser(r) != nil {
		if err := s.Accounts.LogOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/me
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u, sess := currentUser(r), currentSession(r)
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	csrf := ""
	if sess != nil {
		csrf = sess.CSRFToken
	}
	writeJSON(w, http.StatusOK, meResponse{u, csrf})
	return nil
}
