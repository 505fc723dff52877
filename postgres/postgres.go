// Package postgres is the warehouse on a PostgreSQL-protocol server
// (PostgreSQL; Redshift speaks the same protocol).
//
// Two roles: the owner (the URL Lyceum is configured with) creates the
// tables and loads them; queries run as a separate login role that may only
// SELECT, inside a READ ONLY transaction with a statement timeout, which is
// always rolled back, so nothing a query does — not even a SET — outlives it.
package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
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
	// ReaderURL is the read-only role queries run as. Empty: the engine
	// creates (or updates) role ReaderRole with a password derived from the
	// owner's, and connects as it; the owner then needs CREATEROLE.
	ReaderURL  string
	ReaderRole string // default "<schema>_reader"
	// QueryTimeout bounds every query (also enforced by the caller's ctx).
	QueryTimeout time.Duration
}

// Engine is the PostgreSQL warehouse.
type Engine struct {
	owner  *pgxpool.Pool
	reader *pgxpool.Pool
	schema string
	cfg    Config
}

var _ warehouse.Engine = (*Engine)(nil)

// Open connects, creates the schema and tables, the reader role, and
// connects as the reader.
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
	if !identifier(cfg.ReaderRole) {
		return nil, fmt.Errorf("postgres warehouse: reader role %q must be lower-case letters, digits and underscores", cfg.ReaderRole)
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
		if readerURL, err = e.ensureReader(ctx); err != nil {
			owner.Close()
			return nil, err
		}
	}
	rc, err := pgxpool.ParseConfig(readerURL)
	if err != nil {
		owner.Close()
		return nil, fmt.Errorf("postgres warehouse: reader URL: %w", err)
	}
	rc.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	rc.ConnConfig.RuntimeParams["application_name"] = "lyceum-query"
	rc.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "60000"
	if e.reader, err = pgxpool.NewWithConfig(ctx, rc); err != nil {
		owner.Close()
		return nil, fmt.Errorf("postgres warehouse: reader: %w", err)
	}
	if err := e.reader.Ping(ctx); err != nil {
		e.Close()
		return nil, fmt.Errorf("postgres warehouse: connect as the reader role: %w", err)
	}
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
	if e.reader != nil {
		e.reader.Close()
	}
	e.owner.Close()
	return nil
}

