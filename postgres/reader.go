package postgres

import (
	"context"
	"crypto/rand"
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

	"github.com/lyceum/lyceum/warehouse"
)

const readerPasswordName = "reader-password"

// ensureReader creates or updates the reader role, which holds the read
// grants and runs the system's own reads, and returns the URL to connect
// as it. Its password (and every querier role's) is random, made by the
// first instance and kept in the secrets table.
func (e *Engine) ensureReader(ctx context.Context) (string, error) {
	u, err := url.Parse(e.cfg.URL)
	if err != nil {
		return "", fmt.Errorf("postgres warehouse: URL: %w", err)
	}
	password, err := e.readerPassword(ctx)
	if err != nil {
		return "", err
	}
	var db string
	if err := e.owner.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return "", fmt.Errorf("postgres warehouse: %w", err)
	}
	role, s := e.cfg.ReaderRole, e.schema
	stmts := e.roleStatements(ctx, role, password)
	stmts = append(stmts,
		fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM %s`, quoteIdent(db), role),
		fmt.Sprintf(`GRANT CONNECT ON DATABASE %s TO %s`, quoteIdent(db), role),
		fmt.Sprintf(`REVOKE CREATE ON SCHEMA public FROM %s`, role),
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %s TO %s`, s, role),
		fmt.Sprintf(`GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s`, s, role),
	)
	for _, t := range internalTables {
		stmts = append(stmts, fmt.Sprintf(`REVOKE ALL ON %s.%s FROM %s`, s, t, role))
	}
	if err := e.ownerTx(ctx, stmts); err != nil {
		return "", fmt.Errorf("postgres warehouse: set up reader role %s: %w (the warehouse user needs CREATEROLE, or set a reader URL)", role, err)
	}
	e.roles.Store(role, true)
	r := *u
	r.User = url.UserPassword(role, password)
	return r.String(), nil
}

// readerPassword returns the reader roles' password, making it the first
// time.
func (e *Engine) readerPassword(ctx context.Context) (string, error) {
	b := make([]byte, 24)
	rand.Read(b)
	if _, err := e.owner.Exec(ctx, `INSERT INTO `+e.schema+`.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		readerPasswordName, hex.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("postgres warehouse: reader password: %w", err)
	}
	var password string
	if err := e.owner.QueryRow(ctx, `SELECT value FROM `+e.schema+`.secrets WHERE name = $1`, readerPasswordName).Scan(&password); err != nil {
		return "", fmt.Errorf("postgres warehouse: reader password: %w", err)
	}
	return password, nil
}

// roleStatements create (or bring up to date) a read-only login role.
func (e *Engine) roleStatements(ctx context.Context, role, password string) []string {
	verb := "CREATE"
	var exists bool
	if err := e.owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).Scan(&exists); err == nil && exists {
		verb = "ALTER"
	}
	return []string{
		fmt.Sprintf(`%s ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS PASSWORD %s`, verb, role, literal(password)),
		fmt.Sprintf(`ALTER ROLE %s SET default_transaction_read_only = on`, role),
		fmt.Sprintf(`ALTER ROLE %s SET statement_timeout = %d`, role, e.cfg.QueryTimeout.Milliseconds()),
		fmt.Sprintf(`ALTER ROLE %s SET idle_in_transaction_session_timeout = 60000`, role),
		fmt.Sprintf(`ALTER ROLE %s SET search_path = %s`, role, e.schema),
	}
}

// querierRole is the login role a person's queries run as, made on their
// first query: a member of the reader role, with its grants and nothing
// else.
func (e *Engine) querierRole(ctx context.Context, userID string) (string, error) {
	sum := sha256.Sum256([]byte(userID))
	role := e.cfg.ReaderRole + "_" + hex.EncodeToString(sum[:6])
	if _, ok := e.roles.Load(role); ok {
		return role, nil
	}
	password, err := e.readerPassword(ctx)
	if err != nil {
		return "", err
	}
	stmts := append(e.roleStatements(ctx, role, password), fmt.Sprintf(`GRANT %s TO %s`, e.cfg.ReaderRole, role))
	if err := e.ownerTx(ctx, stmts); err != nil {
		return "", fmt.Errorf("postgres warehouse: make the query role %s: %w", role, err)
	}
	e.roles.Store(role, true)
	return role, nil
}

// connect opens a new connection as the reader (role "") or as role.
func (e *Engine) connect(ctx context.Context, role string) (*pgx.Conn, error) {
	cfg := e.reader.Copy()
	if role != "" {
		cfg.User = role
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// readTags are the command tags of reading statements.
var readTags = map[string]bool{"SELECT": true, "EXPLAIN": true, "SHOW": true}

// Query runs one statement on a new connection of its own, as the
// querier's role (warehouse.Querier), in a READ ONLY transaction that is
// always rolled back; the connection is closed after. PostgreSQL refuses
// writes twice (the role may only SELECT; the transaction is read-only)
// and more than one statement (the extended protocol); a statement that is
// not a read but wrote nothing (a SET) is refused by its command tag.
func (e *Engine) Query(ctx context.Context, query string, args []any) (warehouse.Rows, error) {
	role := ""
	if id := warehouse.Querier(ctx); id != "" && e.manageRoles {
		var err error
		if role, err = e.querierRole(ctx, id); err != nil {
			return nil, err
		}
	}
	conn, err := e.connect(ctx, role)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	r, err := e.start(ctx, conn, query, args)
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return r, nil
}

func (e *Engine) start(ctx context.Context, conn *pgx.Conn, query string, args []any) (*rows, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, queryError(ctx, err)
	}
	timeout := e.cfg.QueryTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL statement_timeout = %d`, timeout.Milliseconds()+100)); err != nil {
		return nil, queryError(ctx, err)
	}
	pr, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	r := &rows{ctx: ctx, conn: conn, rows: pr}
	// The first row is read now, so that a refusal (permission denied, a
	// write in a read-only transaction) is the query's error, not a
	// result without columns.
	if r.fetch(); r.next == nil && r.end != io.EOF {
		pr.Close()
		return nil, r.end
	}
	for _, fd := range pr.FieldDescriptions() {
		r.cols = append(r.cols, column(conn.TypeMap(), fd))
	}
	return r, nil
}

