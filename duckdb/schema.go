package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lyceum/lyceum/warehouse"
)

// migrationsTable records the warehouse migrations applied to this file.
const migrationsTable = "warehouse_migrations"

// internalTables are the engine's own, never listed by Tables.
func internalTables() []string {
	out := []string{migrationsTable}
	for _, t := range warehouse.Tables {
		if t.Internal {
			out = append(out, t.Name)
		}
	}
	return out
}

// typeName renders a warehouse type in DuckDB's DDL. JSON documents are
// kept as text: DuckDB's JSON functions and operators (payload->>'position')
// read text as well as the JSON type, and text reaches Go as is, where
// duckdb-go decodes every JSON value into maps (which made a million-row
// SELECT * of events twice as slow).
func typeName(t warehouse.Type) string {
	switch t.Kind {
	case warehouse.Integer:
		return "INTEGER"
	case warehouse.BigInt:
		return "BIGINT"
	case warehouse.Double:
		return "DOUBLE"
	case warehouse.Decimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case warehouse.Numeric:
		return "DECIMAL(38,10)" // DuckDB's widest exact type
	case warehouse.Boolean:
		return "BOOLEAN"
	case warehouse.Date:
		return "DATE"
	case warehouse.Timestamp:
		return "TIMESTAMP"
	case warehouse.TimestampTZ:
		return "TIMESTAMPTZ"
	case warehouse.Time:
		return "TIME"
	case warehouse.Interval:
		return "INTERVAL"
	case warehouse.UUID:
		return "UUID"
	case warehouse.Blob:
		return "BLOB"
	case warehouse.List:
		elem := warehouse.Text
		if t.Elem != "" {
			elem = t.Elem
		}
		return typeName(warehouse.Of(elem)) + "[]"
	default: // text, json
		return "VARCHAR"
	}
}

// steps are this engine's own parts of a migration, after its tables and
// columns are made.
var steps = map[int]func(ctx context.Context, e *Engine, tx *sql.Tx) error{
	1: textJSON,
}

// migrate applies the warehouse migrations this file has not had, each in
// a transaction with its record, then (re)writes the descriptions. A file
// is opened by one process at a time, so nothing else migrates it
// meanwhile.
func (e *Engine) migrate(ctx context.Context) error {
	if _, err := e.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+e.table(migrationsTable)+
		` (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("warehouse migrations: %w", err)
	}
	for _, m := range warehouse.Migrations {
		var n int
		if err := e.db.QueryRowContext(ctx, `SELECT count(*) FROM `+e.table(migrationsTable)+` WHERE version = ?`, m.Version).Scan(&n); err != nil {
			return fmt.Errorf("warehouse migrations: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := e.apply(ctx, m); err != nil {
			return fmt.Errorf("warehouse migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	for _, stmt := range warehouse.CommentStatements("") {
		if _, err := e.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("warehouse descriptions: %w", err)
		}
	}
	return nil
}

func (e *Engine) apply(ctx context.Context, m warehouse.Migration) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tables, added := m.Create()
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, warehouse.CreateTable(t, e.table(t.Name), typeName)); err != nil {
			return err
		}
	}
	for table, cols := range added {
		for _, c := range cols {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s`, e.table(table), c.Name, typeName(c.Type))); err != nil {
				return err
			}
		}
	}
	if step := steps[m.Version]; step != nil {
		if err := step(ctx, e, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+e.table(migrationsTable)+` VALUES (?, ?, ?)`, m.Version, m.Name, time.Now().UTC()); err != nil {
		return err
	}
	return tx.Commit()
}

// textJSON converts the JSON columns of warehouses made before they were
// text. Those also held, from a loader bug, JSON strings of the document
// ("{\"position\": 3}" as a string) rather than the document: both become
// the document's text.
func textJSON(ctx context.Context, e *Engine, tx *sql.Tx) error {
	for _, t := range warehouse.Tables {
		for _, c := range t.Columns {
			if c.Type.Kind != warehouse.JSON {
				continue
			}
			var typ string
			err := tx.QueryRowContext(ctx, `SELECT data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' AND table_name = ? AND column_name = ?`,
				e.catalog, t.Name, c.Name).Scan(&typ)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", t.Name, c.Name, err)
			}
			if typ != "JSON" {
				continue
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %[1]s ALTER %[2]s SET DATA TYPE VARCHAR USING
				(CASE WHEN json_type(%[2]s) = 'VARCHAR' THEN %[2]s->>'$' ELSE CAST(%[2]s AS VARCHAR) END)`, e.table(t.Name), c.Name)); err != nil {
				return fmt.Errorf("make %s.%s text: %w", t.Name, c.Name, err)
			}
		}
	}
	return nil
}
