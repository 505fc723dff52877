package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		now := time.Now()
		var current string
		var expires int64
		err := tx.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&current, &expires)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if err == nil && current != holder && expires > now.UnixMilli() {
			return fmt.Errorf("lease %s is held by %s: %w", name, current, lyceum.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES (?, ?, ?)`,
			name, holder, now.Add(ttl).UnixMilli())
		return err
	})
}

func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
		return err
	})
}
