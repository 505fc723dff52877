// Package results keeps the result of every query-page run in the blob
// store, and pages, sorts and downloads it without loading it whole.
//
// # Format
//
// A result is one Parquet file (zstd, row groups of 65,536 rows) under the
// run's key. Parquet is columnar and compressed, so a million-row result
// takes a few tens of MB; any tool reads it; and its footer holds the row
// count and, as key-value metadata ("lyceum"), the result's own column names
// and engine type names, so a stored result describes itself.
//
// Each column is stored by its warehouse kind (warehouse.Column.Kind, which
// the engine reports; this package never reads engine type names) as one
// of a few Parquet types: integer and bigint as BIGINT, double as DOUBLE,
// decimal(p,s) as DECIMAL(p,s) (128-bit and unsigned 64-bit integers come
// as decimal(38,0)), numeric without a precision as the exact text of its
// digits, boolean, date, timestamp and timestamptz (microseconds; timestamp
// is taken as UTC), blob as BLOB. JSON and lists (arrays, structs, maps,
// unions) are stored as their JSON text; uuid, time and interval as text;
// any other kind as its text, so no result fails for its types. A value
// that does not fit its column's storage (a string that is no number in an
// integer column, a 128-bit integer of 39 digits, a decimal NaN) fails the
// write with a *warehouse.QueryError naming the column.
//
// # How
//
// A private in-process DuckDB does the Parquet work. It runs in memory with
// its memory capped (Options.MemoryLimit; sorts spill to cacheDir), and it
// can reach no file outside cacheDir: external access is off except for
// cacheDir (allowed_directories), extensions never load, and its
// configuration is locked. Only this package sends it SQL, and every name
// that reaches the SQL is either validated against the stored columns and
// quoted, or made here.
//
// Write streams: a Go goroutine reads the source rows, converts them and
// hands them over in batches of 2,048 rows to a table function that
// `COPY (SELECT * FROM it) TO 'file.parquet'` pulls from, so reading the
// source overlaps with DuckDB encoding, and memory holds a few batches plus
// the row group being encoded, whatever the row count. The file then goes to
// the blob store and stays in the local cache, so the first page after a run
// costs no download.
//
// Page and CSV read from the local cache: a copy of the blob in cacheDir,
// fetched once and kept while there is room (least recently used go first,
// within Options.CacheBytes). A page is a query on the file: unsorted it
// reads only the row groups holding the wanted rows; sorted it is a top-N
// sort on the column with the stored order breaking ties, so pages never
// overlap or skip rows. CSV reads the file in ranges of rows and writes them
// as they come.
package results

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/warehouse"
)

// Options tune the store; zero values are sensible.
type Options struct {
	// CacheBytes bounds the local copies of results in cacheDir. Default 1 GiB.
	CacheBytes int64
	// MemoryLimit caps the private DuckDB's memory, e.g. "512MB" (the
	// default); sorts beyond it spill to cacheDir.
	MemoryLimit string
	// Threads is DuckDB's thread count; default one per CPU.
	Threads int
}

func (o Options) withDefaults() Options {
	if o.CacheBytes <= 0 {
		o.CacheBytes = 1 << 30
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = "512MB"
	}
	return o
}

// Limits cap what Write stores; 0 means no cap.
type Limits struct {
	MaxRows int64
	// MaxBytes counts the values as they stream, before compression: the
	// length of text, JSON and binary values, 8 bytes for a number or a time
	// (16 for a DECIMAL wider than 18 digits), 1 for a boolean, 0 for NULL.
	// The stored file is usually several times smaller.
	MaxBytes int64
}

// Summary describes a stored result.
type Summary struct {
	Columns   []warehouse.Column
	Rows      int64
	Bytes     int64 // size of the stored file
	Truncated bool  // a cap stopped the write before the source's end
}

// Page is a slice of a stored result.
type Page struct {
	Columns []warehouse.Column `json:"columns"`
	// Rows hold JSON-friendly values: string, int64, float64, bool, nil, and
	// json.Number for decimals (exact). Times are RFC 3339 strings in UTC,
	// dates "2006-01-02", JSON and nested values their JSON text, binary
	// values "\x" and hex, and NaN and the infinities "NaN", "Infinity",
	// "-Infinity".
	Rows  [][]any `json:"rows"`
	Total int64   `json:"total"` // rows in the whole result
}

// MaxPageRows is the most rows one Page returns.
const MaxPageRows = 10_000

// Store writes and reads stored results. Results are Parquet files in the
// blob store under their key. It is safe for concurrent use.
type Store struct {
	blobs    blob.Store
	db       *sql.DB
	filesDir string // cached results
	tmpDir   string // files being written or fetched, DuckDB's spill files
	seq      atomic.Uint64
	jobs     sync.Map // write id → *writeJob, for the table function
	cache    *cache
}

