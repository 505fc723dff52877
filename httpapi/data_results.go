package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/lyceum/lyceum"
)

// The query API of other systems: run a saved query and wait for its
// result, or read its latest result, as JSON or CSV.

// POST /api/v1/data/queries/{queryId}/run[?wait=true&format=json|csv]
// Other systems pass wait=true to get the result in the response.
func (s *Server) dataRunQuery(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Params map[string]string `json:"params"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	u := currentUser(r)
	v, err := s.Querying.RunSaved(r.Context(), u, r.PathValue("queryId"), in.Params, source(r))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("wait") != "true" {
		writeJSON(w, http.StatusAccepted, v)
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.Querying.Limits.Timeout+time.Minute)
	defer cancel()
	done, err := s.Querying.Wait(ctx, u, v.Run.ID)
	if err != nil {
		return err
	}
	return s.writeResult(w, r, &done.Run)
}

// GET /api/v1/data/queries/{queryId}/result?format=json|csv
func (s *Server) dataQueryResult(w http.ResponseWriter, r *http.Request) error {
	run, err := s.Querying.LatestRun(r.Context(), currentUser(r), r.PathValue("queryId"))
	if err != nil {
		return err
	}
	return s.writeResult(w, r, run)
}

// MaxJSONResultRows bounds a result returned as JSON; CSV has no bound.
const MaxJSONResultRows = 100_000

func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, run *lyceum.QueryRun) error {
	if run.Status != lyceum.RunSucceeded {
		writeJSON(w, http.StatusOK, map[string]any{"run": run})
		return nil
	}
	switch r.URL.Query().Get("format") {
	case "csv":
		return s.streamCSV(w, r, run.ID)
	case "", "json":
		page, err := s.Querying.ResultPage(r.Context(), currentUser(r), run.ID, 0, MaxJSONResultRows, "", false)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"run": run, "columns": page.Columns, "rows": page.Rows, "total": page.Total,
			"complete": page.Total <= MaxJSONResultRows})
		return nil
	}
	return lyceum.Invalid("format", "must be json or csv")
}
