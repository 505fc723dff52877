package cassandra

import (
	"context"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// AcquireLease takes the lease with INSERT ... IF NOT EXISTS, or renews it
// with UPDATE ... IF holder = me; the row's TTL is the lease's expiry.
// Leases are the other place (besides uniqueness) where a lightweight
// transaction is needed: two instances must never both hold one.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	secs := max(1, int(ttl.Round(time.Second).Seconds()))
	var current string
	var applied bool
	// Every statement here is safe to try again after a timeout: a retry
	// finds this holder's own row and renews it.
	err := retryTimedOut(ctx, func() (err error) {
		applied, err = db.q(ctx, `INSERT INTO leases (name, holder) VALUES (?, ?) IF NOT EXISTS USING TTL ?`, name, holder, secs).
			ScanCAS(nil, &current)
		return err
	})
	if err != nil {
		return fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if applied {
		return nil
	}
	if current != holder {
		return fmt.Errorf("lease %s is held by %s: %w", name, current, lyceum.ErrConflict)
	}
	err = retryTimedOut(ctx, func() (err error) {
		applied, err = db.q(ctx, `UPDATE leases USING TTL ? SET holder = ? WHERE name = ? IF holder = ?`, secs, holder, name, holder).
			ScanCAS(&current)
		return err
	})
	if err != nil {
		return fmt.Errorf("renew lease %s: %w", name, err)
	}
	if !applied {
		return fmt.Errorf("lease %s is held by %s: %w", name, current, lyceum.ErrConflict)
	}
	return nil
}

func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	var current string
	err := retryTimedOut(ctx, func() error {
		_, err := db.q(ctx, `DELETE FROM leases WHERE name = ? IF holder = ?`, name, holder).ScanCAS(&current)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
