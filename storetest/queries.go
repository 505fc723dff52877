package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
)

// Conformance tests for lyceum.QueryStore.

func sampleSavedQuery(owner string, updated time.Time) *lyceum.SavedQuery {
	return &lyceum.SavedQuery{
		ID: id(), OwnerID: owner, Title: "Completions by week " + id()[:6], Description: "Weekly <completions> & drop-outs",
		SQL:        "SELECT date_trunc('week', time) AS week, count(*) AS n\nFROM events WHERE type = 'course_completed'\nGROUP BY 1 ORDER BY 1",
		Chart:      &lyceum.Chart{Type: "line", X: "week", Y: []string{"n", "m"}, Series: "course_id"},
		Visibility: lyceum.Private, Version: 3, ForkedFrom: id(), LatestRunID: id(),
		CreatedAt: ms(updated.Add(-time.Hour)), UpdatedAt: ms(updated),
	}
}

func sampleRun(user, query string, created time.Time) *lyceum.QueryRun {
	return &lyceum.QueryRun{
		ID: id(), UserID: user, QueryID: query, Version: 2, SQL: "SELECT * FROM events WHERE course_id = 'stats-101' LIMIT 10",
		Params: map[string]string{"course": "stats-101", "quote": `it's "x"`}, Status: lyceum.RunQueued,
		Source: "page", Instance: "instance-" + id()[:8], CreatedAt: ms(created),
	}
}

func ids[T any](list []T, idOf func(T) string) []string {
	out := []string{}
	for _, x := range list {
		out = append(out, idOf(x))
	}
	return out
}

func savedID(q lyceum.SavedQuery) string { return q.ID }
func runID(r lyceum.QueryRun) string     { return r.ID }

// only keeps the ids that are in want, in their order in got: shared
// listings hold other tests' queries too.
func only(got, want []string) []string {
	out := []string{}
	for _, g := range got {
		if slices.Contains(want, g) {
			out = append(out, g)
		}
	}
	return out
}

func testSavedQueries(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	owner := id()
	now := time.Now()
	q := sampleSavedQuery(owner, now)
	check(t, s.PutSavedQuery(c, q))
	check(t, s.PutSavedQuery(c, q)) // idempotent
	got, err := s.SavedQuery(c, q.ID)
	check(t, err)
	if !reflect.DeepEqual(got, q) {
		t.Fatalf("SavedQuery = %+v, want %+v", got, q)
	}

	// A query without chart or fork reads back without them.
	plain := sampleSavedQuery(owner, now.Add(-time.Minute))
	plain.Chart, plain.ForkedFrom, plain.LatestRunID, plain.Description = nil, "", "", ""
	check(t, s.PutSavedQuery(c, plain))
	got, err = s.SavedQuery(c, plain.ID)
	check(t, err)
	if !reflect.DeepEqual(got, plain) {
		t.Fatalf("SavedQuery = %+v, want %+v", got, plain)
	}

	list, err := s.SavedQueriesByOwner(c, owner)
	check(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], *q) || !reflect.DeepEqual(list[1], *plain) {
		t.Fatalf("SavedQueriesByOwner = %+v", list)
	}

	// An edit replaces the query everywhere; removing the chart removes it.
	q.Title, q.SQL, q.Version, q.Chart = "Renamed", "SELECT 1", 4, nil
	check(t, s.PutSavedQuery(c, q))
	got, err = s.SavedQuery(c, q.ID)
	check(t, err)
	if !reflect.DeepEqual(got, q) {
		t.Fatalf("SavedQuery after edit = %+v, want %+v", got, q)
	}
	list, err = s.SavedQueriesByOwner(c, owner)
	check(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], *q) {
		t.Fatalf("SavedQueriesByOwner after edit = %+v", list)
	}

	_, err = s.SavedQuery(c, id())
	mustNotFound(t, err)
	none, err := s.SavedQueriesByOwner(c, id())
	check(t, err)
	if none == nil || len(none) != 0 {
		t.Fatalf("SavedQueriesByOwner(new user) = %#v, want an empty slice", none)
	}
	if err := s.PutSavedQuery(c, &lyceum.SavedQuery{OwnerID: owner}); !lyceum.IsValidation(err) {
		t.Fatalf("PutSavedQuery without id: err = %v, want a validation error", err)
	}
}

