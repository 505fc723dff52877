package cassandra

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

// backfills copy rows written before a migration into the tables it
// made, after its statements and before it is recorded as applied. Each
// is idempotent (whole rows by key), so a backfill cut short runs again
// whole on the next start.
var backfills = map[string]func(ctx context.Context, s *gocql.Session, log *slog.Logger) error{
	"0007_people": backfillPeople,
}

// backfillPeople fills the admin's user and course lists, the sessions by
// user, and each user's events and the audit log from the event log: one
// pass over each source table, in pages.
func backfillPeople(ctx context.Context, s *gocql.Session, log *slog.Logger) error {
	exec := func(stmt string, args ...any) error { return s.Query(stmt, args...).ExecContext(ctx) }
	scan := func(what, stmt string, row func(scan func(dest ...any) bool) error) error {
		iter := s.Query(stmt).PageSize(1000).IterContext(ctx)
		n := 0
		if err := row(func(dest ...any) bool {
			ok := iter.Scan(dest...)
			if ok {
				n++
			}
			return ok
		}); err != nil {
			iter.Close()
			return fmt.Errorf("backfill %s: %w", what, err)
		}
		if err := iter.Close(); err != nil {
			return fmt.Errorf("backfill %s: %w", what, err)
		}
		log.Info("backfilled", "table", what, "rows", n)
		return nil
	}

	months := map[int]bool{}
	err := scan("users_by_signup, staff_by_role", `SELECT id, email, name, role, created_at FROM users_by_id`, func(next func(...any) bool) error {
		var id, email, name, role string
		var created time.Time
		for next(&id, &email, &name, &role, &created) {
			m := monthOf(created)
			if !months[m] {
				if err := exec(`INSERT INTO signup_months (bucket, month) VALUES (0, ?)`, m); err != nil {
					return err
				}
				months[m] = true
			}
			if err := exec(`INSERT INTO users_by_signup (month, created_at, id, email, name, role, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				m, created, id, email, name, role, string(lyceum.UserActive)); err != nil {
				return err
			}
			if role != string(lyceum.RoleLearner) {
				if err := exec(`INSERT INTO staff_by_role (role, created_at, id, email, name, status) VALUES (?, ?, ?, ?, ?, ?)`,
					role, created, id, email, name, string(lyceum.UserActive)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = scan("sessions_by_user", `SELECT token_hash, user_id, created_at, expires_at, TTL(user_id) FROM sessions`, func(next func(...any) bool) error {
		var hash, user string
		var created, expires time.Time
		var ttl int
		for next(&hash, &user, &created, &expires, &ttl) {
			if ttl <= 0 {
				continue
			}
			id := legacySessionID(hash)
			if err := exec(`UPDATE sessions USING TTL ? SET id = ? WHERE token_hash = ?`, ttl, id, hash); err != nil {
				return err
			}
			if err := exec(`INSERT INTO sessions_by_user (user_id, id, token_hash, device, addr, created_at, expires_at) VALUES (?, ?, ?, '', '', ?, ?) USING TTL ?`,
				user, id, hash, created, expires, ttl); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = scan("courses_index", `SELECT course_id, summary FROM courses_by_owner`, func(next func(...any) bool) error {
		var id, summary string
		for next(&id, &summary) {
			if err := exec(`INSERT INTO courses_index (bucket, course_id, summary) VALUES (?, ?, ?)`, catalogBucket, id, summary); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	days := map[time.Time]bool{}
	return scan("events_by_user, audit_log", `SELECT id, time, type, user_id, course_id, item_id, payload FROM events`, func(next func(...any) bool) error {
		var id, typ, user, course, item, payload string
		var at time.Time
		for next(&id, &at, &typ, &user, &course, &item, &payload) {
			made, err := idTime(id)
			if err != nil {
				continue // not an id this store writes
			}
			if user != "" {
				if err := exec(`INSERT INTO events_by_user (user_id, year, id, time, type, course_id, item_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					user, made.Year(), id, at, typ, course, item, payload); err != nil {
					return err
				}
			}
			if !lyceum.AuditEventTypes[lyceum.EventType(typ)] {
				continue
			}
			day := auditDay(made)
			if !days[day] {
				if err := exec(`INSERT INTO audit_days (bucket, day) VALUES (0, ?)`, day); err != nil {
					return err
				}
				days[day] = true
			}
			if err := exec(`INSERT INTO audit_log (day, id, time, type, user_id, course_id, item_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				day, id, at, typ, user, course, item, payload); err != nil {
				return err
			}
		}
		return nil
	})
}