// udfName is the table function Write copies from.
const udfName = "lyceum_result_rows"

// Open starts a store over blobs. cacheDir is local scratch that the store
// owns: it empties its "files" and "tmp" directories on open and close.
func Open(ctx context.Context, blobs blob.Store, cacheDir string, opt Options) (*Store, error) {
	opt = opt.withDefaults()
	if cacheDir == "" {
		return nil, errors.New("results: a cache directory is required")
	}
	dir, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("results cache: %w", err)
	}
	s := &Store{
		blobs:    blobs,
		filesDir: filepath.Join(dir, "files"),
		tmpDir:   filepath.Join(dir, "tmp"),
	}
	s.cache = newCache(opt.CacheBytes)
	for _, d := range []string{s.filesDir, s.tmpDir} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("results cache: %w", err)
		}
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("results cache: %w", err)
		}
	}
	connector, err := duck.NewConnector("", nil) // in memory
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	s.db = sql.OpenDB(connector)
	if err := s.setUp(ctx, dir, opt); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) setUp(ctx context.Context, dir string, opt Options) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer conn.Close()
	settings := []string{
		`SET memory_limit = ` + quote(opt.MemoryLimit),
		`SET temp_directory = ` + quote(filepath.Join(s.tmpDir, "spill")),
		// Files under cacheDir only; the order matters: the list cannot
		// change once external access is off, and nothing can once locked.
		`SET allowed_directories = [` + quote(dir+string(filepath.Separator)) + `]`,
		`SET enable_external_access = false`,
		`SET autoinstall_known_extensions = false`,
		`SET autoload_known_extensions = false`,
	}
	if opt.Threads > 0 {
		settings = append(settings, fmt.Sprintf(`SET threads = %d`, opt.Threads))
	}
	settings = append(settings, `SET lock_configuration = true`)
	for _, stmt := range settings {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("results: %s: %w", stmt, err)
		}
	}
	varchar, err := duck.NewTypeInfo(duck.TYPE_VARCHAR)
	if err != nil {
		return err
	}
	err = duck.RegisterTableUDF(conn, udfName, duck.ChunkTableFunction{
		Config:        duck.TableFunctionConfig{Arguments: []duck.TypeInfo{varchar}},
		BindArguments: s.bindWrite,
	})
	if err != nil {
		return fmt.Errorf("results: register %s: %w", udfName, err)
	}
	return nil
}

// Close stops the store and empties its cache directory.
func (s *Store) Close() error {
	err := s.db.Close()
	return errors.Join(err, os.RemoveAll(s.filesDir), os.RemoveAll(s.tmpDir))
}

// Delete removes the result under key, if there is one.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	if err := s.blobs.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete result %s: %w", key, err)
	}
	s.cache.drop(key)
	return nil
}

// acquire returns the cached copy of key's result, fetching it from the
// blob store if need be. The caller must release it.
func (s *Store) acquire(ctx context.Context, key string) (*entry, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	for {
		e, fetch := s.cache.get(key)
		if fetch {
			path, size, m, err := s.fetch(ctx, key)
			s.cache.fetched(e, path, size, m, err)
			if err != nil {
				return nil, err
			}
			return e, nil
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			s.cache.release(e)
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e, nil
		}
		s.cache.release(e)
		// Another caller's fetch was canceled; fetch it ourselves.
		if ctx.Err() == nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
			continue
		}
		return nil, e.err
	}
}

// fetch copies key's blob into the cache directory and reads its metadata.
func (s *Store) fetch(ctx context.Context, key string) (path string, size int64, m *meta, err error) {
	obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		if errors.Is(err, lyceum.ErrNotFound) {
			// The key is ours, not the client's: leave it out.
			return "", 0, nil, fmt.Errorf("this result is no longer stored; run the query again: %w", lyceum.ErrNotFound)
		}
		return "", 0, nil, fmt.Errorf("fetch result %s: %w", key, err)
	}
	defer obj.Close()
	tmp, err := os.CreateTemp(s.tmpDir, "fetch-*")
	if err != nil {
		return "", 0, nil, fmt.Errorf("fetch result %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	size, err = io.Copy(tmp, blob.ContextReader(ctx, obj))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, nil, fmt.Errorf("fetch result %s: %w", key, err)
	}
	path = s.cachePath(key)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, nil, fmt.Errorf("fetch result %s: %w", key, err)
	}
	if m, err = s.readMeta(ctx, path); err != nil {
		os.Remove(path)
		return "", 0, nil, fmt.Errorf("result %s: %w", key, err)
	}
	return path, size, m, nil
}

// cachePath is a new file name for key in the cache: new each time, so a
// file being read is never replaced under its reader.
func (s *Store) cachePath(key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(s.filesDir, fmt.Sprintf("%s-%d.parquet", hex.EncodeToString(h[:12]), s.seq.Add(1)))
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
