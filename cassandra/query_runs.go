package cassandra

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/internal/querytext"
)

// The run listings are bucketed by the month of the run's creation, so that
// a user's (or a saved query's) runs never make one ever-growing partition;
// run_months_by_* say which months have runs, newest first, and a read
// walks them until it has its limit.

const runColumns = `id, user_id, query_id, version, sql_text, params, status, error, error_code,
	row_count, byte_count, truncated, result_key, source, created_at, started_at, finished_at`

// monthOf returns the listing bucket of a run created at t: yyyymm, UTC.
func monthOf(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// PutQueryRun replaces the run in every table it lives in, in one logged
// batch. A run's user, query and creation time are its listing keys: they
// must not change.
func (db *DB) PutQueryRun(ctx context.Context, r *lyceum.QueryRun) error {
	if r.ID == "" || r.UserID == "" {
		return lyceum.Invalid("id", "a run needs an id and a user")
	}
	params, err := querytext.EncodeParams(r.Params)
	if err != nil {
		return fmt.Errorf("encode params of run %s: %w", r.ID, err)
	}
	args := []any{r.ID, r.UserID, r.QueryID, r.Version, r.SQL, params, string(r.Status), r.Error, r.ErrorCode,
		r.Rows, r.Bytes, r.Truncated, r.ResultKey, r.Source, r.CreatedAt, r.StartedAt, r.FinishedAt}
	month := monthOf(r.CreatedAt)
	var w multiWrite
	// The months first: readers find the listing rows through them.
	w.add(`INSERT INTO run_months_by_user (user_id, month) VALUES (?, ?)`, r.UserID, month)
	if r.QueryID != "" {
		w.add(`INSERT INTO run_months_by_query (query_id, month) VALUES (?, ?)`, r.QueryID, month)
	}
	w.add(`INSERT INTO query_runs (`+runColumns+`) VALUES (`+placeholders(17)+`)`, args...)
	w.add(`INSERT INTO runs_by_user (month, `+runColumns+`) VALUES (`+placeholders(18)+`)`, append([]any{month}, args...)...)
	if r.QueryID != "" {
		w.add(`INSERT INTO runs_by_query (month, `+runColumns+`) VALUES (`+placeholders(18)+`)`, append([]any{month}, args...)...)
	}
	if r.Status == lyceum.RunQueued || r.Status == lyceum.RunRunning {
		w.add(`INSERT INTO active_runs (shard, id) VALUES (0, ?)`, r.ID)
	} else {
		w.add(`DELETE FROM active_runs WHERE shard = 0 AND id = ?`, r.ID)
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("put run %s: %w", r.ID, err)
	}
	return nil
}

// ActiveRuns reads the ids in active_runs, then each run: there are only
// as many as the instances' queues hold.
func (db *DB) ActiveRuns(ctx context.Context) ([]lyceum.QueryRun, error) {
	iter := db.q(ctx, `SELECT id FROM active_runs WHERE shard = 0`).Iter()
	var ids []string
	var id string
	for iter.Scan(&id) {
		ids = append(ids, id)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("active runs: %w", err)
	}
	out := []lyceum.QueryRun{}
	for _, id := range ids {
		r, err := db.QueryRun(ctx, id)
		if errors.Is(err, lyceum.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if r.Status == lyceum.RunQueued || r.Status == lyceum.RunRunning {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b lyceum.QueryRun) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (db *DB) QueryRun(ctx context.Context, id string) (*lyceum.QueryRun, error) {
	if id == "" {
		return nil, fmt.Errorf("run: %w", lyceum.ErrNotFound)
	}
	var row runRow
	if err := db.q(ctx, `SELECT `+runColumns+` FROM query_runs WHERE id = ?`, id).Scan(row.dest()...); err != nil {
		return nil, notFound(err, "run "+id)
	}
	r, err := row.run()
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (db *DB) RunsByQuery(ctx context.Context, queryID string, limit int) ([]lyceum.QueryRun, error) {
	return db.recentRuns(ctx, "runs_by_query", "run_months_by_query", "query_id", queryID, limit)
}

func (db *DB) RunsByUser(ctx context.Context, userID string, limit int) ([]lyceum.QueryRun, error) {
	return db.recentRuns(ctx, "runs_by_user", "run_months_by_user", "user_id", userID, limit)
}

// recentRuns reads up to limit runs of one key, newest first, from the
// listing table's month buckets, newest month first.
func (db *DB) recentRuns(ctx context.Context, table, monthsTable, keyColumn, key string, limit int) ([]lyceum.QueryRun, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	out := []lyceum.QueryRun{}
	if key == "" {
		return out, nil
	}
	var months []int
	iter := db.q(ctx, `SELECT month FROM `+monthsTable+` WHERE `+keyColumn+` = ?`, key).Iter()
	var m int
	for iter.Scan(&m) {
		months = append(months, m)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	for _, m := range months {
		iter := db.q(ctx, `SELECT `+runColumns+` FROM `+table+` WHERE `+keyColumn+` = ? AND month = ? LIMIT ?`,
			key, m, limit-len(out)).Iter()
		for {
			var row runRow
			if !iter.Scan(row.dest()...) {
				break
			}
			r, err := row.run()
			if err != nil {
				iter.Close()
				return nil, err
			}
			out = append(out, r)
		}
		if err := iter.Close(); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

type runRow struct {
	id, user, query, sql, params, status, errMsg, errCode, resultKey, source string
	version                                                                  int
	rows, bytes                                                              int64
	truncated                                                                bool
	created, started, finished                                               time.Time
}

func (r *runRow) dest() []any {
	return []any{&r.id, &r.user, &r.query, &r.version, &r.sql, &r.params, &r.status, &r.errMsg, &r.errCode,
		&r.rows, &r.bytes, &r.truncated, &r.resultKey, &r.source, &r.created, &r.started, &r.finished}
}

func (r *runRow) run() (lyceum.QueryRun, error) {
	params, err := querytext.DecodeParams(r.params)
	if err != nil {
		return lyceum.QueryRun{}, fmt.Errorf("decode params of run %s: %w", r.id, err)
	}
	return lyceum.QueryRun{ID: r.id, UserID: r.user, QueryID: r.query, Version: r.version, SQL: r.sql, Params: params,
		Status: lyceum.RunStatus(r.status), Error: r.errMsg, ErrorCode: r.errCode, Rows: r.rows, Bytes: r.bytes,
		Truncated: r.truncated, ResultKey: r.resultKey, Source: r.source, CreatedAt: r.created.UTC(),
		StartedAt: optTime(r.started), FinishedAt: optTime(r.finished)}, nil
}
