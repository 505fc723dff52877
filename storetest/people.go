package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
)

// Accounts, the admin's lists, sessions by user, leaving a course, each
// user's events and the audit log.

func testUpdateUser(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	u := newUser(lyceum.RoleLearner)
	u.Status, u.Language, u.TimeZone = "", "", "" // made without them: active, and the browser's
	check(t, s.CreateUser(c, u))
	got, err := s.UserByID(c, u.ID)
	check(t, err)
	if got.Status != lyceum.UserActive || got.Language != "" || got.TimeZone != "" {
		t.Fatalf("new user = %+v, want active without preferences", got)
	}
	changed := *got
	changed.Name, changed.Role, changed.Status = "Grace Hopper", lyceum.RoleAnalyst, lyceum.UserDeactivated
	changed.Language, changed.TimeZone, changed.PasswordHash = "de", "America/New_York", "$argon2id$other"
	changed.Email, changed.CreatedAt = "ignored-"+u.Email, u.CreatedAt.Add(time.Hour) // not changed by UpdateUser
	check(t, s.UpdateUser(c, &changed))
	got, err = s.UserByID(c, u.ID)
	check(t, err)
	want := changed
	want.Email, want.CreatedAt = u.Email, u.CreatedAt
	if *got != want {
		t.Fatalf("after UpdateUser = %+v, want %+v", got, want)
	}
	byEmail, err := s.UserByEmail(c, u.Email)
	check(t, err)
	if *byEmail != want {
		t.Fatalf("UserByEmail = %+v, want %+v", byEmail, want)
	}
	mustNotFound(t, s.UpdateUser(c, newUser(lyceum.RoleLearner)))
}

func testEraseUser(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	u := newUser(lyceum.RoleInstructor)
	check(t, s.CreateUser(c, u))
	check(t, s.EraseUser(c, u.ID))
	got, err := s.UserByID(c, u.ID)
	check(t, err)
	want := lyceum.User{ID: u.ID, Role: u.Role, Status: lyceum.UserDeleted, CreatedAt: u.CreatedAt}
	if *got != want {
		t.Fatalf("erased user = %+v, want %+v", got, want)
	}
	_, err = s.UserByEmail(c, u.Email)
	mustNotFound(t, err)
	// The address is free for a new account.
	again := newUser(lyceum.RoleLearner)
	again.Email = u.Email
	check(t, s.CreateUser(c, again))
	byEmail, err := s.UserByEmail(c, u.Email)
	check(t, err)
	if byEmail.ID != again.ID {
		t.Fatalf("the address belongs to %s, want the new account %s", byEmail.ID, again.ID)
	}
	// The erased account is listed without its name or email.
	page, err := s.ListUsers(c, lyceum.UserFilter{Status: lyceum.UserDeleted, SignedUpFrom: u.CreatedAt, SignedUpTo: u.CreatedAt.Add(time.Millisecond)}, "", 100)
	check(t, err)
	if !slices.ContainsFunc(page.Users, func(l lyceum.User) bool { return l.ID == u.ID && l.Email == "" && l.Name == "" }) {
		t.Fatalf("erased user not listed as deleted and blank: %+v", page.Users)
	}
	mustNotFound(t, s.EraseUser(c, id()))
}

// allUsers pages through ListUsers and returns the ids listed.
func allUsers(t *testing.T, s lyceum.Store, f lyceum.UserFilter, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for range 1000 {
		page, err := s.ListUsers(ctx(t), f, cursor, limit)
		check(t, err)
		if len(page.Users) > limit {
			t.Fatalf("page of %d users, limit %d", len(page.Users), limit)
		}
		for _, u := range page.Users {
			if !f.Matches(&u) {
				t.Fatalf("listed %+v, which the filter %+v does not select", u, f)
			}
			out = append(out, u.ID)
		}
		if page.Next == "" {
			return out
		}
		cursor = page.Next
	}
	t.Fatal("ListUsers did not end after 1000 pages")
	return nil
}

