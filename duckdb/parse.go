package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	duck "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/lyceum/lyceum/warehouse"
)

// parser judges a query's text with DuckDB's own parser, before any of it
// reaches the warehouse: how many statements it holds, and (for a SELECT)
// which functions it calls. It runs on a private, empty in-memory DuckDB
// that no query ever executes on: parsing needs no data.
type parser struct {
	mu   sync.Mutex // a DuckDB connection is not safe for concurrent use
	db   mapping.Database
	conn mapping.Connection
	ast  *sql.DB // json_serialize_sql, on a second empty in-memory DuckDB
}

var (
	sharedParser     *parser
	sharedParserErr  error
	sharedParserOnce sync.Once
)

// theParser is the process's one parser, made on first use: parsing needs
// no data, so every engine shares it.
func theParser() (*parser, error) {
	sharedParserOnce.Do(func() { sharedParser, sharedParserErr = newParser() })
	return sharedParser, sharedParserErr
}

func newParser() (*parser, error) {
	var cfg mapping.Config
	if mapping.CreateConfig(&cfg) == mapping.StateError {
		return nil, errors.New("duckdb parser: cannot create a configuration")
	}
	defer mapping.DestroyConfig(&cfg)
	for name, value := range lockedDown {
		if mapping.SetConfig(cfg, name, value) == mapping.StateError {
			return nil, fmt.Errorf("duckdb parser: option %s", name)
		}
	}
	p := &parser{}
	var msg string
	if mapping.OpenExt(":memory:", &p.db, cfg, &msg) == mapping.StateError {
		return nil, fmt.Errorf("duckdb parser: %s", msg)
	}
	if mapping.Connect(p.db, &p.conn) == mapping.StateError {
		mapping.Close(&p.db)
		return nil, errors.New("duckdb parser: cannot connect")
	}
	connector, err := duck.NewConnector("?"+lockedDownQuery(), nil)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("duckdb parser: %w", err)
	}
	p.ast = sql.OpenDB(connector)
	return p, nil
}

func (p *parser) close() {
	if p.ast != nil {
		p.ast.Close()
	}
	mapping.Disconnect(&p.conn)
	mapping.Close(&p.db)
}

// statements counts the statements in query. A syntax error comes back as
// a *warehouse.QueryError with DuckDB's message.
func (p *parser) statements(query string) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var stmts mapping.ExtractedStatements
	n := mapping.ExtractStatements(p.conn, query, &stmts)
	msg := ""
	if n == 0 {
		msg = mapping.ExtractStatementsError(stmts)
	}
	mapping.DestroyExtracted(&stmts)
	if msg != "" {
		return 0, &warehouse.QueryError{Code: "syntax", Message: cleanMessage(msg)}
	}
	return int(n), nil
}

// deniedFunctions change the DuckDB instance that every query shares (its
// logging, its checkpoints), or run SQL text that this check would not
// see. No query may call them, however deeply nested.
var deniedFunctions = map[string]bool{
	"enable_logging": true, "disable_logging": true, "truncate_duckdb_logs": true, "write_log": true,
	"checkpoint": true, "force_checkpoint": true,
	"enable_profiling": true, "disable_profiling": true, "enable_profile": true, "disable_profile": true,
	"query": true, "query_table": true, "json_execute_serialized_sql": true,
}

// deniedFunction returns a function a SELECT calls that no query may call
// ("" if none), as DuckDB parses the SELECT. Statements other than SELECT
// are not its concern: the statement type check refuses them.
func (p *parser) deniedFunction(ctx context.Context, query string) (string, error) {
	var raw string
	err := p.ast.QueryRowContext(ctx, `SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, query).Scan(&raw)
	if err != nil {
		return "", fmt.Errorf("parse the query: %w", err)
	}
	var tree struct {
		Error      bool `json:"error"`
		Statements []any
	}
	if err := json.Unmarshal([]byte(raw), &tree); err != nil {
		return "", fmt.Errorf("parse the query: %w", err)
	}
	if tree.Error {
		return "", nil // not a SELECT (e.g. EXPLAIN): nothing here to look at
	}
	return findFunction(tree.Statements), nil
}

// findFunction walks a parsed statement for a denied function name.
func findFunction(node any) string {
	switch n := node.(type) {
	case map[string]any:
		if name, ok := n["function_name"].(string); ok && deniedFunctions[strings.ToLower(name)] {
			return strings.ToLower(name)
		}
		for _, v := range n {
			if f := findFunction(v); f != "" {
				return f
			}
		}
	case []any:
		for _, v := range n {
			if f := findFunction(v); f != "" {
				return f
			}
		}
	}
	return ""
}

// cleanMessage trims DuckDB's error text for users.
func cleanMessage(s string) string { return strings.TrimSpace(s) }