func testSavedQueriesByOwnerOrder(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	owner := id()
	now := time.Now()
	var qs []*lyceum.SavedQuery
	for i := range 4 { // oldest change first
		q := sampleSavedQuery(owner, now.Add(time.Duration(i-10)*time.Minute))
		check(t, s.PutSavedQuery(c, q))
		qs = append(qs, q)
	}
	check(t, s.PutSavedQuery(c, sampleSavedQuery(id(), now))) // someone else's
	list, err := s.SavedQueriesByOwner(c, owner)
	check(t, err)
	if got, want := ids(list, savedID), []string{qs[3].ID, qs[2].ID, qs[1].ID, qs[0].ID}; !slices.Equal(got, want) {
		t.Fatalf("SavedQueriesByOwner = %v, want newest change first %v", got, want)
	}
	// Editing the oldest moves it to the front, once.
	qs[0].UpdatedAt = ms(now)
	check(t, s.PutSavedQuery(c, qs[0]))
	list, err = s.SavedQueriesByOwner(c, owner)
	check(t, err)
	if got, want := ids(list, savedID), []string{qs[0].ID, qs[3].ID, qs[2].ID, qs[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("SavedQueriesByOwner after edit = %v, want %v", got, want)
	}
}

func testSharedQueries(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	now := time.Now()
	shared := func() []string {
		t.Helper()
		list, err := s.SharedQueries(c)
		check(t, err)
		if list == nil {
			t.Fatal("SharedQueries returned nil, want a slice")
		}
		return ids(list, savedID)
	}
	older := sampleSavedQuery(id(), now.Add(-time.Hour))
	older.Visibility = lyceum.Organization
	newer := sampleSavedQuery(id(), now)
	newer.Visibility = lyceum.Organization
	private := sampleSavedQuery(newer.OwnerID, now.Add(time.Minute))
	for _, q := range []*lyceum.SavedQuery{older, newer, private} {
		check(t, s.PutSavedQuery(c, q))
	}
	mine := []string{older.ID, newer.ID, private.ID}
	if got, want := only(shared(), mine), []string{newer.ID, older.ID}; !slices.Equal(got, want) {
		t.Fatalf("SharedQueries = %v, want %v (newest first, no private query)", got, want)
	}
	list, err := s.SharedQueries(c)
	check(t, err)
	if i := slices.IndexFunc(list, func(q lyceum.SavedQuery) bool { return q.ID == newer.ID }); !reflect.DeepEqual(list[i], *newer) {
		t.Fatalf("shared query = %+v, want %+v", list[i], *newer)
	}

	// Visibility changes move queries in and out of the shared list.
	newer.Visibility = lyceum.Private
	check(t, s.PutSavedQuery(c, newer))
	private.Visibility = lyceum.Organization
	check(t, s.PutSavedQuery(c, private))
	if got, want := only(shared(), mine), []string{private.ID, older.ID}; !slices.Equal(got, want) {
		t.Fatalf("SharedQueries after visibility changes = %v, want %v", got, want)
	}
	newer.Visibility = lyceum.Organization
	check(t, s.PutSavedQuery(c, newer))
	if got, want := only(shared(), mine), []string{private.ID, newer.ID, older.ID}; !slices.Equal(got, want) {
		t.Fatalf("SharedQueries after sharing again = %v, want %v", got, want)
	}
}

func testDeleteSavedQuery(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	owner := id()
	q := sampleSavedQuery(owner, time.Now())
	q.Visibility = lyceum.Organization
	keep := sampleSavedQuery(owner, time.Now().Add(-time.Minute))
	check(t, s.PutSavedQuery(c, q))
	check(t, s.PutSavedQuery(c, keep))
	check(t, s.AddQueryVersion(c, &lyceum.QueryVersion{QueryID: q.ID, Version: 1, SQL: "SELECT 1", Title: "t", AuthorID: owner, CreatedAt: ms(time.Now())}))
	run := sampleRun(owner, q.ID, time.Now())
	check(t, s.PutQueryRun(c, run))

	check(t, s.DeleteSavedQuery(c, q.ID))
	_, err := s.SavedQuery(c, q.ID)
	mustNotFound(t, err)
	list, err := s.SavedQueriesByOwner(c, owner)
	check(t, err)
	if got := ids(list, savedID); !slices.Equal(got, []string{keep.ID}) {
		t.Fatalf("SavedQueriesByOwner after delete = %v, want only %s", got, keep.ID)
	}
	shared, err := s.SharedQueries(c)
	check(t, err)
	if slices.Contains(ids(shared, savedID), q.ID) {
		t.Fatal("deleted query is still shared")
	}
	versions, err := s.QueryVersions(c, q.ID)
	check(t, err)
	if len(versions) != 0 {
		t.Fatalf("deleted query has versions %+v", versions)
	}
	// Its runs stay: they are the record of what ran.
	if _, err := s.QueryRun(c, run.ID); err != nil {
		t.Fatalf("run of a deleted query: %v", err)
	}
	check(t, s.DeleteSavedQuery(c, q.ID)) // idempotent
	check(t, s.DeleteSavedQuery(c, id())) // unknown: nothing to do
}

func testQueryVersions(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	queryID, author := id(), id()
	t0 := ms(time.Now())
	var want []lyceum.QueryVersion
	for _, n := range []int{2, 1, 3} { // in any order
		v := lyceum.QueryVersion{QueryID: queryID, Version: n, SQL: fmt.Sprintf("SELECT %d -- 'v'", n), Title: fmt.Sprint("title ", n),
			AuthorID: author, CreatedAt: t0.Add(time.Duration(n) * time.Second)}
		check(t, s.AddQueryVersion(c, &v))
		check(t, s.AddQueryVersion(c, &v)) // idempotent
		want = append(want, v)
	}
	got, err := s.QueryVersions(c, queryID)
	check(t, err)
	if len(got) != 3 || !reflect.DeepEqual(got[0], want[2]) || !reflect.DeepEqual(got[1], want[0]) || !reflect.DeepEqual(got[2], want[1]) {
		t.Fatalf("QueryVersions = %+v, want versions 3, 2, 1: %+v", got, want)
	}
	none, err := s.QueryVersions(c, id())
	check(t, err)
	if none == nil || len(none) != 0 {
		t.Fatalf("QueryVersions(unknown) = %#v, want an empty slice", none)
	}
	if err := s.AddQueryVersion(c, &lyceum.QueryVersion{QueryID: queryID, Version: 0}); !lyceum.IsValidation(err) {
		t.Fatalf("AddQueryVersion(version 0): err = %v, want a validation error", err)
	}
}

func testQueryRunStatus(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user, queryID := id(), id()
	r := sampleRun(user, queryID, time.Now())
	check(t, s.PutQueryRun(c, r))

	// reads checks that the run reads back as r through all three reads.
	reads := func(stage string) {
		t.Helper()
		got, err := s.QueryRun(c, r.ID)
		check(t, err)
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("%s: QueryRun = %+v, want %+v", stage, got, r)
		}
		byQuery, err := s.RunsByQuery(c, queryID, 10)
		check(t, err)
		if len(byQuery) != 1 || !reflect.DeepEqual(byQuery[0], *r) {
			t.Fatalf("%s: RunsByQuery = %+v, want [%+v]", stage, byQuery, *r)
		}
		byUser, err := s.RunsByUser(c, user, 10)
		check(t, err)
		if len(byUser) != 1 || !reflect.DeepEqual(byUser[0], *r) {
			t.Fatalf("%s: RunsByUser = %+v, want [%+v]", stage, byUser, *r)
		}
	}
	reads("queued")

	started := ms(time.Now().Add(time.Second))
	r.Status, r.StartedAt = lyceum.RunRunning, &started
	check(t, s.PutQueryRun(c, r))
	check(t, s.PutQueryRun(c, r)) // idempotent
	reads("running")

	finished := started.Add(1500 * time.Millisecond)
	r.Status, r.FinishedAt = lyceum.RunSucceeded, &finished
	r.Rows, r.Bytes, r.Truncated, r.ResultKey = 1_000_000, 5_000_000_000, true, "results/"+r.ID+".arrow"
	check(t, s.PutQueryRun(c, r))
	reads("succeeded")

	// A failed ad hoc run (no saved query, no parameters) from the API.
	adhoc := sampleRun(id(), "", time.Now())
	adhoc.Params, adhoc.Source, adhoc.Status = nil, "api", lyceum.RunFailed
	adhoc.Error, adhoc.ErrorCode, adhoc.StartedAt, adhoc.FinishedAt = `Parser Error: syntax error at or near "SELEC"`, "syntax", &started, &finished
	check(t, s.PutQueryRun(c, adhoc))
	got, err := s.QueryRun(c, adhoc.ID)
	check(t, err)
	if !reflect.DeepEqual(got, adhoc) {
		t.Fatalf("QueryRun(ad hoc) = %+v, want %+v", got, adhoc)
	}
	byUser, err := s.RunsByUser(c, adhoc.UserID, 10)
	check(t, err)
	if len(byUser) != 1 || !reflect.DeepEqual(byUser[0], *adhoc) {
		t.Fatalf("RunsByUser(ad hoc) = %+v", byUser)
	}

	_, err = s.QueryRun(c, id())
	mustNotFound(t, err)
	if err := s.PutQueryRun(c, &lyceum.QueryRun{UserID: user}); !lyceum.IsValidation(err) {
		t.Fatalf("PutQueryRun without id: err = %v, want a validation error", err)
	}
}

