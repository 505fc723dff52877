package querying

import (
	"context"
	"errors"

	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// Execution is one query for an Executor to run and keep the result of.
type Execution struct {
	SQL  string `json:"sql"`
	Args []any  `json:"args,omitempty"` // bound parameters (strings)
	// Scope is nil for the whole warehouse, else the only courses the
	// query reads (an instructor's: see package scoped).
	Scope []string `json:"scope"`
	// Querier is the user id the query runs on behalf of.
	Querier string         `json:"querier"`
	Key     string         `json:"key"` // blob key of the result
	Limits  results.Limits `json:"limits"`
}

// Executor runs queries in the warehouse and stores their results: in
// this process (Local), or in a supervised worker process (package
// queryworker), so that no query can take the server down.
type Executor interface {
	Execute(ctx context.Context, x Execution) (results.Summary, error)
	// Tables describes the warehouse for the schema browser.
	Tables(ctx context.Context) ([]warehouse.Table, error)
	// Name is the warehouse engine's ("duckdb", "postgres").
	Name() string
}

// Local executes queries in this process.
type Local struct {
	Warehouse warehouse.Engine
	Scoped    Scoped // nil: instructors' queries are refused
	Results   *results.Store
}

var _ Executor = (*Local)(nil)

// Execute runs x and writes its result. An error that is the query's own
// (refused, invalid, timed out, canceled) is a *warehouse.QueryError.
func (l *Local) Execute(ctx context.Context, x Execution) (results.Summary, error) {
	ctx = warehouse.WithQuerier(ctx, x.Querier)
	var rows warehouse.Rows
	var err error
	switch {
	case x.Scope == nil:
		rows, err = l.Warehouse.Query(ctx, x.SQL, x.Args)
	case l.Scoped == nil:
		return results.Summary{}, &warehouse.QueryError{Code: "no_scope", Message: "this server does not run instructors' queries"}
	default:
		rows, err = l.Scoped.Query(ctx, x.Scope, x.SQL, x.Args)
	}
	if err != nil {
		return results.Summary{}, err
	}
	sum, err := l.Results.Write(ctx, x.Key, rows, x.Limits)
	return sum, errors.Join(err, rows.Close())
}

func (l *Local) Tables(ctx context.Context) ([]warehouse.Table, error) {
	return l.Warehouse.Tables(ctx)
}

func (l *Local) Name() string { return l.Warehouse.Name() }
