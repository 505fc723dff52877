package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/httpapi"
	"github.com/lyceum/lyceum/server"
)

// tokenClient calls the query API as another system does: a bearer token,
// no cookie, no CSRF token.
type tokenClient struct {
	t      *testing.T
	base   string
	secret string
}

func (ts *testServer) tokenFor(t *testing.T, c *client) *tokenClient {
	t.Helper()
	var tok struct{ Secret string }
	must(t, c.post("/api/v1/me/tokens", map[string]any{"name": "a system"}), 201).json(t, &tok)
	return &tokenClient{t: t, base: ts.URL, secret: tok.Secret}
}

func (c *tokenClient) do(method, path, body string) response {
	c.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	resp := response{res.StatusCode, b, res.Header}
	checkContract(c.t, req, resp)
	return resp
}

// jsonResult is the JSON form of a query's result.
type jsonResult struct {
	Run struct {
		ID, Status, ErrorCode string
		Rows                  int64
		Truncated             bool
	}
	Columns []struct{ Name, Type string }
	Rows    [][]any
	Total   int64
	// Complete is a pointer so that a missing field shows.
	Complete *bool
}

func decodeResult(t *testing.T, res response) jsonResult {
	t.Helper()
	var out jsonResult
	dec := json.NewDecoder(bytes.NewReader(res.body))
	dec.UseNumber()
	if res.status != 200 {
		t.Fatalf("status %d, want 200: %.300s", res.status, res.body)
	}
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("the JSON result does not decode: %v: %.300s", err, res.body)
	}
	if out.Run.Status == "succeeded" && out.Complete == nil {
		t.Fatalf("a succeeded run's JSON result without complete: %.300s", res.body)
	}
	if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON result with Content-Type %q", res.header.Get("Content-Type"))
	}
	return out
}

// The README's example for other systems: run a saved query with a
// parameter and wait for its CSV, then read its latest result as JSON.
func TestDataAPIReadmeExample(t *testing.T) {
	ts := startServer(t)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	var saved struct{ Query struct{ ID string } }
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Enrollments",
		"sql": "SELECT {{course_id}} AS course_id, i AS n FROM range(3) t(i)"}), 201).json(t, &saved)
	api := ts.tokenFor(t, analyst)
	id := saved.Query.ID

	csv := api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=true&format=csv", `{"params": {"course_id": "data-literacy-basics"}}`)
	if csv.status != 200 || string(csv.body) != "course_id,n\r\ndata-literacy-basics,0\r\ndata-literacy-basics,1\r\ndata-literacy-basics,2\r\n" {
		t.Fatalf("run?wait=true&format=csv: %d %q", csv.status, csv.body)
	}
	for _, path := range []string{"/result?format=json", "/result"} {
		res := api.do("GET", "/api/v1/data/queries/"+id+path, "")
		if res.status != 200 {
			t.Fatalf("GET %s: %d %s", path, res.status, res.body)
		}
		got := decodeResult(t, res)
		if got.Run.Status != "succeeded" || got.Total != 3 || len(got.Rows) != 3 || got.Complete == nil || !*got.Complete ||
			fmt.Sprint(got.Rows) != "[[data-literacy-basics 0] [data-literacy-basics 1] [data-literacy-basics 2]]" ||
			len(got.Columns) != 2 || got.Columns[0].Name != "course_id" || got.Columns[1].Name != "n" {
			t.Fatalf("GET %s: %s", path, res.body)
		}
	}
	// Waiting for JSON, the default format.
	res := api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=true", `{"params": {"course_id": "x"}}`)
	if res.status != 200 {
		t.Fatalf("run?wait=true: %d %s", res.status, res.body)
	}
	if got := decodeResult(t, res); got.Run.Status != "succeeded" || fmt.Sprint(got.Rows) != "[[x 0] [x 1] [x 2]]" {
		t.Fatalf("run?wait=true: %s", res.body)
	}
}

