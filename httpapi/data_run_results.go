package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/lyceum/lyceum"
)

// A run's stored result, as the query page reads it: pages and CSV.

// MaxPageRows bounds one page of a result.
const MaxPageRows = 1000

// GET /api/v1/data/runs/{runId}/rows?offset=&limit=&sort=&desc=
func (s *Server) dataRunRows(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	offset, err := intParam(q.Get("offset"), 0, "offset")
	if err != nil {
		return err
	}
	limit, err := intParam(q.Get("limit"), 100, "limit")
	if err != nil {
		return err
	}
	if limit < 1 || limit > MaxPageRows {
		return lyceum.Invalid("limit", "must be between 1 and %d", MaxPageRows)
	}
	page, err := s.Querying.ResultPage(r.Context(), currentUser(r), r.PathValue("runId"), offset, limit, q.Get("sort"), q.Get("desc") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func intParam(s string, def int64, name string) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, lyceum.Invalid(name, "must be a whole number ≥ 0")
	}
	return n, nil
}

// GET /api/v1/data/runs/{runId}/csv streams the whole result.
func (s *Server) dataRunCSV(w http.ResponseWriter, r *http.Request) error {
	return s.streamCSV(w, r, r.PathValue("runId"))
}

func (s *Server) streamCSV(w http.ResponseWriter, r *http.Request, runID string) error {
	key, err := s.Querying.ResultKey(r.Context(), currentUser(r), runID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="lyceum-%s.csv"`, runID))
	w.Header().Set("Cache-Control", "private, no-store")
	if err := s.Querying.Results.CSV(r.Context(), key, w); err != nil {
		// Headers are gone: the client sees a cut-off download.
		s.Logger.Warn("csv download cut short", "run", runID, "err", err)
	}
	return nil
}
