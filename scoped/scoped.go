// Package scoped gives each instructor the warehouse cut down to their own
// courses. Rather than rewriting an instructor's SQL (which a clever query
// could get around), it copies their courses' rows out of the warehouse
// into a private in-memory DuckDB, locked down like the embedded warehouse,
// and runs their query there: rows of other courses are not in it, so no
// SQL can reach them. The copy is kept for MaxAge and shared by the
// instructor's queries meanwhile; the same works whichever engine the
// warehouse is.
//
// What an instructor sees: their courses, with their modules and items;
// the enrollments, progress, answers, grades and events of those courses;
// and, of users, those enrolled in them and the instructor. Events that
// belong to no course (sign-ups, page views, the query audit) are left out.
package scoped

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/warehouse"
)

// Warehouses keeps the instructors' copies of the warehouse.
type Warehouses struct {
	Source warehouse.Engine
	// MaxAge is how old a copy may get before a query waits for a fresh
	// one (default 30 s): the freshness instructors trade for isolation.
	MaxAge time.Duration
	// MaxCopies bounds the copies kept at once (default 8); the least
	// recently used idle one goes first.
	MaxCopies int
	// Memory is each copy's DuckDB memory limit (default "1GB").
	Memory string
	// Dir keeps the copies as DuckDB files, each deleted when dropped, so
	// a copy larger than Memory spills to disk; "" keeps them in memory.
	Dir    string
	Logger *slog.Logger

	mu     sync.Mutex
	copies map[string]*copyOf // by scope key
	dir    string             // this process's directory in Dir
}

// copyOf is one scope's copy, being built until ready is closed.
type copyOf struct {
	key     string
	ready   chan struct{}
	engine  *duckdb.Engine
	path    string // the file, "" in memory
	err     error
	builtAt time.Time
	rows    int64
	users   int       // queries reading it now
	used    time.Time // last handed out
	retired bool      // replaced or evicted: close when users reach 0
}

// Query runs sql, a read-only statement, over the rows of courseIDs only.
// The first query of a scope, and the first after MaxAge, waits while the
// copy is made; its time counts toward the query's.
func (w *Warehouses) Query(ctx context.Context, courseIDs []string, sql string, args []any) (warehouse.Rows, error) {
	if len(courseIDs) == 0 {
		return nil, &warehouse.QueryError{Code: "no_courses", Message: "you have no courses yet, so there is no data to query: your courses' data appears here once you own one"}
	}
	c, err := w.acquire(ctx, courseIDs)
	if err != nil {
		return nil, err
	}
	rows, err := c.engine.Query(ctx, sql, args)
	if err != nil {
		w.release(c)
		return nil, err
	}
	return &releasing{Rows: rows, release: func() { w.release(c) }}, nil
}

type releasing struct {
	warehouse.Rows
	once    sync.Once
	release func()
}

func (r *releasing) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

func scopeKey(courseIDs []string) string {
	ids := slices.Clone(courseIDs)
	slices.Sort(ids)
	return strings.Join(slices.Compact(ids), "\x00")
}

// acquire returns a ready, fresh copy for the scope, building it if needed,
// with one more user.
func (w *Warehouses) acquire(ctx context.Context, courseIDs []string) (*copyOf, error) {
	key := scopeKey(courseIDs)
	maxAge := w.MaxAge
	if maxAge <= 0 {
		maxAge = 30 * time.Second
	}
	w.mu.Lock()
	if w.copies == nil {
		w.copies = map[string]*copyOf{}
	}
	c := w.copies[key]
	stale := false
	if c != nil {
		select {
		case <-c.ready:
			stale = c.err != nil || time.Since(c.builtAt) > maxAge
		default: // being built: wait for it
		}
	}
	if c == nil || stale {
		if c != nil {
			w.retireLocked(c)
		}
		c = &copyOf{key: key, ready: make(chan struct{})}
		w.copies[key] = c
		go w.build(c, courseIDs)
	}
	c.users++ // holds the copy while waiting, so it is not evicted
	w.mu.Unlock()

	select {
	case <-c.ready:
	case <-ctx.Done():
		w.release(c)
		return nil, ctx.Err()
	}
	if c.err != nil {
		w.release(c)
		return nil, c.err
	}
	w.mu.Lock()
	c.used = time.Now()
	w.evictLocked()
	w.mu.Unlock()
	return c, nil
}

func (w *Warehouses) release(c *copyOf) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c.users--
	if c.retired && c.users == 0 {
		closeCopy(c)
	}
}

// retireLocked takes c out of the map; it closes once nobody reads it.
func (w *Warehouses) retireLocked(c *copyOf) {
	if w.copies[c.key] == c {
		delete(w.copies, c.key)
	}
	c.retired = true
	if c.users == 0 {
		closeCopy(c)
	}
}

