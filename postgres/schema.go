package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lyceum/lyceum/warehouse"
)

// migrationsTable records the warehouse migrations applied to the schema.
const migrationsTable = "warehouse_migrations"

// typeName renders a warehouse type in PostgreSQL's DDL. The warehouse's
// own timestamps are UTC instants: timestamptz here, so that PostgreSQL
// converts them rightly whatever a session's TimeZone.
func typeName(t warehouse.Type) string {
	switch t.Kind {
	case warehouse.Integer:
		return "integer"
	case warehouse.BigInt:
		return "bigint"
	case warehouse.Double:
		return "double precision"
	case warehouse.Decimal:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
	case warehouse.Numeric:
		return "numeric"
	case warehouse.Boolean:
		return "boolean"
	case warehouse.Date:
		return "date"
	case warehouse.Timestamp, warehouse.TimestampTZ:
		return "timestamptz"
	case warehouse.Time:
		return "time"
	case warehouse.Interval:
		return "interval"
	case warehouse.UUID:
		return "uuid"
	case warehouse.JSON:
		return "jsonb"
	case warehouse.Blob:
		return "bytea"
	case warehouse.List:
		elem := warehouse.Text
		if t.Elem != "" {
			elem = t.Elem
		}
		return typeName(warehouse.Of(elem)) + "[]"
	default:
		return "text"
	}
}

// steps are this engine's own parts of a migration, after its tables and
// columns are made.
func (e *Engine) steps(version int) []string {
	s := e.schema
	switch version {
	case 1:
		return []string{
			`CREATE TABLE IF NOT EXISTS ` + s + `.secrets (name text PRIMARY KEY, value text NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS events_time ON ` + s + `.events (time)`,
		}
	}
	return nil
}

// migrate applies the warehouse migrations the schema has not had, each
// in a transaction with its record. Instances that start together take
// turns: each locks the migrations table (which no reader may touch, so
// no reader can hold it up) and applies what is still missing.
func (e *Engine) migrate(ctx context.Context) error {
	s := e.schema
	if err := e.ownerTx(ctx, []string{
		`CREATE SCHEMA IF NOT EXISTS ` + s,
		`CREATE TABLE IF NOT EXISTS ` + s + `.` + migrationsTable + ` (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
	}); err != nil {
		return err
	}
	for _, m := range warehouse.Migrations {
		err := pgx.BeginFunc(ctx, e.owner, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `LOCK TABLE `+s+`.`+migrationsTable+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+s+`.`+migrationsTable+` WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			tables, added := m.Create()
			var stmts []string
			for _, t := range tables {
				stmts = append(stmts, warehouse.CreateTable(t, s+"."+t.Name, typeName))
			}
			for table, cols := range added {
				for _, c := range cols {
					stmts = append(stmts, fmt.Sprintf(`ALTER TABLE %s.%s ADD COLUMN IF NOT EXISTS %s %s`, s, table, c.Name, typeName(c.Type)))
				}
			}
			stmts = append(stmts, e.steps(m.Version)...)
			for _, stmt := range stmts {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO `+s+`.`+migrationsTable+` VALUES ($1, $2, now())`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("warehouse migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}
