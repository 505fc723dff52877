// Package postgres is the warehouse on a PostgreSQL-protocol server
// (PostgreSQL; Redshift speaks the same protocol).
//
// The owner (the URL Lyceum is configured with) creates the tables and
// loads them. Queries run as login roles that may only SELECT the
// warehouse tables, inside a READ ONLY transaction with a statement
// timeout that is always rolled back, on a connection of their own that is
// closed after the query: nothing a query does (a SET, an advisory lock, a
// prepared statement) outlives it.
//
// Each person who queries gets a login role of their own, a member of the
// reader group role that holds the SELECT grants, so that nobody sees
// another's running SQL in pg_stat_activity or can cancel another's query.
// Their password is random, made once and kept in a table only the owner
// reads.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/warehouse"
)

// Config says how to reach the warehouse.
type Config struct {
	// URL is the owner's connection: it creates the schema and loads data.
	URL string
	// Schema holds the warehouse tables (default "lyceum").
	Schema string
	// ReaderURL, if set, is one read-only login role every query runs as,
	// made by the operator; the owner then needs no CREATEROLE, but people
	// who query at the same time can see each other's SQL in
	// pg_stat_activity. Empty: the engine manages the reader roles (the
	// owner needs CREATEROLE).
	ReaderURL string
	// ReaderRole is the group role that holds the read grants, and the
	// prefix of each querier's login role (default "<schema>_reader").
	ReaderRole string
	// QueryTimeout bounds every query (also enforced by the caller's ctx).
	QueryTimeout time.Duration
}

// Engine is the PostgreSQL warehouse.
type Engine struct {
	owner  *pgxpool.Pool
	schema string
	cfg    Config
	// reader is the connection configuration of queries; its user is
	// replaced by the querier's own role when the engine manages roles.
	reader      *pgx.ConnConfig
	manageRoles bool
	roles       sync.Map // login roles known to exist, by name
}

var _ warehouse.Engine = (*Engine)(nil)

// Open connects, creates the schema and tables and the reader roles.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Schema == "" {
		cfg.Schema = "lyceum"
	}
	if !identifier(cfg.Schema) {
		return nil, fmt.Errorf("postgres warehouse: schema %q must be lower-case letters, digits and underscores", cfg.Schema)
	}
	if cfg.ReaderRole == "" {
		cfg.ReaderRole = cfg.Schema + "_reader"
	}
	if !identifier(cfg.ReaderRole) || len(cfg.ReaderRole) > 40 {
		return nil, fmt.Errorf("postgres warehouse: reader role %q must be at most 40 lower-case letters, digits and underscores", cfg.ReaderRole)
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 5 * time.Minute
	}
	owner, err := pgxpool.New(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres warehouse: %w", err)
	}
	e := &Engine{owner: owner, schema: cfg.Schema, cfg: cfg}
	if err := e.createSchema(ctx); err != nil {
		owner.Close()
		return nil, err
	}
	readerURL := cfg.ReaderURL
	if readerURL == "" {
		e.manageRoles = true
		if readerURL, err = e.ensureReader(ctx); err != nil {
			owner.Close()
			return nil, err
		}
	}
	if e.reader, err = pgx.ParseConfig(readerURL); err != nil {
		owner.Close()
		return nil, fmt.Errorf("postgres warehouse: reader URL: %w", err)
	}
	e.reader.RuntimeParams["search_path"] = cfg.Schema
	e.reader.RuntimeParams["application_name"] = "lyceum-query"
	e.reader.RuntimeParams["idle_in_transaction_session_timeout"] = "60000"
	// The extended protocol: PostgreSQL's parser refuses more than one
	// statement in a query.
	e.reader.DefaultQueryExecMode = pgx.QueryExecModeDescribeExec
	conn, err := e.connect(ctx, "")
	if err != nil {
		owner.Close()
		return nil, fmt.Errorf("postgres warehouse: connect as the reader role: %w", err)
	}
	conn.Close(ctx)
	return e, nil
}

