package httpapi

import (
	"fmt"
	"net/http"

	"github.com/lyceum/lyceum"
)

// Personal API tokens, with which other systems use the query API.

// GET /api/v1/me/tokens
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Tokens.List(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
	return nil
}

// POST /api/v1/me/tokens
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if currentSession(r) == nil {
		return fmt.Errorf("API tokens are made on the query page, not with another token: %w", lyceum.ErrForbidden)
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := s.Tokens.CreateToken(r.Context(), currentUser(r), in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
	return nil
}

// DELETE /api/v1/me/tokens/{tokenId}
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.Tokens.Revoke(r.Context(), currentUser(r), r.PathValue("tokenId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
