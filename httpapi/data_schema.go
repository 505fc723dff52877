package httpapi

import "net/http"

// The schema browser of the query page.

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
