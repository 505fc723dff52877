package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/results"
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
	wait, err := boolParam(r.URL.Query().Get("wait"), "wait")
	if err != nil {
		return err
	}
	// A wrong format is refused before the query runs, not after.
	if _, err := resultFormat(r); err != nil {
		return err
	}
	u := currentUser(r)
	v, err := s.Querying.RunSaved(r.Context(), u, r.PathValue("queryId"), in.Params, source(r))
	if err != nil {
		return err
	}
	if !wait {
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
	if _, err := resultFormat(r); err != nil {
		return err
	}
	run, err := s.Querying.LatestRun(r.Context(), currentUser(r), r.PathValue("queryId"))
	if err != nil {
		return err
	}
	return s.writeResult(w, r, run)
}

// MaxJSONResultRows bounds the rows of a result answered as JSON, which
// its readers usually parse whole; CSV has no bound. The answer streams,
// read from the result store a page (results.MaxPageRows) at a time.
const MaxJSONResultRows = 100_000

func resultFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return "json", nil
	case "csv":
		return f, nil
	}
	return "", lyceum.Invalid("format", "must be json or csv")
}

func boolParam(s, name string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, lyceum.Invalid(name, "must be true or false")
	}
	return b, nil
}

// writeResult answers with a finished run's result, or with the run alone
// when it has none (it failed or was canceled).
func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, run *lyceum.QueryRun) error {
	format, err := resultFormat(r)
	if err != nil {
		return err
	}
	if run.Status != lyceum.RunSucceeded {
		writeJSON(w, http.StatusOK, map[string]any{"run": run})
		return nil
	}
	if format == "csv" {
		return s.streamCSV(w, r, run.ID)
	}
	return s.streamJSON(w, r, run)
}

// streamJSON writes {"run", "columns", "total", "complete", "rows"}: rows
// last, written as they are read, a page of the result store at a time, so
// no more than a page is held whatever the result's size.
func (s *Server) streamJSON(w http.ResponseWriter, r *http.Request, run *lyceum.QueryRun) error {
	key, err := s.Querying.ResultKey(r.Context(), currentUser(r), run.ID)
	if err != nil {
		return err
	}
	head, err := s.Querying.Results.Page(r.Context(), key, 0, 0, "", false) // columns and total
	if err != nil {
		return err
	}
	n := min(head.Total, MaxJSONResultRows)
	start, err := json.Marshal(struct {
		Run      *lyceum.QueryRun `json:"run"`
		Columns  any              `json:"columns"`
		Total    int64            `json:"total"`
		Complete bool             `json:"complete"`
	}{run, head.Columns, head.Total, head.Total <= MaxJSONResultRows})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(start[:len(start)-1]) // without its closing brace
	bw.WriteString(`,"rows":[`)
	for offset := int64(0); offset < n; offset += results.MaxPageRows {
		page, err := s.Querying.Results.Page(r.Context(), key, offset, min(results.MaxPageRows, n-offset), "", false)
		if err != nil {
			// Headers are gone: the client sees JSON that ends too soon.
			s.Logger.Warn("JSON result cut short", "run", run.ID, "err", err)
			bw.Flush()
			return nil
		}
		for i, row := range page.Rows {
			b, err := json.Marshal(row)
			if err != nil {
				s.Logger.Warn("JSON result cut short", "run", run.ID, "err", err)
				bw.Flush()
				return nil
			}
			if offset+int64(i) > 0 {
				bw.WriteByte(',')
			}
			if _, err := bw.Write(b); err != nil {
				s.Logger.Debug("JSON result not delivered", "run", run.ID, "err", err)
				return nil
			}
		}
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		s.Logger.Debug("JSON result not delivered", "run", run.ID, "err", err)
	}
	return nil
}
