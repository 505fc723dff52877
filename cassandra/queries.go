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

// The query page's records (lyceum.QueryStore). Each kind of record lives
// in several tables with the same columns, one per query (see
// migrations/0003_queries.cql); a write puts the whole row in each, in one
// logged batch.

// sharedBucket is the shared-queries listing's one partition: it holds the
// organization-visible queries only, and SharedQueries returns all of them
// in one answer, so the partition is no larger than that answer.
const sharedBucket = 0

// maxBatchBytes keeps logged batches well under Cassandra's default
// batch_size_fail_threshold (50 KiB), beyond which it refuses a batch.
const maxBatchBytes = 32 << 10

// multiWrite is one logical write that touches several tables.
type multiWrite struct {
	entries []gocql.BatchEntry
	size    int // roughly, in bytes
}

func (w *multiWrite) add(stmt string, args ...any) {
	// Every statement writes whole rows or deletes them: replaying is safe.
	w.entries = append(w.entries, gocql.BatchEntry{Stmt: stmt, Args: args, Idempotent: true})
	w.size += len(stmt)
	for _, a := range args {
		if s, ok := a.(string); ok {
			w.size += len(s)
		} else {
			w.size += 8
		}
	}
}

// write runs w as one logged batch, so that its statements end up all
// written or none. A write too large for a batch (long SQL, copied into
// three tables) runs statement by statement in order instead; each is
// idempotent, so retrying the failed write completes it.
func (db *DB) write(ctx context.Context, w *multiWrite) error {
	if w.size <= maxBatchBytes {
		b := db.s.Batch(gocql.LoggedBatch).WithContext(ctx)
		b.Entries = w.entries
		return b.Exec()
	}
	for _, e := range w.entries {
		if err := db.q(ctx, e.Stmt, e.Args...).Exec(); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

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
func (db *DB) savedQueries(q *gocql.Query) ([]lyceum.SavedQuery, error) {
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

// AddQueryVersion writes the version; writing the same version again
// replaces it.
func (db *DB) AddQueryVersion(ctx context.Context, v *lyceum.QueryVersion) error {
	if v.QueryID == "" || v.Version < 1 {
		return lyceum.Invalid("version", "a query version needs a query id and a version ≥ 1")
	}
	err := db.q(ctx, `INSERT INTO query_versions (query_id, version, sql_text, title, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.QueryID, v.Version, v.SQL, v.Title, v.AuthorID, v.CreatedAt).Exec()
	if err != nil {
		return fmt.Errorf("add version %d of query %s: %w", v.Version, v.QueryID, err)
	}
	return nil
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

const tokenColumns = `token_hash, id, user_id, name, prefix, created_at, last_used_at, revoked_at`

// PutAPIToken writes the token by hash and in its user's list, in one
// logged batch. Its hash, id and user must not change. A nil LastUsedAt or
// RevokedAt is left unset, so it never clears the stored one: a write from
// a stale read (recording a use) cannot bring a revoked token back.
func (db *DB) PutAPIToken(ctx context.Context, t *lyceum.APIToken) error {
	if t.TokenHash == "" || t.ID == "" || t.UserID == "" {
		return lyceum.Invalid("id", "an API token needs a hash, an id and a user")
	}
	args := []any{t.TokenHash, t.ID, t.UserID, t.Name, t.Prefix, t.CreatedAt, unsetIfNil(t.LastUsedAt), unsetIfNil(t.RevokedAt)}
	var w multiWrite
	w.add(`INSERT INTO api_tokens_by_hash (`+tokenColumns+`) VALUES (`+placeholders(8)+`)`, args...)
	w.add(`INSERT INTO api_tokens_by_user (`+tokenColumns+`) VALUES (`+placeholders(8)+`)`, args...)
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("put API token %s: %w", t.ID, err)
	}
	return nil
}

func unsetIfNil(t *time.Time) any {
	if t == nil {
		return gocql.UnsetValue
	}
	return *t
}

func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*lyceum.APIToken, error) {
	if tokenHash == "" {
		return nil, fmt.Errorf("API token: %w", lyceum.ErrNotFound)
	}
	var r tokenRow
	if err := db.q(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_hash WHERE token_hash = ?`, tokenHash).Scan(r.dest()...); err != nil {
		return nil, notFound(err, "API token")
	}
	t := r.token()
	return &t, nil
}

// APITokensByUser lists a user's tokens, newest first.
func (db *DB) APITokensByUser(ctx context.Context, userID string) ([]lyceum.APIToken, error) {
	out := []lyceum.APIToken{}
	if userID == "" {
		return out, nil
	}
	iter := db.q(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_user WHERE user_id = ?`, userID).Iter()
	for {
		var r tokenRow
		if !iter.Scan(r.dest()...) {
			break
		}
		out = append(out, r.token())
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	slices.SortFunc(out, func(a, b lyceum.APIToken) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

type tokenRow struct {
	hash, id, user, name, prefix string
	created, used, revoked       time.Time
}

func (r *tokenRow) dest() []any {
	return []any{&r.hash, &r.id, &r.user, &r.name, &r.prefix, &r.created, &r.used, &r.revoked}
}

func (r *tokenRow) token() lyceum.APIToken {
	return lyceum.APIToken{TokenHash: r.hash, ID: r.id, UserID: r.user, Name: r.name, Prefix: r.prefix,
		CreatedAt: r.created.UTC(), LastUsedAt: optTime(r.used), RevokedAt: optTime(r.revoked)}
}