func (e *Engine) ddl() []string {
	s := e.schema
	return []string{
		`CREATE SCHEMA IF NOT EXISTS ` + s,
		`CREATE TABLE IF NOT EXISTS ` + s + `.loader_state (name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.events (id text NOT NULL, time timestamptz NOT NULL, type text NOT NULL, user_id text,
			course_id text, item_id text, payload jsonb)`,
		`CREATE INDEX IF NOT EXISTS events_time ON ` + s + `.events (time)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.users (id text PRIMARY KEY, email text, name text, role text, created_at timestamptz)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.courses (id text PRIMARY KEY, title text, summary text, language text, owner_id text,
			published boolean, updated_at timestamptz)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.modules (course_id text, module_id text, position integer, title text)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.items (course_id text, module_id text, item_id text, position integer, kind text,
			title text, required boolean, duration_seconds double precision, question_count integer)`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.enrollments (user_id text, course_id text, enrolled_at timestamptz, completed_at timestamptz,
			PRIMARY KEY (user_id, course_id))`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.progress (user_id text, course_id text, item_id text, opened_at timestamptz,
			position double precision, watched_percent double precision, completed_at timestamptz, score double precision,
			max_score double precision, updated_at timestamptz, PRIMARY KEY (user_id, course_id, item_id))`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.answers (user_id text, course_id text, item_id text, question_id text, correct boolean,
			score double precision, max_score double precision, response jsonb, answered_at timestamptz,
			PRIMARY KEY (user_id, course_id, item_id, question_id))`,
		`CREATE TABLE IF NOT EXISTS ` + s + `.grades (submission_id text PRIMARY KEY, user_id text, course_id text, item_id text,
			score double precision, max_score double precision, passed boolean, submitted_at timestamptz)`,
	}
}

func (e *Engine) createSchema(ctx context.Context) error {
	conn, err := e.owner.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres warehouse: %w", err)
	}
	defer conn.Release()
	// Instances starting together create the schema one at a time.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('lyceum-warehouse-schema'))`); err != nil {
		return fmt.Errorf("postgres warehouse: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('lyceum-warehouse-schema'))`)
	for _, stmt := range e.ddl() {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres warehouse schema: %w", err)
		}
	}
	for _, stmt := range warehouse.CommentStatements(e.schema) {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("postgres warehouse schema: %w", err)
		}
	}
	return nil
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ensureReader creates or updates the read-only login role and returns the
// URL to connect as it.
func (e *Engine) ensureReader(ctx context.Context) (string, error) {
	u, err := url.Parse(e.cfg.URL)
	if err != nil {
		return "", fmt.Errorf("postgres warehouse: URL: %w", err)
	}
	ownerPassword, _ := u.User.Password()
	sum := sha256.Sum256([]byte("lyceum reader\x00" + ownerPassword + "\x00" + e.cfg.ReaderRole))
	password := hex.EncodeToString(sum[:16])
	role, s := e.cfg.ReaderRole, e.schema
	conn, err := e.owner.Acquire(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('lyceum-warehouse-reader'))`); err != nil {
		return "", err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('lyceum-warehouse-reader'))`)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).Scan(&exists); err != nil {
		return "", err
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	var db string
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return "", err
	}
	for _, stmt := range []string{
		fmt.Sprintf(`%s ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD %s`, verb, role, literal(password)),
		fmt.Sprintf(`ALTER ROLE %s SET default_transaction_read_only = on`, role),
		fmt.Sprintf(`ALTER ROLE %s SET statement_timeout = %d`, role, e.cfg.QueryTimeout.Milliseconds()),
		fmt.Sprintf(`ALTER ROLE %s SET idle_in_transaction_session_timeout = 60000`, role),
		fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM %s`, quoteIdent(db), role),
		fmt.Sprintf(`GRANT CONNECT ON DATABASE %s TO %s`, quoteIdent(db), role),
		fmt.Sprintf(`REVOKE CREATE ON SCHEMA public FROM %s`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %s TO %s`, s, role),
		fmt.Sprintf(`GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s`, s, role),
		fmt.Sprintf(`REVOKE SELECT ON %s.loader_state FROM %s`, s, role),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return "", fmt.Errorf("postgres warehouse: set up reader role %s: %w (the warehouse user needs CREATEROLE, or set a reader URL)", role, err)
		}
	}
	r := *u
	r.User = url.UserPassword(role, password)
	return r.String(), nil
}

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
		batch.Queue(`INSERT INTO `+s+`.users VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET email = excluded.email,
			name = excluded.name, role = excluded.role, created_at = excluded.created_at`, u.ID, u.Email, u.Name, u.Role, u.CreatedAt.UTC())
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
		batch.Queue(`INSERT INTO `+s+`.enrollments VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, course_id) DO UPDATE SET
			enrolled_at = excluded.enrolled_at, completed_at = excluded.completed_at`, en.UserID, en.CourseID, en.EnrolledAt.UTC(), en.CompletedAt)
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
		WHERE c.table_schema = $1 AND c.table_name <> 'loader_state'
		ORDER BY c.table_name, c.ordinal_position`, e.schema)
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

// readTags are the command tags of reading statements.
var readTags = map[string]bool{"SELECT": true, "EXPLAIN": true, "SHOW": true}

// Query runs sql as the reader role in a READ ONLY transaction that is
// always rolled back. PostgreSQL itself refuses writes there; a statement
// that is not a read but wrote nothing (a SET) is refused by its command
// tag, and undone by the rollback.
func (e *Engine) Query(ctx context.Context, query string, args []any) (warehouse.Rows, error) {
	conn, err := e.reader.Acquire(ctx)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		conn.Release()
		return nil, queryError(ctx, err)
	}
	timeout := e.cfg.QueryTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL statement_timeout = %d`, timeout.Milliseconds()+100)); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, queryError(ctx, err)
	}
	pr, err := tx.Query(ctx, query, args...)
	if err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, queryError(ctx, err)
	}
	r := &rows{ctx: ctx, conn: conn, tx: tx, rows: pr}
	for _, fd := range pr.FieldDescriptions() {
		typ := "TEXT"
		if t, ok := conn.Conn().TypeMap().TypeForOID(fd.DataTypeOID); ok {
			typ = strings.ToUpper(t.Name)
		}
		r.cols = append(r.cols, warehouse.Column{Name: fd.Name, Type: typ})
	}
	return r, nil
}

type rows struct {
	ctx    context.Context
	conn   *pgxpool.Conn
	tx     pgx.Tx
	rows   pgx.Rows
	cols   []warehouse.Column
	closed bool
}

func (r *rows) Columns() []warehouse.Column { return r.cols }

func (r *rows) Next() ([]any, error) {
	if r.rows.Next() {
		return r.rows.Values()
	}
	if err := r.rows.Err(); err != nil {
		return nil, queryError(r.ctx, err)
	}
	if tag := r.rows.CommandTag().String(); !readTags[strings.Fields(tag + " x")[0]] {
		return nil, notReadOnly
	}
	return nil, io.EOF
}

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.rows.Close()
	err := r.tx.Rollback(context.WithoutCancel(r.ctx))
	r.conn.Release()
	if errors.Is(err, pgx.ErrTxClosed) {
		err = nil
	}
	return err
}

var notReadOnly = &warehouse.QueryError{Code: "not_read_only",
	Message: "only reading statements (SELECT, WITH … SELECT, EXPLAIN) run on the query page; this one would change the warehouse or its settings"}

func queryError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &warehouse.QueryError{Code: "timeout", Message: "the query ran past its time limit and was stopped"}
	case errors.Is(ctx.Err(), context.Canceled):
		return &warehouse.QueryError{Code: "canceled", Message: "the query was canceled"}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "25006" || pe.Code == "42501": // read_only_sql_transaction, insufficient_privilege
			return &warehouse.QueryError{Code: "not_read_only", Message: notReadOnly.Message + " (" + pe.Message + ")"}
		case pe.Code == "57014": // query_canceled: statement_timeout
			return &warehouse.QueryError{Code: "timeout", Message: "the query ran past its time limit and was stopped"}
		}
		return &warehouse.QueryError{Code: "invalid", Message: pe.Message}
	}
	return err
}
