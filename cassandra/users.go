package cassandra

import (
	"context"
	"fmt"

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
	var w multiWrite
	w.add(`INSERT INTO users_by_id (id, email, name, role, status, language, time_zone, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, string(u.Role), string(statusOrActive(string(u.Status))), u.Language, u.TimeZone, u.PasswordHash, u.CreatedAt)
	if err := db.listUser(ctx, &w, u, ""); err != nil {
		return err
	}
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

func (db *DB) UserByID(ctx context.Context, id string) (*lyceum.User, error) {
	var u lyceum.User
	var role string
	var status, language, timeZone *string
	err := db.q(ctx, `SELECT id, email, name, role, status, language, time_zone, password_hash, created_at FROM users_by_id WHERE id = ?`, id).
		Scan(&u.ID, &u.Email, &u.Name, &role, &status, &language, &timeZone, &u.PasswordHash, &u.CreatedAt)
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	u.Role, u.Status, u.Language, u.TimeZone = lyceum.Role(role), statusOrActive(deref(status)), deref(language), deref(timeZone)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func (db *DB) UserByEmail(ctx context.Context, email string) (*lyceum.User, error) {
	var id string
	if err := db.q(ctx, `SELECT user_id FROM users_by_email WHERE email = ?`, email).Scan(&id); err != nil {
		return nil, notFound(err, "user with email "+email)
	}
	return db.UserByID(ctx, id)
}
