package cassandra_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum/cassandra"
)

// TestMigrationLockRenewed: the migration lock (a schema_lock row with a
// TTL) is renewed while its holder migrates, so a migration that outlasts
// the TTL is not joined by a second instance; a lock taken over by another
// holder ends the migration.
func TestMigrationLockRenewed(t *testing.T) {
	db := sharedStore(t)
	s := cassandra.Session(db)
	ctx := context.Background()
	name, holder := "test-"+uuid.NewString(), "me"
	const ttl = 3 * time.Second
	if err := s.Query(`INSERT INTO schema_lock (name, holder) VALUES (?, ?) USING TTL 3`, name, holder).Exec(); err != nil {
		t.Fatal(err)
	}
	kctx, stop := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { cassandra.KeepLock(kctx, db, name, holder, ttl, stop) })
	time.Sleep(3 * ttl) // without renewal the row is gone after one TTL
	var got string
	err := s.Query(`SELECT holder FROM schema_lock WHERE name = ?`, name).Scan(&got)
	if err != nil || got != holder {
		t.Fatalf("after %s of a %s lock: holder %q, %v; want it renewed", 3*ttl, ttl, got, err)
	}
	// Another holder takes it: the keeper says the lock is lost.
	if err := s.Query(`UPDATE schema_lock SET holder = 'other' WHERE name = ?`, name).Exec(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if cause := context.Cause(kctx); cause == nil || errors.Is(cause, context.Canceled) {
		t.Fatalf("lock taken over: cause %v, want the lock lost", cause)
	}
}
