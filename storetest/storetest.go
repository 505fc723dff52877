// Package storetest is the conformance suite for lyceum.Store. Every engine
// runs it unchanged from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) lyceum.Store { return openTestStore(t) })
//	}
//
// open may return the same store to several tests: every test uses fresh
// random ids, so tests do not see each other's data (except the event log,
// which the tests read from its current end).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
)

// Run runs every conformance test against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) lyceum.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s lyceum.Store)
	}{
		{"Users", testUsers},
		{"UserEmailUnique", testUserEmailUnique},
		{"Sessions", testSessions},
		{"UpdateUser", testUpdateUser},
		{"EraseUser", testEraseUser},
		{"ListUsers", testListUsers},
		{"ListUsersCursor", testListUsersCursor},
		{"SessionsByUser", testSessionsByUser},
		{"LeaveCourse", testLeaveCourse},
		{"AllCourses", testAllCourses},
		{"UserEvents", testUserEvents},
		{"AuditEvents", testAuditEvents},
		{"PasswordResets", testPasswordResets},
		{"Courses", testCourses},
		{"CourseOwnerChange", testCourseOwnerChange},
		{"Enrollments", testEnrollments},
		{"ItemProgress", testItemProgress},
		{"Answers", testAnswers},
		{"QuizSubmissions", testQuizSubmissions},
		{"EventsAppendRead", testEventsAppendRead},
		{"EventsConcurrent", testEventsConcurrent},
		{"Leases", testLeases},
		{"SavedQueries", testSavedQueries},
		{"SavedQueriesByOwnerOrder", testSavedQueriesByOwnerOrder},
		{"SharedQueries", testSharedQueries},
		{"DeleteSavedQuery", testDeleteSavedQuery},
		{"QueryVersions", testQueryVersions},
		{"QueryRunStatus", testQueryRunStatus},
		{"QueryRunLists", testQueryRunLists},
		{"ActiveRuns", testActiveRuns},
		{"RunStatusOneWay", testRunStatusOneWay},
		{"RunStatusConcurrent", testRunStatusConcurrent},
		{"QueryVersionConflict", testQueryVersionConflict},
		{"InstanceBeats", testInstanceBeats},
		{"ResultDays", testResultDays},
		{"QueryLongSQL", testLongSQL},
		{"APITokens", testAPITokens},
		{"QueryStoreNotFound", testQueryStoreNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

func id() string { return uuid.NewString() }

// slug returns a unique course/item id.
func slug(prefix string) string { return prefix + "-" + uuid.NewString()[:8] }

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func mustNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, lyceum.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newUser(role lyceum.Role) *lyceum.User {
	return &lyceum.User{ID: id(), Email: id() + "@example.org", Name: "Ada Lovelace", Role: role, Status: lyceum.UserActive,
		Language: "fr", TimeZone: "Europe/Paris", PasswordHash: "$argon2id$fake", CreatedAt: ms(time.Now())}
}

func testUsers(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	u := newUser(lyceum.RoleInstructor)
	check(t, s.CreateUser(c, u))
	got, err := s.UserByID(c, u.ID)
	check(t, err)
	if *got != *u {
		t.Fatalf("UserByID = %+v, want %+v", got, u)
	}
	got, err = s.UserByEmail(c, u.Email)
	check(t, err)
	if got.ID != u.ID || got.PasswordHash != u.PasswordHash {
		t.Fatalf("UserByEmail = %+v, want %+v", got, u)
	}
	_, err = s.UserByID(c, id())
	mustNotFound(t, err)
	_, err = s.UserByEmail(c, "nobody-"+id()+"@example.org")
	mustNotFound(t, err)
}

func testUserEmailUnique(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	email := id() + "@example.org"
	// Many sign-ups race for one address: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won, conflicts int
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := newUser(lyceum.RoleLearner)
			u.Email = email
			err := s.CreateUser(c, u)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, lyceum.ErrConflict):
				conflicts++
			default:
				t.Errorf("CreateUser: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || conflicts != 7 {
		t.Fatalf("won %d, conflicts %d; want 1 and 7", won, conflicts)
	}
	if _, err := s.UserByEmail(c, email); err != nil {
		t.Fatal(err)
	}
}

func testSessions(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	now := ms(time.Now())
	live := &lyceum.Session{ID: id(), TokenHash: id(), UserID: id(), CSRFToken: id(), Device: "Firefox", Addr: "192.0.2.1",
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	expired := &lyceum.Session{ID: id(), TokenHash: id(), UserID: id(), CSRFToken: id(), CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	check(t, s.CreateSession(c, live))
	check(t, s.CreateSession(c, expired))
	got, err := s.SessionByTokenHash(c, live.TokenHash)
	check(t, err)
	if *got != *live {
		t.Fatalf("session = %+v, want %+v", got, live)
	}
	_, err = s.SessionByTokenHash(c, expired.TokenHash)
	mustNotFound(t, err)
	check(t, s.DeleteSession(c, live.TokenHash))
	_, err = s.SessionByTokenHash(c, live.TokenHash)
	mustNotFound(t, err)
	check(t, s.DeleteSession(c, live.TokenHash)) // idempotent
}

func sampleCourse(owner string) *lyceum.Course {
	n := 42.0
	now := ms(time.Now())
	return &lyceum.Course{
		ID: slug("course"), Title: "Statistics " + id()[:6], Summary: "Means & <medians>", Language: "en", OwnerID: owner,
		CreatedAt: now, UpdatedAt: now,
		Modules: []lyceum.Module{{ID: "m1", Title: "Basics", Items: []lyceum.Item{
			{ID: "v1", Kind: lyceum.KindVideo, Title: "Intro", Video: &lyceum.Video{Blob: "courses/x/v1.mp4", ContentType: "video/mp4",
				DurationSeconds: 30, Questions: []lyceum.VideoQuestion{{At: 10, Question: lyceum.Question{ID: "q1", Kind: lyceum.Numeric, Prompt: "6×7?", Number: &n}}}}},
			{ID: "r1", Kind: lyceum.KindReading, Title: "Read", Optional: true, Reading: &lyceum.Reading{Markdown: "# Hi"}},
		}}},
	}
}

func testCourses(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	owner := id()
	course := sampleCourse(owner)
	check(t, s.PutCourse(c, course))
	got, err := s.CourseByID(c, course.ID)
	check(t, err)
	if got.Title != course.Title || len(got.Modules) != 1 || len(got.Modules[0].Items) != 2 ||
		*got.Modules[0].Items[0].Video.Questions[0].Number != 42 || !got.UpdatedAt.Equal(course.UpdatedAt) {
		t.Fatalf("CourseByID = %+v, want %+v", got, course)
	}
	_, err = s.CourseByID(c, slug("missing"))
	mustNotFound(t, err)

	inCatalog := func() bool {
		list, err := s.PublishedCourses(c)
		check(t, err)
		return slices.ContainsFunc(list, func(cs lyceum.CourseSummary) bool { return cs.ID == course.ID })
	}
	if inCatalog() {
		t.Fatal("unpublished course is in the catalog")
	}
	mine, err := s.CoursesByOwner(c, owner)
	check(t, err)
	if len(mine) != 1 || mine[0].ID != course.ID || mine[0].ItemCount != 2 || mine[0].Published {
		t.Fatalf("CoursesByOwner = %+v", mine)
	}

	course.Published = true
	check(t, s.PutCourse(c, course))
	check(t, s.PutCourse(c, course)) // idempotent
	if !inCatalog() {
		t.Fatal("published course is missing from the catalog")
	}
	mine, err = s.CoursesByOwner(c, owner)
	check(t, err)
	if len(mine) != 1 || !mine[0].Published {
		t.Fatalf("CoursesByOwner after publish = %+v", mine)
	}

	course.Published = false
	check(t, s.PutCourse(c, course))
	if inCatalog() {
		t.Fatal("unpublished course is still in the catalog")
	}

	// Listings are ordered by title.
	owner2 := id()
	for _, title := range []string{"Zeta", "alpha", "Mu"} {
		cs := sampleCourse(owner2)
		cs.Title = title
		check(t, s.PutCourse(c, cs))
	}
	mine, err = s.CoursesByOwner(c, owner2)
	check(t, err)
	var titles []string
	for _, m := range mine {
		titles = append(titles, m.Title)
	}
	if !slices.Equal(titles, []string{"alpha", "Mu", "Zeta"}) {
		t.Fatalf("titles = %v", titles)
	}
}

func testCourseOwnerChange(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	a, b := id(), id()
	course := sampleCourse(a)
	check(t, s.PutCourse(c, course))
	course.OwnerID = b
	check(t, s.PutCourse(c, course))
	la, err := s.CoursesByOwner(c, a)
	check(t, err)
	lb, err := s.CoursesByOwner(c, b)
	check(t, err)
	if len(la) != 0 || len(lb) != 1 {
		t.Fatalf("old owner lists %d, new owner %d; want 0 and 1", len(la), len(lb))
	}
}

func testEnrollments(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user := id()
	c1, c2 := slug("c"), slug("c")
	t1 := ms(time.Now().Add(-time.Hour))
	check(t, s.Enroll(c, &lyceum.Enrollment{UserID: user, CourseID: c1, EnrolledAt: t1}))
	// Enrolling again keeps the first enrollment.
	check(t, s.Enroll(c, &lyceum.Enrollment{UserID: user, CourseID: c1, EnrolledAt: ms(time.Now())}))
	check(t, s.Enroll(c, &lyceum.Enrollment{UserID: user, CourseID: c2, EnrolledAt: ms(time.Now())}))
	e, err := s.Enrollment(c, user, c1)
	check(t, err)
	if !e.EnrolledAt.Equal(t1) || e.CompletedAt != nil {
		t.Fatalf("Enrollment = %+v", e)
	}
	_, err = s.Enrollment(c, user, slug("c"))
	mustNotFound(t, err)
	done := ms(time.Now())
	check(t, s.SetCourseCompleted(c, user, c1, done))
	e, err = s.Enrollment(c, user, c1)
	check(t, err)
	if e.CompletedAt == nil || !e.CompletedAt.Equal(done) {
		t.Fatalf("CompletedAt = %v, want %v", e.CompletedAt, done)
	}
	list, err := s.EnrollmentsByUser(c, user)
	check(t, err)
	if len(list) != 2 {
		t.Fatalf("EnrollmentsByUser = %+v", list)
	}
	list, err = s.EnrollmentsByUser(c, id())
	check(t, err)
	if len(list) != 0 {
		t.Fatalf("EnrollmentsByUser(new user) = %+v", list)
	}
}

func testItemProgress(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	k := lyceum.ItemKey{UserID: id(), CourseID: slug("c"), ItemID: "v1"}
	_, err := s.ItemProgress(c, k)
	mustNotFound(t, err)

	t0 := ms(time.Now())
	pos := 12.5
	watched := func(at time.Time, segs ...int) map[int]time.Time {
		m := map[int]time.Time{}
		for _, seg := range segs {
			m[seg] = at
		}
		return m
	}
	check(t, s.UpdateItemProgress(c, k, lyceum.ProgressUpdate{Opened: &t0, Position: &pos, WatchStarted: &t0, WatchedAt: watched(t0, 3, 1, 2), At: t0}))
	// Applying the same update twice changes nothing.
	check(t, s.UpdateItemProgress(c, k, lyceum.ProgressUpdate{Opened: &t0, Position: &pos, WatchStarted: &t0, WatchedAt: watched(t0, 3, 1, 2), At: t0}))
	// Later updates merge watched segments (one reported again takes the
	// new time), keep the first start, and leave unset columns alone.
	t1 := t0.Add(time.Second)
	check(t, s.UpdateItemProgress(c, k, lyceum.ProgressUpdate{WatchStarted: &t1, WatchedAt: watched(t1, 2, 5), At: t1}))
	p, err := s.ItemProgress(c, k)
	check(t, err)
	if p.ItemID != "v1" || p.Position != 12.5 || p.WatchStartedAt == nil || !p.WatchStartedAt.Equal(t0) || len(p.LegacyWatched) != 0 ||
		p.OpenedAt == nil || !p.OpenedAt.Equal(t0) || p.CompletedAt != nil || p.Score != nil || !p.UpdatedAt.Equal(t1) {
		t.Fatalf("progress = %+v", p)
	}
	wantAt := map[int]time.Time{1: t0, 2: t1, 3: t0, 5: t1}
	if len(p.WatchedAt) != len(wantAt) {
		t.Fatalf("WatchedAt = %v, want %v", p.WatchedAt, wantAt)
	}
	for seg, at := range wantAt {
		if !p.WatchedAt[seg].Equal(at) {
			t.Fatalf("WatchedAt = %v, want %v", p.WatchedAt, wantAt)
		}
	}
	if got := p.WatchedSegments(); !slices.Equal(got, []int{1, 2, 3, 5}) {
		t.Fatalf("WatchedSegments = %v", got)
	}
	// Many segments at many times, as an hour of video reported every
	// 10 seconds, with a gap, read back exactly.
	kLong := lyceum.ItemKey{UserID: k.UserID, CourseID: slug("c"), ItemID: "v-long"}
	long := map[int]time.Time{}
	for i := range 360 {
		if i == 100 {
			continue
		}
		at := t0.Add(time.Duration(i*10+10) * time.Second)
		for seg := i * 10; seg < i*10+10; seg++ {
			long[seg] = at
		}
	}
	check(t, s.UpdateItemProgress(c, kLong, lyceum.ProgressUpdate{WatchStarted: &t0, WatchedAt: long, At: t1}))
	pl, err := s.ItemProgress(c, kLong)
	check(t, err)
	if len(pl.WatchedAt) != len(long) {
		t.Fatalf("%d segments read back, want %d", len(pl.WatchedAt), len(long))
	}
	for seg, at := range long {
		if !pl.WatchedAt[seg].Equal(at) {
			t.Fatalf("segment %d at %v, want %v", seg, pl.WatchedAt[seg], at)
		}
	}
	score := 3.0
	check(t, s.UpdateItemProgress(c, k, lyceum.ProgressUpdate{Completed: &t1, Score: &score, MaxScore: 4, At: t1}))
	p, err = s.ItemProgress(c, k)
	check(t, err)
	if p.CompletedAt == nil || !p.CompletedAt.Equal(t1) || p.Score == nil || *p.Score != 3 || p.MaxScore != 4 || p.Position != 12.5 {
		t.Fatalf("progress after completion = %+v", p)
	}

	k2 := k
	k2.ItemID = "r1"
	check(t, s.UpdateItemProgress(c, k2, lyceum.ProgressUpdate{Opened: &t1, Completed: &t1, At: t1}))
	all, err := s.CourseProgress(c, k.UserID, k.CourseID)
	check(t, err)
	if len(all) != 2 || all[0].ItemID != "r1" && all[1].ItemID != "r1" {
		t.Fatalf("CourseProgress = %+v", all)
	}
	none, err := s.CourseProgress(c, k.UserID, slug("c"))
	check(t, err)
	if len(none) != 0 {
		t.Fatalf("CourseProgress(other course) = %+v", none)
	}
}

func testAnswers(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user, course := id(), slug("c")
	n := 7.0
	a := &lyceum.Answer{UserID: user, CourseID: course, ItemID: "v1", QuestionID: "q1",
		Response: lyceum.Response{Number: &n}, Grade: lyceum.Grade{Correct: false, Max: 1, Feedback: []string{"Try 42"}},
		AnsweredAt: ms(time.Now())}
	check(t, s.PutAnswer(c, a))
	// A second answer to the same question replaces the first.
	a2 := *a
	n2 := 42.0
	a2.Response, a2.Grade, a2.AnsweredAt = lyceum.Response{Number: &n2}, lyceum.Grade{Correct: true, Score: 1, Max: 1}, a.AnsweredAt.Add(time.Second)
	check(t, s.PutAnswer(c, &a2))
	check(t, s.PutAnswer(c, &lyceum.Answer{UserID: user, CourseID: course, ItemID: "v2", QuestionID: "q1",
		Response: lyceum.Response{Choices: []string{"a", "b"}}, AnsweredAt: ms(time.Now())}))
	list, err := s.Answers(c, user, course)
	check(t, err)
	if len(list) != 2 {
		t.Fatalf("Answers = %+v", list)
	}
	got := list[slices.IndexFunc(list, func(a lyceum.Answer) bool { return a.ItemID == "v1" })]
	if !got.Grade.Correct || *got.Response.Number != 42 || !got.AnsweredAt.Equal(a2.AnsweredAt) || got.QuestionID != "q1" {
		t.Fatalf("answer = %+v", got)
	}
	other := list[slices.IndexFunc(list, func(a lyceum.Answer) bool { return a.ItemID == "v2" })]
	if !slices.Equal(other.Response.Choices, []string{"a", "b"}) {
		t.Fatalf("answer = %+v", other)
	}
}

func testQuizSubmissions(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	k := lyceum.ItemKey{UserID: id(), CourseID: slug("c"), ItemID: "quiz"}
	t0 := ms(time.Now())
	var ids []string
	for i := range 3 {
		sub := &lyceum.QuizSubmission{ID: id(), UserID: k.UserID, CourseID: k.CourseID, ItemID: k.ItemID,
			Responses: map[string]lyceum.Response{"q1": {Text: fmt.Sprint("answer ", i)}},
			Grades:    map[string]lyceum.Grade{"q1": {Correct: i == 2, Max: 1}},
			Score:     float64(i), MaxScore: 2, SubmittedAt: t0.Add(time.Duration(i) * time.Second)}
		check(t, s.AddQuizSubmission(c, sub))
		check(t, s.AddQuizSubmission(c, sub)) // idempotent
		ids = append(ids, sub.ID)
	}
	list, err := s.QuizSubmissions(c, k)
	check(t, err)
	if len(list) != 3 {
		t.Fatalf("%d submissions, want 3", len(list))
	}
	if list[0].ID != ids[2] || list[2].ID != ids[0] {
		t.Fatal("submissions are not newest first")
	}
	if list[0].Responses["q1"].Text != "answer 2" || !list[0].Grades["q1"].Correct || list[0].Score != 2 || list[0].ItemID != "quiz" {
		t.Fatalf("submission = %+v", list[0])
	}
	other := k
	other.ItemID = "quiz2"
	list, err = s.QuizSubmissions(c, other)
	check(t, err)
	if len(list) != 0 {
		t.Fatalf("other quiz has %d submissions", len(list))
	}
}

// logEnd reads the event log to its current end and returns that position.
func logEnd(t *testing.T, s lyceum.Store) lyceum.EventPosition {
	t.Helper()
	var pos lyceum.EventPosition
	for {
		evs, next, err := s.ReadEvents(ctx(t), pos, 1000)
		check(t, err)
		if len(evs) == 0 {
			return next
		}
		pos = next
	}
}

// readMine reads from pos until it has seen want events of user (engines
// may make an append visible to readers a little later: the Cassandra log
// stays a few seconds behind now) and returns them in log order.
func readMine(t *testing.T, s lyceum.Store, pos lyceum.EventPosition, user string, page, want int) []lyceum.Event {
	t.Helper()
	var out []lyceum.Event
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, next, err := s.ReadEvents(ctx(t), pos, page)
		check(t, err)
		if len(evs) > page {
			t.Fatalf("ReadEvents returned %d events, limit %d", len(evs), page)
		}
		if len(evs) == 0 {
			if next != pos {
				t.Fatalf("empty read moved position from %q to %q", pos, next)
			}
			if len(out) >= want || time.Now().After(deadline) {
				return out
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for _, e := range evs {
			if e.UserID == user {
				out = append(out, e)
			}
		}
		pos = next
	}
}

func testEventsAppendRead(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	start := logEnd(t, s)
	user := id()
	var want []lyceum.Event
	for i := range 25 {
		e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: ms(time.Now()), Type: lyceum.EventVideoPlayed,
			UserID: user, CourseID: "c1", ItemID: "v1", Payload: []byte(fmt.Sprintf(`{"position":%d}`, i))}
		want = append(want, e)
	}
	check(t, s.AppendEvents(c, want[:10]...))
	check(t, s.AppendEvents(c, want[10:]...))
	check(t, s.AppendEvents(c, want[3:7]...)) // duplicates are ignored
	check(t, s.AppendEvents(c))               // nothing to append

	got := readMine(t, s, start, user, 7, len(want))
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || !g.Time.Equal(w.Time) || g.Type != w.Type || g.CourseID != w.CourseID || g.ItemID != w.ItemID ||
			string(g.Payload) != string(w.Payload) {
			t.Fatalf("event %d = %+v, want %+v", i, g, w)
		}
	}
	// Reading from the end returns nothing and keeps the position.
	end := logEnd(t, s)
	evs, next, err := s.ReadEvents(c, end, 10)
	check(t, err)
	if next != end {
		t.Fatalf("position moved from %q to %q at the end", end, next)
	}
	for _, e := range evs {
		if e.UserID == user {
			t.Fatal("read own event again after the end")
		}
	}
	// An event without payload reads back as an empty object or nothing.
	e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: ms(time.Now()), Type: lyceum.EventEnrolled, UserID: user}
	check(t, s.AppendEvents(c, e))
	got = readMine(t, s, end, user, 100, 1)
	if len(got) != 1 || (len(got[0].Payload) != 0 && string(got[0].Payload) != "{}") {
		t.Fatalf("got %+v", got)
	}
}

func testEventsConcurrent(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	start := logEnd(t, s)
	user := id()
	var wg sync.WaitGroup
	const writers, each = 16, 20
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: ms(time.Now()), Type: lyceum.EventPageViewed,
					UserID: user, Payload: []byte(fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))}
				if err := s.AppendEvents(c, e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got := readMine(t, s, start, user, 50, writers*each)
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e.ID] {
			t.Fatalf("event %s read twice", e.ID)
		}
		seen[e.ID] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("read %d distinct events, want %d", len(seen), writers*each)
	}
}

