package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/querytext"
)

// Saved queries and their versions (lyceum.QueryStore). A saved query
// lives in several tables with the same columns, one per query (see
// migrations/0003_queries.sql); a write replaces the whole row in each, in
// one transaction.

const savedQueryColumns = `id, owner_id, title, description, sql_text, chart, visibility, version,
	forked_from, latest_run_id, created_at, updated_at`

func (db *DB) PutSavedQuery(ctx context.Context, q *lyceum.SavedQuery) error {
	if q.ID == "" || q.OwnerID == "" {
		return lyceum.Invalid("id", "a saved query needs an id and an owner")
	}
	chart, err := querytext.EncodeChart(q.Chart)
	if err != nil {
		return fmt.Errorf("encode chart of query %s: %w", q.ID, err)
	}
	args := []any{q.ID, q.OwnerID, q.Title, q.Description, q.SQL, chart, string(q.Visibility), q.Version,
		q.ForkedFrom, q.LatestRunID, millis(q.CreatedAt), millis(q.UpdatedAt)}
	return db.exec(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"saved_queries", "saved_queries_by_owner"} {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+table+` (`+savedQueryColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
				return fmt.Errorf("put saved query %s: %w", q.ID, err)
			}
		}
		if q.Visibility == lyceum.Organization {
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO shared_queries (`+savedQueryColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM shared_queries WHERE id = ?`, q.ID)
		}
		if err != nil {
			return fmt.Errorf("put saved query %s: %w", q.ID, err)
		}
		return nil
	})
}

func (db *DB) SavedQuery(ctx context.Context, id string) (*lyceum.SavedQuery, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+savedQueryColumns+` FROM saved_queries WHERE id = ?`, id)
	q, err := scanSavedQuery(row)
	if err != nil {
		return nil, notFound(err, "saved query "+id)
	}
	return &q, nil
}

func (db *DB) SavedQueriesByOwner(ctx context.Context, ownerID string) ([]lyceum.SavedQuery, error) {
	return db.savedQueries(ctx, `SELECT `+savedQueryColumns+` FROM saved_queries_by_owner
		WHERE owner_id = ? ORDER BY updated_at DESC, id`, ownerID)
}

func (db *DB) SharedQueries(ctx context.Context) ([]lyceum.SavedQuery, error) {
	return db.savedQueries(ctx, `SELECT `+savedQueryColumns+` FROM shared_queries ORDER BY updated_at DESC, id`)
}

func (db *DB) savedQueries(ctx context.Context, query string, args ...any) ([]lyceum.SavedQuery, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list saved queries: %w", err)
	}
	defer rows.Close()
	out := []lyceum.SavedQuery{}
	for rows.Next() {
		q, err := scanSavedQuery(rows)
		if err != nil {
			return nil, fmt.Errorf("list saved queries: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// DeleteSavedQuery removes the query, its listings and its versions; its
// runs stay. Deleting a query that is not there does nothing.
func (db *DB) DeleteSavedQuery(ctx context.Context, id string) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, `SELECT owner_id FROM saved_queries WHERE id = ?`, id).Scan(&owner)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete saved query %s: %w", id, err)
		}
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM shared_queries WHERE id = ?`, []any{id}},
			{`DELETE FROM saved_queries_by_owner WHERE owner_id = ? AND id = ?`, []any{owner, id}},
			{`DELETE FROM query_versions WHERE query_id = ?`, []any{id}},
			{`DELETE FROM saved_queries WHERE id = ?`, []any{id}},
		} {
			if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
				return fmt.Errorf("delete saved query %s: %w", id, err)
			}
		}
		return nil
	})
}

func scanSavedQuery(s interface{ Scan(...any) error }) (lyceum.SavedQuery, error) {
	var q lyceum.SavedQuery
	var chart string
	var created, updated int64
	if err := s.Scan(&q.ID, &q.OwnerID, &q.Title, &q.Description, &q.SQL, &chart, &q.Visibility, &q.Version,
		&q.ForkedFrom, &q.LatestRunID, &created, &updated); err != nil {
		return q, err
	}
	q.CreatedAt, q.UpdatedAt = fromMillis(created), fromMillis(updated)
	c, err := querytext.DecodeChart(chart)
	if err != nil {
		return q, fmt.Errorf("decode chart of query %s: %w", q.ID, err)
	}
	q.Chart = c
	return q, nil
}

// AddQueryVersion writes the version unless the query has one of that
// number: the same one again is a no-op, another is ErrConflict.
func (db *DB) AddQueryVersion(ctx context.Context, v *lyceum.QueryVersion) error {
	if v.QueryID == "" || v.Version < 1 {
		return lyceum.Invalid("version", "a query version needs a query id and a version ≥ 1")
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO query_versions (query_id, version, sql_text, title, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, v.QueryID, v.Version, v.SQL, v.Title, v.AuthorID, millis(v.CreatedAt))
		if isUniqueViolation(err) {
			var stored lyceum.QueryVersion
			var created int64
			if err := tx.QueryRowContext(ctx, `SELECT sql_text, title, author_id, created_at FROM query_versions
				WHERE query_id = ? AND version = ?`, v.QueryID, v.Version).Scan(&stored.SQL, &stored.Title, &stored.AuthorID, &created); err != nil {
				return fmt.Errorf("add version %d of query %s: %w", v.Version, v.QueryID, err)
			}
			if stored.SQL == v.SQL && stored.Title == v.Title && stored.AuthorID == v.AuthorID && created == millis(v.CreatedAt) {
				return nil // a retry
			}
			return fmt.Errorf("query %s already has a version %d: %w", v.QueryID, v.Version, lyceum.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("add version %d of query %s: %w", v.Version, v.QueryID, err)
		}
		return nil
	})
}

func (db *DB) QueryVersions(ctx context.Context, queryID string) ([]lyceum.QueryVersion, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT version, sql_text, title, author_id, created_at FROM query_versions
		WHERE query_id = ? ORDER BY version DESC`, queryID)
	if err != nil {
		return nil, fmt.Errorf("query versions: %w", err)
	}
	defer rows.Close()
	out := []lyceum.QueryVersion{}
	for rows.Next() {
		v := lyceum.QueryVersion{QueryID: queryID}
		var created int64
		if err := rows.Scan(&v.Version, &v.SQL, &v.Title, &v.AuthorID, &created); err != nil {
			return nil, fmt.Errorf("query versions: %w", err)
		}
		v.CreatedAt = fromMillis(created)
		out = append(out, v)
	}
	return out, rows.Err()
}