func testListUsers(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	tag := "zq" + uuid.NewString()[:8]
	// Seven users over five months of 2024, newest last; the names carry
	// the tag in varied case, one email carries it instead.
	base := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	roles := []lyceum.Role{lyceum.RoleLearner, lyceum.RoleLearner, lyceum.RoleAnalyst, lyceum.RoleLearner,
		lyceum.RoleInstructor, lyceum.RoleLearner, lyceum.RoleAdmin}
	var users []*lyceum.User
	for i, role := range roles {
		u := newUser(role)
		u.CreatedAt = base.Add(time.Duration(i) * 20 * 24 * time.Hour)
		u.Name = fmt.Sprintf("Learner %d %s", i, strings.ToUpper(tag))
		if i == 3 {
			u.Name, u.Email = "No Tag Here", tag+"-"+id()+"@example.org"
		}
		check(t, s.CreateUser(c, u))
		users = append(users, u)
	}
	other := newUser(lyceum.RoleLearner) // same months, no tag
	other.CreatedAt = base.Add(time.Hour)
	check(t, s.CreateUser(c, other))
	newest := func(pick func(i int, u *lyceum.User) bool) []string {
		var out []string
		for i := len(users) - 1; i >= 0; i-- {
			if pick(i, users[i]) {
				out = append(out, users[i].ID)
			}
		}
		return out
	}
	all := newest(func(int, *lyceum.User) bool { return true })
	for _, limit := range []int{1, 3, 100} {
		if got := allUsers(t, s, lyceum.UserFilter{Text: tag}, limit); !slices.Equal(got, all) {
			t.Fatalf("text %q, pages of %d: %v, want %v", tag, limit, got, all)
		}
	}
	if got := allUsers(t, s, lyceum.UserFilter{Text: tag, Role: lyceum.RoleLearner}, 2); !slices.Equal(got,
		newest(func(_ int, u *lyceum.User) bool { return u.Role == lyceum.RoleLearner })) {
		t.Fatalf("learners: %v", got)
	}
	from, to := base.Add(20*24*time.Hour), base.Add(80*24*time.Hour) // users 1, 2, 3
	if got := allUsers(t, s, lyceum.UserFilter{Text: tag, SignedUpFrom: from, SignedUpTo: to}, 2); !slices.Equal(got,
		newest(func(i int, _ *lyceum.User) bool { return i >= 1 && i <= 3 })) {
		t.Fatalf("signed up in [%s, %s): %v", from, to, got)
	}
	users[5].Status = lyceum.UserDeactivated
	check(t, s.UpdateUser(c, users[5]))
	if got := allUsers(t, s, lyceum.UserFilter{Text: tag, Status: lyceum.UserDeactivated}, 10); !slices.Equal(got, []string{users[5].ID}) {
		t.Fatalf("deactivated: %v", got)
	}
	// The list shows what an update changed.
	page, err := s.ListUsers(c, lyceum.UserFilter{Text: tag, Role: lyceum.RoleAdmin}, "", 10)
	check(t, err)
	if len(page.Users) != 1 || page.Users[0].ID != users[6].ID || page.Users[0].Email != users[6].Email ||
		page.Users[0].Name != users[6].Name || !page.Users[0].CreatedAt.Equal(users[6].CreatedAt) {
		t.Fatalf("admins: %+v", page.Users)
	}
	// A role change moves the user between the role lists.
	users[6].Role = lyceum.RoleLearner
	check(t, s.UpdateUser(c, users[6]))
	if got := allUsers(t, s, lyceum.UserFilter{Text: tag, Role: lyceum.RoleAdmin}, 10); len(got) != 0 {
		t.Fatalf("admins after the demotion: %v", got)
	}
	if got := allUsers(t, s, lyceum.UserFilter{Text: tag, Role: lyceum.RoleLearner}, 10); !slices.Contains(got, users[6].ID) {
		t.Fatalf("learners after the demotion: %v", got)
	}
	// Wildcards of SQL's LIKE and of regular expressions match themselves.
	odd := newUser(lyceum.RoleLearner)
	odd.Name = "100%_sure (" + tag + ".*"
	check(t, s.CreateUser(c, odd))
	for text, want := range map[string][]string{
		"%_sure (" + tag: {odd.ID}, tag + ".*": {odd.ID}, tag + "%": nil, "_" + tag: nil, tag + "_": nil,
	} {
		if got := allUsers(t, s, lyceum.UserFilter{Text: text}, 10); !slices.Equal(got, want) {
			t.Fatalf("text %q: %v, want %v", text, got, want)
		}
	}
}

