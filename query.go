package lyceum

import (
	"context"
	"time"
)

// The query page's records: saved queries with their version history, every
// run with where its result is stored, the audit log, and API tokens. They
// live in the learning store, beside the learning data.

type Visibility string

const (
	Private      Visibility = "private"      // only the owner (and admins)
	Organization Visibility = "organization" // everyone who may use the query page
)

// SavedQuery is a query someone saved. Its SQL is the latest version's.
type SavedQuery struct {
	ID          string     `json:"id"`
	OwnerID     string     `json:"ownerId"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	SQL         string     `json:"sql"`
	Chart       *Chart     `json:"chart,omitempty"`
	Visibility  Visibility `json:"visibility"`
	Version     int        `json:"version"`              // 1 for the first
	ForkedFrom  string     `json:"forkedFrom,omitempty"` // id of the query it was forked from
	LatestRunID string     `json:"latestRunId,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

// Chart is how a result is drawn.
type Chart struct {
	Type   string   `json:"type"` // line, bar, area, scatter, pie
	X      string   `json:"x"`
	Y      []string `json:"y"`
	Series string   `json:"series,omitempty"` // a column whose values split the data into series
}

// QueryVersion is one saved state of a query's text.
type QueryVersion struct {
	QueryID   string    `json:"queryId"`
	Version   int       `json:"version"`
	SQL       string    `json:"sql"`
	Title     string    `json:"title"`
	AuthorID  string    `json:"authorId"`
	CreatedAt time.Time `json:"createdAt"`
}

type RunStatus string

const (
	RunQueued    RunStatus = "queued"
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunFailed    RunStatus = "failed"
	RunCanceled  RunStatus = "canceled"
)

// QueryRun is one execution of SQL, saved or ad hoc. Its result is stored
// in the blob store (ResultKey) in a columnar format.
type QueryRun struct {
	ID        string            `json:"id"`
	UserID    string            `json:"userId"`
	QueryID   string            `json:"queryId,omitempty"` // empty for an ad hoc run
	Version   int               `json:"version,omitempty"`
	SQL       string            `json:"sql"` // as run, parameters substituted
	Params    map[string]string `json:"params,omitempty"`
	Status    RunStatus         `json:"status"`
	Error     string            `json:"error,omitempty"`
	ErrorCode string            `json:"errorCode,omitempty"`
	Rows      int64             `json:"rows"`
	Bytes     int64             `json:"bytes"`
	Truncated bool              `json:"truncated"` // stopped at the row or byte cap
	ResultKey string            `json:"-"`
	Source    string            `json:"source"` // "page" or "api"
	// Instance is the server instance that admitted the run and runs it:
	// when that instance stops beating (InstanceStore), its unfinished
	// runs are failed rather than left running.
	Instance   string     `json:"-"`
	CreatedAt  time.Time  `json:"createdAt"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// APIToken lets another system use the query API as its owner. Only the
// SHA-256 of the token is stored.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"userId"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it in a list
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

// QueryStore keeps the query page's records. Like the rest of the store,
// one table per query, no joins, idempotent writes.
type QueryStore interface {
	// PutSavedQuery creates or replaces a saved query (and its listings).
	PutSavedQuery(ctx context.Context, q *SavedQuery) error
	SavedQuery(ctx context.Context, id string) (*SavedQuery, error)
	// SavedQueriesByOwner lists a user's queries, newest change first.
	SavedQueriesByOwner(ctx context.Context, ownerID string) ([]SavedQuery, error)
	// SharedQueries lists queries visible to the organization, newest first.
	SharedQueries(ctx context.Context) ([]SavedQuery, error)
	DeleteSavedQuery(ctx context.Context, id string) error

	// AddQueryVersion adds a version if the query has no version of that
	// number: two edits of the same version cannot both become the next
	// one. ErrConflict when the version exists with other content; writing
	// the same version again (a retry) is a no-op.
	AddQueryVersion(ctx context.Context, v *QueryVersion) error
	// QueryVersions lists a query's versions, newest first.
	QueryVersions(ctx context.Context, queryID string) ([]QueryVersion, error)

	// PutQueryRun creates or replaces a run (runs change state as they go).
	// Status moves one way: a run that reached a final status (Final)
	// keeps it, and a write with another status is refused with
	// ErrConflict, leaving the stored run as it was, whatever the order in
	// which writes arrive. A final run may be rewritten with its own status
	// (adopted by a saved query, its result deleted).
	PutQueryRun(ctx context.Context, r *QueryRun) error
	QueryRun(ctx context.Context, id string) (*QueryRun, error)
	// RunsByQuery lists a saved query's runs, newest first, at most limit.
	RunsByQuery(ctx context.Context, queryID string, limit int) ([]QueryRun, error)
	// RunsByUser lists a user's runs, newest first, at most limit.
	RunsByUser(ctx context.Context, userID string, limit int) ([]QueryRun, error)
	// ActiveRuns lists the runs queued or running, whichever instance runs
	// them, oldest first.
	ActiveRuns(ctx context.Context) ([]QueryRun, error)
	// ResultDays lists the days (midnight UTC) on which runs that still
	// hold a result (ResultKey) finished, before the day of `before`
	// included, oldest first: where result retention looks.
	ResultDays(ctx context.Context, before time.Time) ([]time.Time, error)
	// RunsWithResultOn lists the runs that still hold a result and
	// finished on day (midnight UTC).
	RunsWithResultOn(ctx context.Context, day time.Time) ([]QueryRun, error)

	PutAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	APITokensByUser(ctx context.Context, userID string) ([]APIToken, error)
}

// Final reports whether a run with status s has finished: succeeded, failed
// or canceled. A final status never changes.
func (s RunStatus) Final() bool {
	return s == RunSucceeded || s == RunFailed || s == RunCanceled
}

// AuditEntry is the payload of a query_ran event: every query that reached
// the warehouse is in the event log, and so queryable in the warehouse.
type AuditEntry struct {
	RunID      string    `json:"runId"`
	SQL        string    `json:"sql"`
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMS int64     `json:"durationMs"`
	Rows       int64     `json:"rows"`
	Bytes      int64     `json:"bytes"`
	Status     RunStatus `json:"status"`
	Error      string    `json:"error,omitempty"`
}
