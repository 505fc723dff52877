package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/querytext"
)

// The query page's records (lyceum.QueryStore). Each kind of record lives
// in several tables with the same columns, one per query (see
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

// AddQueryVersion writes the version; writing the same version again
// replaces it.
func (db *DB) AddQueryVersion(ctx context.Context, v *lyceum.QueryVersion) error {
	if v.QueryID == "" || v.Version < 1 {
		return lyceum.Invalid("version", "a query version needs a query id and a version ≥ 1")
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO query_versions (query_id, version, sql_text, title, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, v.QueryID, v.Version, v.SQL, v.Title, v.AuthorID, millis(v.CreatedAt))
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

const runColumns = `id, user_id, query_id, version, sql_text, params, status, error, error_code,
	row_count, byte_count, truncated, result_key, source, created_at, started_at, finished_at`

// PutQueryRun replaces the run in every table it lives in. A run's user,
// query and creation time are its listing keys: they must not change.
func (db *DB) PutQueryRun(ctx context.Context, r *lyceum.QueryRun) error {
	if r.ID == "" || r.UserID == "" {
		return lyceum.Invalid("id", "a run needs an id and a user")
	}
	params, err := querytext.EncodeParams(r.Params)
	if err != nil {
		return fmt.Errorf("encode params of run %s: %w", r.ID, err)
	}
	args := []any{r.ID, r.UserID, r.QueryID, r.Version, r.SQL, params, string(r.Status), r.Error, r.ErrorCode,
		r.Rows, r.Bytes, r.Truncated, r.ResultKey, r.Source, millis(r.CreatedAt), nullMillis(r.StartedAt), nullMillis(r.FinishedAt)}
	tables := []string{"query_runs", "runs_by_user"}
	if r.QueryID != "" {
		tables = append(tables, "runs_by_query")
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		for _, table := range tables {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+table+` (`+runColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
				return fmt.Errorf("put run %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

func (db *DB) QueryRun(ctx context.Context, id string) (*lyceum.QueryRun, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM query_runs WHERE id = ?`, id)
	r, err := scanRun(row)
	if err != nil {
		return nil, notFound(err, "run "+id)
	}
	return &r, nil
}

func (db *DB) RunsByQuery(ctx context.Context, queryID string, limit int) ([]lyceum.QueryRun, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	return db.runs(ctx, `SELECT `+runColumns+` FROM runs_by_query
		WHERE query_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, queryID, limit)
}

func (db *DB) RunsByUser(ctx context.Context, userID string, limit int) ([]lyceum.QueryRun, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	return db.runs(ctx, `SELECT `+runColumns+` FROM runs_by_user
		WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, userID, limit)
}

func (db *DB) ActiveRuns(ctx context.Context) ([]lyceum.QueryRun, error) {
	return db.runs(ctx, `SELECT `+runColumns+` FROM query_runs
		WHERE status IN ('queued', 'running') ORDER BY created_at, id`)
}

func (db *DB) runs(ctx context.Context, query string, args ...any) ([]lyceum.QueryRun, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []lyceum.QueryRun{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRun(s interface{ Scan(...any) error }) (lyceum.QueryRun, error) {
	var r lyceum.QueryRun
	var params string
	var created int64
	var started, finished sql.NullInt64
	if err := s.Scan(&r.ID, &r.UserID, &r.QueryID, &r.Version, &r.SQL, &params, &r.Status, &r.Error, &r.ErrorCode,
		&r.Rows, &r.Bytes, &r.Truncated, &r.ResultKey, &r.Source, &created, &started, &finished); err != nil {
		return r, err
	}
	r.CreatedAt, r.StartedAt, r.FinishedAt = fromMillis(created), timePtr(started), timePtr(finished)
	p, err := querytext.DecodeParams(params)
	if err != nil {
		return r, fmt.Errorf("decode params of run %s: %w", r.ID, err)
	}
	r.Params = p
	return r, nil
}

const tokenColumns = `token_hash, id, user_id, name, prefix, created_at, last_used_at, revoked_at`

// tokenUpsert replaces a token row but never clears its last use or its
// revocation: a write from a stale read (recording a use) must not bring a
// revoked token back.
const tokenUpsert = ` (` + tokenColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (%s) DO UPDATE SET token_hash = excluded.token_hash, id = excluded.id, user_id = excluded.user_id,
	name = excluded.name, prefix = excluded.prefix, created_at = excluded.created_at,
	last_used_at = coalesce(excluded.last_used_at, last_used_at),
	revoked_at = coalesce(excluded.revoked_at, revoked_at)`

// PutAPIToken writes the token by hash and in its user's list. Its hash,
// id and user must not change. A nil LastUsedAt or RevokedAt leaves the
// stored one: revocation cannot be undone.
func (db *DB) PutAPIToken(ctx context.Context, t *lyceum.APIToken) error {
	if t.TokenHash == "" || t.ID == "" || t.UserID == "" {
		return lyceum.Invalid("id", "an API token needs a hash, an id and a user")
	}
	args := []any{t.TokenHash, t.ID, t.UserID, t.Name, t.Prefix, millis(t.CreatedAt), nullMillis(t.LastUsedAt), nullMillis(t.RevokedAt)}
	return db.exec(ctx, func(tx *sql.Tx) error {
		for _, table := range []struct{ name, key string }{
			{"api_tokens_by_hash", "token_hash"},
			{"api_tokens_by_user", "user_id, id"},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table.name+fmt.Sprintf(tokenUpsert, table.key), args...); err != nil {
				return fmt.Errorf("put API token %s: %w", t.ID, err)
			}
		}
		return nil
	})
}

func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*lyceum.APIToken, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_hash WHERE token_hash = ?`, tokenHash)
	t, err := scanToken(row)
	if err != nil {
		return nil, notFound(err, "API token")
	}
	return &t, nil
}

// APITokensByUser lists a user's tokens, newest first.
func (db *DB) APITokensByUser(ctx context.Context, userID string) ([]lyceum.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_user
		WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	out := []lyceum.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list API tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(s interface{ Scan(...any) error }) (lyceum.APIToken, error) {
	var t lyceum.APIToken
	var created int64
	var used, revoked sql.NullInt64
	if err := s.Scan(&t.TokenHash, &t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMillis(created), timePtr(used), timePtr(revoked)
	return t, nil
}
