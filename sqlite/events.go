package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/lyceum/lyceum"
)

func (db *DB) AppendEvents(ctx context.Context, events ...lyceum.Event) error {
	if len(events) == 0 {
		return nil
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (id, time, type, user_id, course_id, item_id, payload)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			payload := string(e.Payload)
			if payload == "" {
				payload = "{}"
			}
			if _, err := stmt.ExecContext(ctx, e.ID, millis(e.Time), string(e.Type), e.UserID, e.CourseID, e.ItemID, payload); err != nil {
				return fmt.Errorf("append event %s: %w", e.ID, err)
			}
		}
		return nil
	})
}

// ReadEvents reads events after pos; positions are the decimal seq of
// the last event read.
func (db *DB) ReadEvents(ctx context.Context, pos lyceum.EventPosition, limit int) ([]lyceum.Event, lyceum.EventPosition, error) {
	var after int64
	if pos != "" {
		n, err := strconv.ParseInt(string(pos), 10, 64)
		if err != nil || n < 0 {
			return nil, pos, lyceum.Invalid("position", "not an event log position of this store: %q", pos)
		}
		after = n
	}
	rows, err := db.read.QueryContext(ctx, `SELECT seq, id, time, type, user_id, course_id, item_id, payload
		FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, pos, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	out := []lyceum.Event{}
	next := pos
	for rows.Next() {
		var e lyceum.Event
		var seq, at int64
		var payload string
		if err := rows.Scan(&seq, &e.ID, &at, &e.Type, &e.UserID, &e.CourseID, &e.ItemID, &payload); err != nil {
			return nil, pos, err
		}
		e.Time, e.Payload = fromMillis(at), json.RawMessage(payload)
		out = append(out, e)
		next = lyceum.EventPosition(strconv.FormatInt(seq, 10))
	}
	return out, next, rows.Err()
}
