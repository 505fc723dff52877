package cassandra

import (
	"context"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// stmt is a statement together with the context of the request it
// serves. Its methods are gocql's, each given that context: gocql v2
// deprecates keeping a context inside the query (Query.WithContext).
type stmt struct {
	ctx context.Context
	q   *gocql.Query
}

// q prepares an idempotent statement (most of ours are) for ctx.
func (db *DB) q(ctx context.Context, cql string, args ...any) stmt {
	return stmt{ctx: ctx, q: db.s.Query(cql, args...).Idempotent(true)}
}

// Consistency sets the statement's consistency level.
func (s stmt) Consistency(c gocql.Consistency) stmt {
	s.q = s.q.Consistency(c)
	return s
}

func (s stmt) Exec() error            { return s.q.ExecContext(s.ctx) }
func (s stmt) Scan(dest ...any) error { return s.q.ScanContext(s.ctx, dest...) }
func (s stmt) Iter() *gocql.Iter      { return s.q.IterContext(s.ctx) }
func (s stmt) ScanCAS(dest ...any) (bool, error) {
	return s.q.ScanCASContext(s.ctx, dest...)
}
func (s stmt) MapScanCAS(dest map[string]any) (bool, error) {
	return s.q.MapScanCASContext(s.ctx, dest)
}

// PageSize sets how many rows each page of the statement's result holds.
func (s stmt) PageSize(n int) stmt {
	s.q = s.q.PageSize(n)
	return s
}

// column reads the first column of every row of s.
func column[T any](s stmt) ([]T, error) {
	iter := s.Iter()
	var out []T
	var v T
	for iter.Scan(&v) {
		out = append(out, v)
	}
	return out, iter.Close()
}
