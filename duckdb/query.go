package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum/warehouse"
)

// readTypes are the statement types a query may have: reads only.
var readTypes = map[duck.StmtType]bool{duck.STATEMENT_TYPE_SELECT: true, duck.STATEMENT_TYPE_EXPLAIN: true}

var notReadOnly = &warehouse.QueryError{Code: "not_read_only",
	Message: "only reading statements (SELECT, WITH … SELECT, EXPLAIN) run on the query page; this one would change the warehouse or its settings"}

// Query runs one reading statement, defended twice:
//
//  1. DuckDB's parser judges the text first: exactly one statement, which
//     must prepare as a SELECT or EXPLAIN and call no function that changes
//     the shared instance (deniedFunctions).
//  2. It then runs on a connection of its own, inside a READ ONLY
//     transaction that is always rolled back, and the connection is closed
//     after it: DuckDB refuses any write to the warehouse even if a
//     statement got past the first check, and whatever the query left on
//     its connection (TEMP objects, variables, prepared statements,
//     settings) goes with the connection.
//
// Cancelling ctx interrupts DuckDB.
func (e *Engine) Query(ctx context.Context, query string, args []any) (warehouse.Rows, error) {
	n, err := e.parser.statements(query)
	if err != nil {
		return nil, err
	}
	switch {
	case n == 0:
		return nil, &warehouse.QueryError{Code: "empty", Message: "the query has no statement; write one"}
	case n > 1:
		return nil, &warehouse.QueryError{Code: "multiple_statements",
			Message: fmt.Sprintf("a query is one statement; this one has %d (run them one at a time)", n)}
	}
	if f, err := e.parser.deniedFunction(ctx, query); err != nil {
		return nil, err
	} else if f != "" {
		return nil, &warehouse.QueryError{Code: "not_allowed",
			Message: fmt.Sprintf("%s() changes the warehouse engine that everyone shares, so queries may not call it", f)}
	}

	conn, err := e.queries.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, queryError(ctx, err)
		}
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	r, err := start(ctx, conn, query, args)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return r, nil
}

// start begins the read-only transaction on conn and the query in it. The
// driver's own objects (to read the statement type) are used only inside
// conn.Raw: database/sql serialises everything else on the connection, and
// closes the result when ctx ends, also while it is being read.
func start(ctx context.Context, conn *sql.Conn, query string, args []any) (*rows, error) {
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION READ ONLY`); err != nil {
		if ctx.Err() != nil { // cancelled or timed out before it began
			return nil, queryError(ctx, err)
		}
		return nil, fmt.Errorf("warehouse: begin a read-only transaction: %w", err)
	}
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		// Prepare without a context: duckdb-go then refuses more than one
		// statement instead of running all but the last (a third check of
		// the count, should the parser and the driver ever disagree).
		st, err := c.Prepare(query)
		if err != nil {
			return queryError(ctx, err)
		}
		defer st.Close()
		ds, ok := st.(*duck.Stmt)
		if !ok {
			return errors.New("not a duckdb statement")
		}
		typ, err := ds.StatementType()
		if err != nil {
			return err
		}
		if !readTypes[typ] {
			return notReadOnly
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rs, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	types, err := rs.ColumnTypes()
	if err != nil {
		rs.Close()
		return nil, queryError(ctx, err)
	}
	r := &rows{ctx: ctx, conn: conn, rows: rs}
	r.cols = make([]warehouse.Column, len(types))
	r.dest = make([]any, len(types))
	r.ptrs = make([]any, len(types))
	for i, ct := range types {
		r.cols[i] = column(ct.Name(), ct.DatabaseTypeName())
		r.ptrs[i] = &r.dest[i]
	}
	return r, nil
}

// rows streams a query's result; Close ends its transaction and closes its
// connection.
type rows struct {
	ctx  context.Context
	conn *sql.Conn
	rows *sql.Rows
	cols []warehouse.Column
	dest []any
	ptrs []any
}

func (r *rows) Columns() []warehouse.Column { return r.cols }

func (r *rows) Next() ([]any, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return nil, queryError(r.ctx, err)
		}
		if err := r.ctx.Err(); err != nil { // database/sql closed the rows for it
			return nil, queryError(r.ctx, err)
		}
		return nil, io.EOF
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, queryError(r.ctx, err)
	}
	out := make([]any, len(r.dest))
	copy(out, r.dest)
	return out, nil
}

func (r *rows) Close() error {
	err := r.rows.Close()
	// The pool keeps no idle connection: closing this one ends the
	// transaction (rolled back) and whatever the query left on it.
	return errors.Join(err, r.conn.Close())
}

// queryError turns an execution failure into a QueryError the user sees.
func queryError(ctx context.Context, err error) error {
	if stopped := warehouse.StoppedBy(ctx); stopped != nil {
		return stopped
	}
	var de *duck.Error
	if errors.As(err, &de) {
		code := "invalid"
		if de.Type == duck.ErrorTypeTransaction {
			code = "not_read_only" // a write refused by the read-only transaction
		}
		return &warehouse.QueryError{Code: code, Message: cleanMessage(err.Error())}
	}
	return err
}
