package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// instanceBeatsKept is how long an instance's last beat is kept.
const instanceBeatsKept = 7 * 24 * time.Hour

func (db *DB) BeatInstance(ctx context.Context, id string, at time.Time) error {
	if id == "" {
		return lyceum.Invalid("id", "an instance needs an id")
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO instances (id, beat_at) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at`, id, millis(at)); err != nil {
			return fmt.Errorf("beat instance %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE beat_at < ?`, millis(at.Add(-instanceBeatsKept))); err != nil {
			return fmt.Errorf("beat instance %s: %w", id, err)
		}
		return nil
	})
}

func (db *DB) InstanceBeat(ctx context.Context, id string) (time.Time, error) {
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT beat_at FROM instances WHERE id = ?`, id).Scan(&at)
	if err != nil {
		return time.Time{}, notFound(err, "instance "+id)
	}
	return fromMillis(at), nil
}
