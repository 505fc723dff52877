// Package testengines tells tests where the real engines they need are:
// a Cassandra node and a PostgreSQL server, started by `make test`. A test
// without its engine is skipped, unless LYCEUM_TEST_REQUIRE_ENGINES=1 says
// the engines must be there (make test sets it, so CI cannot pass by
// skipping them): then it fails.
package testengines

import (
	"os"
	"strings"
	"testing"
)

// CassandraHosts returns the contact points of the test Cassandra.
func CassandraHosts(t testing.TB) []string {
	t.Helper()
	hosts := os.Getenv("LYCEUM_TEST_CASSANDRA_HOSTS")
	if hosts == "" {
		missing(t, "Cassandra", "run `scripts/cassandra/cluster.sh start 1` and set LYCEUM_TEST_CASSANDRA_HOSTS=127.0.0.1")
	}
	return strings.Split(hosts, ",")
}

// PostgresURL returns the URL of the test PostgreSQL database.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("LYCEUM_TEST_POSTGRES_URL")
	if url == "" {
		missing(t, "PostgreSQL", "run `scripts/postgres/server.sh start` and set LYCEUM_TEST_POSTGRES_URL to its `server.sh url`")
	}
	return url
}

func missing(t testing.TB, engine, how string) {
	t.Helper()
	if os.Getenv("LYCEUM_TEST_REQUIRE_ENGINES") == "1" {
		t.Fatalf("no %s, and LYCEUM_TEST_REQUIRE_ENGINES=1 requires it: %s (make test does)", engine, how)
	}
	t.Skipf("no %s: %s (make test does)", engine, how)
}
