package results_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/blob"
	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// sliceRows is a warehouse.Rows over rows in memory, or made by gen.
type sliceRows struct {
	cols []warehouse.Column
	rows [][]any
	gen  func(i int64) []any
	n    int64
	i    int64
	fail error // returned instead of row fail
	at   int64
}

func rowsOf(cols []warehouse.Column, rows ...[]any) *sliceRows {
	return &sliceRows{cols: cols, rows: rows, n: int64(len(rows))}
}

func (r *sliceRows) Columns() []warehouse.Column { return r.cols }

func (r *sliceRows) Next() ([]any, error) {
	if r.fail != nil && r.i == r.at {
		return nil, r.fail
	}
	if r.i >= r.n {
		return nil, io.EOF
	}
	r.i++
	if r.gen != nil {
		return r.gen(r.i - 1), nil
	}
	return append([]any(nil), r.rows[r.i-1]...), nil
}

func (r *sliceRows) Close() error { return nil }

func cols(spec ...string) []warehouse.Column {
	var out []warehouse.Column
	for _, s := range spec {
		name, typ, _ := strings.Cut(s, " ")
		out = append(out, warehouse.Column{Name: name, Type: typ, Kind: kindFor(typ)})
	}
	return out
}

// kindFor is the warehouse kind an engine reports for the type names the
// tests use (DuckDB's and PostgreSQL's).
func kindFor(typ string) warehouse.Type {
	names := map[string]string{
		"VARCHAR": "text", "TEXT": "text", "GEOMETRY": "text", "MONEY": "text",
		"BIGINT": "bigint", "INT8": "bigint", "INTEGER": "integer", "DOUBLE": "double", "FLOAT8": "double",
		"BOOLEAN": "boolean", "BOOL": "boolean", "HUGEINT": "decimal(38,0)", "NUMERIC": "numeric",
		"JSON": "json", "JSONB": "json", "INTEGER[]": "list(integer)", "_INT4": "list(integer)",
		"STRUCT(A INTEGER, B VARCHAR)": "json",
	}
	t := strings.ToUpper(typ)
	if n, ok := names[t]; ok {
		return warehouse.MustType(n)
	}
	t = strings.ToLower(strings.Replace(t, "NUMERIC", "DECIMAL", 1))
	return warehouse.MustType(t)
}

type env struct {
	blobs *blob.Dir
	store *results.Store
}

