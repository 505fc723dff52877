package cassandra

import (
	"context"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// For the tests of package cassandra_test.

func KeepLock(ctx context.Context, db *DB, name, holder string, ttl time.Duration, lost context.CancelCauseFunc) {
	keepLock(ctx, db.s, name, holder, ttl, lost)
}

func Session(db *DB) *gocql.Session { return db.s }

// BackfillPeople runs migration 0007's backfill again on db's keyspace.
func BackfillPeople(ctx context.Context, db *DB) error {
	return backfillPeople(ctx, db.s, db.cfg.Logger)
}
