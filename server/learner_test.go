package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/learning"
)

type courseProgress = learning.CourseProgress

func progressOf(t *testing.T, c *client, course string) courseProgress {
	t.Helper()
	var p courseProgress
	must(t, c.get("/api/v1/courses/"+course+"/progress"), 200).json(t, &p)
	return p
}

func video(c *client, course, item string, body map[string]any) response {
	c.t.Helper()
	return c.post("/api/v1/courses/"+course+"/items/"+item+"/video-progress", body)
}

func TestLearnerCompletesCourse(t *testing.T) {
	ts, clk := startClocked(t)
	ts.publishedCourse(t, "flow")
	c := ts.client(t).signUp()

	// The catalog and course page are public.
	var cat struct{ Courses []lyceum.CourseSummary }
	must(t, ts.client(t).get("/api/v1/courses"), 200).json(t, &cat)
	if len(cat.Courses) != 1 || cat.Courses[0].ID != "flow" || cat.Courses[0].ItemCount != 4 {
		t.Fatalf("catalog = %+v", cat.Courses)
	}
	var page learning.CourseView
	must(t, ts.client(t).get("/api/v1/courses/flow"), 200).json(t, &page)
	if page.Progress != nil || len(page.Course.Modules) != 2 || page.Course.Modules[0].Items[0].QuestionCount != 2 {
		t.Fatalf("public course page = %+v", page)
	}

	must(t, c.post("/api/v1/courses/flow/enroll", nil), 200)
	must(t, c.post("/api/v1/courses/flow/enroll", nil), 200) // idempotent
	p := progressOf(t, c, "flow")
	if p.RequiredItems != 3 || p.CompletedItems != 0 || p.Percent != 0 {
		t.Fatalf("fresh progress = %+v", p)
	}

	// Reading: completes when opened.
	must(t, c.post("/api/v1/courses/flow/items/notes/open", nil), 200)
	if p := progressOf(t, c, "flow"); p.Items["notes"].Status != learning.Completed || p.CompletedItems != 1 {
		t.Fatalf("reading not completed on open: %+v", p.Items["notes"])
	}

	// Video: watching 90% is not enough without answering its questions.
	must(t, c.post("/api/v1/courses/flow/items/intro/open", nil), 200)
	must(t, video(c, "flow", "intro", map[string]any{"event": "played", "position": 0}), 200)
	for from := 0.0; from < 20; from += 5 {
		clk.Advance(5 * time.Second) // watched at normal speed
		must(t, video(c, "flow", "intro", map[string]any{"event": "heartbeat", "position": from + 5, "watchedFrom": from, "watchedTo": from + 5}), 200)
	}
	if st := progressOf(t, c, "flow").Items["intro"]; st.Status != learning.InProgress || *st.WatchedPercent != 100 {
		t.Fatalf("video with unanswered questions = %+v", st)
	}
	var ans learning.AnswerResult
	must(t, c.post("/api/v1/courses/flow/items/intro/questions/q-single/answer", map[string]any{"response": map[string]any{"choices": []string{"b"}}}), 200).json(t, &ans)
	if ans.Grade.Correct || !slices.Contains(ans.Grade.Feedback, "Not B.") {
		t.Fatalf("wrong answer graded %+v", ans.Grade)
	}
	must(t, c.post("/api/v1/courses/flow/items/intro/questions/q-single/answer", map[string]any{"response": map[string]any{"choices": []string{"a"}}}), 200).json(t, &ans)
	if !ans.Grade.Correct || ans.Status.Status == learning.Completed {
		t.Fatalf("after the first question: %+v", ans)
	}
	must(t, c.post("/api/v1/courses/flow/items/intro/questions/q-num/answer", map[string]any{"response": map[string]any{"number": 42}}), 200).json(t, &ans)
	if ans.Status.Status != learning.Completed || *ans.Status.Score != 2 {
		t.Fatalf("video not completed after watching and answering: %+v", ans.Status)
	}

	// The item page hides answers before answering and shows mine after.
	var item learning.ItemPage
	must(t, c.get("/api/v1/courses/flow/items/intro"), 200).json(t, &item)
	if item.Item.Video.URL != "/api/v1/courses/flow/media/media/intro.mp4" || item.Item.Video.Questions[1].Answer == nil {
		t.Fatalf("video view = %+v", item.Item.Video)
	}
	var check learning.ItemPage
	must(t, c.get("/api/v1/courses/flow/items/check"), 200).json(t, &check)
	for _, q := range check.Item.Quiz.Questions {
		if q.Number != nil || q.Accept != nil || slices.ContainsFunc(q.Choices, func(c lyceum.Choice) bool { return c.Correct }) {
			t.Fatalf("quiz question leaks its answer: %+v", q)
		}
	}

	// Quiz: completes on submission; the best score counts.
	var qr learning.QuizResult
	must(t, c.post("/api/v1/courses/flow/items/check/quiz", map[string]any{"responses": map[string]any{
		"s": map[string]any{"choices": []string{"y"}}, "m": map[string]any{"choices": []string{"x"}},
		"n": map[string]any{"number": 3.145}, "t": map[string]any{"text": " Median "}}}), 200).json(t, &qr)
	if qr.Submission.Score != 2 || qr.Submission.MaxScore != 4 || qr.Status.Status != learning.Completed {
		t.Fatalf("first attempt = %+v", qr)
	}
	if qr.Course.CompletedAt == nil || qr.Course.Percent != 100 {
		t.Fatalf("course not completed when every required item is: %+v", qr.Course)
	}
	must(t, c.post("/api/v1/courses/flow/items/check/quiz", map[string]any{"responses": map[string]any{
		"s": map[string]any{"choices": []string{"x"}}, "m": map[string]any{"choices": []string{"x", "y"}},
		"n": map[string]any{"number": 3.14}, "t": map[string]any{"text": "median"}}}), 200).json(t, &qr)
	must(t, c.post("/api/v1/courses/flow/items/check/quiz", map[string]any{"responses": map[string]any{
		"s": map[string]any{"choices": []string{"y"}}, "m": map[string]any{"choices": []string{"z"}},
		"n": map[string]any{"number": 0}, "t": map[string]any{"text": "mean"}}}), 200)
	p = progressOf(t, c, "flow")
	if *p.Items["check"].Score != 4 || p.Modules[1].Score != 4 || p.Modules[1].MaxScore != 4 || p.Score != 6 || p.MaxScore != 6 {
		t.Fatalf("grades = %+v modules %+v", p.Items["check"], p.Modules)
	}
	must(t, c.get("/api/v1/courses/flow/items/check"), 200).json(t, &check)
	if len(check.Submissions) != 3 || check.Submissions[0].Score != 0 {
		t.Fatalf("attempts = %+v", check.Submissions)
	}

	var mine struct{ Enrollments []learning.EnrollmentView }
	must(t, c.get("/api/v1/me/enrollments"), 200).json(t, &mine)
	if len(mine.Enrollments) != 1 || mine.Enrollments[0].Percent != 100 || mine.Enrollments[0].Enrollment.CompletedAt == nil {
		t.Fatalf("my courses = %+v", mine)
	}

	// Every action is in the event log, in order.
	var types []string
	var pos lyceum.EventPosition
	for {
		evs, next, err := ts.Store.ReadEvents(context.Background(), pos, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if e.UserID == c.user.ID {
				types = append(types, string(e.Type))
			}
		}
		pos = next
	}
	want := "signed_up enrolled item_opened item_completed item_opened video_played question_answered question_answered question_answered item_completed quiz_submitted item_completed course_completed quiz_submitted quiz_submitted"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
}

