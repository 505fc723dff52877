package httpapi

import "net/http"

// Admins' view of every running and queued query.

// GET /api/v1/data/admin/queries
func (s *Server) dataAdminQueries(w http.ResponseWriter, r *http.Request) error {
	running, queued, err := s.Querying.Active(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"running": running, "queued": queued})
	return nil
}
