package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lyceum/lyceum"
)

func (db *DB) CreateUser(ctx context.Context, u *lyceum.User) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users_by_email (email, user_id) VALUES (?, ?)`, u.Email, u.ID); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("email %s is already registered: %w", u.Email, lyceum.ErrConflict)
			}
			return fmt.Errorf("create user: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users_by_id (id, email, name, role, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, millis(u.CreatedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("user id %s exists: %w", u.ID, lyceum.ErrConflict)
		}
		return err
	})
}

func (db *DB) UserByID(ctx context.Context, id string) (*lyceum.User, error) {
	var u lyceum.User
	var created int64
	err := db.read.QueryRowContext(ctx, `SELECT id, email, name, role, password_hash, created_at
		FROM users_by_id WHERE id = ?`, id).Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &created)
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

func (db *DB) UserByEmail(ctx context.Context, email string) (*lyceum.User, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT user_id FROM users_by_email WHERE email = ?`, email).Scan(&id)
	if err != nil {
		return nil, notFound(err, "user with email "+email)
	}
	return db.UserByID(ctx, id)
}

func (db *DB) CreateSession(ctx context.Context, s *lyceum.Session) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.CSRFToken, millis(s.CreatedAt), millis(s.ExpiresAt))
		return err
	})
}

func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (*lyceum.Session, error) {
	var s lyceum.Session
	var created, expires int64
	err := db.read.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, expires_at
		FROM sessions WHERE token_hash = ? AND expires_at > ?`, tokenHash, millis(lyceum.TimeNow())).
		Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, &created, &expires)
	if err != nil {
		return nil, notFound(err, "session")
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &s, nil
}

func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}
