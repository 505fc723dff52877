package cassandra

import (
	"context"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// maxBatchBytes keeps logged batches well under Cassandra's default
// batch_size_fail_threshold (50 KiB), beyond which it refuses a batch.
const maxBatchBytes = 32 << 10

// multiWrite is one logical write that touches several tables.
type multiWrite struct {
	entries []gocql.BatchEntry
	size    int // roughly, in bytes
}

func (w *multiWrite) add(stmt string, args ...any) {
	// Every statement writes whole rows or deletes them: replaying is safe.
	w.entries = append(w.entries, gocql.BatchEntry{Stmt: stmt, Args: args, Idempotent: true})
	w.size += len(stmt)
	for _, a := range args {
		if s, ok := a.(string); ok {
			w.size += len(s)
		} else {
			w.size += 8
		}
	}
}

// write runs w as one logged batch, so that its statements end up all
// written or none. A write too large for a batch (long SQL, copied into
// three tables) runs statement by statement in order instead; each is
// idempotent, so retrying the failed write completes it.
func (db *DB) write(ctx context.Context, w *multiWrite) error {
	if w.size <= maxBatchBytes {
		b := db.s.Batch(gocql.LoggedBatch)
		b.Entries = w.entries
		return b.ExecContext(ctx)
	}
	for _, e := range w.entries {
		if err := db.q(ctx, e.Stmt, e.Args...).Exec(); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