func testQueryRunLists(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user, queryID := id(), id()
	now := time.Now()
	// Runs spread over months and years (engines may bucket listings by
	// time), put in no particular order; one at the same millisecond as
	// another.
	ages := []time.Duration{40 * 24 * time.Hour, 0, 400 * 24 * time.Hour, time.Hour, 70 * 24 * time.Hour, 0}
	var runs []*lyceum.QueryRun
	for i, age := range ages {
		q := queryID
		if i == 3 {
			q = "" // ad hoc: the user's, not the query's
		}
		r := sampleRun(user, q, now.Add(-age))
		check(t, s.PutQueryRun(c, r))
		runs = append(runs, r)
	}
	check(t, s.PutQueryRun(c, sampleRun(id(), queryID, now.Add(time.Minute)))) // someone else's run of the query

	newestFirst := func(rs []*lyceum.QueryRun) []string {
		rs = slices.Clone(rs)
		slices.SortFunc(rs, func(a, b *lyceum.QueryRun) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID) // same millisecond: either order is fine, but always the same
		})
		return ids(rs, func(r *lyceum.QueryRun) string { return r.ID })
	}
	userWant := newestFirst(runs)
	for _, limit := range []int{1, 2, 3, 4, 5, 6, 100} {
		got, err := s.RunsByUser(c, user, limit)
		check(t, err)
		want := userWant[:min(limit, len(userWant))]
		if g := ids(got, runID); !sameRuns(g, want, runs) {
			t.Fatalf("RunsByUser(limit %d) = %v, want %v", limit, g, want)
		}
	}

	byQuery, err := s.RunsByQuery(c, queryID, 100)
	check(t, err)
	if len(byQuery) != 6 || byQuery[0].UserID == user {
		t.Fatalf("RunsByQuery = %d runs (first by %s), want 6, the other user's first", len(byQuery), byQuery[0].UserID)
	}
	queryWant := newestFirst(slices.DeleteFunc(slices.Clone(runs), func(r *lyceum.QueryRun) bool { return r.QueryID == "" }))
	if g := ids(byQuery[1:], runID); !sameRuns(g, queryWant, runs) {
		t.Fatalf("RunsByQuery = %v, want %v after the other user's", g, queryWant)
	}
	byQuery, err = s.RunsByQuery(c, queryID, 3)
	check(t, err)
	if g := ids(byQuery[1:], runID); len(byQuery) != 3 || !sameRuns(g, queryWant[:2], runs) {
		t.Fatalf("RunsByQuery(limit 3) = %v", ids(byQuery, runID))
	}

	for _, limit := range []int{0, -1} {
		if _, err := s.RunsByUser(c, user, limit); !lyceum.IsValidation(err) {
			t.Fatalf("RunsByUser(limit %d): err = %v, want a validation error", limit, err)
		}
		if _, err := s.RunsByQuery(c, queryID, limit); !lyceum.IsValidation(err) {
			t.Fatalf("RunsByQuery(limit %d): err = %v, want a validation error", limit, err)
		}
	}
	for name, read := range map[string]func() ([]lyceum.QueryRun, error){
		"RunsByUser":  func() ([]lyceum.QueryRun, error) { return s.RunsByUser(c, id(), 10) },
		"RunsByQuery": func() ([]lyceum.QueryRun, error) { return s.RunsByQuery(c, id(), 10) },
	} {
		none, err := read()
		check(t, err)
		if none == nil || len(none) != 0 {
			t.Fatalf("%s(unknown) = %#v, want an empty slice", name, none)
		}
	}
}