func identifier(s string) bool {
	if s == "" || len(s) > 60 {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (e *Engine) Name() string { return "postgres" }

func (e *Engine) Close() error {
	e.owner.Close()
	return nil
}

// internalTables are the owner's: no reader sees or reads them.
var internalTables = func() []string {
	out := []string{"secrets", migrationsTable}
	for _, t := range warehouse.Tables {
		if t.Internal {
			out = append(out, t.Name)
		}
	}
	return out
}()

// createSchema creates the schema, applies the warehouse migrations it has
// not had and (re)writes the descriptions. Instances starting together may
// collide on creating the same object; the loser retries, and finds it
// made. No advisory lock: a lock a reader could take too would let them
// stop instances starting.
func (e *Engine) createSchema(ctx context.Context) error {
	if err := e.migrate(ctx); err != nil {
		return fmt.Errorf("postgres warehouse schema: %w", err)
	}
	if err := e.ownerTx(ctx, warehouse.CommentStatements(e.schema)); err != nil {
		return fmt.Errorf("postgres warehouse descriptions: %w", err)
	}
	return nil
}

// ownerTx runs stmts as the owner in one transaction, again when another
// instance made one of the same objects at the same time.
func (e *Engine) ownerTx(ctx context.Context, stmts []string) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*50) * time.Millisecond):
			}
		}
		err = pgx.BeginFunc(ctx, e.owner, func(tx pgx.Tx) error {
			for _, stmt := range stmts {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || !raced(pe.Code) {
			return err
		}
	}
	return err
}

// raced tells the errors of two sessions creating the same object.
func raced(code string) bool {
	switch code {
	case "23505", "42P06", "42P07", "42710", "40001", "40P01": // unique, schema, table, object, serialization, deadlock
		return true
	}
	return false
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

const loaderName = "learning"

func (e *Engine) LoaderPosition(ctx context.Context) (lyceum.EventPosition, error) {
	var pos string
	err := e.owner.QueryRow(ctx, `SELECT position FROM `+e.schema+`.loader_state WHERE name = $1`, loaderName).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loader position: %w", err)
	}
	return lyceum.EventPosition(pos), nil
}

func (e *Engine) Load(ctx context.Context, b *warehouse.Batch, from, to lyceum.EventPosition) error {
	tx, err := e.owner.Begin(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	s := e.schema
	// Lock the position row (or, the first time, the table) so that two
	// loaders serialise here and the second sees the moved position.
	if _, err := tx.Exec(ctx, `LOCK TABLE `+s+`.loader_state IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	var current string
	err = tx.QueryRow(ctx, `SELECT position FROM `+s+`.loader_state WHERE name = $1`, loaderName).Scan(&current)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("load: %w", err)
	}
	if current != string(from) {
		return warehouse.ErrPositionMoved
	}
	if err := e.load(ctx, tx, b); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+s+`.loader_state (name, position, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`, loaderName, string(to)); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	return tx.Commit(ctx)
}

func (e *Engine) load(ctx context.Context, tx pgx.Tx, b *warehouse.Batch) error {
	s := e.schema
	if len(b.Events) > 0 {
		rows := make([][]any, len(b.Events))
		for i, ev := range b.Events {
			payload := string(ev.Payload)
			if payload == "" {
				payload = "{}"
			}
			rows[i] = []any{ev.ID, ev.Time.UTC(), string(ev.Type), ev.UserID, ev.CourseID, ev.ItemID, payload}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{s, "events"}, []string{"id", "time", "type", "user_id", "course_id", "item_id", "payload"},
			pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	}
	batch := &pgx.Batch{}
	for _, u := range b.Users {
		batch.Queue(`INSERT INTO `+s+`.users VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET email = excluded.email,
			name = excluded.name, role = excluded.role, created_at = excluded.created_at, status = excluded.status`,
			u.ID, u.Email, u.Name, u.Role, u.CreatedAt.UTC(), u.Status)
	}
	for _, c := range b.Courses {
		batch.Queue(`INSERT INTO `+s+`.courses VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET title = excluded.title,
			summary = excluded.summary, language = excluded.language, owner_id = excluded.owner_id, published = excluded.published,
			updated_at = excluded.updated_at`, c.ID, c.Title, c.Summary, c.Language, c.OwnerID, c.Published, c.UpdatedAt.UTC())
		batch.Queue(`DELETE FROM `+s+`.modules WHERE course_id = $1`, c.ID)
		batch.Queue(`DELETE FROM `+s+`.items WHERE course_id = $1`, c.ID)
		for _, m := range c.Modules {
			batch.Queue(`INSERT INTO `+s+`.modules VALUES ($1, $2, $3, $4)`, c.ID, m.ID, m.Position, m.Title)
			for _, it := range m.Items {
				batch.Queue(`INSERT INTO `+s+`.items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, m.ID, it.ID, it.Position,
					it.Kind, it.Title, it.Required, it.DurationSeconds, it.QuestionCount)
			}
		}
	}
	for _, en := range b.Enrollments {
		batch.Queue(`INSERT INTO `+s+`.enrollments VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, course_id) DO UPDATE SET
			enrolled_at = excluded.enrolled_at, completed_at = excluded.completed_at, left_at = excluded.left_at`,
			en.UserID, en.CourseID, en.EnrolledAt.UTC(), en.CompletedAt, en.LeftAt)
	}
	for _, p := range b.Progress {
		batch.Queue(`INSERT INTO `+s+`.progress VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id, course_id, item_id)
			DO UPDATE SET opened_at = excluded.opened_at, position = excluded.position, watched_percent = excluded.watched_percent,
			completed_at = excluded.completed_at, score = excluded.score, max_score = excluded.max_score, updated_at = excluded.updated_at`,
			p.UserID, p.CourseID, p.ItemID, p.OpenedAt, p.Position, p.WatchedPercent, p.CompletedAt, p.Score, p.MaxScore, p.UpdatedAt.UTC())
	}
	for _, a := range b.Answers {
		batch.Queue(`INSERT INTO `+s+`.answers VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, course_id, item_id, question_id)
			DO UPDATE SET correct = excluded.correct, score = excluded.score, max_score = excluded.max_score, response = excluded.response,
			answered_at = excluded.answered_at`, a.UserID, a.CourseID, a.ItemID, a.QuestionID, a.Correct, a.Score, a.MaxScore, a.Response, a.AnsweredAt.UTC())
	}
	for _, sub := range b.Submissions {
		batch.Queue(`INSERT INTO `+s+`.grades VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (submission_id) DO UPDATE SET
			score = excluded.score, max_score = excluded.max_score, passed = excluded.passed`,
			sub.ID, sub.UserID, sub.CourseID, sub.ItemID, sub.Score, sub.MaxScore, sub.Passed, sub.SubmittedAt.UTC())
	}
	if batch.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, batch).Close()
}

func (e *Engine) Tables(ctx context.Context) ([]warehouse.Table, error) {
	rows, err := e.owner.Query(ctx, `SELECT c.table_name, coalesce(obj_description(format('%I.%I', c.table_schema, c.table_name)::regclass, 'pg_class'), ''),
			c.column_name, upper(c.data_type),
			coalesce(col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position), '')
		FROM information_schema.columns c
		WHERE c.table_schema = $1 AND NOT c.table_name = ANY($2)
		ORDER BY c.table_name, c.ordinal_position`, e.schema, internalTables)
	if err != nil {
		return nil, fmt.Errorf("warehouse tables: %w", err)
	}
	defer rows.Close()
	return warehouse.TableColumns(func() (table, tdesc, col, typ, cdesc string, ok bool, err error) {
		if !rows.Next() {
			return "", "", "", "", "", false, rows.Err()
		}
		err = rows.Scan(&table, &tdesc, &col, &typ, &cdesc)
		return table, tdesc, col, typ, cdesc, err == nil, err
	})
}

// Schema is the schema that holds the warehouse tables.
func (e *Engine) Schema() string { return e.schema }
