package cassandra

import (
	"context"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// instanceBeatsTTL is how long an instance's last beat is kept (seconds).
const instanceBeatsTTL = 7 * 24 * 3600

func (db *DB) BeatInstance(ctx context.Context, id string, at time.Time) error {
	if id == "" {
		return lyceum.Invalid("id", "an instance needs an id")
	}
	if err := db.q(ctx, `INSERT INTO instances (id, beat_at) VALUES (?, ?) USING TTL ?`, id, at, instanceBeatsTTL).Exec(); err != nil {
		return fmt.Errorf("beat instance %s: %w", id, err)
	}
	return nil
}

func (db *DB) InstanceBeat(ctx context.Context, id string) (time.Time, error) {
	if id == "" {
		return time.Time{}, fmt.Errorf("instance: %w", lyceum.ErrNotFound)
	}
	var at time.Time
	if err := db.q(ctx, `SELECT beat_at FROM instances WHERE id = ?`, id).Scan(&at); err != nil {
		return time.Time{}, notFound(err, "instance "+id)
	}
	return at.UTC(), nil
}