func open(t testing.TB, opt results.Options) *env {
	t.Helper()
	dir := t.TempDir()
	blobs, err := blob.NewDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	if opt.Threads == 0 {
		opt.Threads = 2
	}
	s, err := results.Open(context.Background(), blobs, filepath.Join(dir, "cache"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &env{blobs, s}
}

func write(t testing.TB, s *results.Store, key string, src warehouse.Rows, lim results.Limits) results.Summary {
	t.Helper()
	sum, err := s.Write(context.Background(), key, src, lim)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return sum
}

func page(t testing.TB, s *results.Store, key string, offset, limit int64, sortBy string, desc bool) *results.Page {
	t.Helper()
	p, err := s.Page(context.Background(), key, offset, limit, sortBy, desc)
	if err != nil {
		t.Fatalf("Page(%d, %d, %q, %v): %v", offset, limit, sortBy, desc, err)
	}
	return p
}

func csvOf(t testing.TB, s *results.Store, key string) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.CSV(context.Background(), key, &b); err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return b.String()
}

func TestRoundTripTypes(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	ts := time.Date(2024, 3, 9, 14, 5, 6, 123456000, time.UTC)
	tz := time.Date(2024, 3, 9, 16, 5, 6, 0, time.FixedZone("CEST", 2*3600))
	big1, _ := new(big.Int).SetString("99999999999999999999999999999999999999", 10) // the most DECIMAL(38,0) holds
	c := cols(
		"text VARCHAR", "big BIGINT", "int INTEGER", "dbl DOUBLE", "ok BOOLEAN", "ts TIMESTAMP", "tstz TIMESTAMPTZ",
		"day DATE", "price DECIMAL(10,2)", "huge HUGEINT", "doc JSON", "list INTEGER[]", "rec STRUCT(a INTEGER, b VARCHAR)",
		"id UUID", "raw BLOB", "clock TIME", "span INTERVAL", "odd GEOMETRY",
		"pg_text TEXT", "pg_int INT8", "pg_float FLOAT8", "pg_bool BOOL", "pg_num NUMERIC", "pg_num2 NUMERIC(12,3)",
		"pg_json JSONB", "pg_arr _INT4", "pg_money MONEY",
	)
	src := rowsOf(c,
		[]any{"héllo, wörld ✓ 日本", int64(-9007199254740993), int32(42), 3.25, true, ts, tz,
			time.Date(1969, 7, 20, 0, 0, 0, 0, time.UTC), duck.Decimal{Width: 10, Scale: 2, Value: big.NewInt(123410)}, big1,
			map[string]any{"a": []any{1.0, "x"}, "b": nil}, []any{int32(1), int32(2), nil},
			map[string]any{"a": int32(1), "b": "z"},
			[]byte{0x01, 0x8f, 0x3a, 0x2b, 0x4c, 0x5d, 0x7e, 0x6f, 0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7},
			[]byte{0, 1, 0xfe, 0xff}, time.Date(1, 1, 1, 13, 14, 15, 500000000, time.UTC),
			duck.Interval{Months: 14, Days: 3, Micros: 3723000000}, "POINT(1 2)",
			"plain", int64(7), 0.1, false, "12345678901234567890.5", "3.14159",
			`{"k": [1, 2]}`, []any{int32(4), int32(5)}, "$1.50"},
		make([]any, len(c)), // all NULL
		[]any{"", int64(0), int32(-1), math.Inf(-1), false, ts.Add(time.Hour), tz, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
			duck.Decimal{Width: 10, Scale: 2, Value: big.NewInt(-5)}, big.NewInt(-1), "a string", []any{}, map[string]any{"a": nil, "b": nil},
			"0190A8E3-0000-7000-8000-000000000001", []byte{}, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), duck.Interval{}, 12,
			"tab\there", int64(math.MaxInt64), math.NaN(), true, 2.5, int64(7), []byte(`null`), []any{}, nil},
	)
	sum := write(t, e.store, "runs/types", src, results.Limits{})
	if sum.Rows != 3 || sum.Truncated || sum.Bytes <= 0 || !reflect.DeepEqual(sum.Columns, c) {
		t.Fatalf("summary = %+v", sum)
	}
	p := page(t, e.store, "runs/types", 0, 10, "", false)
	if p.Total != 3 || !reflect.DeepEqual(p.Columns, c) {
		t.Fatalf("page columns %v total %d", p.Columns, p.Total)
	}
	want := [][]any{
		{"héllo, wörld ✓ 日本", int64(-9007199254740993), int64(42), 3.25, true, "2024-03-09T14:05:06.123456Z", "2024-03-09T14:05:06Z",
			"1969-07-20", json.Number("1234.10"), json.Number("99999999999999999999999999999999999999"),
			`{"a":[1,"x"],"b":null}`, `[1,2,null]`, `{"a":1,"b":"z"}`,
			"018f3a2b-4c5d-7e6f-8091-a2b3c4d5e6f7", `\x0001feff`, "13:14:15.5", "1 year 2 months 3 days 01:02:03", "POINT(1 2)",
			"plain", int64(7), 0.1, false, json.Number("12345678901234567890.5"), json.Number("3.142"),
			`{"k": [1, 2]}`, `[4,5]`, "$1.50"},
		make([]any, len(c)),
		{"", int64(0), int64(-1), "-Infinity", false, "2024-03-09T15:05:06.123456Z", "2024-03-09T14:05:06Z", "2024-02-29",
			json.Number("-0.05"), json.Number("-1"), `"a string"`, `[]`, `{"a":null,"b":null}`,
			"0190a8e3-0000-7000-8000-000000000001", `\x`, "00:00:00", "00:00:00", "12",
			"tab\there", int64(math.MaxInt64), "NaN", true, json.Number("2.5"), json.Number("7.000"), `null`, `[]`, nil},
	}
	for i := range want {
		for j := range want[i] {
			if !reflect.DeepEqual(p.Rows[i][j], want[i][j]) {
				t.Errorf("row %d %s = %#v, want %#v", i, c[j].Name, p.Rows[i][j], want[i][j])
			}
		}
	}
	// A page encodes as JSON: no NaN, no values encoding/json refuses.
	if _, err := json.Marshal(p); err != nil {
		t.Fatalf("page does not encode as JSON: %v", err)
	}
}

