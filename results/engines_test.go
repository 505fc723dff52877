package results_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lyceum/lyceum/duckdb"
	"github.com/lyceum/lyceum/postgres/postgrestest"
	"github.com/lyceum/lyceum/results"
	"github.com/lyceum/lyceum/warehouse"
)

// literals are values both engines write the same way in SQL.
const literals = `SELECT
	CAST('12345678901234567890.12' AS DECIMAL(22,2)) AS big,
	CAST('-0.05' AS NUMERIC(4,2)) AS small,
	CAST('0.1' AS DECIMAL(10,2)) + CAST('0.2' AS DECIMAL(10,2)) AS exact_sum,
	CAST(0.1 AS DOUBLE PRECISION) + CAST(0.2 AS DOUBLE PRECISION) AS float_sum,
	CAST(2147483647 AS INTEGER) AS i, CAST(9007199254740993 AS BIGINT) AS b,
	CAST('2024-01-31 10:11:12.5' AS TIMESTAMP) AS ts,
	CAST('2024-01-31 10:11:12.5+02' AS TIMESTAMPTZ) AS tstz,
	CAST('{"a": [1, 2.5, "x"], "b": null}' AS JSON) AS doc,
	ARRAY[1, 2, 3] AS list, ARRAY['x', NULL] AS texts,
	true AS yes, CAST(NULL AS INTEGER) AS no_int, CAST(NULL AS DECIMAL(10,2)) AS no_dec, CAST(NULL AS TEXT) AS no_text`

// want is what a stored result's page holds for literals, from any engine.
var want = []any{
	json.Number("12345678901234567890.12"), json.Number("-0.05"), json.Number("0.30"), 0.30000000000000004,
	int64(2147483647), int64(9007199254740993),
	"2024-01-31T10:11:12.5Z", "2024-01-31T08:11:12.5Z",
	`{"a":[1,2.5,"x"],"b":null}`, "[1,2,3]", `["x",null]`,
	true, nil, nil, nil,
}

// The same literals come back the same from DuckDB and PostgreSQL, through
// the path every query takes: the engine's Query, a stored result, a page
// and a CSV download.
func TestSameValuesFromEveryEngine(t *testing.T) {
	engines := map[string]func(t *testing.T) warehouse.Engine{
		"duckdb": func(t *testing.T) warehouse.Engine {
			e, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "wh.duckdb"), duckdb.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Close() })
			return e
		},
		"postgres": func(t *testing.T) warehouse.Engine {
			return postgrestest.Open(t, "results_test")
		},
	}
	csvs := map[string]string{}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rows, err := open(t).Query(ctx, literals, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for _, c := range rows.Columns() {
				t.Logf("%s: %s (%s)", c.Name, c.Kind, c.Type)
			}
			e := openStore(t)
			write(t, e.store, "runs/"+name, rows, results.Limits{})
			p := page(t, e.store, "runs/"+name, 0, 10, "", false)
			if len(p.Rows) != 1 {
				t.Fatalf("%d rows", len(p.Rows))
			}
			for i, v := range p.Rows[0] {
				if !reflect.DeepEqual(v, want[i]) {
					t.Errorf("%s = %#v, want %#v", p.Columns[i].Name, v, want[i])
				}
			}
			csvs[name] = csvOf(t, e.store, "runs/"+name)
		})
	}
	if len(csvs) == 2 && csvs["duckdb"] != csvs["postgres"] {
		t.Errorf("CSV from DuckDB:\n%s\nfrom PostgreSQL:\n%s", csvs["duckdb"], csvs["postgres"])
	}
}

func openStore(t *testing.T) *env { return open(t, results.Options{Threads: 1}) }