// closeCopy frees a finished copy (after its build ended).
func closeCopy(c *copyOf) {
	go func() {
		<-c.ready
		if c.engine != nil {
			c.engine.Close()
		}
		removeFile(c.path)
	}()
}

// removeFile deletes a DuckDB file with its write-ahead log and spill
// directory.
func removeFile(path string) {
	if path != "" {
		os.Remove(path)
		os.Remove(path + ".wal")
		os.RemoveAll(path + ".tmp")
	}
}

// evictLocked retires the least recently used idle copies past MaxCopies.
func (w *Warehouses) evictLocked() {
	limit := w.MaxCopies
	if limit <= 0 {
		limit = 8
	}
	for len(w.copies) > limit {
		var oldest *copyOf
		for _, c := range w.copies {
			if c.users == 0 && (oldest == nil || c.used.Before(oldest.used)) {
				oldest = c
			}
		}
		if oldest == nil {
			return // all in use: they go when their queries end
		}
		w.retireLocked(oldest)
	}
}

// build makes c's copy, detached from any one query: others may wait on it.
func (w *Warehouses) build(c *copyOf, courseIDs []string) {
	defer close(c.ready)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	memory := w.Memory
	if memory == "" {
		memory = "1GB"
	}
	opt := duckdb.Options{MemoryLimit: memory, Threads: 2}
	var engine *duckdb.Engine
	var err error
	if c.path, err = w.newPath(); err == nil {
		if c.path == "" {
			engine, err = duckdb.OpenMemory(ctx, opt)
		} else {
			engine, err = duckdb.Open(ctx, c.path, opt)
		}
	}
	if err == nil {
		c.rows, err = fill(ctx, engine, w.Source, courseIDs)
		if err != nil {
			engine.Close()
			engine = nil
		}
	}
	if err != nil {
		removeFile(c.path)
		w.logger().Error("copy an instructor's courses out of the warehouse", "courses", len(courseIDs), "err", err)
		c.err = &warehouse.QueryError{Code: "scope_failed", Message: "copying your courses' data out of the warehouse failed; try again, and if it keeps failing tell an administrator"}
		return
	}
	c.engine, c.builtAt = engine, time.Now()
	w.logger().Info("copied an instructor's courses out of the warehouse", "courses", len(courseIDs), "rows", c.rows, "took", time.Since(start).Round(time.Millisecond))
}

// newPath names a new copy's file in this process's own directory under
// Dir (made on first use), or "" for a copy in memory.
func (w *Warehouses) newPath() (string, error) {
	if w.Dir == "" {
		return "", nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dir == "" {
		if err := os.MkdirAll(w.Dir, 0o700); err != nil {
			return "", err
		}
		dir, err := os.MkdirTemp(w.Dir, "copies-")
		if err != nil {
			return "", err
		}
		w.dir = dir
	}
	return filepath.Join(w.dir, uuid.NewString()+".duckdb"), nil
}

func (w *Warehouses) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

// fill copies the scope's rows of every table of the warehouse out of
// src, selected by the table's Scope (warehouse.Tables). A table without
// one stays empty: a new table is not shown to instructors until someone
// decides how it is scoped.
func fill(ctx context.Context, dst *duckdb.Engine, src warehouse.Engine, courseIDs []string) (int64, error) {
	placeholders := make([]string, len(courseIDs))
	args := make([]any, len(courseIDs))
	for i, id := range courseIDs {
		placeholders[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	in := strings.Join(placeholders, ", ")
	var total int64
	for _, t := range warehouse.Tables {
		if t.Internal || t.Scope == "" {
			continue
		}
		names := make([]string, len(t.Columns))
		for i, col := range t.Columns {
			names[i] = `"` + col.Name + `"`
		}
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(names, ", "), t.Name, t.ScopeFilter(in))
		rows, err := src.Query(ctx, q, args)
		if err != nil {
			return total, fmt.Errorf("read %s: %w", t.Name, err)
		}
		n, err := dst.Append(ctx, t.Name, rows)
		rows.Close()
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close frees every copy once the queries reading it end, and deletes
// the copies' directory (files still open stay readable until closed).
func (w *Warehouses) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.copies {
		w.retireLocked(c)
	}
	if w.dir != "" {
		os.RemoveAll(w.dir)
	}
}

// RemoveStale deletes the copies' directories under dir that nothing has
// written to for olderThan: those of a worker process that crashed (a live
// one remakes its copies every MaxAge).
func RemoveStale(dir string, olderThan time.Duration, logger *slog.Logger) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "copies-") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		newest := time.Time{}
		filepath.WalkDir(path, func(_ string, d os.DirEntry, err error) error {
			if err == nil {
				if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
					newest = info.ModTime()
				}
			}
			return nil
		})
		if time.Since(newest) > olderThan {
			if err := os.RemoveAll(path); err == nil && logger != nil {
				logger.Info("removed an old copy of instructors' data", "dir", path)
			}
		}
	}
}