// TestFromDuckDBWarehouse stores a result straight from the embedded
// warehouse, so the values are what its driver really returns.
func TestFromDuckDBWarehouse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "wh.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	rows, err := wh.Query(ctx, `SELECT 1::TINYINT AS t, 2::UBIGINT AS u, 3.5::FLOAT AS f, 12.30::DECIMAL(5,2) AS d,
		123456789012345678901234567.891::DECIMAL(30,3) AS wide, sum(x) AS total, 'ü' AS s, DATE '2024-01-31' AS day,
		TIMESTAMP '2024-01-31 10:11:12.5' AS ts, TIMESTAMPTZ '2024-01-31 10:11:12+00' AS tstz, TIME '10:11:12' AS tm,
		INTERVAL 90 MINUTE AS iv, '0190a8e3-0000-7000-8000-000000000001'::UUID AS id, '\xAA'::BLOB AS b,
		'{"a": 1}'::JSON AS j, [1, 2] AS l, {'k': 'v', 'n': 1.5} AS st, MAP {'a': 1} AS m, ['x', NULL] AS l2,
		[[1.5], []] AS nested, 'b'::ENUM('a', 'b') AS en, NULL AS nothing, 7::HUGEINT AS h, ARRAY_VALUE(1, 2) AS arr
		FROM range(3) r(x)`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	e := open(t, results.Options{})
	sum := write(t, e.store, "runs/wh", rows, results.Limits{})
	if sum.Rows != 1 {
		t.Fatalf("rows = %d", sum.Rows)
	}
	p := page(t, e.store, "runs/wh", 0, 1, "", false)
	got := map[string]any{}
	for i, c := range p.Columns {
		got[c.Name+" "+c.Type] = p.Rows[0][i]
	}
	want := map[string]any{
		"t TINYINT": int64(1), "u UBIGINT": json.Number("2"), "f FLOAT": 3.5, "d DECIMAL(5,2)": json.Number("12.30"),
		"wide DECIMAL(30,3)": json.Number("123456789012345678901234567.891"), "total HUGEINT": json.Number("3"),
		"s VARCHAR": "ü", "day DATE": "2024-01-31", "ts TIMESTAMP": "2024-01-31T10:11:12.5Z", "tstz TIMESTAMPTZ": "2024-01-31T10:11:12Z",
		"tm TIME": "10:11:12", "iv INTERVAL": "01:30:00", "id UUID": "0190a8e3-0000-7000-8000-000000000001", "b BLOB": `\xaa`,
		"j JSON": `{"a":1}`, "l INTEGER[]": "[1,2]", `st STRUCT("k" VARCHAR, "n" DECIMAL(2,1))`: `{"k":"v","n":1.5}`,
		"m MAP(VARCHAR, INTEGER)": `{"a":1}`, "l2 VARCHAR[]": `["x",null]`, "nested DECIMAL(2,1)[][]": `[[1.5],[]]`,
		"en ENUM": "b", "nothing INTEGER": nil, "h HUGEINT": json.Number("7"), "arr INTEGER[2]": "[1,2]",
	}
	if !reflect.DeepEqual(got, want) {
		for k, v := range got {
			if !reflect.DeepEqual(v, want[k]) {
				t.Errorf("%s = %#v, want %#v", k, v, want[k])
			}
		}
		for k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("missing column %s", k)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected column %s", k)
			}
		}
	}
}

func TestPageSortAndOffsets(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("name VARCHAR", "score DOUBLE", "n BIGINT")
	src := rowsOf(c,
		[]any{"carol", 7.5, int64(0)},
		[]any{"alice", nil, int64(1)},
		[]any{"bob", 9.0, int64(2)},
		[]any{"dave", 7.5, int64(3)},
		[]any{"Émile", 1.0, int64(4)},
		[]any{nil, 3.0, int64(5)},
	)
	write(t, e.store, "r/sort", src, results.Limits{})
	ns := func(p *results.Page) []int64 {
		var out []int64
		for _, r := range p.Rows {
			out = append(out, r[2].(int64))
		}
		return out
	}
	for _, tc := range []struct {
		offset, limit int64
		sort          string
		desc          bool
		want          []int64
	}{
		{0, 10, "", false, []int64{0, 1, 2, 3, 4, 5}},
		{2, 2, "", false, []int64{2, 3}},
		{5, 10, "", false, []int64{5}},
		{6, 10, "", false, nil},
		{100, 10, "score", false, nil},
		{0, 10, "score", false, []int64{4, 5, 0, 3, 2, 1}}, // ties keep stored order, NULL last
		{0, 10, "score", true, []int64{2, 0, 3, 5, 4, 1}},
		{1, 3, "score", true, []int64{0, 3, 5}},
		{0, 10, "name", false, []int64{1, 2, 0, 3, 4, 5}},
		{0, 10, "name", true, []int64{4, 3, 0, 2, 1, 5}},
		{4, 1, "n", true, []int64{1}},
	} {
		p := page(t, e.store, "r/sort", tc.offset, tc.limit, tc.sort, tc.desc)
		if got := ns(p); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Page(%d, %d, %q, desc=%v) = %v, want %v", tc.offset, tc.limit, tc.sort, tc.desc, got, tc.want)
		}
		if p.Total != 6 {
			t.Errorf("Total = %d", p.Total)
		}
	}
	p := page(t, e.store, "r/sort", 0, 0, "", false)
	if p.Total != 6 || len(p.Rows) != 0 || len(p.Columns) != 3 {
		t.Errorf("limit 0: %+v", p)
	}

	for _, tc := range []struct {
		offset, limit int64
		sort, field   string
	}{
		{0, 10, "nope", "sort"},
		{0, 10, `score" DESC; --`, "sort"},
		{0, 10, "Score", "sort"},
		{-1, 10, "", "offset"},
		{0, -1, "", "limit"},
		{0, results.MaxPageRows + 1, "", "limit"},
	} {
		_, err := e.store.Page(context.Background(), "r/sort", tc.offset, tc.limit, tc.sort, false)
		var ve *lyceum.ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("Page(%d, %d, %q) error = %v, want a validation error on %s", tc.offset, tc.limit, tc.sort, err, tc.field)
		}
	}
}

