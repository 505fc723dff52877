package results

import (
	"bufio"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/lyceum/lyceum"
)

// Page returns rows [offset, offset+limit) of the result under key, sorted
// by the column named sortBy (the first, if several share the name; empty:
// stored order), ascending or, with desc, descending; NULLs come last
// either way, and rows with equal values keep their stored order. limit
// may be 0 (only columns and Total) up to MaxPageRows. A missing result is
// lyceum.ErrNotFound; an unknown column or a bad offset or limit is a
// *lyceum.ValidationError.
func (s *Store) Page(ctx context.Context, key string, offset, limit int64, sortBy string, desc bool) (*Page, error) {
	if offset < 0 {
		return nil, lyceum.Invalid("offset", "must not be negative")
	}
	if limit < 0 || limit > MaxPageRows {
		return nil, lyceum.Invalid("limit", "must be between 0 and %d", MaxPageRows)
	}
	e, err := s.acquire(ctx, key)
	if err != nil {
		return nil, err
	}
	defer s.cache.release(e)
	m := e.meta
	sortCol := -1
	if sortBy != "" {
		for i, c := range m.cols {
			if c.Name == sortBy {
				sortCol = i
				break
			}
		}
		if sortCol < 0 {
			return nil, lyceum.Invalid("sort", "the result has no column %q", sortBy)
		}
	}
	p := &Page{Columns: m.columns(), Rows: [][]any{}, Total: m.rows}
	if limit == 0 || offset >= m.rows {
		return p, nil
	}
	var q string
	switch {
	case sortCol < 0:
		q = rangeQuery(e, offset, limit)
	case offset+limit <= topNRows || m.rows <= topNRows:
		q = fmt.Sprintf(`SELECT %s FROM read_parquet(%s, file_row_number = true) ORDER BY %s, file_row_number LIMIT %d OFFSET %d`,
			fieldList(m.cols), quote(e.path), orderBy(m.cols[sortCol], desc), limit, offset)
	default:
		ix, err := s.sortIndex(ctx, e, sortCol, desc)
		if err != nil {
			return nil, fmt.Errorf("sort result %s: %w", key, err)
		}
		q = fmt.Sprintf(`WITH page AS (SELECT r, file_row_number AS pos FROM read_parquet(%s, file_row_number = true)
			WHERE file_row_number >= %d AND file_row_number < %d)
			SELECT %s FROM read_parquet(%s, file_row_number = true) d JOIN page ON d.file_row_number = page.r ORDER BY page.pos`,
			quote(ix), offset, offset+limit, fieldList(m.cols), quote(e.path))
	}
	err = s.scan(ctx, q, len(m.cols), func(row []driver.Value) error {
		out := make([]any, len(row))
		for i, v := range row {
			out[i] = display(&m.cols[i], v)
		}
		p.Rows = append(p.Rows, out)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("page of result %s: %w", key, err)
	}
	return p, nil
}

// topNRows is how deep into a sorted result a page is found by sorting
// for it (DuckDB keeps only the top rows). Deeper pages read a sort index.
const topNRows = 2000

func orderBy(c column, desc bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	if c.Kind == kNumeric { // exact text: sort by the number it writes
		return "TRY_CAST(" + quoteIdent(c.Field) + " AS DOUBLE) " + dir + " NULLS LAST, " + quoteIdent(c.Field) + " " + dir + " NULLS LAST"
	}
	return quoteIdent(c.Field) + " " + dir + " NULLS LAST"
}

// sortIndex returns the path of a file listing e's row numbers sorted by
// column col, building it once: a sort of only the column and the row
// numbers, which spills to disk past DuckDB's memory limit. The pages of a
// million-row result sorted any way then cost a read of their rows.
func (s *Store) sortIndex(ctx context.Context, e *entry, col int, desc bool) (string, error) {
	name := fmt.Sprintf("%d-%v", col, desc)
	for {
		ix, build := s.cache.index(e, name)
		if build {
			path := strings.TrimSuffix(e.path, ".parquet") + "-" + name + ".idx.parquet"
			q := fmt.Sprintf(`COPY (SELECT file_row_number AS r FROM read_parquet(%s, file_row_number = true) ORDER BY %s, file_row_number)
				TO %s (FORMAT parquet, COMPRESSION zstd)`, quote(e.path), orderBy(e.meta.cols[col], desc), quote(path))
			_, err := s.db.ExecContext(ctx, q)
			var size int64
			if err == nil {
				var fi os.FileInfo
				if fi, err = os.Stat(path); err == nil {
					size = fi.Size()
				}
			}
			if err != nil {
				os.Remove(path)
				path = ""
			}
			s.cache.indexBuilt(e, name, ix, path, size, err)
			return path, err
		}
		select {
		case <-ix.ready:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if ix.err == nil {
			return ix.path, nil
		}
		if ctx.Err() != nil || !(errors.Is(ix.err, context.Canceled) || errors.Is(ix.err, context.DeadlineExceeded)) {
			return "", ix.err
		}
		// Another caller's build was canceled; build it ourselves.
	}
}

// rangeQuery selects rows [offset, offset+limit) in stored order. DuckDB
// reads only the row groups that hold them.
func rangeQuery(e *entry, offset, limit int64) string {
	return fmt.Sprintf(`SELECT %s FROM read_parquet(%s, file_row_number = true) WHERE file_row_number >= %d AND file_row_number < %d ORDER BY file_row_number`,
		fieldList(e.meta.cols), quote(e.path), offset, offset+limit)
}

func fieldList(cols []column) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.Field))
	}
	return b.String()
}

