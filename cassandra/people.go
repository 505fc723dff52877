package cassandra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

// The admin's lists (users_by_signup is partitioned by monthOf the sign-up) and what a person manages of their own account:
// users by sign-up month, sessions by user, every course.

// userListBudget bounds the rows one ListUsers request reads: a search
// that matches few users walks back at most this far, then returns a
// cursor to go on from.
var userListBudget = 5000

// statusOrActive is s, or active for a user written before statuses.
func statusOrActive(s string) lyceum.UserStatus {
	if s == "" {
		return lyceum.UserActive
	}
	return lyceum.UserStatus(s)
}

// registerOnce runs an idempotent write the first time key is seen by
// this DB (a month or a day that has rows).
func (db *DB) registerOnce(ctx context.Context, key, stmt string, args ...any) error {
	if _, ok := db.registered.Load(key); ok {
		return nil
	}
	if err := db.q(ctx, stmt, args...).Exec(); err != nil {
		return fmt.Errorf("register %s: %w", key, err)
	}
	db.registered.Store(key, true)
	return nil
}

// listUser writes u's rows of the admin's lists: by sign-up month, and
// by role unless a learner. oldRole is the role u had ("" for a new user):
// its row goes.
func (db *DB) listUser(ctx context.Context, w *multiWrite, u *lyceum.User, oldRole lyceum.Role) error {
	m := monthOf(u.CreatedAt)
	if err := db.registerOnce(ctx, fmt.Sprint("signup-month ", m), `INSERT INTO signup_months (bucket, month) VALUES (0, ?)`, m); err != nil {
		return err
	}
	status := string(statusOrActive(string(u.Status)))
	w.add(`INSERT INTO users_by_signup (month, created_at, id, email, name, role, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m, u.CreatedAt, u.ID, u.Email, u.Name, string(u.Role), status)
	if oldRole != "" && oldRole != lyceum.RoleLearner && oldRole != u.Role {
		w.add(`DELETE FROM staff_by_role WHERE role = ? AND created_at = ? AND id = ?`, string(oldRole), u.CreatedAt, u.ID)
	}
	if u.Role != lyceum.RoleLearner {
		w.add(`INSERT INTO staff_by_role (role, created_at, id, email, name, status) VALUES (?, ?, ?, ?, ?, ?)`,
			string(u.Role), u.CreatedAt, u.ID, u.Email, u.Name, status)
	}
	return nil
}

func (db *DB) UpdateUser(ctx context.Context, u *lyceum.User) error {
	old, err := db.UserByID(ctx, u.ID)
	if err != nil {
		return err
	}
	next := *old
	next.Name, next.Role, next.Status, next.Language, next.TimeZone, next.PasswordHash =
		u.Name, u.Role, statusOrActive(string(u.Status)), u.Language, u.TimeZone, u.PasswordHash
	var w multiWrite
	w.add(`UPDATE users_by_id SET name = ?, role = ?, status = ?, language = ?, time_zone = ?, password_hash = ? WHERE id = ?`,
		next.Name, string(next.Role), string(next.Status), next.Language, next.TimeZone, next.PasswordHash, next.ID)
	if err := db.listUser(ctx, &w, &next, old.Role); err != nil {
		return err
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	return nil
}

// EraseUser frees the email first (a lightweight transaction, as it was
// claimed), then blanks the personal fields everywhere.
func (db *DB) EraseUser(ctx context.Context, id string) error {
	u, err := db.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if u.Email != "" {
		err := retryTimedOut(ctx, func() error {
			_, err := db.q(ctx, `DELETE FROM users_by_email WHERE email = ? IF user_id = ?`, u.Email, u.ID).ScanCAS(nil)
			return err
		})
		if err != nil {
			return fmt.Errorf("erase user %s: free the email: %w", id, err)
		}
	}
	erased := lyceum.User{ID: u.ID, Role: u.Role, Status: lyceum.UserDeleted, CreatedAt: u.CreatedAt}
	var w multiWrite
	w.add(`UPDATE users_by_id SET email = '', name = '', status = ?, language = '', time_zone = '', password_hash = '' WHERE id = ?`,
		string(lyceum.UserDeleted), id)
	if err := db.listUser(ctx, &w, &erased, u.Role); err != nil {
		return err
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("erase user %s: %w", id, err)
	}
	return nil
}

// ListUsers reads staff_by_role for a staff role. Otherwise it walks
// users_by_signup month by month, newest first, keeps the
// rows f selects, and stops when the page is full or userListBudget rows
// were read: then Next is the position of the last row read, and
// SearchedTo its sign-up time. The cursor is a lyceum.UserCursor.
func (db *DB) ListUsers(ctx context.Context, f lyceum.UserFilter, cursor string, limit int) (*lyceum.UserPage, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	var afterAt time.Time
	var afterID string
	if cursor != "" {
		var err error
		if afterAt, afterID, err = lyceum.ParseUserCursor(cursor); err != nil {
			return nil, err
		}
	}
	page := &lyceum.UserPage{Users: []lyceum.User{}}
	if f.Role != "" && f.Role != lyceum.RoleLearner {
		// Staff are few: their one partition, without a budget.
		q := db.q(ctx, `SELECT created_at, id, email, name, status FROM staff_by_role WHERE role = ?`, string(f.Role))
		if cursor != "" {
			q = db.q(ctx, `SELECT created_at, id, email, name, status FROM staff_by_role WHERE role = ? AND (created_at, id) < (?, ?)`,
				string(f.Role), afterAt, afterID)
		}
		iter := q.PageSize(500).Iter()
		u := lyceum.User{Role: f.Role}
		var status string
		for iter.Scan(&u.CreatedAt, &u.ID, &u.Email, &u.Name, &status) {
			u.CreatedAt, u.Status = u.CreatedAt.UTC(), statusOrActive(status)
			if !f.Matches(&u) {
				continue
			}
			if len(page.Users) == limit {
				last := page.Users[limit-1]
				page.Next = lyceum.UserCursor(last.CreatedAt, last.ID)
				break
			}
			page.Users = append(page.Users, u)
		}
		if err := iter.Close(); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		return page, nil
	}
	months, err := column[int](db.q(ctx, `SELECT month FROM signup_months WHERE bucket = 0`))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	read := 0
	for _, m := range months { // newest first (clustering order)
		if cursor != "" && m > monthOf(afterAt) || !f.SignedUpTo.IsZero() && m > monthOf(f.SignedUpTo) {
			continue
		}
		if !f.SignedUpFrom.IsZero() && m < monthOf(f.SignedUpFrom) {
			break
		}
		q := db.q(ctx, `SELECT created_at, id, email, name, role, status FROM users_by_signup WHERE month = ?`, m)
		if cursor != "" && m == monthOf(afterAt) {
			q = db.q(ctx, `SELECT created_at, id, email, name, role, status FROM users_by_signup WHERE month = ? AND (created_at, id) < (?, ?)`,
				m, afterAt, afterID)
		}
		iter := q.PageSize(500).Iter()
		var u lyceum.User
		var role, status string
		for iter.Scan(&u.CreatedAt, &u.ID, &u.Email, &u.Name, &role, &status) {
			read++
			u.CreatedAt, u.Role, u.Status = u.CreatedAt.UTC(), lyceum.Role(role), statusOrActive(status)
			if !f.SignedUpFrom.IsZero() && u.CreatedAt.Before(f.SignedUpFrom) {
				break // older rows follow: nothing more can match
			}
			if f.Matches(&u) {
				page.Users = append(page.Users, u)
				if len(page.Users) == limit {
					page.Next = lyceum.UserCursor(u.CreatedAt, u.ID)
					return page, iter.Close()
				}
			}
			if read >= userListBudget {
				page.Next, page.SearchedTo = lyceum.UserCursor(u.CreatedAt, u.ID), u.CreatedAt
				return page, iter.Close()
			}
		}
		if err := iter.Close(); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
	}
	return page, nil
}

// CreateSession writes the session and its row in the user's list, in one
// logged batch, both expiring with it.
func (db *DB) CreateSession(ctx context.Context, s *lyceum.Session) error {
	ttl := max(int(time.Until(s.ExpiresAt).Seconds())+1, 1)
	var w multiWrite
	w.add(`INSERT INTO sessions (token_hash, id, user_id, csrf_token, device, addr, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
		s.TokenHash, s.ID, s.UserID, s.CSRFToken, s.Device, s.Addr, s.CreatedAt, s.ExpiresAt, ttl)
	w.add(`INSERT INTO sessions_by_user (user_id, id, token_hash, device, addr, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
		s.UserID, s.ID, s.TokenHash, s.Device, s.Addr, s.CreatedAt, s.ExpiresAt, ttl)
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (*lyceum.Session, error) {
	var s lyceum.Session
	var id, device, addr *string
	err := db.q(ctx, `SELECT token_hash, id, user_id, csrf_token, device, addr, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &id, &s.UserID, &s.CSRFToken, &device, &addr, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "session")
	}
	if !s.ExpiresAt.After(time.Now()) {
		return nil, fmt.Errorf("session: %w", lyceum.ErrNotFound)
	}
	s.ID, s.Device, s.Addr = deref(id), deref(device), deref(addr)
	if s.ID == "" { // signed in before sessions had ids (the backfill gives them one)
		s.ID = legacySessionID(s.TokenHash)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// legacySessionID is the id of a session made before sessions had ids, as
// the SQLite store's migration gives them.
func legacySessionID(tokenHash string) string { return tokenHash[:min(32, len(tokenHash))] }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// DeleteSession deletes the session and its row in the user's list.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	s, err := db.SessionByTokenHash(ctx, tokenHash)
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var w multiWrite
	w.add(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	w.add(`DELETE FROM sessions_by_user WHERE user_id = ? AND id = ?`, s.UserID, s.ID)
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (db *DB) SessionsByUser(ctx context.Context, userID string) ([]lyceum.Session, error) {
	iter := db.q(ctx, `SELECT id, token_hash, device, addr, created_at, expires_at FROM sessions_by_user WHERE user_id = ?`, userID).Iter()
	out := []lyceum.Session{}
	now := time.Now()
	s := lyceum.Session{UserID: userID}
	for iter.Scan(&s.ID, &s.TokenHash, &s.Device, &s.Addr, &s.CreatedAt, &s.ExpiresAt) {
		if s.ExpiresAt.After(now) {
			s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
			out = append(out, s)
		}
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	slices.SortFunc(out, func(a, b lyceum.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func (db *DB) LeaveCourse(ctx context.Context, userID, courseID string, at time.Time) error {
	if _, err := db.Enrollment(ctx, userID, courseID); err != nil {
		return err
	}
	return db.q(ctx, `UPDATE enrollments_by_user SET left_at = ? WHERE user_id = ? AND course_id = ?`, at, userID, courseID).Exec()
}

// AllCourses reads courses_index, every course's summary in one partition.
func (db *DB) AllCourses(ctx context.Context) ([]lyceum.CourseSummary, error) {
	return db.summaries(db.q(ctx, `SELECT summary FROM courses_index WHERE bucket = ?`, catalogBucket))
}

func (db *DB) PutPasswordReset(ctx context.Context, r *lyceum.PasswordReset) error {
	ttl := max(int(time.Until(r.ExpiresAt).Seconds())+1, 1)
	return db.q(ctx, `INSERT INTO password_resets (token_hash, user_id, issued_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?) USING TTL ?`,
		r.TokenHash, r.UserID, r.IssuedBy, r.CreatedAt, r.ExpiresAt, ttl).Exec()
}

// TakePasswordReset reads the reset, then deletes it with a lightweight
// transaction: of callers racing for one link, one sees it applied.
func (db *DB) TakePasswordReset(ctx context.Context, tokenHash string) (*lyceum.PasswordReset, error) {
	var r lyceum.PasswordReset
	err := db.q(ctx, `SELECT token_hash, user_id, issued_by, created_at, expires_at FROM password_resets WHERE token_hash = ?`, tokenHash).
		Consistency(gocql.LocalSerial).Scan(&r.TokenHash, &r.UserID, &r.IssuedBy, &r.CreatedAt, &r.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "password reset link")
	}
	applied, err := db.q(ctx, `DELETE FROM password_resets WHERE token_hash = ? IF EXISTS`, tokenHash).ScanCAS()
	if err != nil {
		return nil, fmt.Errorf("take password reset link: %w", err)
	}
	if !applied {
		return nil, fmt.Errorf("password reset link: %w", lyceum.ErrNotFound)
	}
	if !r.ExpiresAt.After(time.Now()) {
		return nil, fmt.Errorf("password reset link expired: %w", lyceum.ErrNotFound)
	}
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	return &r, nil
}