type rows struct {
	ctx  context.Context
	conn *pgx.Conn
	rows pgx.Rows
	cols []warehouse.Column
	next []any // the row fetch read; nil once there is none
	end  error // io.EOF, or why there are no more rows
}

// fetch reads the next row into r.next, or why there is none into r.end.
func (r *rows) fetch() {
	r.next = nil
	if r.rows.Next() {
		v, err := r.rows.Values()
		if err != nil {
			r.end = queryError(r.ctx, err)
			return
		}
		r.next = v
		return
	}
	if err := r.rows.Err(); err != nil {
		r.end = queryError(r.ctx, err)
		return
	}
	if tag := r.rows.CommandTag().String(); !readTags[strings.Fields(tag + " x")[0]] {
		r.end = notReadOnly
		return
	}
	r.end = io.EOF
}

func (r *rows) Columns() []warehouse.Column { return r.cols }

func (r *rows) Next() ([]any, error) {
	if r.next == nil {
		return nil, r.end
	}
	row := r.next
	r.fetch()
	return row, nil
}

func (r *rows) Close() error {
	if r.conn == nil {
		return nil
	}
	r.rows.Close()
	// Closing the connection ends the transaction (rolled back) and
	// whatever else the query left on the session.
	err := r.conn.Close(context.WithoutCancel(r.ctx))
	r.conn = nil
	return err
}

var notReadOnly = &warehouse.QueryError{Code: "not_read_only",
	Message: "only reading statements (SELECT, WITH … SELECT, EXPLAIN) run on the query page; this one would change the warehouse or its settings"}

// queryError says what PostgreSQL refused, in its own words.
func queryError(ctx context.Context, err error) error {
	if stopped := warehouse.StoppedBy(ctx); stopped != nil {
		return stopped
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "25006": // read_only_sql_transaction
			return &warehouse.QueryError{Code: "not_read_only", Message: notReadOnly.Message + " (PostgreSQL: " + pe.Message + ")"}
		case "42501": // insufficient_privilege
			return &warehouse.QueryError{Code: "permission_denied", Message: "the warehouse refused: " + pe.Message}
		case "57014": // query_canceled: statement_timeout
			return warehouse.TimedOut()
		case "42601": // syntax_error, also for more than one statement
			return &warehouse.QueryError{Code: "syntax", Message: pe.Message}
		}
		return &warehouse.QueryError{Code: "invalid", Message: pe.Message}
	}
	return err
}