func testListUsersCursor(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	for _, bad := range []string{"x", "12", ":abc", "abc:def"} {
		_, err := s.ListUsers(c, lyceum.UserFilter{}, bad, 10)
		if !lyceum.IsValidation(err) {
			t.Fatalf("cursor %q: err = %v, want ErrInvalid", bad, err)
		}
	}
	_, err := s.ListUsers(c, lyceum.UserFilter{}, "", 0)
	if !lyceum.IsValidation(err) {
		t.Fatalf("limit 0: err = %v, want ErrInvalid", err)
	}
	// A cursor past the end lists nothing.
	page, err := s.ListUsers(c, lyceum.UserFilter{}, lyceum.UserCursor(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), "a"), 10)
	check(t, err)
	if len(page.Users) != 0 || page.Next != "" {
		t.Fatalf("past the end: %+v", page)
	}
}

func testSessionsByUser(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user, now := id(), ms(time.Now())
	var made []*lyceum.Session
	for i := range 3 {
		sess := &lyceum.Session{ID: id(), TokenHash: id(), UserID: user, CSRFToken: id(), Device: fmt.Sprintf("Browser %d", i),
			Addr: "198.51.100.7", CreatedAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(time.Hour)}
		check(t, s.CreateSession(c, sess))
		made = append(made, sess)
	}
	expired := &lyceum.Session{ID: id(), TokenHash: id(), UserID: user, CSRFToken: id(), CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	check(t, s.CreateSession(c, expired))
	check(t, s.CreateSession(c, &lyceum.Session{ID: id(), TokenHash: id(), UserID: id(), CSRFToken: id(), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))

	got, err := s.SessionsByUser(c, user)
	check(t, err)
	if len(got) != 3 {
		t.Fatalf("%d sessions, want the 3 unexpired: %+v", len(got), got)
	}
	for i, g := range got {
		w := made[2-i] // newest first
		if g.ID != w.ID || g.TokenHash != w.TokenHash || g.Device != w.Device || g.Addr != w.Addr ||
			!g.CreatedAt.Equal(w.CreatedAt) || !g.ExpiresAt.Equal(w.ExpiresAt) || g.UserID != user {
			t.Fatalf("session %d = %+v, want %+v", i, g, w)
		}
	}
	check(t, s.DeleteSession(c, made[1].TokenHash))
	got, err = s.SessionsByUser(c, user)
	check(t, err)
	if len(got) != 2 || got[0].ID != made[2].ID || got[1].ID != made[0].ID {
		t.Fatalf("after deleting one: %+v", got)
	}
	got, err = s.SessionsByUser(c, id())
	check(t, err)
	if len(got) != 0 {
		t.Fatalf("a user without sessions has %d", len(got))
	}
}

func testLeaveCourse(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user, course := id(), slug("leave")
	enrolled := ms(time.Now().Add(-time.Hour))
	mustNotFound(t, s.LeaveCourse(c, user, course, ms(time.Now())))
	check(t, s.Enroll(c, &lyceum.Enrollment{UserID: user, CourseID: course, EnrolledAt: enrolled}))
	left := ms(time.Now())
	check(t, s.LeaveCourse(c, user, course, left))
	e, err := s.Enrollment(c, user, course)
	check(t, err)
	if e.LeftAt == nil || !e.LeftAt.Equal(left) || !e.EnrolledAt.Equal(enrolled) {
		t.Fatalf("after leaving: %+v", e)
	}
	list, err := s.EnrollmentsByUser(c, user)
	check(t, err)
	if len(list) != 1 || list[0].LeftAt == nil || !list[0].LeftAt.Equal(left) {
		t.Fatalf("listed after leaving: %+v", list)
	}
	// Enrolling again takes the course again, from the first enrollment.
	check(t, s.Enroll(c, &lyceum.Enrollment{UserID: user, CourseID: course, EnrolledAt: ms(time.Now())}))
	e, err = s.Enrollment(c, user, course)
	check(t, err)
	if e.LeftAt != nil || !e.EnrolledAt.Equal(enrolled) {
		t.Fatalf("after enrolling again: %+v", e)
	}
	list, err = s.EnrollmentsByUser(c, user)
	check(t, err)
	if len(list) != 1 || list[0].LeftAt != nil {
		t.Fatalf("listed after enrolling again: %+v", list)
	}
}

func testAllCourses(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	draft, published := sampleCourse(id()), sampleCourse(id())
	published.Published = true
	check(t, s.PutCourse(c, draft))
	check(t, s.PutCourse(c, published))
	moved := *draft
	moved.OwnerID = id()
	check(t, s.PutCourse(c, &moved))
	list, err := s.AllCourses(c)
	check(t, err)
	found := map[string]lyceum.CourseSummary{}
	for _, cs := range list {
		if _, dup := found[cs.ID]; dup {
			t.Fatalf("course %s listed twice", cs.ID)
		}
		found[cs.ID] = cs
	}
	if found[draft.ID].OwnerID != moved.OwnerID || found[draft.ID].Published {
		t.Fatalf("draft listed as %+v", found[draft.ID])
	}
	if !found[published.ID].Published {
		t.Fatalf("published course listed as %+v", found[published.ID])
	}
	byTitle := func(a, b lyceum.CourseSummary) int {
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	}
	if !slices.IsSortedFunc(list, byTitle) {
		t.Fatal("courses not ordered by title")
	}
}

func newEvent(typ lyceum.EventType, user string, at time.Time) lyceum.Event {
	return lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: ms(at), Type: typ, UserID: user,
		CourseID: "c1", Payload: []byte(`{"n":1}`)}
}

func eventIDs(evs []lyceum.Event) []string {
	return ids(evs, func(e lyceum.Event) string { return e.ID })
}

func testUserEvents(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	u := newUser(lyceum.RoleLearner)
	check(t, s.CreateUser(c, u))
	var want []lyceum.Event
	for range 5 {
		e := newEvent(lyceum.EventVideoPlayed, u.ID, time.Now())
		check(t, s.AppendEvents(c, e))
		want = append([]lyceum.Event{e}, want...) // newest first
		time.Sleep(2 * time.Millisecond)          // ids of distinct milliseconds
	}
	check(t, s.AppendEvents(c, newEvent(lyceum.EventVideoPlayed, id(), time.Now()), want[0])) // another's, and a repeat
	var got []lyceum.Event
	cursor := ""
	for range 10 {
		page, next, err := s.UserEvents(c, u.ID, cursor, 2)
		check(t, err)
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(eventIDs(got), eventIDs(want)) {
		t.Fatalf("user events %v, want %v", eventIDs(got), eventIDs(want))
	}
	if got[0].Type != want[0].Type || !got[0].Time.Equal(want[0].Time) || string(got[0].Payload) != `{"n":1}` || got[0].CourseID != "c1" {
		t.Fatalf("event = %+v, want %+v", got[0], want[0])
	}
	_, _, err := s.UserEvents(c, u.ID, "not a cursor", 2)
	if !lyceum.IsValidation(err) {
		t.Fatalf("bad cursor: err = %v, want ErrInvalid", err)
	}
}

func testAuditEvents(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	admin, analyst := newUser(lyceum.RoleAdmin), newUser(lyceum.RoleAnalyst)
	check(t, s.CreateUser(c, admin))
	check(t, s.CreateUser(c, analyst))
	start := time.Now()
	ran1 := newEvent(lyceum.EventQueryRan, analyst.ID, time.Now())
	check(t, s.AppendEvents(c, ran1, newEvent(lyceum.EventVideoPlayed, analyst.ID, time.Now()))) // not audited
	time.Sleep(2 * time.Millisecond)
	role := newEvent(lyceum.EventRoleChanged, admin.ID, time.Now())
	role.Payload = []byte(`{"targetUserId":"` + analyst.ID + `","from":"learner","to":"analyst"}`)
	check(t, s.AppendEvents(c, role))
	time.Sleep(2 * time.Millisecond)
	ran2 := newEvent(lyceum.EventQueryRan, analyst.ID, time.Now())
	check(t, s.AppendEvents(c, ran2, ran2)) // a repeat is one entry
	end := time.Now().Add(time.Millisecond)

	list := func(f lyceum.AuditFilter, limit int) []lyceum.Event {
		var out []lyceum.Event
		cursor := ""
		for range 1000 {
			page, err := s.AuditEvents(c, f, cursor, limit)
			check(t, err)
			out = append(out, page.Events...)
			if page.Next == "" {
				return out
			}
			cursor = page.Next
		}
		t.Fatal("AuditEvents did not end after 1000 pages")
		return nil
	}
	for _, tc := range []struct {
		f    lyceum.AuditFilter
		want []lyceum.Event
	}{
		{lyceum.AuditFilter{UserID: analyst.ID}, []lyceum.Event{ran2, ran1}},
		{lyceum.AuditFilter{UserID: analyst.ID, From: ran2.Time}, []lyceum.Event{ran2}},
		{lyceum.AuditFilter{UserID: analyst.ID, To: ran2.Time}, []lyceum.Event{ran1}},
		{lyceum.AuditFilter{UserID: admin.ID}, []lyceum.Event{role}},
		{lyceum.AuditFilter{UserID: admin.ID, Type: lyceum.EventQueryRan}, nil},
		{lyceum.AuditFilter{UserID: admin.ID, Type: lyceum.EventRoleChanged, From: start, To: end}, []lyceum.Event{role}},
	} {
		for _, limit := range []int{1, 50} {
			got := list(tc.f, limit)
			if !slices.Equal(eventIDs(got), eventIDs(tc.want)) {
				t.Fatalf("filter %+v, pages of %d: %v, want %v", tc.f, limit, eventIDs(got), eventIDs(tc.want))
			}
		}
	}
	got := list(lyceum.AuditFilter{UserID: admin.ID}, 10)
	if string(got[0].Payload) != string(role.Payload) || got[0].Type != lyceum.EventRoleChanged || got[0].CourseID != "c1" {
		t.Fatalf("audit event = %+v, want %+v", got[0], role)
	}
}

func testPasswordResets(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	now := ms(time.Now())
	r := &lyceum.PasswordReset{TokenHash: id(), UserID: id(), IssuedBy: id(), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	check(t, s.PutPasswordReset(c, r))
	got, err := s.TakePasswordReset(c, r.TokenHash)
	check(t, err)
	if *got != *r {
		t.Fatalf("took %+v, want %+v", got, r)
	}
	_, err = s.TakePasswordReset(c, r.TokenHash)
	mustNotFound(t, err) // once only
	_, err = s.TakePasswordReset(c, id())
	mustNotFound(t, err)
	expired := &lyceum.PasswordReset{TokenHash: id(), UserID: id(), IssuedBy: id(), CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Second)}
	check(t, s.PutPasswordReset(c, expired))
	_, err = s.TakePasswordReset(c, expired.TokenHash)
	mustNotFound(t, err)

	// Used twice at once, a link works once.
	raced := &lyceum.PasswordReset{TokenHash: id(), UserID: id(), IssuedBy: id(), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	check(t, s.PutPasswordReset(c, raced))
	var wg sync.WaitGroup
	var mu sync.Mutex
	took := 0
	for range 4 {
		wg.Go(func() {
			_, err := s.TakePasswordReset(c, raced.TokenHash)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				took++
			case !errors.Is(err, lyceum.ErrNotFound):
				t.Errorf("TakePasswordReset: %v", err)
			}
		})
	}
	wg.Wait()
	if took != 1 {
		t.Fatalf("%d callers took one link, want 1", took)
	}
}
