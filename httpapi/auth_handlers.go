package httpapi

import (
	"net/http"
	"net/netip"
	"strings"

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
	u, sess, token, err := s.Accounts.SignUp(r.Context(), in.Email, in.Password, in.Name, s.client(r))
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
	u, sess, token, err := s.Accounts.LogIn(r.Context(), in.Email, in.Password, s.client(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(accounts.SessionLifetime.Seconds())))
	writeJSON(w, http.StatusOK, meResponse{u, sess.CSRFToken})
	return nil
}

// client is who signs in: the caller's address and browser.
func (s *Server) client(r *http.Request) accounts.Client {
	return accounts.Client{Addr: s.clientAddr(r), Device: r.UserAgent()}
}

// clientAddr is the caller's IP, for rate limiting. It is the peer's
// address, unless the peer is a trusted proxy: then it is the rightmost
// address in X-Forwarded-For that is not a trusted proxy. Addresses left of
// it were written by the client itself and prove nothing, so a client
// cannot pick its own bucket.
func (s *Server) clientAddr(r *http.Request) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !s.trusted(peer) {
		return peer.String()
	}
	client := peer
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // not an address: nothing further left can be believed
		}
		if !s.trusted(a) {
			return a.String()
		}
		client = a // one more trusted proxy: look further left
	}
	return client.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one address of X-Forwarded-For or RemoteAddr: an IP,
// or an IP with a port ("1.2.3.4:80", "[::1]:80"), IPv4-mapped IPv6 as
// IPv4.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
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
