// Package duckdb is the embedded warehouse: a DuckDB file in the data dir.
//
// The database is opened with external access off (no reading or writing
// files, no extensions, no ATTACH of other files) and its configuration
// locked, so the only way a query could change anything is by being a
// statement other than a read, which Query refuses by DuckDB's own
// statement type.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/warehouse"
)

// Engine is the DuckDB warehouse.
type Engine struct {
	// db is the owner's pool: the loader, Tables and Append. No query of
	// a user ever runs on it.
	db *sql.DB
	// queries is the pool user queries run on. It keeps no idle
	// connection: each query has its own, closed after it, so nothing a
	// query leaves on its connection reaches anyone.
	queries *sql.DB
	parser  *parser
	// catalog is the database's name in DuckDB: the loader names its
	// tables with it, so no name a query could create (a TEMP table, a
	// macro) stands in for a warehouse table.
	catalog string
	// baseline is the instance's state after Open; Verify compares.
	baseline string
}

var _ warehouse.Engine = (*Engine)(nil)

// Options tune the engine; zero values are sensible.
type Options struct {
	MemoryLimit string // e.g. "1GB"; default DuckDB's (80% of RAM)
	Threads     int
}

// lockedDown are the options every DuckDB of Lyceum's opens with: no file
// outside its own, no extension, and a configuration nobody can change.
var lockedDown = map[string]string{
	"enable_external_access":       "false",
	"autoinstall_known_extensions": "false",
	"autoload_known_extensions":    "false",
	"lock_configuration":           "true",
}

func lockedDownQuery() string {
	q := url.Values{}
	for k, v := range lockedDown {
		q.Set(k, v)
	}
	return q.Encode()
}

// OpenMemory opens a private in-memory warehouse with the same tables,
// locked down like the file: filled with Append, it serves one instructor's
// slice of the warehouse (see package scoped). Close frees it.
func OpenMemory(ctx context.Context, opt Options) (*Engine, error) {
	return Open(ctx, "", opt)
}

// Open opens (creating) the warehouse file at path ("" for one in memory)
// and creates the loader's tables.
func Open(ctx context.Context, path string, opt Options) (*Engine, error) {
	q := url.Values{}
	for k, v := range lockedDown {
		q.Set(k, v)
	}
	q.Set("access_mode", "read_write")
	if opt.MemoryLimit != "" {
		q.Set("memory_limit", opt.MemoryLimit)
	}
	if opt.Threads > 0 {
		q.Set("threads", fmt.Sprint(opt.Threads))
	}
	// duckdb-go applies these in no particular order, so no option may
	// depend on another (a temp_directory cannot be set once external
	// access is off: a file's spill directory is next to it).
	connector, err := duck.NewConnector(path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %q: %w", path, err)
	}
	e := &Engine{db: sql.OpenDB(connector), queries: sql.OpenDB(connector)}
	e.queries.SetMaxIdleConns(0)
	if e.parser, err = theParser(); err != nil {
		e.Close()
		return nil, err
	}
	if err := e.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&e.catalog); err != nil {
		e.Close()
		return nil, fmt.Errorf("open warehouse %q: %w", path, err)
	}
	if err := e.migrate(ctx); err != nil {
		e.Close()
		return nil, err
	}
	if e.baseline, err = e.state(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Engine) Name() string { return "duckdb" }

func (e *Engine) Close() error { return errors.Join(e.queries.Close(), e.db.Close()) }

// table names a warehouse table by its catalog: never something a query
// created.
func (e *Engine) table(name string) string {
	return quoteIdent(e.catalog) + ".main." + quoteIdent(name)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

const loaderName = "learning"

func (e *Engine) LoaderPosition(ctx context.Context) (lyceum.EventPosition, error) {
	var pos string
	err := e.db.QueryRowContext(ctx, `SELECT position FROM `+e.table("loader_state")+` WHERE name = ?`, loaderName).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loader position: %w", err)
	}
	return lyceum.EventPosition(pos), nil
}

