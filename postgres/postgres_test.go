package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lyceum/lyceum/postgres"
	"github.com/lyceum/lyceum/warehouse"
	"github.com/lyceum/lyceum/warehouse/warehousetest"
)

// The tests run against a real PostgreSQL: `make test` starts one with
// scripts/postgres/server.sh and sets LYCEUM_TEST_POSTGRES_URL.
func TestConformance(t *testing.T) {
	url := os.Getenv("LYCEUM_TEST_POSTGRES_URL")
	if url == "" {
		t.Skip("no PostgreSQL: run `scripts/postgres/server.sh start` and set LYCEUM_TEST_POSTGRES_URL (make test does)")
	}
	n := 0
	warehousetest.Run(t, func(t *testing.T) warehouse.Engine {
		n++
		schema := fmt.Sprintf("wh_test_%d_%d", time.Now().UnixNano()%1e9, n)
		e, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			e.Close()
			conn, err := pgx.Connect(context.Background(), url)
			if err == nil {
				conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
				conn.Exec(context.Background(), `DROP OWNED BY `+schema+`_reader`)
				conn.Exec(context.Background(), `DROP ROLE IF EXISTS `+schema+`_reader`)
				conn.Close(context.Background())
			}
		})
		return e
	})
}
