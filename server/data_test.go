package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/server"
)

type runView struct {
	Run struct {
		ID, Status, Error, ErrorCode string
		Rows                         int64
	}
	QueuePosition *int
}

// waitRun polls a run until it finishes.
func waitRun(t *testing.T, c *client, id string) runView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v runView
		must(t, c.get("/api/v1/data/runs/"+id), 200).json(t, &v)
		if v.Run.Status != "queued" && v.Run.Status != "running" {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s after 30 s", id, v.Run.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestQueryPageAPI(t *testing.T) {
	ts := startServer(t, func(c *server.Config) { c.LoaderInterval = 100 * time.Millisecond })
	teacher := ts.publishedCourse(t, "wh-course")
	ts.publishedCourse(t, "wh-other")
	learner := ts.client(t).signUp()
	must(t, learner.post("/api/v1/courses/wh-course/enroll", nil), 200)
	must(t, learner.post("/api/v1/courses/wh-other/enroll", nil), 200)
	analyst := ts.userWithRole(t, lyceum.RoleAnalyst)
	other := ts.userWithRole(t, lyceum.RoleAnalyst)

	// Learners have no query page.
	must(t, learner.get("/api/v1/data/schema"), 403)
	must(t, learner.post("/api/v1/data/runs", map[string]any{"sql": "SELECT 1"}), 403)

	var schema struct {
		Engine string
		Tables []struct{ Name string }
		Scope  any
	}
	must(t, analyst.get("/api/v1/data/schema"), 200).json(t, &schema)
	if schema.Engine != "duckdb" || len(schema.Tables) < 9 || schema.Scope != nil {
		t.Fatalf("schema = %+v", schema)
	}

	// A learner's action is queryable within seconds.
	start := time.Now()
	must(t, learner.post("/api/v1/courses/wh-course/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200)
	sql := fmt.Sprintf(`SELECT count(*) AS n FROM answers WHERE user_id = '%s' AND correct`, learner.user.ID)
	for {
		var v runView
		must(t, analyst.post("/api/v1/data/runs", map[string]any{"sql": sql}), 202).json(t, &v)
		waitRun(t, analyst, v.Run.ID)
		var page struct{ Rows [][]any }
		must(t, analyst.get("/api/v1/data/runs/"+v.Run.ID+"/rows"), 200).json(t, &page)
		if fmt.Sprint(page.Rows[0][0]) == "1" {
			t.Logf("answer queryable %s after it was made", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("the answer did not reach the warehouse in 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// An instructor queries their own course's data only: the learner's
	// enrollment in another instructor's course is not in it.
	var teacherSchema struct {
		Scope *struct{ Courses []struct{ ID string } }
	}
	must(t, teacher.get("/api/v1/data/schema"), 200).json(t, &teacherSchema)
	if teacherSchema.Scope == nil || len(teacherSchema.Scope.Courses) != 1 || teacherSchema.Scope.Courses[0].ID != "wh-course" {
		t.Fatalf("instructor's schema scope = %+v, want wh-course", teacherSchema.Scope)
	}
	var v runView
	must(t, teacher.post("/api/v1/data/runs", map[string]any{"sql": `SELECT course_id, count(*) AS n FROM enrollments GROUP BY course_id`}), 202).json(t, &v)
	if done := waitRun(t, teacher, v.Run.ID); done.Run.Status != "succeeded" {
		t.Fatalf("instructor's run: %+v", done.Run)
	}
	var scopedPage struct{ Rows [][]any }
	must(t, teacher.get("/api/v1/data/runs/"+v.Run.ID+"/rows"), 200).json(t, &scopedPage)
	if fmt.Sprint(scopedPage.Rows) != "[[wh-course 1]]" {
		t.Fatalf("instructor's enrollments by course = %v, want only wh-course", scopedPage.Rows)
	}

	// Run, page, sort, CSV.
	v = runView{}
	must(t, analyst.post("/api/v1/data/runs", map[string]any{"sql": `SELECT i, 'x,"y"' AS s FROM range(0, 300) t(i) ORDER BY i`}), 202).json(t, &v)
	if done := waitRun(t, analyst, v.Run.ID); done.Run.Status != "succeeded" || done.Run.Rows != 300 {
		t.Fatalf("run = %+v", done)
	}
	var page struct {
		Rows  [][]any
		Total int64
	}
	must(t, analyst.get("/api/v1/data/runs/"+v.Run.ID+"/rows?offset=0&limit=5&sort=i&desc=true"), 200).json(t, &page)
	if page.Total != 300 || len(page.Rows) != 5 || fmt.Sprint(page.Rows[0][0]) != "299" {
		t.Fatalf("page = %+v", page)
	}
	must(t, analyst.get("/api/v1/data/runs/"+v.Run.ID+"/rows?limit=100000"), 422)
	must(t, analyst.get("/api/v1/data/runs/"+v.Run.ID+"/rows?sort=nope"), 422)
	csv := must(t, analyst.get("/api/v1/data/runs/"+v.Run.ID+"/csv"), 200)
	if lines := strings.Count(string(csv.body), "\n"); lines != 301 || !strings.HasPrefix(string(csv.body), "i,s\r\n0,\"x,\"\"y\"\"\"\r\n") {
		t.Fatalf("csv: %d lines, starts %q", lines, string(csv.body)[:30])
	}
	// Another analyst cannot see an ad hoc run.
	must(t, other.get("/api/v1/data/runs/"+v.Run.ID), 404)
	must(t, other.get("/api/v1/data/runs/"+v.Run.ID+"/rows"), 404)
	must(t, other.get("/api/v1/data/runs/"+v.Run.ID+"/csv"), 404)

	// Writes are refused by the engine, with a message.
	must(t, analyst.post("/api/v1/data/runs", map[string]any{"sql": `DELETE FROM events`}), 202).json(t, &v)
	if done := waitRun(t, analyst, v.Run.ID); done.Run.Status != "failed" || done.Run.ErrorCode != "not_read_only" {
		t.Fatalf("delete: %+v", done)
	}

	// Saved queries: private ones are 404 to others, shared ones are not.
	var saved struct{ Query struct{ ID string } }
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Secret", "sql": "SELECT 1 AS one"}), 201).json(t, &saved)
	must(t, other.get("/api/v1/data/queries/"+saved.Query.ID), 404)
	must(t, other.post("/api/v1/data/queries/"+saved.Query.ID+"/run", nil), 404)
	must(t, analyst.post("/api/v1/data/queries", map[string]any{"title": "Enrollments by course", "visibility": "organization",
		"sql":   "SELECT course_id, count(*) AS n FROM enrollments GROUP BY course_id ORDER BY course_id",
		"chart": map[string]any{"type": "bar", "x": "course_id", "y": []string{"n"}}}), 201).json(t, &saved)
	must(t, analyst.post("/api/v1/data/queries/"+saved.Query.ID+"/run", nil), 202).json(t, &v)
	waitRun(t, analyst, v.Run.ID)
	var got struct {
		Query     struct{ LatestRunID string }
		LatestRun *struct{ ID string }
		CanEdit   bool
	}
	must(t, other.get("/api/v1/data/queries/"+saved.Query.ID), 200).json(t, &got)
	if got.LatestRun == nil || got.LatestRun.ID != v.Run.ID || got.CanEdit {
		t.Fatalf("shared query for another analyst: %+v", got)
	}
	must(t, other.get("/api/v1/data/runs/"+v.Run.ID+"/rows"), 200)
	must(t, other.do("PUT", "/api/v1/data/queries/"+saved.Query.ID, strings.NewReader(`{"title":"x","sql":"SELECT 2"}`), "application/json"), 403)

	// Other systems: an API token runs the saved query and gets CSV back.
	var tok struct{ Secret string }
	must(t, analyst.post("/api/v1/me/tokens", map[string]any{"name": "email system"}), 201).json(t, &tok)
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/data/queries/"+saved.Query.ID+"/run?wait=true&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	if res.StatusCode != 200 || !strings.HasPrefix(body, "course_id,n\r\nwh-course,1") {
		t.Fatalf("token run: %d %q", res.StatusCode, body)
	}
	// The token opens nothing outside the query API, and a bad one nothing.
	req, _ = http.NewRequest("GET", ts.URL+"/api/v1/me/enrollments", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	if res, _ := http.DefaultClient.Do(req); res.StatusCode != 401 {
		t.Fatalf("token on a learner route: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/api/v1/data/schema", nil)
	req.Header.Set("Authorization", "Bearer lyc_wrong")
	if res, _ := http.DefaultClient.Do(req); res.StatusCode != 401 {
		t.Fatalf("bad token: %d", res.StatusCode)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