// TestColumnNames: names that repeat, are empty, need quoting, or clash
// with what the reader adds still page, sort and head the CSV.
func TestColumnNames(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("id BIGINT", "id BIGINT", "ID VARCHAR", "file_row_number BIGINT")
	c = append(c, warehouse.Column{Name: `we"ird 'name'`, Type: "BIGINT", Kind: kindFor("BIGINT")}, warehouse.Column{Name: "", Type: "BIGINT", Kind: kindFor("BIGINT")})
	src := rowsOf(c, []any{int64(1), int64(20), "b", int64(300), int64(5), int64(6)}, []any{int64(2), int64(10), "a", int64(100), int64(4), int64(5)})
	write(t, e.store, "r/names", src, results.Limits{})
	for _, name := range []string{"id", "ID", "file_row_number", `we"ird 'name'`} {
		p := page(t, e.store, "r/names", 0, 10, name, false)
		if len(p.Rows) != 2 {
			t.Fatalf("sort by %q: %v", name, p.Rows)
		}
	}
	p := page(t, e.store, "r/names", 0, 10, "ID", false)
	if p.Rows[0][0] != int64(2) {
		t.Errorf("sort by ID: %v", p.Rows)
	}
	if !reflect.DeepEqual(p.Columns, c) {
		t.Errorf("columns = %v", p.Columns)
	}
	want := "id,id,ID,file_row_number,\"we\"\"ird 'name'\",\"\"\r\n1,20,b,300,5,6\r\n2,10,a,100,4,5\r\n"
	if got := csvOf(t, e.store, "r/names"); got != want {
		t.Errorf("csv = %q, want %q", got, want)
	}
}