func testLeases(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	name := "job-" + id()
	// Long enough not to expire between steps on a slow, loaded node.
	const long = 2 * time.Minute
	check(t, s.AcquireLease(c, name, "a", long))
	check(t, s.AcquireLease(c, name, "a", long)) // renew
	if err := s.AcquireLease(c, name, "b", long); !errors.Is(err, lyceum.ErrConflict) {
		t.Fatalf("second holder: err = %v, want ErrConflict", err)
	}
	check(t, s.ReleaseLease(c, name, "b")) // not b's: nothing happens
	if err := s.AcquireLease(c, name, "b", long); !errors.Is(err, lyceum.ErrConflict) {
		t.Fatalf("after a stranger's release: err = %v, want ErrConflict", err)
	}
	check(t, s.ReleaseLease(c, name, "a"))
	check(t, s.AcquireLease(c, name, "b", time.Second))
	// An expired lease goes to whoever asks.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.AcquireLease(c, name, "c", time.Second)
		if err == nil {
			break
		}
		if !errors.Is(err, lyceum.ErrConflict) || time.Now().After(deadline) {
			t.Fatalf("expired lease not taken over: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Exactly one of many racing instances gets a free lease.
	free := "job-" + id()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.AcquireLease(c, free, fmt.Sprint("holder-", i), long)
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, lyceum.ErrConflict) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d holders got one lease", won)
	}
}
