package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

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
			if lyceum.AuditEventTypes[e.Type] {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO audit_log (seq, time, type, user_id)
					SELECT seq, time, type, user_id FROM events WHERE id = ?`, e.ID); err != nil {
					return fmt.Errorf("append event %s to the audit log: %w", e.ID, err)
				}
			}
		}
		return nil
	})
}

const eventColumns = `e.seq, e.id, e.time, e.type, e.user_id, e.course_id, e.item_id, e.payload`

// scanEvents reads rows of eventColumns, and the seq of the last.
func scanEvents(rows *sql.Rows) ([]lyceum.Event, int64, error) {
	defer rows.Close()
	out := []lyceum.Event{}
	var last int64
	for rows.Next() {
		var e lyceum.Event
		var at int64
		var payload string
		if err := rows.Scan(&last, &e.ID, &at, &e.Type, &e.UserID, &e.CourseID, &e.ItemID, &payload); err != nil {
			return nil, 0, err
		}
		e.Time, e.Payload = fromMillis(at), json.RawMessage(payload)
		out = append(out, e)
	}
	return out, last, rows.Err()
}

// seqCursor reads a cursor of UserEvents and AuditEvents: the decimal
// seq of the last event listed (math.MaxInt64 for "").
func seqCursor(cursor string) (int64, error) {
	if cursor == "" {
		return math.MaxInt64, nil
	}
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || n < 0 {
		return 0, lyceum.Invalid("cursor", "is not a cursor of this list: use the next value of the page before")
	}
	return n, nil
}

func (db *DB) UserEvents(ctx context.Context, userID, cursor string, limit int) ([]lyceum.Event, string, error) {
	before, err := seqCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		return nil, "", lyceum.Invalid("limit", "must be positive")
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.user_id = ? AND e.seq < ?
		ORDER BY e.seq DESC LIMIT ?`, userID, before, limit)
	if err != nil {
		return nil, "", fmt.Errorf("list user events: %w", err)
	}
	events, last, err := scanEvents(rows)
	if err != nil || len(events) < limit {
		return events, "", err
	}
	return events, strconv.FormatInt(last, 10), nil
}

func (db *DB) AuditEvents(ctx context.Context, f lyceum.AuditFilter, cursor string, limit int) (*lyceum.AuditPage, error) {
	before, err := seqCursor(cursor)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	where, args := []string{"a.seq < ?"}, []any{before}
	if f.UserID != "" {
		where, args = append(where, "a.user_id = ?"), append(args, f.UserID)
	}
	if f.Type != "" {
		where, args = append(where, "a.type = ?"), append(args, string(f.Type))
	}
	if !f.From.IsZero() {
		where, args = append(where, "a.time >= ?"), append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.time < ?"), append(args, millis(f.To))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_log a JOIN events e ON e.seq = a.seq
		WHERE `+strings.Join(where, " AND ")+` ORDER BY a.seq DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	events, last, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	page := &lyceum.AuditPage{Events: events}
	if len(events) == limit {
		page.Next = strconv.FormatInt(last, 10)
	}
	return page, nil
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
