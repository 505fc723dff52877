package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/querying"
)

// The query page and the query API: /api/v1/data/…

// GET /api/v1/data/schema
func (s *Server) dataSchema(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	tables, err := s.Querying.Schema(r.Context(), u)
	if err != nil {
		return err
	}
	out := map[string]any{"engine": s.Querying.Executor.Name(), "tables": tables}
	courses, scoped, err := s.Querying.ScopeCourses(r.Context(), u)
	if err != nil {
		return err
	}
	if scoped {
		type course struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		list := make([]course, len(courses))
		for i, c := range courses {
			list[i] = course{c.ID, c.Title}
		}
		out["scope"] = map[string]any{"courses": list}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

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

// GET /api/v1/data/admin/queries
func (s *Server) dataAdminQueries(w http.ResponseWriter, r *http.Request) error {
	running, queued, err := s.Querying.Active(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"running": running, "queued": queued})
	return nil
}

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
