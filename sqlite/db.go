// Package sqlite implements the learning store and the event log on SQLite
// in WAL mode, the embedded default.
//
// SQLite takes one writer at a time, so every write goes through one writer
// goroutine that commits concurrent writes together (group commit): a write
// returns only after the transaction holding it is durable on disk
// (synchronous=FULL). Reads use a separate pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/lyceum/lyceum"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite learning store. It implements lyceum.Store.
type DB struct {
	read   *sql.DB
	write  *sql.DB
	writes chan *writeReq
	done   chan struct{}
	closed chan struct{}

	closeOnce sync.Once
	closeErr  error
}

var _ lyceum.Store = (*DB)(nil)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, filePath string) (*DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite3", "file:"+filePath+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filePath, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", filePath, err)
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	r := url.Values{}
	r.Set("_busy_timeout", "10000")
	r.Set("_query_only", "1")
	read, err := sql.Open("sqlite3", "file:"+filePath+"?"+r.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", filePath, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	db := &DB{read: read, write: write, writes: make(chan *writeReq, maxBatch),
		done: make(chan struct{}), closed: make(chan struct{})}
	go db.writeLoop()
	return db, nil
}

// Close finishes pending writes and closes the database. Closing twice is
// harmless.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.done)
		<-db.closed
		db.closeErr = errors.Join(db.read.Close(), db.write.Close())
	})
	return db.closeErr
}

func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		version := strings.TrimSuffix(path.Base(name), ".sql")
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, version, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
	}
	return nil
}

type writeReq struct {
	fn   func(tx *sql.Tx) error
	done chan error
}

// exec runs fn in a write transaction shared with other concurrent writes
// and returns once that transaction is committed. If fn fails, only its own
// changes are rolled back (each write runs in a savepoint).
func (db *DB) exec(ctx context.Context, fn func(tx *sql.Tx) error) error {
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.done:
		return errClosed
	}
	// Once queued, wait for the outcome even if ctx ends: the write may
	// commit, and the caller must not believe it did not. A write queued
	// after the writer drained its queue on Close is never run: the
	// writer's exit (closed) says so. The writer answers every write it
	// ran before it exits, so an answer is never missed.
	select {
	case err := <-req.done:
		return err
	case <-db.closed:
		select {
		case err := <-req.done:
			return err
		default:
			return errClosed
		}
	}
}

var errClosed = errors.New("sqlite: the store is closed")

func (db *DB) writeLoop() {
	defer close(db.closed)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case req := <-db.writes:
			batch = append(batch, req)
		case <-db.done:
			// Drain what was queued before Close.
			for {
				select {
				case req := <-db.writes:
					db.commit([]*writeReq{req})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-db.writes:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		db.commit(batch)
	}
}

func (db *DB) commit(batch []*writeReq) {
	ctx := context.Background()
	results := make([]error, len(batch))
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("sqlite: begin: %w", err)
		}
		return
	}
	for i, r := range batch {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			results[i] = err
			continue
		}
		if err := r.fn(tx); err != nil {
			results[i] = err
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
				results[i] = errors.Join(err, rerr)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil && results[i] == nil {
			results[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("sqlite: commit: %w", err)
		}
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// isUniqueViolation reports whether err is SQLite's constraint error for a
// duplicate key.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, lyceum.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}