func TestSeekingToTheEndDoesNotComplete(t *testing.T) {
	ts, clk := startClocked(t)
	ts.publishedCourse(t, "seek")
	c := ts.client(t).signUp()
	must(t, c.post("/api/v1/courses/seek/enroll", nil), 200)
	for _, q := range []string{"q-single", "q-num"} {
		r := map[string]any{"choices": []string{"a"}}
		if q == "q-num" {
			r = map[string]any{"number": 1}
		}
		must(t, c.post("/api/v1/courses/seek/items/intro/questions/"+q+"/answer", map[string]any{"response": r}), 200)
	}
	must(t, video(c, "seek", "intro", map[string]any{"event": "seeked", "position": 19.5}), 200)
	var res learning.ItemResult
	must(t, video(c, "seek", "intro", map[string]any{"event": "ended", "position": 20, "watchedFrom": 19.5, "watchedTo": 20}), 200).json(t, &res)
	if res.Status.Status == learning.Completed {
		t.Fatal("video completed by seeking to its end")
	}
	// Watching 18 of 20 seconds (90%) completes it.
	clk.Advance(18 * time.Second)
	must(t, video(c, "seek", "intro", map[string]any{"event": "heartbeat", "position": 18, "watchedFrom": 0, "watchedTo": 18}), 200).json(t, &res)
	if res.Status.Status != learning.Completed {
		t.Fatalf("video not completed at 90%%: %+v", res.Status)
	}
}

func TestResumePositionAcrossDevices(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "resume")
	phone := ts.client(t).signUp()
	must(t, phone.post("/api/v1/courses/resume/enroll", nil), 200)
	must(t, video(phone, "resume", "intro", map[string]any{"event": "paused", "position": 7.25}), 200)

	laptop := ts.client(t)
	must(t, laptop.post("/api/v1/auth/login", map[string]string{"email": phone.user.Email, "password": "a good long password"}), 200)
	var item learning.ItemPage
	must(t, laptop.get("/api/v1/courses/resume/items/intro"), 200).json(t, &item)
	if item.Status.Position != 7.25 {
		t.Fatalf("resume position on the second device = %v, want 7.25", item.Status.Position)
	}
}

func TestMediaRangeRequests(t *testing.T) {
	ts := startServer(t)
	ts.publishedCourse(t, "media")
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/courses/media/media/media/intro.mp4", nil)
	req.Header.Set("Range", "bytes=0-9")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Range") != "bytes 0-9/9500" || res.ContentLength != 10 {
		t.Fatalf("range request: %d %q len %d", res.StatusCode, res.Header.Get("Content-Range"), res.ContentLength)
	}
	c := ts.client(t)
	must(t, c.get("/api/v1/courses/media/media/media/missing.mp4"), 404)
	must(t, c.get("/api/v1/courses/media/media/../../../etc/passwd"), 404)
}

func TestExportImportRoundTrip(t *testing.T) {
	ts := startServer(t)
	inst := ts.publishedCourse(t, "roundtrip")
	res := must(t, inst.get("/api/v1/courses/roundtrip/export"), 200)
	if res.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export content type %q", res.header.Get("Content-Type"))
	}
	// Re-importing the export replaces the course in place and keeps it published.
	must(t, inst.importCourse(res.body), 200)
	var page learning.CourseView
	must(t, ts.client(t).get("/api/v1/courses/roundtrip"), 200).json(t, &page)
	if !page.Course.Published || len(page.Course.Modules) != 2 {
		t.Fatalf("after re-import: %+v", page.Course)
	}
	// And it imports as a new course under another id.
	must(t, inst.importCourse(rezip(t, res.body, nil, "id: roundtrip", "id: roundtrip-copy")), 201)
}
