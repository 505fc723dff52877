package cassandra

import (
	"context"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
)

// CreateUser claims the email with a lightweight transaction (the one place
// uniqueness is needed), then writes the user.
func (db *DB) CreateUser(ctx context.Context, u *lyceum.User) error {
	var owner string
	var applied bool
	// Retrying the claim is safe (see below), so it is marked idempotent,
	// survives a coordinator's death, and is tried again when it timed out.
	err := retryTimedOut(ctx, func() (err error) {
		applied, err = db.q(ctx, `INSERT INTO users_by_email (email, user_id) VALUES (?, ?) IF NOT EXISTS`, u.Email, u.ID).
			ScanCAS(nil, &owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	// A retry of our own claim (the first attempt's answer was lost) finds
	// the email claimed by this very user id: carry on.
	if !applied && owner != u.ID {
		return fmt.Errorf("email %s is already registered: %w", u.Email, lyceum.ErrConflict)
	}
	err = db.q(ctx, `INSERT INTO users_by_id (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.CreatedAt).Exec()
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

func (db *DB) UserByID(ctx context.Context, id string) (*lyceum.User, error) {
	var u lyceum.User
	var role string
	err := db.q(ctx, `SELECT id, email, name, role, password_hash, created_at FROM users_by_id WHERE id = ?`, id).
		Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.CreatedAt)
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	u.Role, u.CreatedAt = lyceum.Role(role), u.CreatedAt.UTC()
	return &u, nil
}

func (db *DB) UserByEmail(ctx context.Context, email string) (*lyceum.User, error) {
	var id string
	if err := db.q(ctx, `SELECT user_id FROM users_by_email WHERE email = ?`, email).Scan(&id); err != nil {
		return nil, notFound(err, "user with email "+email)
	}
	return db.UserByID(ctx, id)
}

func (db *DB) CreateSession(ctx context.Context, s *lyceum.Session) error {
	ttl := int(time.Until(s.ExpiresAt).Seconds()) + 1
	if ttl < 1 {
		ttl = 1
	}
	return db.q(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?) USING TTL ?`,
		s.TokenHash, s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt, ttl).Exec()
}

func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (*lyceum.Session, error) {
	var s lyceum.Session
	err := db.q(ctx, `SELECT token_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, notFound(err, "session")
	}
	if !s.ExpiresAt.After(time.Now()) {
		return nil, fmt.Errorf("session: %w", lyceum.ErrNotFound)
	}
	s.CreatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.q(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash).Exec()
}
