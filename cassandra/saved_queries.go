package cassandra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/querytext"
)

// Saved queries and their versions (lyceum.QueryStore). A saved query
// lives in several tables with the same columns, one per query (see
// migrations/0003_queries.cql); a write puts the whole row in each, in one
// logged batch (batch.go).

// sharedBucket is the shared-queries listing's one partition: it holds the
// organization-visible queries only, and SharedQueries returns all of them
// in one answer, so the partition is no larger than that answer.
const sharedBucket = 0

const savedQueryColumns = `id, owner_id, title, description, sql_text, chart, visibility, version,
	forked_from, latest_run_id, created_at, updated_at`

// PutSavedQuery writes the query, its owner's listing and the shared
// listing. The query's owner must not change. It reads the stored
// visibility first and removes the query from the shared listing only when
// it was there: deleting unconditionally would leave a tombstone in the
// shared partition on every save of a private query.
func (db *DB) PutSavedQuery(ctx context.Context, q *lyceum.SavedQuery) error {
	if q.ID == "" || q.OwnerID == "" {
		return lyceum.Invalid("id", "a saved query needs an id and an owner")
	}
	chart, err := querytext.EncodeChart(q.Chart)
	if err != nil {
		return fmt.Errorf("encode chart of query %s: %w", q.ID, err)
	}
	var prev string
	err = db.q(ctx, `SELECT visibility FROM saved_queries WHERE id = ?`, q.ID).Scan(&prev)
	if err != nil && !errors.Is(err, gocql.ErrNotFound) {
		return fmt.Errorf("put saved query %s: %w", q.ID, err)
	}
	args := []any{q.ID, q.OwnerID, q.Title, q.Description, q.SQL, chart, string(q.Visibility), q.Version,
		q.ForkedFrom, q.LatestRunID, q.CreatedAt, q.UpdatedAt}
	var w multiWrite
	w.add(`INSERT INTO saved_queries (`+savedQueryColumns+`) VALUES (`+placeholders(12)+`)`, args...)
	w.add(`INSERT INTO saved_queries_by_owner (`+savedQueryColumns+`) VALUES (`+placeholders(12)+`)`, args...)
	if q.Visibility == lyceum.Organization {
		w.add(`INSERT INTO shared_queries (bucket, `+savedQueryColumns+`) VALUES (`+placeholders(13)+`)`,
			append([]any{sharedBucket}, args...)...)
	} else if prev == string(lyceum.Organization) {
		w.add(`DELETE FROM shared_queries WHERE bucket = ? AND id = ?`, sharedBucket, q.ID)
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("put saved query %s: %w", q.ID, err)
	}
	return nil
}

func (db *DB) SavedQuery(ctx context.Context, id string) (*lyceum.SavedQuery, error) {
	if id == "" {
		return nil, fmt.Errorf("saved query: %w", lyceum.ErrNotFound)
	}
	var r savedQueryRow
	if err := db.q(ctx, `SELECT `+savedQueryColumns+` FROM saved_queries WHERE id = ?`, id).Scan(r.dest()...); err != nil {
		return nil, notFound(err, "saved query "+id)
	}
	q, err := r.savedQuery()
	if err != nil {
		return nil, err
	}
	return &q, nil
}

func (db *DB) SavedQueriesByOwner(ctx context.Context, ownerID string) ([]lyceum.SavedQuery, error) {
	if ownerID == "" {
		return []lyceum.SavedQuery{}, nil
	}
	return db.savedQueries(db.q(ctx, `SELECT `+savedQueryColumns+` FROM saved_queries_by_owner WHERE owner_id = ?`, ownerID))
}

func (db *DB) SharedQueries(ctx context.Context) ([]lyceum.SavedQuery, error) {
	return db.savedQueries(db.q(ctx, `SELECT `+savedQueryColumns+` FROM shared_queries WHERE bucket = ?`, sharedBucket))
}

