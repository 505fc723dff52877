package querying

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
)

// QueryInput is what a user writes when saving a query.
type QueryInput struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	SQL         string            `json:"sql"`
	Visibility  lyceum.Visibility `json:"visibility"`
	Chart       *lyceum.Chart     `json:"chart"`
	// RunID, when saving a new query, names a finished run of the same SQL
	// by the same user: it becomes the query's first run and latest result.
	RunID string `json:"runId,omitempty"`
	// BaseVersion, when updating, is the version the edit started from:
	// if someone saved a newer one since, the update is refused instead of
	// silently replacing it. Zero skips the check.
	BaseVersion int `json:"baseVersion,omitempty"`
}

var chartTypes = map[string]bool{"line": true, "bar": true, "area": true, "scatter": true, "pie": true}

func (in *QueryInput) validate() error {
	in.Title, in.SQL = strings.TrimSpace(in.Title), strings.TrimSpace(in.SQL)
	switch {
	case in.Title == "":
		return lyceum.Invalid("title", "give the query a title")
	case utf8.RuneCountInString(in.Title) > 200:
		return lyceum.Invalid("title", "must be at most 200 characters")
	case utf8.RuneCountInString(in.Description) > 5000:
		return lyceum.Invalid("description", "must be at most 5000 characters")
	case in.SQL == "":
		return lyceum.Invalid("sql", "write the query first")
	case len(in.SQL) > MaxSQLBytes:
		return lyceum.Invalid("sql", "a query is at most %d KB", MaxSQLBytes>>10)
	}
	if in.Visibility == "" {
		in.Visibility = lyceum.Private
	}
	if in.Visibility != lyceum.Private && in.Visibility != lyceum.Organization {
		return lyceum.Invalid("visibility", "must be private or organization")
	}
	if c := in.Chart; c != nil {
		if !chartTypes[c.Type] {
			return lyceum.Invalid("chart.type", "must be line, bar, area, scatter or pie")
		}
		if c.X == "" || len(c.Y) == 0 {
			return lyceum.Invalid("chart", "choose the x column and at least one y column")
		}
	}
	return nil
}