func TestCSVExact(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("text VARCHAR", "n INTEGER", "x DOUBLE", "ok BOOLEAN", "at TIMESTAMP", "price DECIMAL(8,2)", "doc JSON")
	src := rowsOf(c,
		[]any{"plain", int32(1), 1.5, true, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), duck.Decimal{Width: 8, Scale: 2, Value: big.NewInt(1990)}, map[string]any{"a": "b,c"}},
		[]any{`a "quoted", comma`, int32(-2), 1e21, false, nil, nil, []any{"x"}},
		[]any{"two\nlines\r\nand CR\r", nil, 0.000001, nil, time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), duck.Decimal{Width: 8, Scale: 2, Value: big.NewInt(-7)}, nil},
		[]any{"", int32(0), 1234567.0, true, nil, nil, "only text"},
		[]any{nil, nil, nil, nil, nil, nil, nil},
	)
	write(t, e.store, "r/csv", src, results.Limits{})
	want := "text,n,x,ok,at,price,doc\r\n" +
		"plain,1,1.5,true,2024-01-02T03:04:05Z,19.90,\"{\"\"a\"\":\"\"b,c\"\"}\"\r\n" +
		"\"a \"\"quoted\"\", comma\",-2,1e+21,false,,,\"[\"\"x\"\"]\"\r\n" +
		"\"two\nlines\r\nand CR\r\",,0.000001,,1999-12-31T23:59:59.999999Z,-0.07,\r\n" +
		"\"\",0,1234567,true,,,\"\"\"only text\"\"\"\r\n" +
		",,,,,,\r\n"
	if got := csvOf(t, e.store, "r/csv"); got != want {
		t.Errorf("csv =\n%q\nwant\n%q", got, want)
	}
}

func TestCaps(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("s VARCHAR", "n BIGINT")
	gen := func(n int64) *sliceRows {
		return &sliceRows{cols: c, n: n, gen: func(i int64) []any { return []any{"0123456789", i} }} // 18 bytes a row
	}
	for _, tc := range []struct {
		name      string
		rows      int64
		lim       results.Limits
		wantRows  int64
		truncated bool
	}{
		{"no caps", 100, results.Limits{}, 100, false},
		{"rows", 100, results.Limits{MaxRows: 10}, 10, true},
		{"rows exactly", 10, results.Limits{MaxRows: 10}, 10, false},
		{"rows past the end", 10, results.Limits{MaxRows: 11}, 10, false},
		{"bytes", 100, results.Limits{MaxBytes: 18 * 7}, 7, true},
		{"bytes between rows", 100, results.Limits{MaxBytes: 18*7 + 17}, 7, true},
		{"bytes exactly", 7, results.Limits{MaxBytes: 18 * 7}, 7, false},
		{"bytes first", 100, results.Limits{MaxRows: 50, MaxBytes: 18 * 3}, 3, true},
		{"rows first", 100, results.Limits{MaxRows: 2, MaxBytes: 18 * 3}, 2, true},
		{"one row too big", 100, results.Limits{MaxBytes: 5}, 0, true},
		{"empty", 0, results.Limits{MaxRows: 5}, 0, false},
		{"many chunks", 10000, results.Limits{MaxRows: 5000}, 5000, true},
	} {
		key := "caps/" + strings.ReplaceAll(tc.name, " ", "-")
		sum := write(t, e.store, key, gen(tc.rows), tc.lim)
		if sum.Rows != tc.wantRows || sum.Truncated != tc.truncated {
			t.Errorf("%s: rows %d truncated %v, want %d %v", tc.name, sum.Rows, sum.Truncated, tc.wantRows, tc.truncated)
		}
		p := page(t, e.store, key, 0, 10000, "", false)
		if p.Total != tc.wantRows || int64(len(p.Rows)) != tc.wantRows {
			t.Errorf("%s: page total %d rows %d", tc.name, p.Total, len(p.Rows))
		}
		for i, r := range p.Rows {
			if r[1] != int64(i) {
				t.Errorf("%s: row %d is %v", tc.name, i, r)
				break
			}
		}
	}
	if _, err := e.store.Write(context.Background(), "caps/bad", gen(1), results.Limits{MaxRows: -1}); !lyceum.IsValidation(err) {
		t.Errorf("negative cap: %v", err)
	}
}

