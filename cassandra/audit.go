package cassandra

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// Each user's events and the audit log: copies of the event log's rows,
// written as events are appended (the log stays the record), so that a
// person's page, their data export and the audit log read their own
// partitions instead of the whole log.

// auditBudget bounds the rows one AuditEvents request reads, like
// userListBudget.
var auditBudget = 5000

// auditDay is the audit_log partition of an event made at t.
func auditDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// indexEvent copies e (made at at, its id's time) into events_by_user and,
// for an audit type, audit_log. Both writes are idempotent by id.
func (db *DB) indexEvent(ctx context.Context, e lyceum.Event, at time.Time, payload string) error {
	if e.UserID != "" {
		if err := db.q(ctx, `INSERT INTO events_by_user (user_id, year, id, time, type, course_id, item_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.UserID, at.Year(), e.ID, e.Time, string(e.Type), e.CourseID, e.ItemID, payload).Exec(); err != nil {
			return err
		}
	}
	if !lyceum.AuditEventTypes[e.Type] {
		return nil
	}
	day := auditDay(at)
	if err := db.registerOnce(ctx, "audit-day "+day.Format(time.DateOnly), `INSERT INTO audit_days (bucket, day) VALUES (0, ?)`, day); err != nil {
		return err
	}
	return db.q(ctx, `INSERT INTO audit_log (day, id, time, type, user_id, course_id, item_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		day, e.ID, e.Time, string(e.Type), e.UserID, e.CourseID, e.ItemID, payload).Exec()
}

// UserEvents walks the user's years from the cursor's (or this one) back
// to the year they signed up. The cursor is the last event id listed.
func (db *DB) UserEvents(ctx context.Context, userID, cursor string, limit int) ([]lyceum.Event, string, error) {
	if limit <= 0 {
		return nil, "", lyceum.Invalid("limit", "must be positive")
	}
	from := time.Now().UTC()
	if cursor != "" {
		t, err := idTime(cursor)
		if err != nil {
			return nil, "", lyceum.Invalid("cursor", "is not a cursor of this list: use the next value of the page before")
		}
		from = t
	}
	out := []lyceum.Event{}
	u, err := db.UserByID(ctx, userID)
	if errors.Is(err, lyceum.ErrNotFound) {
		return out, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	for year := from.Year(); year >= u.CreatedAt.Year() && len(out) < limit; year-- {
		q := db.q(ctx, `SELECT id, time, type, course_id, item_id, payload FROM events_by_user WHERE user_id = ? AND year = ? LIMIT ?`,
			userID, year, limit-len(out))
		if cursor != "" && year == from.Year() {
			q = db.q(ctx, `SELECT id, time, type, course_id, item_id, payload FROM events_by_user WHERE user_id = ? AND year = ? AND id < ? LIMIT ?`,
				userID, year, cursor, limit-len(out))
		}
		iter := q.Iter()
		e := lyceum.Event{UserID: userID}
		var payload string
		for iter.Scan(&e.ID, &e.Time, &e.Type, &e.CourseID, &e.ItemID, &payload) {
			e.Time, e.Payload = e.Time.UTC(), []byte(payload)
			out = append(out, e)
		}
		if err := iter.Close(); err != nil {
			return nil, "", fmt.Errorf("list user events: %w", err)
		}
	}
	if len(out) < limit {
		return out, "", nil
	}
	return out, out[len(out)-1].ID, nil
}

// AuditEvents walks audit_log day by day, newest first, keeps the rows f
// selects, and stops when the page is full or auditBudget rows were read
// (then Next is the last id read, and SearchedTo its time). The cursor is
// an event id.
func (db *DB) AuditEvents(ctx context.Context, f lyceum.AuditFilter, cursor string, limit int) (*lyceum.AuditPage, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	var after time.Time
	if cursor != "" {
		t, err := idTime(cursor)
		if err != nil {
			return nil, lyceum.Invalid("cursor", "is not a cursor of this list: use the next value of the page before")
		}
		after = t
	}
	days, err := column[time.Time](db.q(ctx, `SELECT day FROM audit_days WHERE bucket = 0`))
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	page := &lyceum.AuditPage{Events: []lyceum.Event{}}
	read := 0
	for _, day := range days { // newest first
		day = day.UTC()
		if cursor != "" && day.After(auditDay(after)) || !f.To.IsZero() && day.After(auditDay(f.To)) {
			continue
		}
		if !f.From.IsZero() && day.Before(auditDay(f.From)) {
			break
		}
		q := db.q(ctx, `SELECT id, time, type, user_id, course_id, item_id, payload FROM audit_log WHERE day = ?`, day)
		if cursor != "" && day.Equal(auditDay(after)) {
			q = db.q(ctx, `SELECT id, time, type, user_id, course_id, item_id, payload FROM audit_log WHERE day = ? AND id < ?`, day, cursor)
		}
		iter := q.PageSize(500).Iter()
		var e lyceum.Event
		var payload string
		for iter.Scan(&e.ID, &e.Time, &e.Type, &e.UserID, &e.CourseID, &e.ItemID, &payload) {
			read++
			e.Time = e.Time.UTC()
			if (f.UserID == "" || e.UserID == f.UserID) && (f.Type == "" || e.Type == f.Type) &&
				(f.From.IsZero() || !e.Time.Before(f.From)) && (f.To.IsZero() || e.Time.Before(f.To)) {
				e.Payload = []byte(payload)
				page.Events = append(page.Events, e)
				if len(page.Events) == limit {
					page.Next = e.ID
					return page, iter.Close()
				}
			}
			if read >= auditBudget {
				page.Next, page.SearchedTo = e.ID, e.Time
				return page, iter.Close()
			}
		}
		if err := iter.Close(); err != nil {
			return nil, fmt.Errorf("list audit events: %w", err)
		}
	}
	return page, nil
}