// SaveNew saves a new query, version 1.
func (s *Service) SaveNew(ctx context.Context, u *lyceum.User, in QueryInput) (*lyceum.SavedQuery, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.BaseVersion != 0 {
		return nil, lyceum.Invalid("baseVersion", "only an update has a version to start from; leave it out for a new query")
	}
	now := lyceum.TimeNow()
	q := &lyceum.SavedQuery{ID: uuid.NewString(), OwnerID: u.ID, Title: in.Title, Description: in.Description, SQL: in.SQL,
		Chart: in.Chart, Visibility: in.Visibility, Version: 1, CreatedAt: now, UpdatedAt: now}
	var adopt *lyceum.QueryRun
	if in.RunID != "" {
		r, err := s.Store.QueryRun(ctx, in.RunID)
		if err != nil || r.UserID != u.ID || r.QueryID != "" {
			return nil, lyceum.Invalid("runId", "not a run of yours that can be saved with this query")
		}
		// A run that is not of this SQL, or did not succeed, is not the result
		// the query would show: keep the query without it.
		if r.Status == lyceum.RunSucceeded && strings.TrimSpace(r.SQL) == q.SQL {
			adopt = r
			q.LatestRunID = r.ID
		}
	}
	if err := s.saveVersion(ctx, u, q); err != nil {
		return nil, err
	}
	if adopt != nil {
		adopt.QueryID, adopt.Version = q.ID, q.Version
		if err := s.Store.PutQueryRun(ctx, adopt); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// saveVersion adds q's version, then the query: the version is taken
// first, so of two edits of the same version only one goes on.
func (s *Service) saveVersion(ctx context.Context, u *lyceum.User, q *lyceum.SavedQuery) error {
	v := &lyceum.QueryVersion{QueryID: q.ID, Version: q.Version, SQL: q.SQL, Title: q.Title, AuthorID: u.ID, CreatedAt: q.UpdatedAt}
	if err := s.Store.AddQueryVersion(ctx, v); err != nil {
		return err
	}
	return s.Store.PutSavedQuery(ctx, q)
}

// SavedQuery returns a query u may see (others' private queries are not
// found, so they do not leak).
func (s *Service) SavedQuery(ctx context.Context, u *lyceum.User, id string) (*lyceum.SavedQuery, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	q, err := s.Store.SavedQuery(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeQuery(u, q) {
		return nil, fmt.Errorf("query %s: %w", id, lyceum.ErrNotFound)
	}
	return q, nil
}

// Update changes a query u may edit; a changed SQL or title is a new version.
func (s *Service) Update(ctx context.Context, u *lyceum.User, id string, in QueryInput) (*lyceum.SavedQuery, error) {
	q, err := s.SavedQuery(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !canEditQuery(u, q) {
		return nil, fmt.Errorf("only the query's owner changes it; fork it to make your own: %w", lyceum.ErrForbidden)
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.BaseVersion < 0 || in.BaseVersion > q.Version {
		return nil, lyceum.Invalid("baseVersion", "this query has versions 1 to %d", q.Version)
	}
	if in.BaseVersion != 0 && in.BaseVersion != q.Version {
		return nil, fmt.Errorf("this query was saved as version %d after you opened version %d; "+
			"reload it, then apply your change again (copy your SQL first): %w", q.Version, in.BaseVersion, lyceum.ErrConflict)
	}
	newVersion := in.SQL != q.SQL || in.Title != q.Title
	q.Title, q.Description, q.SQL, q.Visibility, q.Chart, q.UpdatedAt = in.Title, in.Description, in.SQL, in.Visibility, in.Chart, lyceum.TimeNow()
	if newVersion {
		q.Version++
		if err := s.saveVersion(ctx, u, q); errors.Is(err, lyceum.ErrConflict) {
			return nil, fmt.Errorf("someone saved a newer version of this query (version %d) while you were editing; "+
				"reload it, then apply your change again (copy your SQL first): %w", q.Version, lyceum.ErrConflict)
		} else if err != nil {
			return nil, err
		}
		return q, nil
	}
	return q, s.Store.PutSavedQuery(ctx, q)
}

// Delete removes a query u may edit.
func (s *Service) Delete(ctx context.Context, u *lyceum.User, id string) error {
	q, err := s.SavedQuery(ctx, u, id)
	if err != nil {
		return err
	}
	if !canEditQuery(u, q) {
		return fmt.Errorf("only the query's owner deletes it: %w", lyceum.ErrForbidden)
	}
	return s.Store.DeleteSavedQuery(ctx, id)
}

// Fork copies a query u may see into a new private query of u's.
func (s *Service) Fork(ctx context.Context, u *lyceum.User, id string) (*lyceum.SavedQuery, error) {
	q, err := s.SavedQuery(ctx, u, id)
	if err != nil {
		return nil, err
	}
	f, err := s.SaveNew(ctx, u, QueryInput{Title: "Copy of " + q.Title, Description: q.Description, SQL: q.SQL,
		Visibility: lyceum.Private, Chart: q.Chart})
	if err != nil {
		return nil, err
	}
	f.ForkedFrom = q.ID
	return f, s.Store.PutSavedQuery(ctx, f)
}

// Queries lists u's queries and the organization's shared ones.
func (s *Service) Queries(ctx context.Context, u *lyceum.User) (mine, shared []lyceum.SavedQuery, err error) {
	if err := checkQuerier(u); err != nil {
		return nil, nil, err
	}
	if mine, err = s.Store.SavedQueriesByOwner(ctx, u.ID); err != nil {
		return nil, nil, err
	}
	all, err := s.Store.SharedQueries(ctx)
	if err != nil {
		return nil, nil, err
	}
	shared = []lyceum.SavedQuery{}
	for _, q := range all {
		if q.OwnerID != u.ID {
			shared = append(shared, q)
		}
	}
	return mine, shared, nil
}

// Versions lists a query's versions, newest first.
func (s *Service) Versions(ctx context.Context, u *lyceum.User, id string) ([]lyceum.QueryVersion, error) {
	if _, err := s.SavedQuery(ctx, u, id); err != nil {
		return nil, err
	}
	return s.Store.QueryVersions(ctx, id)
}

// QueryRuns lists a query's runs u may see, newest first.
func (s *Service) QueryRuns(ctx context.Context, u *lyceum.User, id string) ([]lyceum.QueryRun, error) {
	if _, err := s.SavedQuery(ctx, u, id); err != nil {
		return nil, err
	}
	runs, err := s.Store.RunsByQuery(ctx, id, 50)
	if err != nil || !scopedRole(u) {
		return runs, err
	}
	return slices.DeleteFunc(runs, func(r lyceum.QueryRun) bool { return r.UserID != u.ID }), nil
}

// MyRuns lists u's recent runs.
func (s *Service) MyRuns(ctx context.Context, u *lyceum.User) ([]lyceum.QueryRun, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	return s.Store.RunsByUser(ctx, u.ID, 50)
}

// RunSaved runs a saved query u may see with parameter values.
func (s *Service) RunSaved(ctx context.Context, u *lyceum.User, id string, params map[string]string, source string) (*RunView, error) {
	q, err := s.SavedQuery(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return s.Submit(ctx, u, RunRequest{SQL: q.SQL, Params: params, QueryID: q.ID, Version: q.Version, Source: source})
}

// LatestRun returns the latest successful run of a query u may see, or
// ErrNotFound when it never ran. For an instructor it is their own latest
// run: the result over their courses.
func (s *Service) LatestRun(ctx context.Context, u *lyceum.User, id string) (*lyceum.QueryRun, error) {
	q, err := s.SavedQuery(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if scopedRole(u) {
		runs, err := s.QueryRuns(ctx, u, id)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if r.Status == lyceum.RunSucceeded {
				return &r, nil
			}
		}
		return nil, fmt.Errorf("you have not run query %s yet: run it to see its result over your courses: %w", id, lyceum.ErrNotFound)
	}
	if q.LatestRunID == "" {
		return nil, fmt.Errorf("query %s has not run yet: %w", id, lyceum.ErrNotFound)
	}
	r, err := s.Store.QueryRun(ctx, q.LatestRunID)
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil, fmt.Errorf("query %s has no stored result: %w", id, lyceum.ErrNotFound)
	}
	return r, err
}