// Load appends the batch's rows with DuckDB's appender into
// connection-local staging tables, then, in one transaction, moves them into
// the warehouse tables (events appended, entity rows replacing those with
// the same key) and moves the loader's position.
func (e *Engine) Load(ctx context.Context, b *warehouse.Batch, from, to lyceum.EventPosition) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer conn.Close()
	staged := stagedRows(b)
	// Staging tables are connection-local; drop them however the load
	// ends, so that no other use of this pooled connection sees the rows
	// and they do not stay in memory.
	defer e.unstage(ctx, conn, staged)
	for _, t := range staged {
		if err := e.stage(ctx, conn, t.table, t.rows); err != nil {
			return fmt.Errorf("load: stage %s: %w", t.table, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer tx.Rollback()
	var current string
	err = tx.QueryRowContext(ctx, `SELECT position FROM `+e.table("loader_state")+` WHERE name = ?`, loaderName).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("load: %w", err)
	}
	if current != string(from) {
		return warehouse.ErrPositionMoved
	}
	for _, t := range staged {
		verb := "INSERT OR REPLACE INTO "
		if t.table == "events" {
			verb = "INSERT INTO "
		}
		if _, err := tx.ExecContext(ctx, verb+e.table(t.table)+` SELECT * FROM `+staging(t.table)); err != nil {
			return fmt.Errorf("load %s: %w", t.table, err)
		}
	}
	if err := e.loadCourses(ctx, tx, b.Courses); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+e.table("loader_state")+` (name, position, updated_at) VALUES (?, ?, ?)`,
		loaderName, string(to), time.Now().UTC()); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load: commit: %w", err)
	}
	return nil
}

// unstage drops conn's staging tables; if it cannot, the connection is
// discarded, and its temporary tables with it.
func (e *Engine) unstage(ctx context.Context, conn *sql.Conn, staged []tableRows) {
	ctx = context.WithoutCancel(ctx)
	for _, t := range staged {
		if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+staging(t.table)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			return
		}
	}
}

type tableRows struct {
	table string
	rows  [][]driver.Value
}

// stagedRows lays the batch out as rows of the warehouse tables, in their
// column order; tables without rows are left out.
func stagedRows(b *warehouse.Batch) []tableRows {
	var events, users, enrollments, progress, answers, grades [][]driver.Value
	for _, ev := range b.Events {
		payload := string(ev.Payload)
		if payload == "" {
			payload = "{}"
		}
		events = append(events, []driver.Value{ev.ID, ev.Time.UTC(), string(ev.Type), ev.UserID, ev.CourseID, ev.ItemID, payload})
	}
	for _, u := range b.Users {
		users = append(users, []driver.Value{u.ID, u.Email, u.Name, u.Role, u.CreatedAt.UTC(), u.Status})
	}
	for _, en := range b.Enrollments {
		enrollments = append(enrollments, []driver.Value{en.UserID, en.CourseID, en.EnrolledAt.UTC(), utc(en.CompletedAt), utc(en.LeftAt)})
	}
	for _, p := range b.Progress {
		progress = append(progress, []driver.Value{p.UserID, p.CourseID, p.ItemID, utc(p.OpenedAt), p.Position, p.WatchedPercent,
			utc(p.CompletedAt), float(p.Score), p.MaxScore, p.UpdatedAt.UTC()})
	}
	for _, a := range b.Answers {
		answers = append(answers, []driver.Value{a.UserID, a.CourseID, a.ItemID, a.QuestionID, a.Correct, a.Score, a.MaxScore, nullString(a.Response), a.AnsweredAt.UTC()})
	}
	for _, s := range b.Submissions {
		grades = append(grades, []driver.Value{s.ID, s.UserID, s.CourseID, s.ItemID, s.Score, s.MaxScore, boolean(s.Passed), s.SubmittedAt.UTC()})
	}
	var out []tableRows
	for _, t := range []tableRows{{"events", events}, {"users", users}, {"enrollments", enrollments}, {"progress", progress},
		{"answers", answers}, {"grades", grades}} {
		if len(t.rows) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

func boolean(b *bool) driver.Value {
	if b == nil {
		return nil
	}
	return *b
}

func float(f *float64) driver.Value {
	if f == nil {
		return nil
	}
	return *f
}

// staging names the loader's connection-local staging table for table.
func staging(table string) string { return "temp.main." + quoteIdent(table+"_staging") }

// stage fills the connection's temporary staging table for table.
func (e *Engine) stage(ctx context.Context, conn *sql.Conn, table string, rows [][]driver.Value) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+staging(table)+` AS SELECT * FROM `+e.table(table)+` LIMIT 0`); err != nil {
		return err
	}
	return withAppender(conn, "temp", table+"_staging", func(app *duck.Appender) error {
		for _, r := range rows {
			if err := app.AppendRow(r...); err != nil {
				return err
			}
		}
		return nil
	})
}

