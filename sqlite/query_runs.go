package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/querytext"
)

// Query runs (lyceum.QueryStore), in query_runs and its listings by user
// and by saved query (migrations/0003_queries.sql).

const runColumns = `id, user_id, query_id, version, sql_text, params, status, error, error_code,
	row_count, byte_count, truncated, result_key, source, created_at, started_at, finished_at, instance_id`

// PutQueryRun replaces the run in every table it lives in. A run's user,
// query and creation time are its listing keys: they must not change. A
// final run keeps its status: the write is refused (ErrConflict), in the
// same transaction that reads the stored status, so no stale write can
// slip in between.
func (db *DB) PutQueryRun(ctx context.Context, r *lyceum.QueryRun) error {
	if r.ID == "" || r.UserID == "" {
		return lyceum.Invalid("id", "a run needs an id and a user")
	}
	params, err := querytext.EncodeParams(r.Params)
	if err != nil {
		return fmt.Errorf("encode params of run %s: %w", r.ID, err)
	}
	args := []any{r.ID, r.UserID, r.QueryID, r.Version, r.SQL, params, string(r.Status), r.Error, r.ErrorCode,
		r.Rows, r.Bytes, r.Truncated, r.ResultKey, r.Source, millis(r.CreatedAt), nullMillis(r.StartedAt), nullMillis(r.FinishedAt), r.Instance}
	tables := []string{"query_runs", "runs_by_user"}
	if r.QueryID != "" {
		tables = append(tables, "runs_by_query")
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		var stored lyceum.RunStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM query_runs WHERE id = ?`, r.ID).Scan(&stored)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("put run %s: %w", r.ID, err)
		}
		if stored.Final() && r.Status != stored {
			return fmt.Errorf("run %s already %s, not %s: %w", r.ID, stored, r.Status, lyceum.ErrConflict)
		}
		for _, table := range tables {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+table+` (`+runColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
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

const day = 24 * time.Hour

func (db *DB) ResultDays(ctx context.Context, before time.Time) ([]time.Time, error) {
	end := before.UTC().Truncate(day).Add(day)
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT finished_at / ? FROM query_runs
		WHERE result_key != '' AND finished_at < ? ORDER BY 1`, day.Milliseconds(), millis(end))
	if err != nil {
		return nil, fmt.Errorf("result days: %w", err)
	}
	defer rows.Close()
	out := []time.Time{}
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("result days: %w", err)
		}
		out = append(out, fromMillis(n*day.Milliseconds()))
	}
	return out, rows.Err()
}

func (db *DB) RunsWithResultOn(ctx context.Context, d time.Time) ([]lyceum.QueryRun, error) {
	start := d.UTC().Truncate(day)
	return db.runs(ctx, `SELECT `+runColumns+` FROM query_runs
		WHERE result_key != '' AND finished_at >= ? AND finished_at < ? ORDER BY finished_at, id`,
		millis(start), millis(start.Add(day)))
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
		&r.Rows, &r.Bytes, &r.Truncated, &r.ResultKey, &r.Source, &created, &started, &finished, &r.Instance); err != nil {
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
