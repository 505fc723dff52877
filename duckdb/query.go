package duckdb

import (
	"context"
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

	dc, err := e.connector.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("warehouse: %w", err)
	}
	r, err := start(ctx, dc, query, args)
	if err != nil {
		dc.Close()
		return nil, err
	}
	return r, nil
}

// start begins the read-only transaction on dc and the query in it.
func start(ctx context.Context, dc driver.Conn, query string, args []any) (*rows, error) {
	exec, ok := dc.(driver.ExecerContext)
	if !ok {
		return nil, errors.New("duckdb connection cannot execute")
	}
	if _, err := exec.ExecContext(ctx, `BEGIN TRANSACTION READ ONLY`, nil); err != nil {
		return nil, fmt.Errorf("warehouse: begin a read-only transaction: %w", err)
	}
	// Prepare without a context: duckdb-go then refuses more than one
	// statement instead of running all but the last (a third check of the
	// count, should the parser and the driver ever disagree).
	st, err := dc.Prepare(query)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	ds, ok := st.(*duck.Stmt)
	if !ok {
		st.Close()
		return nil, errors.New("not a duckdb statement")
	}
	typ, err := ds.StatementType()
	if err != nil {
		ds.Close()
		return nil, err
	}
	if !readTypes[typ] {
		ds.Close()
		return nil, notReadOnly
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	dr, err := ds.QueryContext(ctx, named)
	if err != nil {
		ds.Close()
		return nil, queryError(ctx, err)
	}
	r := &rows{ctx: ctx, conn: dc, stmt: ds, rows: dr}
	r.cols = make([]warehouse.Column, len(dr.Columns()))
	for i, name := range dr.Columns() {
		r.cols[i].Name = name
		if ct, ok := dr.(driver.RowsColumnTypeDatabaseTypeName); ok {
			r.cols[i].Type = ct.ColumnTypeDatabaseTypeName(i)
		}
	}
	r.dest = make([]driver.Value, len(r.cols))
	return r, nil
}

// rows streams a query's result; Close ends its transaction and closes its
// connection.
type rows struct {
	ctx  context.Context
	conn driver.Conn
	stmt *duck.Stmt
	rows driver.Rows
	cols []warehouse.Column
	dest []driver.Value
}

func (r *rows) Columns() []warehouse.Column { return r.cols }

func (r *rows) Next() ([]any, error) {
	if err := r.rows.Next(r.dest); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, queryError(r.ctx, err)
	}
	out := make([]any, len(r.dest))
	for i, v := range r.dest {
		out[i] = v
	}
	return out, nil
}

func (r *rows) Close() error {
	err := r.rows.Close()
	r.stmt.Close()
	// Closing the connection rolls the transaction back; nothing of it is
	// kept or reused.
	return errors.Join(err, r.conn.Close())
}

// queryError turns an execution failure into a QueryError the user sees.
func queryError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &warehouse.QueryError{Code: "timeout", Message: "the query ran past its time limit and was stopped"}
	case errors.Is(ctx.Err(), context.Canceled):
		return &warehouse.QueryError{Code: "canceled", Message: "the query was canceled"}
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