// A JSON result larger than one page of the result store comes whole, in
// the stored order, streamed; one past what a JSON answer carries comes
// cut at httpapi.MaxJSONResultRows and says it is not complete.
func TestDataAPIJSONLargeResult(t *testing.T) {
	ts := startServer(t)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	api := ts.tokenFor(t, analyst)
	for _, n := range []int{25_013, httpapi.MaxJSONResultRows + 13} { // not a whole number of the store's pages; past the cap
		var saved struct{ Query struct{ ID string } }
		must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Many",
			"sql": fmt.Sprintf("SELECT i, 'row ' || i AS s FROM range(%d) t(i)", n)}), 201).json(t, &saved)
		res := api.do("POST", "/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true&format=json", "")
		if res.header.Get("Content-Length") != "" {
			t.Errorf("a large JSON result has a Content-Length (%s): it was held whole before it was sent", res.header.Get("Content-Length"))
		}
		got := decodeResult(t, res)
		want := min(n, httpapi.MaxJSONResultRows)
		if got.Total != int64(n) || len(got.Rows) != want || *got.Complete != (n == want) || got.Run.Rows != int64(n) {
			t.Fatalf("%d rows: total %d, %d rows, complete %v, run rows %d", n, got.Total, len(got.Rows), *got.Complete, got.Run.Rows)
		}
		for i, row := range got.Rows {
			if fmt.Sprint(row) != fmt.Sprintf("[%d row %d]", i, i) {
				t.Fatalf("row %d = %v", i, row)
			}
		}
		// The CSV has every row.
		csv := api.do("GET", "/api/v1/data/queries/"+saved.Query.ID+"/result?format=csv", "")
		if lines := strings.Count(string(csv.body), "\r\n"); csv.status != 200 || lines != n+1 {
			t.Fatalf("csv: %d, %d lines", csv.status, lines)
		}
	}
}

// A JSON result past what one JSON answer carries says it is incomplete;
// one stopped by the row cap says the run was truncated.
func TestDataAPIJSONTruncated(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.QueryLimits.MaxRows = 40 })
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	var saved struct{ Query struct{ ID string } }
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Capped", "sql": "SELECT i FROM range(100) t(i)"}), 201).json(t, &saved)
	api := ts.tokenFor(t, analyst)
	got := decodeResult(t, api.do("POST", "/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true", ""))
	if !got.Run.Truncated || got.Total != 40 || len(got.Rows) != 40 || !*got.Complete {
		t.Fatalf("capped: truncated %v, total %d, %d rows, complete %v", got.Run.Truncated, got.Total, len(got.Rows), *got.Complete)
	}
}

// Every type comes back in JSON as the page reads it (runs/{id}/rows),
// NULLs as null.
func TestDataAPIJSONTypes(t *testing.T) {
	ts := startServer(t)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	sql := `SELECT 42::BIGINT AS i, -1.5::DOUBLE AS f, 12345678901234567.89::DECIMAL(19,2) AS d, true AS b,
		DATE '2024-02-29' AS day, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz,
		'{"a": [1, 2]}'::JSON AS j, [1, 2, 3] AS l, 'quote " and \ and ünïcödé <b>' AS s, NULL::INTEGER AS n, 'NaN'::DOUBLE AS nan,
		'' AS empty
		UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`
	var saved struct{ Query struct{ ID string } }
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Types", "sql": sql}), 201).json(t, &saved)
	api := ts.tokenFor(t, analyst)
	got := decodeResult(t, api.do("POST", "/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true", ""))
	if got.Run.Status != "succeeded" || len(got.Rows) != 2 {
		t.Fatalf("types: %+v", got)
	}
	want := []string{"42", "-1.5", "12345678901234567.89", "true", "2024-02-29", "2024-01-02T03:04:05.123456Z",
		"2024-01-02T01:04:05Z", `{"a":[1,2]}`, "[1,2,3]", `quote " and \ and ünïcödé <b>`, "<nil>", "NaN", ""}
	for i, w := range want {
		if g := fmt.Sprint(got.Rows[0][i]); g != w {
			t.Errorf("column %s = %q, want %q", got.Columns[i].Name, g, w)
		}
		if got.Rows[1][i] != nil {
			t.Errorf("column %s: NULL came back as %v", got.Columns[i].Name, got.Rows[1][i])
		}
	}
	// Exactly what the page's rows endpoint says, value for value.
	var page struct{ Rows [][]any }
	res := must(t, analyst.get("/api/v1/data/runs/"+got.Run.ID+"/rows"), 200)
	dec := json.NewDecoder(bytes.NewReader(res.body))
	dec.UseNumber()
	if err := dec.Decode(&page); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%#v", page.Rows) != fmt.Sprintf("%#v", got.Rows) {
		t.Errorf("JSON result rows %#v, page rows %#v", got.Rows, page.Rows)
	}
}

