package httpapi

import (
	"net/http"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/querying"
)

// Saved queries: save, read, edit, delete, versions, runs, fork.

// GET /api/v1/data/queries
func (s *Server) dataQueries(w http.ResponseWriter, r *http.Request) error {
	mine, shared, err := s.Querying.Queries(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"mine": mine, "shared": shared})
	return nil
}

// POST /api/v1/data/queries
func (s *Server) dataSaveQuery(w http.ResponseWriter, r *http.Request) error {
	var in querying.QueryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	q, err := s.Querying.SaveNew(r.Context(), currentUser(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"query": q})
	return nil
}

// GET /api/v1/data/queries/{queryId}
func (s *Server) dataGetQuery(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	q, err := s.Querying.SavedQuery(r.Context(), u, r.PathValue("queryId"))
	if err != nil {
		return err
	}
	var latest *lyceum.QueryRun
	if q.LatestRunID != "" {
		if v, err := s.Querying.Run(r.Context(), u, q.LatestRunID); err == nil {
			latest = &v.Run
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": q, "latestRun": latest, "canEdit": querying.CanEdit(u, q)})
	return nil
}

// PUT /api/v1/data/queries/{queryId}
func (s *Server) dataUpdateQuery(w http.ResponseWriter, r *http.Request) error {
	var in querying.QueryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	q, err := s.Querying.Update(r.Context(), currentUser(r), r.PathValue("queryId"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": q})
	return nil
}

// DELETE /api/v1/data/queries/{queryId}
func (s *Server) dataDeleteQuery(w http.ResponseWriter, r *http.Request) error {
	if err := s.Querying.Delete(r.Context(), currentUser(r), r.PathValue("queryId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/data/queries/{queryId}/versions
func (s *Server) dataQueryVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.Querying.Versions(r.Context(), currentUser(r), r.PathValue("queryId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

// GET /api/v1/data/queries/{queryId}/runs
func (s *Server) dataQueryRuns(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.Querying.QueryRuns(r.Context(), currentUser(r), r.PathValue("queryId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
	return nil
}

// POST /api/v1/data/queries/{queryId}/fork
func (s *Server) dataForkQuery(w http.ResponseWriter, r *http.Request) error {
	q, err := s.Querying.Fork(r.Context(), currentUser(r), r.PathValue("queryId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"query": q})
	return nil
}