// savedQueries reads a listing partition and orders it newest change first
// (the partitions are small; sorting here lets an edit overwrite its row in
// place instead of moving it).
func (db *DB) savedQueries(q stmt) ([]lyceum.SavedQuery, error) {
	iter := q.Iter()
	out := []lyceum.SavedQuery{}
	for {
		var r savedQueryRow
		if !iter.Scan(r.dest()...) {
			break
		}
		sq, err := r.savedQuery()
		if err != nil {
			iter.Close()
			return nil, err
		}
		out = append(out, sq)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list saved queries: %w", err)
	}
	slices.SortFunc(out, func(a, b lyceum.SavedQuery) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// DeleteSavedQuery removes the query, its listings and its versions in one
// logged batch; its runs stay. Deleting a query that is not there does
// nothing.
func (db *DB) DeleteSavedQuery(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	var owner, visibility string
	err := db.q(ctx, `SELECT owner_id, visibility FROM saved_queries WHERE id = ?`, id).Scan(&owner, &visibility)
	if errors.Is(err, gocql.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete saved query %s: %w", id, err)
	}
	var w multiWrite
	if visibility == string(lyceum.Organization) {
		w.add(`DELETE FROM shared_queries WHERE bucket = ? AND id = ?`, sharedBucket, id)
	}
	w.add(`DELETE FROM saved_queries_by_owner WHERE owner_id = ? AND id = ?`, owner, id)
	w.add(`DELETE FROM query_versions WHERE query_id = ?`, id)
	w.add(`DELETE FROM saved_queries WHERE id = ?`, id)
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("delete saved query %s: %w", id, err)
	}
	return nil
}

type savedQueryRow struct {
	id, owner, title, description, sql, chart, visibility, forkedFrom, latestRun string
	version                                                                      int
	created, updated                                                             time.Time
}

func (r *savedQueryRow) dest() []any {
	return []any{&r.id, &r.owner, &r.title, &r.description, &r.sql, &r.chart, &r.visibility, &r.version,
		&r.forkedFrom, &r.latestRun, &r.created, &r.updated}
}

func (r *savedQueryRow) savedQuery() (lyceum.SavedQuery, error) {
	chart, err := querytext.DecodeChart(r.chart)
	if err != nil {
		return lyceum.SavedQuery{}, fmt.Errorf("decode chart of query %s: %w", r.id, err)
	}
	return lyceum.SavedQuery{ID: r.id, OwnerID: r.owner, Title: r.title, Description: r.description, SQL: r.sql,
		Chart: chart, Visibility: lyceum.Visibility(r.visibility), Version: r.version, ForkedFrom: r.forkedFrom,
		LatestRunID: r.latestRun, CreatedAt: r.created.UTC(), UpdatedAt: r.updated.UTC()}, nil
}

// AddQueryVersion writes the version with INSERT ... IF NOT EXISTS: of two
// edits that both make version N+1, one is refused (ErrConflict). Writing
// the same version again (a retry) is a no-op.
func (db *DB) AddQueryVersion(ctx context.Context, v *lyceum.QueryVersion) error {
	if v.QueryID == "" || v.Version < 1 {
		return lyceum.Invalid("version", "a query version needs a query id and a version ≥ 1")
	}
	stored := map[string]any{}
	applied, err := db.q(ctx, `INSERT INTO query_versions (query_id, version, sql_text, title, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
		v.QueryID, v.Version, v.SQL, v.Title, v.AuthorID, v.CreatedAt).MapScanCAS(stored)
	if err != nil {
		return fmt.Errorf("add version %d of query %s: %w", v.Version, v.QueryID, err)
	}
	if applied {
		return nil
	}
	created, _ := stored["created_at"].(time.Time)
	if stored["sql_text"] == v.SQL && stored["title"] == v.Title && stored["author_id"] == v.AuthorID && created.Equal(v.CreatedAt) {
		return nil // a retry, or the driver's retry of a write that was applied
	}
	return fmt.Errorf("query %s already has a version %d: %w", v.QueryID, v.Version, lyceum.ErrConflict)
}

func (db *DB) QueryVersions(ctx context.Context, queryID string) ([]lyceum.QueryVersion, error) {
	out := []lyceum.QueryVersion{}
	if queryID == "" {
		return out, nil
	}
	iter := db.q(ctx, `SELECT version, sql_text, title, author_id, created_at FROM query_versions WHERE query_id = ?`, queryID).Iter()
	v := lyceum.QueryVersion{QueryID: queryID}
	for iter.Scan(&v.Version, &v.SQL, &v.Title, &v.AuthorID, &v.CreatedAt) {
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
		v = lyceum.QueryVersion{QueryID: queryID}
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("query versions: %w", err)
	}
	return out, nil
}
