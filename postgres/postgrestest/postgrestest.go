// Package postgrestest gives a test a PostgreSQL warehouse of its own: a
// new schema on the test server (testengines.PostgresURL, which fails or
// skips the test when there is none), dropped with its reader roles when
// the test ends.
package postgrestest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lyceum/lyceum/internal/testengines"
	"github.com/lyceum/lyceum/postgres"
)

var schemas atomic.Int64

// Open makes a warehouse in a new schema named after prefix.
func Open(t testing.TB, prefix string) *postgres.Engine {
	t.Helper()
	url := testengines.PostgresURL(t)
	schema := fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1e9, schemas.Add(1))
	e, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Close()
		drop(url, schema)
	})
	return e
}

// drop removes schema and the reader roles made for it; what fails is
// left to the next wipe of the test server.
func drop(url, schema string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	rows, _ := conn.Query(ctx, `SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY length(rolname) DESC`, schema+"_reader%")
	roles, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, r := range roles {
		conn.Exec(ctx, `DROP OWNED BY `+pgx.Identifier{r}.Sanitize())
		conn.Exec(ctx, `DROP ROLE IF EXISTS `+pgx.Identifier{r}.Sanitize())
	}
}