// scan runs q and calls fn with each row; the row slice is reused. It
// reads the driver's rows directly: database/sql's Scan would only copy.
func (s *Store) scan(ctx context.Context, q string, ncol int, fn func([]driver.Value) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the duckdb driver connection cannot query")
		}
		rows, err := qc.QueryContext(ctx, q, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		if n := len(rows.Columns()); n != ncol {
			return fmt.Errorf("query has %d columns, want %d", n, ncol)
		}
		dest := make([]driver.Value, ncol)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := fn(dest); err != nil {
				return err
			}
		}
	})
}

// csvBatchBytes is about how much of a result CSV asks DuckDB for at once.
const csvBatchBytes = 16 << 20

// CSV writes the whole result under key to w as RFC 4180 CSV: a header row
// of column names, then the rows in stored order, fields separated by
// commas and records ended by CRLF. Fields holding a comma, a quote, CR or
// LF are quoted (quotes doubled; line breaks inside kept as they are); an
// empty string is "" and NULL is an empty field. Values are written as Page
// returns them (times RFC 3339, decimals exact), except that text a
// spreadsheet would take for a formula starts with a ' (defuse). It
// streams: a goroutine
// reads the file a row group or so at a time while rows already read are
// written. An error after the first bytes leaves w with part of the CSV.
func (s *Store) CSV(ctx context.Context, key string, w io.Writer) error {
	e, err := s.acquire(ctx, key)
	if err != nil {
		return err
	}
	defer s.cache.release(e)
	m := e.meta
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []driver.Value, 4)
	var readErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(chunks)
		readErr = s.readAll(ctx, e, chunks)
	}()

	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csvWriter{w: bw}
	for i, c := range m.cols {
		cw.field(i, defuse(c.Name), false)
	}
	cw.end()
	ncol := len(m.cols)
	for chunk := range chunks {
		for i, v := range chunk {
			col := i % ncol
			if v == nil {
				cw.field(col, "", true)
			} else {
				text := csvText(display(&m.cols[col], v))
				if !m.cols[col].numeric() {
					text = defuse(text)
				}
				cw.field(col, text, false)
			}
			if col == ncol-1 {
				cw.end()
			}
		}
		if cw.err != nil {
			break
		}
	}
	if cw.err == nil {
		cw.err = bw.Flush()
	}
	cancel()
	<-done
	if cw.err != nil {
		return fmt.Errorf("csv of result %s: %w", key, cw.err)
	}
	if readErr != nil {
		return fmt.Errorf("csv of result %s: %w", key, readErr)
	}
	return nil
}

// readAll sends all of e's rows, in stored order, in chunks of values of
// up to 1,024 rows. It reads a row group at a time (fewer rows at once when
// rows are large), so DuckDB decompresses each row group once.
func (s *Store) readAll(ctx context.Context, e *entry, out chan<- []driver.Value) error {
	m := e.meta
	ncol := len(m.cols)
	batch := int64(rowGroupRows)
	for m.rowBytes > 0 && batch > 1024 && batch*m.rowBytes > csvBatchBytes {
		batch /= 2
	}
	const chunkRows = 1024
	var chunk []driver.Value
	for start := int64(0); start < m.rows; start += batch {
		err := s.scan(ctx, rangeQuery(e, start, batch), ncol, func(row []driver.Value) error {
			if chunk == nil {
				chunk = make([]driver.Value, 0, chunkRows*ncol)
			}
			chunk = append(chunk, row...)
			if len(chunk) == cap(chunk) {
				select {
				case out <- chunk:
					chunk = nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(chunk) > 0 {
		select {
		case out <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func csvText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return string(x)
	}
	return fmt.Sprint(v)
}

// defuse keeps a spreadsheet from reading a text cell as a formula: a
// cell that starts with = + - @, a tab or a carriage return gets a ' in
// front (OWASP's advice for CSV files). Numbers of numeric columns are
// left as they are, so -3.5 stays a number.
func defuse(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// numeric reports whether c holds numbers, which defuse leaves alone.
func (c *column) numeric() bool {
	return c.Kind == kInt || c.Kind == kFloat || c.Kind == kDecimal || c.Kind == kNumeric
}

// csvWriter writes RFC 4180 records. encoding/csv would do, but with CRLF
// it also rewrites line breaks inside fields; these are data and stay.
type csvWriter struct {
	w   *bufio.Writer
	err error
}

func (c *csvWriter) field(i int, s string, null bool) {
	if i > 0 {
		c.w.WriteByte(',')
	}
	switch {
	case null:
	case s == "":
		c.w.WriteString(`""`)
	case strings.ContainsAny(s, ",\"\r\n"):
		c.w.WriteByte('"')
		c.w.WriteString(strings.ReplaceAll(s, `"`, `""`))
		c.w.WriteByte('"')
	default:
		c.w.WriteString(s)
	}
}

func (c *csvWriter) end() {
	if _, err := c.w.WriteString("\r\n"); err != nil && c.err == nil {
		c.err = err
	}
}
