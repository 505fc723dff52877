package duckdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ErrStateChanged says the DuckDB instance that every query shares is no
// longer as it was opened: a query changed something that outlives it. The
// instance must be closed and opened again (the query worker exits, and
// its supervisor starts a fresh one).
var ErrStateChanged = errors.New("duckdb: the shared engine state changed")

// stateQueries describe what every connection of the instance shares and
// no query may change: settings, attached databases, and the
// warehouse's own catalog objects. Per-connection state (TEMP objects,
// variables) is not here: it goes with the query's connection.
var stateQueries = []string{
	`SELECT name, value FROM duckdb_settings() ORDER BY name`,
	`SELECT database_name, path, type, readonly FROM duckdb_databases() WHERE NOT internal ORDER BY database_name`,
	`SELECT database_name, schema_name FROM duckdb_schemas() WHERE ` + shared + ` ORDER BY ALL`,
	`SELECT database_name, table_name, sql FROM duckdb_tables() WHERE ` + shared + ` ORDER BY ALL`,
	`SELECT database_name, view_name, sql FROM duckdb_views() WHERE ` + shared + ` ORDER BY ALL`,
	`SELECT database_name, sequence_name FROM duckdb_sequences() WHERE ` + shared + ` ORDER BY ALL`,
	`SELECT database_name, index_name, sql FROM duckdb_indexes() WHERE ` + shared + ` ORDER BY ALL`,
}

// shared selects the catalog objects of the instance's databases, leaving
// out the built-in ones and the connection's own TEMP ones.
const shared = `database_name NOT IN ('system', 'temp')`

// state is a digest of the shared state, read on a fresh connection.
func (e *Engine) state(ctx context.Context) (string, error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	h := sha256.New()
	for _, q := range stateQueries {
		rows, err := conn.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("duckdb state: %w", err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", fmt.Errorf("duckdb state: %w", err)
			}
			fmt.Fprintf(h, "%q\n", vals)
		}
		if err := rows.Close(); err != nil {
			return "", fmt.Errorf("duckdb state: %w", err)
		}
		io.WriteString(h, "\x00")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify checks that the shared state is as it was opened, and returns
// ErrStateChanged if not.
func (e *Engine) Verify(ctx context.Context) error {
	now, err := e.state(ctx)
	if err != nil {
		return err
	}
	if now != e.baseline {
		return ErrStateChanged
	}
	return nil
}
