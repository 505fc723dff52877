package querying_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/querying"
	"github.com/lyceum/lyceum/warehouse"
)

// Instructors query their own courses' data only: every table holds their
// courses' rows, identical SQL from an analyst is not shared with theirs,
// and the results of others' runs stay hidden from them.
func TestInstructorsQueryTheirOwnCourses(t *testing.T) {
	e := setup(t, limits)
	ctx := context.Background()
	teacher, other, analyst := e.user(t, lyceum.RoleInstructor), e.user(t, lyceum.RoleInstructor), e.user(t, lyceum.RoleAnalyst)
	now := lyceum.TimeNow()
	for _, c := range []*lyceum.Course{
		{ID: "mine", Title: "Mine", Language: "en", OwnerID: teacher.ID, CreatedAt: now, UpdatedAt: now},
		{ID: "theirs", Title: "Theirs", Language: "en", OwnerID: other.ID, CreatedAt: now, UpdatedAt: now},
	} {
		if err := e.store.PutCourse(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	b := &warehouse.Batch{Courses: []warehouse.Course{{ID: "mine", OwnerID: teacher.ID}, {ID: "theirs", OwnerID: other.ID}}}
	for i, course := range []string{"mine", "mine", "theirs", "theirs", "theirs"} {
		b.Events = append(b.Events, lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: now, Type: lyceum.EventEnrolled,
			UserID: uuid.NewString(), CourseID: course, Payload: []byte(`{}`)})
		b.Enrollments = append(b.Enrollments, warehouse.Enrollment{UserID: b.Events[i].UserID, CourseID: course, EnrolledAt: now})
	}
	if err := e.wh.Load(ctx, b, "", "p1"); err != nil {
		t.Fatal(err)
	}
	count := `SELECT count(*) AS n FROM events`
	runValue := func(u *lyceum.User, req querying.RunRequest) (*lyceum.QueryRun, any) {
		t.Helper()
		v, err := e.svc.Submit(ctx, u, req)
		if err != nil {
			t.Fatal(err)
		}
		r := wait(t, e, u, v.Run.ID)
		if r.Status != lyceum.RunSucceeded {
			t.Fatalf("%s's run: %s %s", u.Role, r.Status, r.Error)
		}
		page, err := e.svc.ResultPage(ctx, u, r.ID, 0, 10, "", false)
		if err != nil {
			t.Fatal(err)
		}
		return r, page.Rows[0][0]
	}
	if _, n := runValue(teacher, querying.RunRequest{SQL: count}); n != int64(2) {
		t.Errorf("instructor's events = %v, want their course's 2", n)
	}
	if _, n := runValue(teacher, querying.RunRequest{SQL: `SELECT count(*) FROM main.enrollments WHERE course_id = 'theirs'`}); n != int64(0) {
		t.Errorf("another course's enrollments, read by name = %v, want 0", n)
	}
	if _, n := runValue(analyst, querying.RunRequest{SQL: count}); n != int64(5) {
		t.Errorf("analyst's events = %v, want all 5", n)
	}
	// An instructor without courses is told why there is nothing.
	newcomer := e.user(t, lyceum.RoleInstructor)
	v, err := e.svc.Submit(ctx, newcomer, querying.RunRequest{SQL: count})
	if err != nil {
		t.Fatal(err)
	}
	if r := wait(t, e, newcomer, v.Run.ID); r.ErrorCode != "no_courses" {
		t.Errorf("no courses: %s %s %q", r.Status, r.ErrorCode, r.Error)
	}

	// The analyst shares a query with the organization and runs it.
	q, err := e.svc.SaveNew(ctx, analyst, querying.QueryInput{Title: "Events", SQL: count, Visibility: lyceum.Organization})
	if err != nil {
		t.Fatal(err)
	}
	analystRun, _ := runValue(analyst, querying.RunRequest{SQL: q.SQL, QueryID: q.ID, Version: 1})
	// The instructor sees the query but not the analyst's result over every course.
	if _, err := e.svc.SavedQuery(ctx, teacher, q.ID); err != nil {
		t.Fatalf("instructor reads the shared query: %v", err)
	}
	if _, err := e.svc.LatestRun(ctx, teacher, q.ID); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("instructor's latest run before running it: %v, want not found", err)
	}
	if _, err := e.svc.ResultPage(ctx, teacher, analystRun.ID, 0, 10, "", false); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("instructor reads the analyst's result: %v, want not found", err)
	}
	// Running it gives the instructor their slice, without replacing the
	// organization-wide latest result.
	v, err = e.svc.RunSaved(ctx, teacher, q.ID, nil, "page")
	if err != nil {
		t.Fatal(err)
	}
	mine := wait(t, e, teacher, v.Run.ID)
	if page, err := e.svc.ResultPage(ctx, teacher, mine.ID, 0, 10, "", false); err != nil || page.Rows[0][0] != int64(2) {
		t.Fatalf("instructor's run of the shared query: %v %v", page, err)
	}
	if r, err := e.svc.LatestRun(ctx, teacher, q.ID); err != nil || r.ID != mine.ID {
		t.Errorf("instructor's latest run = %v %v, want their own", r, err)
	}
	if r, err := e.svc.LatestRun(ctx, analyst, q.ID); err != nil || r.ID != analystRun.ID {
		t.Errorf("analyst's latest run = %v %v, want theirs still", r, err)
	}
	runs, err := e.svc.QueryRuns(ctx, teacher, q.ID)
	if err != nil || len(runs) != 1 || runs[0].ID != mine.ID {
		t.Errorf("instructor's run history = %v %v, want only their run", runs, err)
	}
}