// The JSON result's mistakes and unfinished runs.
func TestDataAPIJSONErrors(t *testing.T) {
	ts := startServer(t)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	other := ts.userWithRole(t, lyceum.RoleAnalyst)
	api := ts.tokenFor(t, analyst)
	var saved struct{ Query struct{ ID string } }
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Never run", "sql": "SELECT 1 AS one"}), 201).json(t, &saved)
	id := saved.Query.ID

	// Never run: nothing to show yet.
	if res := api.do("GET", "/api/v1/data/queries/"+id+"/result", ""); res.status != 404 || res.errorCode(t) != "not_found" {
		t.Fatalf("never run: %d %s", res.status, res.body)
	}
	// A format that does not exist, before or after a run.
	if res := api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=true&format=xml", ""); res.status != 422 {
		t.Fatalf("format=xml: %d %s", res.status, res.body)
	}
	if res := api.do("GET", "/api/v1/data/queries/"+id+"/result?format=xml", ""); res.status != 422 {
		t.Fatalf("result format=xml: %d %s", res.status, res.body)
	}
	if res := api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=yes", ""); res.status != 422 {
		t.Fatalf("wait=yes: %d %s", res.status, res.body)
	}
	// Neither ran the query.
	if res := api.do("GET", "/api/v1/data/queries/"+id+"/result", ""); res.status != 404 {
		t.Fatalf("after refused runs: %d %s", res.status, res.body)
	}
	api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=true", "")
	if res := api.do("GET", "/api/v1/data/queries/"+id+"/result", ""); res.status != 200 || fmt.Sprint(decodeResult(t, res).Rows) != "[[1]]" {
		t.Fatalf("result: %d %s", res.status, res.body)
	}
	// Unknown fields and parameters the SQL needs.
	if res := api.do("POST", "/api/v1/data/queries/"+id+"/run?wait=true", `{"parms": {}}`); res.status != 400 {
		t.Fatalf("unknown field: %d %s", res.status, res.body)
	}
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Param", "sql": "SELECT {{x}} AS x"}), 201).json(t, &saved)
	if res := api.do("POST", "/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true", ""); res.status != 422 || !strings.Contains(string(res.body), "params.x") {
		t.Fatalf("missing parameter: %d %s", res.status, res.body)
	}
	// A run that fails answers its failure, with no rows.
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Fails", "sql": "SELECT error('this run fails') AS x"}), 201).json(t, &saved)
	res := api.do("POST", "/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true", "")
	if got := decodeResult(t, res); res.status != 200 || got.Run.Status != "failed" || got.Rows != nil || got.Complete != nil {
		t.Fatalf("failed run: %d %s", res.status, res.body)
	}
	// Another analyst cannot see a private query's result.
	if res := ts.tokenFor(t, other).do("GET", "/api/v1/data/queries/"+id+"/result", ""); res.status != 404 {
		t.Fatalf("another analyst: %d %s", res.status, res.body)
	}
}
