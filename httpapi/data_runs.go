package httpapi

import (
	"net/http"

	"github.com/lyceum/lyceum/querying"
)

// Runs of the query page: submit, list, follow, cancel.

type runInput struct {
	SQL     string            `json:"sql"`
	Params  map[string]string `json:"params"`
	QueryID string            `json:"queryId"`
}

// POST /api/v1/data/runs
func (s *Server) dataRun(w http.ResponseWriter, r *http.Request) error {
	var in runInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u := currentUser(r)
	var v *querying.RunView
	var err error
	if in.QueryID != "" {
		// Running a saved query's current text, as its run history keeps it.
		q, qerr := s.Querying.SavedQuery(r.Context(), u, in.QueryID)
		if qerr != nil {
			return qerr
		}
		req := querying.RunRequest{SQL: in.SQL, Params: in.Params, Source: source(r)}
		if in.SQL == "" || in.SQL == q.SQL {
			req.SQL, req.QueryID, req.Version = q.SQL, q.ID, q.Version
		}
		v, err = s.Querying.Submit(r.Context(), u, req)
	} else {
		v, err = s.Querying.Submit(r.Context(), u, querying.RunRequest{SQL: in.SQL, Params: in.Params, Source: source(r)})
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, v)
	return nil
}

// source tells page runs from API clients' (bearer tokens).
func source(r *http.Request) string {
	if currentSession(r) == nil {
		return "api"
	}
	return "page"
}

// GET /api/v1/data/runs
func (s *Server) dataMyRuns(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.Querying.MyRuns(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
	return nil
}

// GET /api/v1/data/runs/{runId}
func (s *Server) dataGetRun(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Querying.Run(r.Context(), currentUser(r), r.PathValue("runId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// POST /api/v1/data/runs/{runId}/cancel
func (s *Server) dataCancelRun(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Querying.Cancel(r.Context(), currentUser(r), r.PathValue("runId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