// sameRuns reports whether got lists the runs of want in want's order,
// except that runs created in the same millisecond may come in either order.
func sameRuns(got, want []string, runs []*lyceum.QueryRun) bool {
	if len(got) != len(want) {
		return false
	}
	created := map[string]time.Time{}
	for _, r := range runs {
		created[r.ID] = r.CreatedAt
	}
	for i := range got {
		if got[i] != want[i] && !created[got[i]].Equal(created[want[i]]) {
			return false
		}
	}
	return true
}

// testLongSQL stores queries and runs whose SQL is far longer than a
// typical one (generated SQL, pasted scripts): engines copy it into several
// tables and must not refuse the write for its size.
func testLongSQL(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	long := "SELECT 1\n" + strings.Repeat("-- a long comment line, as pasted from somewhere else\n", 2000) // ~110 KB
	q := sampleSavedQuery(id(), time.Now())
	q.SQL, q.Visibility = long, lyceum.Organization
	check(t, s.PutSavedQuery(c, q))
	got, err := s.SavedQuery(c, q.ID)
	check(t, err)
	if got.SQL != long {
		t.Fatalf("long SQL read back as %d bytes, want %d", len(got.SQL), len(long))
	}
	check(t, s.AddQueryVersion(c, &lyceum.QueryVersion{QueryID: q.ID, Version: 1, SQL: long, AuthorID: q.OwnerID, CreatedAt: ms(time.Now())}))
	r := sampleRun(q.OwnerID, q.ID, time.Now())
	r.SQL = long
	check(t, s.PutQueryRun(c, r))
	runs, err := s.RunsByQuery(c, q.ID, 1)
	check(t, err)
	if len(runs) != 1 || runs[0].SQL != long {
		t.Fatalf("RunsByQuery with long SQL = %d runs", len(runs))
	}
	q.Visibility = lyceum.Private
	check(t, s.PutSavedQuery(c, q))
	shared, err := s.SharedQueries(c)
	check(t, err)
	if slices.Contains(ids(shared, savedID), q.ID) {
		t.Fatal("long query still shared after it was made private")
	}
}

