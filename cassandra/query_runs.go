package cassandra

import (
	"cmp"
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

// The run listings are bucketed by the month of the run's creation, so that
// a user's (or a saved query's) runs never make one ever-growing partition;
// run_months_by_* say which months have runs, newest first, and a read
// walks them until it has its limit.

const runColumns = `id, user_id, query_id, version, sql_text, params, status, error, error_code,
	row_count, byte_count, truncated, result_key, source, created_at, started_at, finished_at, instance_id`

// runSet is the SET clause that writes every run column but the id.
var runSet = func() string {
	cols := strings.Split(runColumns, ",")[1:]
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	return strings.Join(cols, ", ")
}()

// monthOf returns the listing bucket of a run created at t: yyyymm, UTC.
func monthOf(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// dayOf returns the results_by_day bucket of a run finished at t: days
// since 1970-01-01, UTC.
func dayOf(t time.Time) int { return int(t.UTC().Unix() / 86400) }

// PutQueryRun writes the run in query_runs with a lightweight transaction
// that keeps a final status final and raises the run's revision, then the
// run's other rows in one logged batch with the timestamp created_at +
// revision (migrations/0006_run_lifecycle.cql): of two writes that race,
// the later revision wins in every table, whatever the order they land in.
// A run's user, query and creation time are its listing keys: they must
// not change.
func (db *DB) PutQueryRun(ctx context.Context, r *lyceum.QueryRun) error {
	if r.ID == "" || r.UserID == "" {
		return lyceum.Invalid("id", "a run needs an id and a user")
	}
	params, err := querytext.EncodeParams(r.Params)
	if err != nil {
		return fmt.Errorf("encode params of run %s: %w", r.ID, err)
	}
	args := []any{r.ID, r.UserID, r.QueryID, r.Version, r.SQL, params, string(r.Status), r.Error, r.ErrorCode,
		r.Rows, r.Bytes, r.Truncated, r.ResultKey, r.Source, r.CreatedAt, r.StartedAt, r.FinishedAt, r.Instance}
	rev, prevKey, err := db.putRunRow(ctx, r, args)
	if err != nil {
		return err
	}
	ts := r.CreatedAt.UnixMicro() + int64(rev)
	month := monthOf(r.CreatedAt)
	var w multiWrite
	// The months first: readers find the listing rows through them.
	w.add(`INSERT INTO run_months_by_user (user_id, month) VALUES (?, ?)`, r.UserID, month)
	if r.QueryID != "" {
		w.add(`INSERT INTO run_months_by_query (query_id, month) VALUES (?, ?)`, r.QueryID, month)
	}
	listed := append([]any{month}, args...)
	w.add(`INSERT INTO runs_by_user (month, `+runColumns+`) VALUES (`+placeholders(19)+`) USING TIMESTAMP ?`, append(listed, ts)...)
	if r.QueryID != "" {
		w.add(`INSERT INTO runs_by_query (month, `+runColumns+`) VALUES (`+placeholders(19)+`) USING TIMESTAMP ?`, append(listed, ts)...)
	}
	if r.Status.Final() {
		w.add(`DELETE FROM active_runs USING TIMESTAMP ? WHERE shard = 0 AND id = ?`, ts, r.ID)
	} else {
		w.add(`INSERT INTO active_runs (shard, id) VALUES (0, ?) USING TIMESTAMP ?`, r.ID, ts)
	}
	if r.FinishedAt != nil {
		day := dayOf(*r.FinishedAt)
		if r.ResultKey != "" {
			w.add(`INSERT INTO result_days (shard, day) VALUES (0, ?)`, day)
			w.add(`INSERT INTO results_by_day (day, finished_at, id) VALUES (?, ?, ?) USING TIMESTAMP ?`, day, *r.FinishedAt, r.ID, ts)
		} else if prevKey != "" {
			w.add(`DELETE FROM results_by_day USING TIMESTAMP ? WHERE day = ? AND finished_at = ? AND id = ?`, ts, day, *r.FinishedAt, r.ID)
		}
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("put run %s: %w", r.ID, err)
	}
	return nil
}

// putRunRow writes the run's row in query_runs unless it is final with
// another status, and returns the revision written and the result key it
// replaced. Concurrent writers retry against the row they lost to.
func (db *DB) putRunRow(ctx context.Context, r *lyceum.QueryRun, args []any) (rev int, prevKey string, err error) {
	for range 20 {
		var status, key string
		var stored *int
		err := db.q(ctx, `SELECT status, result_key, revision FROM query_runs WHERE id = ?`, r.ID).
			Consistency(gocql.LocalSerial).Scan(&status, &key, &stored)
		switch {
		case errors.Is(err, gocql.ErrNotFound):
			applied, err := db.q(ctx, `INSERT INTO query_runs (`+runColumns+`, revision) VALUES (`+placeholders(19)+`) IF NOT EXISTS`,
				append(args, 1)...).MapScanCAS(map[string]any{})
			if err != nil {
				return 0, "", fmt.Errorf("put run %s: %w", r.ID, err)
			}
			if applied {
				return 1, "", nil
			}
			continue // written meanwhile: read it again
		case err != nil:
			return 0, "", fmt.Errorf("put run %s: %w", r.ID, err)
		}
		if st := lyceum.RunStatus(status); st.Final() && r.Status != st {
			return 0, "", fmt.Errorf("run %s already %s, not %s: %w", r.ID, st, r.Status, lyceum.ErrConflict)
		}
		cond, condArgs := `IF revision = ?`, []any{0}
		if stored == nil { // written before revisions (migration 0006)
			cond, condArgs = `IF revision = null`, nil
		} else {
			rev, condArgs[0] = *stored, *stored
		}
		applied, err := db.q(ctx, `UPDATE query_runs SET `+runSet+`, revision = ? WHERE id = ? `+cond,
			append(append(args[1:len(args):len(args)], rev+1, r.ID), condArgs...)...).MapScanCAS(map[string]any{})
		if err != nil {
			return 0, "", fmt.Errorf("put run %s: %w", r.ID, err)
		}
		if applied {
			return rev + 1, key, nil
		}
	}
	return 0, "", fmt.Errorf("put run %s: too many concurrent writes, try again: %w", r.ID, lyceum.ErrConflict)
}

// ActiveRuns reads the ids in active_runs, then each run: there are only
// as many as the instances' queues hold.
func (db *DB) ActiveRuns(ctx context.Context) ([]lyceum.QueryRun, error) {
	ids, err := column[string](db.q(ctx, `SELECT id FROM active_runs WHERE shard = 0`))
	if err != nil {
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
		if !r.Status.Final() {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b lyceum.QueryRun) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ResultDays reads result_days: a row per day with results kept.
func (db *DB) ResultDays(ctx context.Context, before time.Time) ([]time.Time, error) {
	days, err := column[int](db.q(ctx, `SELECT day FROM result_days WHERE shard = 0 AND day <= ?`, dayOf(before)))
	if err != nil {
		return nil, fmt.Errorf("result days: %w", err)
	}
	out := make([]time.Time, len(days))
	for i, d := range days {
		out[i] = time.Unix(int64(d)*86400, 0).UTC()
	}
	return out, nil
}

// RunsWithResultOn reads the day's partition of results_by_day, then each
// run. A day more than two days old found empty leaves result_days: no run
// finishes on it any more.
func (db *DB) RunsWithResultOn(ctx context.Context, d time.Time) ([]lyceum.QueryRun, error) {
	day := dayOf(d)
	ids, err := column[string](db.q(ctx, `SELECT id FROM results_by_day WHERE day = ?`, day))
	if err != nil {
		return nil, fmt.Errorf("runs with results: %w", err)
	}
	if len(ids) == 0 && day < dayOf(time.Now())-2 {
		if err := db.q(ctx, `DELETE FROM result_days WHERE shard = 0 AND day = ?`, day).Exec(); err != nil {
			return nil, fmt.Errorf("runs with results: %w", err)
		}
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
		if r.ResultKey != "" && r.FinishedAt != nil && dayOf(*r.FinishedAt) == day {
			out = append(out, *r)
		}
	}
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
	months, err := column[int](db.q(ctx, `SELECT month FROM `+monthsTable+` WHERE `+keyColumn+` = ?`, key))
	if err != nil {
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
	instance                                                                 string
}

func (r *runRow) dest() []any {
	return []any{&r.id, &r.user, &r.query, &r.version, &r.sql, &r.params, &r.status, &r.errMsg, &r.errCode,
		&r.rows, &r.bytes, &r.truncated, &r.resultKey, &r.source, &r.created, &r.started, &r.finished, &r.instance}
}

func (r *runRow) run() (lyceum.QueryRun, error) {
	params, err := querytext.DecodeParams(r.params)
	if err != nil {
		return lyceum.QueryRun{}, fmt.Errorf("decode params of run %s: %w", r.id, err)
	}
	return lyceum.QueryRun{ID: r.id, UserID: r.user, QueryID: r.query, Version: r.version, SQL: r.sql, Params: params,
		Status: lyceum.RunStatus(r.status), Error: r.errMsg, ErrorCode: r.errCode, Rows: r.rows, Bytes: r.bytes,
		Truncated: r.truncated, ResultKey: r.resultKey, Source: r.source, CreatedAt: r.created.UTC(),
		StartedAt: optTime(r.started), FinishedAt: optTime(r.finished), Instance: r.instance}, nil
}