// withAppender gives fill an appender to catalog's table main.table on
// conn, and flushes what it appended (catalog "temp" for temporary tables,
// "" for the database's own).
func withAppender(conn *sql.Conn, catalog, table string, fill func(app *duck.Appender) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		app, err := duck.NewAppender(c, catalog, "main", table)
		if err != nil {
			return err
		}
		if err := fill(app); err != nil {
			app.Close()
			return err
		}
		return app.Close()
	})
}

// loadCourses replaces courses with their modules and items (few rows).
func (e *Engine) loadCourses(ctx context.Context, tx *sql.Tx, courses []warehouse.Course) error {
	for _, c := range courses {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+e.table("courses")+` VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Title, c.Summary, c.Language, c.OwnerID, c.Published, c.UpdatedAt.UTC()); err != nil {
			return err
		}
		for _, table := range []string{"modules", "items"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+e.table(table)+` WHERE course_id = ?`, c.ID); err != nil {
				return err
			}
		}
		for _, m := range c.Modules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+e.table("modules")+` VALUES (?, ?, ?, ?)`, c.ID, m.ID, m.Position, m.Title); err != nil {
				return err
			}
			for _, it := range m.Items {
				if _, err := tx.ExecContext(ctx, `INSERT INTO `+e.table("items")+` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, m.ID, it.ID, it.Position,
					it.Kind, it.Title, it.Required, it.DurationSeconds, it.QuestionCount); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func utc(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// Tables lists the warehouse's tables with their columns and descriptions.
func (e *Engine) Tables(ctx context.Context) ([]warehouse.Table, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT t.table_name, coalesce(t.comment, ''), c.column_name, c.data_type, coalesce(c.comment, '')
		FROM duckdb_tables() t JOIN duckdb_columns() c ON c.table_oid = t.table_oid
		WHERE t.database_name = ? AND t.schema_name = 'main' AND NOT t.temporary AND NOT list_contains(?, t.table_name)
		ORDER BY t.table_name, c.column_index`, e.catalog, internalTables())
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

// Append appends every row of src to table, through DuckDB's appender. The
// columns of src must be the table's, in its order (select them by the
// names Tables gives); values are converted to the column types where the
// source engine's Go types differ (integers, JSON decoded to maps).
func (e *Engine) Append(ctx context.Context, table string, src warehouse.Rows) (int64, error) {
	tables, err := e.Tables(ctx)
	if err != nil {
		return 0, err
	}
	var cols []warehouse.Column
	for _, t := range tables {
		if t.Name == table {
			cols = t.Columns
		}
	}
	if cols == nil {
		return 0, fmt.Errorf("append: no table %q", table)
	}
	got := src.Columns()
	if len(got) != len(cols) {
		return 0, fmt.Errorf("append %s: the rows have %d columns, the table %d", table, len(got), len(cols))
	}
	for i := range cols {
		if got[i].Name != cols[i].Name {
			return 0, fmt.Errorf("append %s: column %d is %q, the table's is %q", table, i+1, got[i].Name, cols[i].Name)
		}
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("append %s: %w", table, err)
	}
	defer conn.Close()
	var n int64
	err = withAppender(conn, e.catalog, table, func(app *duck.Appender) error {
		row := make([]driver.Value, len(cols))
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			vals, err := src.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			for i, v := range vals {
				if row[i], err = columnValue(cols[i].Kind, v); err != nil {
					return fmt.Errorf("column %s: %w", cols[i].Name, err)
				}
			}
			if err := app.AppendRow(row...); err != nil {
				return err
			}
			n++
		}
	})
	if err != nil {
		return n, fmt.Errorf("append %s: %w", table, err)
	}
	return n, nil
}

// columnValue converts v, as some engine's driver returned it, to what
// DuckDB's appender takes for a column of type typ.
func columnValue(typ warehouse.Type, v any) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch typ.Kind {
	case warehouse.Text, warehouse.JSON: // VARCHAR
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		case map[string]any, []any: // a JSON document another engine decoded
			b, err := json.Marshal(x)
			return string(b), err
		}
		return fmt.Sprint(v), nil
	case warehouse.Integer:
		switch x := v.(type) {
		case int32:
			return x, nil
		case int64:
			return int32(x), nil
		case int:
			return int32(x), nil
		case int16:
			return int32(x), nil
		}
	case warehouse.Double:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("cannot store a %T in a %s column", v, typ)
}