func testAPITokens(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	user := id()
	now := ms(time.Now())
	older := &lyceum.APIToken{ID: id(), UserID: user, Name: "nightly export", TokenHash: id(), Prefix: "lyc_ab12", CreatedAt: now.Add(-time.Hour)}
	newer := &lyceum.APIToken{ID: id(), UserID: user, Name: "dashboard", TokenHash: id(), Prefix: "lyc_cd34", CreatedAt: now}
	check(t, s.PutAPIToken(c, older))
	check(t, s.PutAPIToken(c, newer))
	check(t, s.PutAPIToken(c, newer))                                                                     // idempotent
	check(t, s.PutAPIToken(c, &lyceum.APIToken{ID: id(), UserID: id(), TokenHash: id(), CreatedAt: now})) // someone else's

	got, err := s.APITokenByHash(c, older.TokenHash)
	check(t, err)
	if !reflect.DeepEqual(got, older) {
		t.Fatalf("APITokenByHash = %+v, want %+v", got, older)
	}
	list, err := s.APITokensByUser(c, user)
	check(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], *newer) || !reflect.DeepEqual(list[1], *older) {
		t.Fatalf("APITokensByUser = %+v, want newest first", list)
	}

	// A use, then a revocation: both visible by hash and in the list.
	used := now.Add(time.Minute)
	older.LastUsedAt = &used
	check(t, s.PutAPIToken(c, older))
	revoked := now.Add(2 * time.Minute)
	stale := *older // read before the revocation
	older.RevokedAt = &revoked
	check(t, s.PutAPIToken(c, older))
	got, err = s.APITokenByHash(c, older.TokenHash)
	check(t, err)
	if !reflect.DeepEqual(got, older) {
		t.Fatalf("APITokenByHash after revocation = %+v, want %+v", got, older)
	}
	list, err = s.APITokensByUser(c, user)
	check(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[1], *older) || list[0].RevokedAt != nil {
		t.Fatalf("APITokensByUser after revocation = %+v", list)
	}

	// A write from a read made before the revocation (recording a use)
	// updates the token but does not bring it back.
	used2 := now.Add(3 * time.Minute)
	stale.LastUsedAt = &used2
	check(t, s.PutAPIToken(c, &stale))
	got, err = s.APITokenByHash(c, older.TokenHash)
	check(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(revoked) || got.LastUsedAt == nil || !got.LastUsedAt.Equal(used2) {
		t.Fatalf("token after a stale write = %+v, want revoked at %v, last used at %v", got, revoked, used2)
	}
	list, err = s.APITokensByUser(c, user)
	check(t, err)
	if list[1].RevokedAt == nil {
		t.Fatal("a stale write brought a revoked token back in the list")
	}

	_, err = s.APITokenByHash(c, id())
	mustNotFound(t, err)
	none, err := s.APITokensByUser(c, id())
	check(t, err)
	if none == nil || len(none) != 0 {
		t.Fatalf("APITokensByUser(new user) = %#v, want an empty slice", none)
	}
	if err := s.PutAPIToken(c, &lyceum.APIToken{ID: id(), UserID: user}); !lyceum.IsValidation(err) {
		t.Fatalf("PutAPIToken without hash: err = %v, want a validation error", err)
	}
}