func TestMissingAndBadKeys(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	ctx := context.Background()
	if _, err := e.store.Page(ctx, "runs/nope", 0, 10, "", false); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("Page of a missing key: %v", err)
	}
	if err := e.store.CSV(ctx, "runs/nope", io.Discard); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("CSV of a missing key: %v", err)
	} else if strings.Contains(err.Error(), "runs/nope") {
		t.Errorf("CSV of a missing key: the message %q, which a client may see, shows the key", err)
	}
	for _, key := range []string{"", "/abs", "../up", "a/../../b"} {
		if _, err := e.store.Page(ctx, key, 0, 10, "", false); !lyceum.IsValidation(err) {
			t.Errorf("Page(%q): %v", key, err)
		}
		if _, err := e.store.Write(ctx, key, rowsOf(cols("a BIGINT")), results.Limits{}); !lyceum.IsValidation(err) {
			t.Errorf("Write(%q): %v", key, err)
		}
	}
	// A blob that is not a stored result is an error, not a panic or garbage.
	if _, err := e.blobs.Put(ctx, "runs/junk", strings.NewReader("not parquet")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Page(ctx, "runs/junk", 0, 10, "", false); err == nil || errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("Page of junk: %v", err)
	}
}

func TestDeleteAndColdCache(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{CacheBytes: 1}) // nothing stays cached
	ctx := context.Background()
	c := cols("n BIGINT", "s VARCHAR")
	for i := range 3 {
		src := &sliceRows{cols: c, n: 1000, gen: func(j int64) []any { return []any{j * int64(i+1), fmt.Sprint("r", j)} }}
		write(t, e.store, fmt.Sprintf("runs/%d", i), src, results.Limits{})
	}
	for round := range 2 {
		for i := range 3 {
			p := page(t, e.store, fmt.Sprintf("runs/%d", i), 0, 1, "n", true)
			if p.Rows[0][0] != int64(999*(i+1)) || p.Total != 1000 {
				t.Errorf("round %d result %d: %v", round, i, p.Rows)
			}
		}
	}
	// A new store over the same blobs reads results it never wrote.
	s2, err := results.Open(ctx, e.blobs, filepath.Join(t.TempDir(), "cache2"), results.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if p := page(t, s2, "runs/2", 999, 5, "", false); len(p.Rows) != 1 || p.Rows[0][1] != "r999" {
		t.Errorf("cold page: %v", p.Rows)
	}
	if got := csvOf(t, s2, "runs/0"); strings.Count(got, "\r\n") != 1001 || !strings.HasPrefix(got, "n,s\r\n0,r0\r\n1,r1\r\n") {
		t.Errorf("cold csv starts %q", got[:40])
	}

	if err := e.store.Delete(ctx, "runs/1"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*results.Store{e.store, s2} {
		if _, err := s.Page(ctx, "runs/1", 0, 1, "", false); !errors.Is(err, lyceum.ErrNotFound) {
			t.Errorf("page after delete: %v", err)
		}
	}
	if err := e.store.Delete(ctx, "runs/1"); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestConcurrentReaders(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{CacheBytes: 20 << 10})
	c := cols("n BIGINT", "s VARCHAR")
	for i := range 4 {
		src := &sliceRows{cols: c, n: 5000, gen: func(j int64) []any { return []any{j, fmt.Sprintf("row %d of %d", j, i)} }}
		write(t, e.store, fmt.Sprintf("runs/%d", i), src, results.Limits{})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for k := range 6 {
				key := fmt.Sprintf("runs/%d", (g+k)%4)
				p, err := e.store.Page(context.Background(), key, int64(g*10), 10, "n", g%2 == 0)
				if err != nil {
					errs <- err
					return
				}
				if len(p.Rows) != 10 {
					errs <- fmt.Errorf("%s: %d rows", key, len(p.Rows))
				}
				if k == 0 {
					if err := e.store.CSV(context.Background(), key, io.Discard); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSourceErrorStoresNothing(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	c := cols("n BIGINT")
	boom := &warehouse.QueryError{Code: "timeout", Message: "the query ran past its time limit and was stopped"}
	src := &sliceRows{cols: c, n: 100000, gen: func(i int64) []any { return []any{i} }, fail: boom, at: 50000}
	_, err := e.store.Write(context.Background(), "runs/failed", src, results.Limits{})
	var qe *warehouse.QueryError
	if !errors.As(err, &qe) || qe.Code != "timeout" {
		t.Fatalf("Write error = %v, want the source's", err)
	}
	if _, err := e.store.Page(context.Background(), "runs/failed", 0, 1, "", false); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("a failed write left a result: %v", err)
	}

	// A value the column cannot hold is a QueryError naming the column.
	src = rowsOf(cols("when TIMESTAMP"), []any{"yesterday"})
	_, err = e.store.Write(context.Background(), "runs/bad-value", src, results.Limits{})
	if !errors.As(err, &qe) || !strings.Contains(qe.Message, `"when"`) {
		t.Errorf("bad value: %v", err)
	}

	// Canceling stops a write.
	ctx, cancel := context.WithCancel(context.Background())
	src = &sliceRows{cols: c, n: 1 << 40, gen: func(i int64) []any {
		if i == 100000 {
			cancel()
		}
		return []any{i}
	}}
	if _, err := e.store.Write(ctx, "runs/canceled", src, results.Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled write: %v", err)
	}
	if _, err := e.store.Page(context.Background(), "runs/canceled", 0, 1, "", false); !errors.Is(err, lyceum.ErrNotFound) {
		t.Errorf("a canceled write left a result: %v", err)
	}
}

// TestDeepSortedPages pages through a sorted result past the depth where
// pages come from a sort index, and checks every row against Go's sort.
func TestDeepSortedPages(t *testing.T) {
	t.Parallel()
	e := open(t, results.Options{})
	const n = 7000
	c := cols("i BIGINT", "v BIGINT", "s VARCHAR")
	val := func(i int64) []any {
		var v, s any = (i * 7919) % 97, fmt.Sprintf("k%03d", (i*31)%501)
		if i%13 == 0 {
			v = nil
		}
		if i%17 == 0 {
			s = nil
		}
		return []any{i, v, s}
	}
	write(t, e.store, "r/deep", &sliceRows{cols: c, n: n, gen: val}, results.Limits{})
	for _, tc := range []struct {
		col  int
		desc bool
	}{{1, false}, {1, true}, {2, false}, {2, true}} {
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i)
		}
		less := func(a, b any) int { // NULLs last in both directions
			switch {
			case a == nil && b == nil:
				return 0
			case a == nil:
				return 1
			case b == nil:
				return -1
			}
			r := strings.Compare(fmt.Sprintf("%06v", a), fmt.Sprintf("%06v", b))
			if tc.desc {
				r = -r
			}
			return r
		}
		slices.SortStableFunc(want, func(a, b int64) int { return less(val(a)[tc.col], val(b)[tc.col]) })
		var got []int64
		for off := int64(0); off < n; off += 700 {
			p := page(t, e.store, "r/deep", off, 700, c[tc.col].Name, tc.desc)
			for _, r := range p.Rows {
				got = append(got, r[0].(int64))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("sorted by %s desc=%v: got %v…, want %v…", c[tc.col].Name, tc.desc, got[:20], want[:20])
		}
		// A page straddling the depth where the index takes over.
		p := page(t, e.store, "r/deep", 1990, 20, c[tc.col].Name, tc.desc)
		for i, r := range p.Rows {
			if r[0] != want[1990+i] {
				t.Errorf("sorted by %s desc=%v: row %d is %v, want %d", c[tc.col].Name, tc.desc, 1990+i, r[0], want[1990+i])
			}
		}
	}
}
