package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/warehouse"
)

// rowGroupRows is the rows in a Parquet row group: the unit DuckDB
// decompresses to read any row of it. 65,536 keeps a page read to a few
// milliseconds and costs ~5% in size over DuckDB's default of 122,880.
const rowGroupRows = 65_536

// MaxValueBytes bounds one value of a stored result. Larger ones fail the
// write with a *warehouse.QueryError before they reach DuckDB's Parquet
// writer (which would need several times their size in memory).
const MaxValueBytes = 16 << 20

// metaKey names the Parquet key-value metadata that describes a result.
const metaKey = "lyceum"

// fileMeta is that metadata, as JSON.
type fileMeta struct {
	Version int      `json:"version"`
	Columns []column `json:"columns"`
}

// meta is what a reader needs to know about a stored result.
type meta struct {
	cols     []column
	rows     int64
	rowBytes int64 // average size of a row's values, for CSV batch sizes
}

func (m *meta) columns() []warehouse.Column {
	out := make([]warehouse.Column, len(m.cols))
	for i, c := range m.cols {
		out[i] = warehouse.Column{Name: c.Name, Type: c.Type, Kind: c.Source}
	}
	return out
}

// readMeta reads a result file's footer.
func (s *Store) readMeta(ctx context.Context, path string) (*meta, error) {
	p := quote(path)
	var (
		raw        []byte
		rows, size int64
	)
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT value FROM parquet_kv_metadata(`+p+`) WHERE key = '`+metaKey+`'),
		(SELECT num_rows FROM parquet_file_metadata(`+p+`)),
		(SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata(`+p+`))`).Scan(&raw, &rows, &size)
	if err != nil {
		return nil, fmt.Errorf("read result metadata: %w", err)
	}
	var fm fileMeta
	if err := json.Unmarshal(raw, &fm); err != nil || fm.Version != 1 || len(fm.Columns) == 0 {
		return nil, errors.New("not a stored result: its Parquet metadata does not describe it")
	}
	m := &meta{cols: fm.Columns, rows: rows}
	if rows > 0 {
		m.rowBytes = size / rows
	}
	return m, nil
}

// Write streams rows from src into a result stored under key, stopping at
// the caps (and saying so with Truncated). It does not close src. Memory
// stays bounded whatever the row count: a few batches of 2,048 rows in Go,
// and DuckDB's Parquet writer's current row group.
//
// An error from src (a *warehouse.QueryError, say) is returned wrapped;
// nothing is stored then.
func (s *Store) Write(ctx context.Context, key string, src warehouse.Rows, lim Limits) (Summary, error) {
	if err := blob.CheckKey(key); err != nil {
		return Summary{}, err
	}
	if lim.MaxRows < 0 {
		return Summary{}, lyceum.Invalid("maxRows", "must not be negative")
	}
	if lim.MaxBytes < 0 {
		return Summary{}, lyceum.Invalid("maxBytes", "must not be negative")
	}
	srcCols := src.Columns()
	if len(srcCols) == 0 {
		return Summary{}, &warehouse.QueryError{Code: "no_columns", Message: "the query returned no columns, so there is no result to keep"}
	}
	cols := planColumns(srcCols)
	job, err := newWriteJob(ctx, cols)
	if err != nil {
		return Summary{}, err
	}
	id := strconv.FormatUint(s.seq.Add(1), 10)
	s.jobs.Store(id, job)
	defer s.jobs.Delete(id)

	tmp := filepath.Join(s.tmpDir, "write-"+id+".parquet")
	defer os.Remove(tmp) // no-op once moved into the cache
	md, err := json.Marshal(fileMeta{Version: 1, Columns: cols})
	if err != nil {
		return Summary{}, err
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		job.produce(src, lim, stop)
	}()
	_, err = s.db.ExecContext(ctx, fmt.Sprintf(`COPY (SELECT * FROM %s('%s')) TO %s
		(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE %d, KV_METADATA {%s: %s})`,
		udfName, id, quote(tmp), rowGroupRows, metaKey, quote(string(md))))
	close(stop)
	<-done // src is the caller's again
	if job.err != nil {
		return Summary{}, fmt.Errorf("store result %s: %w", key, job.err)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return Summary{}, fmt.Errorf("store result %s: %w", key, err)
	}

	size, err := s.put(ctx, key, tmp)
	if err != nil {
		return Summary{}, err
	}
	m := &meta{cols: cols, rows: job.rows}
	if job.rows > 0 {
		m.rowBytes = job.bytes / job.rows
	}
	if path := s.cachePath(key); os.Rename(tmp, path) == nil {
		s.cache.install(key, path, size, m)
	}
	return Summary{Columns: append([]warehouse.Column(nil), srcCols...), Rows: job.rows, Bytes: size, Truncated: job.truncated}, nil
}

func (s *Store) put(ctx context.Context, key, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("store result %s: %w", key, err)
	}
	defer f.Close()
	n, err := s.blobs.Put(ctx, key, f)
	if err != nil {
		return 0, fmt.Errorf("store result %s: %w", key, err)
	}
	return n, nil
}

// bindWrite gives DuckDB the rows of the write whose id it was called with.
func (s *Store) bindWrite(_ map[string]any, args ...any) (duck.ChunkTableSource, error) {
	id, _ := args[0].(string)
	job, ok := s.jobs.Load(id)
	if !ok {
		return nil, fmt.Errorf("no result is being written as %q", id)
	}
	return job.(*writeJob), nil
}

// writeJob is one Write: a producer goroutine reads and converts the
// source's rows and sends them in batches; DuckDB pulls the batches through
// FillChunk, on its own thread.
type writeJob struct {
	ctx     context.Context
	cols    []column
	infos   []duck.ColumnInfo
	batches chan [][]any

	// Set by the producer; read after batches is closed.
	err       error
	rows      int64
	bytes     int64
	truncated bool
}

func newWriteJob(ctx context.Context, cols []column) (*writeJob, error) {
	j := &writeJob{ctx: ctx, cols: cols, batches: make(chan [][]any, 2)}
	for _, c := range cols {
		t, err := c.typeInfo()
		if err != nil {
			return nil, fmt.Errorf("result column %q: %w", c.Name, err)
		}
		j.infos = append(j.infos, duck.ColumnInfo{Name: c.Field, T: t})
	}
	return j, nil
}

func (j *writeJob) ColumnInfos() []duck.ColumnInfo     { return j.infos }
func (j *writeJob) Cardinality() *duck.CardinalityInfo { return nil }
func (j *writeJob) Init()                              {}

func (j *writeJob) FillChunk(chunk duck.DataChunk) error {
	var rows [][]any
	select {
	case b, ok := <-j.batches:
		if !ok {
			if j.err != nil {
				return j.err
			}
			return chunk.SetSize(0)
		}
		rows = b
	case <-j.ctx.Done():
		return j.ctx.Err()
	}
	for r, row := range rows {
		for c, v := range row {
			if err := chunk.SetValue(c, r, v); err != nil {
				return fmt.Errorf("column %q: %w", j.cols[c].Name, err)
			}
		}
	}
	return chunk.SetSize(len(rows))
}

// produce reads src until its end, a cap, an error or stop.
func (j *writeJob) produce(src warehouse.Rows, lim Limits, stop <-chan struct{}) {
	defer close(j.batches)
	size := duck.GetDataChunkCapacity()
	ncol := len(j.cols)
	var (
		batch [][]any
		vals  []any // one allocation for a batch's values
	)
	send := func() bool {
		select {
		case j.batches <- batch:
			batch, vals = nil, nil
			return true
		case <-stop:
		case <-j.ctx.Done():
			j.err = j.ctx.Err()
		}
		return false
	}
	for {
		if lim.MaxRows > 0 && j.rows == lim.MaxRows {
			// Is there more? Only then was the result cut short.
			_, err := src.Next()
			if err != nil && err != io.EOF {
				j.err = err
				return
			}
			j.truncated = err == nil
			break
		}
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			j.err = err
			return
		}
		if len(row) != ncol {
			j.err = fmt.Errorf("source row has %d values for %d columns", len(row), ncol)
			return
		}
		if vals == nil {
			vals = make([]any, size*ncol)
			batch = make([][]any, 0, size)
		}
		out := vals[len(batch)*ncol : (len(batch)+1)*ncol : (len(batch)+1)*ncol]
		var n int64
		for i, v := range row {
			sv, sz, err := j.cols[i].toStorage(v)
			if err != nil {
				j.err = &warehouse.QueryError{Code: "unsupported_value", Message: err.Error()}
				return
			}
			if sz > MaxValueBytes {
				j.err = &warehouse.QueryError{Code: "value_too_large", Message: fmt.Sprintf(
					"column %q has a value of %d MB in row %d; a stored result keeps values of up to %d MB each: select less of it (e.g. left(x, 1000))",
					j.cols[i].Name, sz>>20, j.rows+1, MaxValueBytes>>20)}
				return
			}
			out[i] = sv
			n += sz
		}
		if lim.MaxBytes > 0 && j.bytes+n > lim.MaxBytes {
			j.truncated = true
			break
		}
		j.rows++
		j.bytes += n
		batch = append(batch, out)
		if len(batch) == size && !send() {
			return
		}
	}
	if len(batch) > 0 {
		send()
	}
}