// testQueryStoreNotFound checks that lookups of unknown (or empty) keys
// return ErrNotFound, wrapped with what was not found.
func testQueryStoreNotFound(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	for _, key := range []string{id(), ""} {
		for name, read := range map[string]func() error{
			"SavedQuery":     func() error { _, err := s.SavedQuery(c, key); return err },
			"QueryRun":       func() error { _, err := s.QueryRun(c, key); return err },
			"APITokenByHash": func() error { _, err := s.APITokenByHash(c, key); return err },
		} {
			mustWrappedNotFound(t, fmt.Sprintf("%s(%q)", name, key), read())
		}
	}
}

func mustWrappedNotFound(t *testing.T, name string, err error) {
	t.Helper()
	if !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("%s: err = %v, want ErrNotFound", name, err)
	} else if err == lyceum.ErrNotFound {
		t.Errorf("%s: ErrNotFound is not wrapped with what was not found", name)
	}
}

// testActiveRuns: queued and running runs are listed, oldest first, until
// they finish. Other tests may have active runs in the same store, so only
// this test's runs are looked at.
func testActiveRuns(t *testing.T, s lyceum.Store) {
	c := ctx(t)
	base := time.Now().Add(-time.Minute)
	older, newer, done := sampleRun(id(), "", base), sampleRun(id(), id(), base.Add(time.Second)), sampleRun(id(), "", base)
	done.Status = lyceum.RunSucceeded
	for _, r := range []*lyceum.QueryRun{newer, older, done} {
		check(t, s.PutQueryRun(c, r))
	}
	mine := func() []string {
		t.Helper()
		all, err := s.ActiveRuns(c)
		check(t, err)
		var out []string
		for _, r := range all {
			if r.ID == older.ID || r.ID == newer.ID || r.ID == done.ID {
				if r.ID == older.ID && !reflect.DeepEqual(r, *older) {
					t.Fatalf("ActiveRuns has %+v, want %+v", r, *older)
				}
				out = append(out, r.ID)
			}
		}
		return out
	}
	if got := mine(); !slices.Equal(got, []string{older.ID, newer.ID}) {
		t.Fatalf("active runs = %v, want the queued two, oldest first %v", got, []string{older.ID, newer.ID})
	}
	started := ms(time.Now())
	older.Status, older.StartedAt = lyceum.RunRunning, &started
	check(t, s.PutQueryRun(c, older))
	newer.Status, newer.FinishedAt = lyceum.RunCanceled, &started
	check(t, s.PutQueryRun(c, newer))
	if got := mine(); !slices.Equal(got, []string{older.ID}) {
		t.Fatalf("after one started and one was canceled: active runs = %v, want [%s]", got, older.ID)
	}
	older.Status, older.FinishedAt = lyceum.RunFailed, &started
	check(t, s.PutQueryRun(c, older))
	if got := mine(); len(got) != 0 {
		t.Fatalf("after all finished: active runs = %v", got)
	}
}
