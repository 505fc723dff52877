package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
		_, err := tx.ExecContext(ctx, `INSERT INTO users_by_id (id, email, name, role, status, language, time_zone, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, string(u.Role), string(statusOrActive(u.Status)),
			u.Language, u.TimeZone, u.PasswordHash, millis(u.CreatedAt))
		if isUniqueViolation(err) {
			return fmt.Errorf("user id %s exists: %w", u.ID, lyceum.ErrConflict)
		}
		return err
	})
}

// statusOrActive is s, or active for a user made without one.
func statusOrActive(s lyceum.UserStatus) lyceum.UserStatus {
	if s == "" {
		return lyceum.UserActive
	}
	return s
}

const userColumns = `id, email, name, role, status, language, time_zone, password_hash, created_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(row rowScanner) (*lyceum.User, error) {
	var u lyceum.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Status, &u.Language, &u.TimeZone, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

func (db *DB) UserByID(ctx context.Context, id string) (*lyceum.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users_by_id WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	return u, nil
}

func (db *DB) UpdateUser(ctx context.Context, u *lyceum.User) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users_by_id SET name = ?, role = ?, status = ?, language = ?, time_zone = ?,
			password_hash = ? WHERE id = ?`, u.Name, string(u.Role), string(statusOrActive(u.Status)), u.Language, u.TimeZone,
			u.PasswordHash, u.ID)
		if err != nil {
			return fmt.Errorf("update user %s: %w", u.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", u.ID, lyceum.ErrNotFound)
		}
		return nil
	})
}

func (db *DB) EraseUser(ctx context.Context, id string) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM users_by_email WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("erase user %s: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE users_by_id SET email = '', name = '', status = ?, language = '', time_zone = '',
			password_hash = '' WHERE id = ?`, string(lyceum.UserDeleted), id)
		if err != nil {
			return fmt.Errorf("erase user %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s: %w", id, lyceum.ErrNotFound)
		}
		return nil
	})
}

// ListUsers pages by (created_at, id), newest first; the cursor is the
// last user's "created_at id". Text matching is SQL's LIKE with its
// wildcards escaped, so "%" and "_" match themselves.
func (db *DB) ListUsers(ctx context.Context, f lyceum.UserFilter, cursor string, limit int) (*lyceum.UserPage, error) {
	if limit <= 0 {
		return nil, lyceum.Invalid("limit", "must be positive")
	}
	where, args := []string{"1 = 1"}, []any{}
	if cursor != "" {
		at, id, err := lyceum.ParseUserCursor(cursor)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "(created_at < ? OR (created_at = ? AND id < ?))"), append(args, millis(at), millis(at), id)
	}
	if f.Text != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(f.Text)) + "%"
		where, args = append(where, `(lower(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	if f.Role != "" {
		where, args = append(where, "role = ?"), append(args, string(f.Role))
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if !f.SignedUpFrom.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, millis(f.SignedUpFrom))
	}
	if !f.SignedUpTo.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, millis(f.SignedUpTo))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users_by_id WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	page := &lyceum.UserPage{Users: []lyceum.User{}}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		if len(page.Users) == limit {
			last := page.Users[limit-1]
			page.Next = lyceum.UserCursor(last.CreatedAt, last.ID)
			break
		}
		page.Users = append(page.Users, *u)
	}
	return page, rows.Err()
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

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
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO sessions (token_hash, id, user_id, csrf_token, device, addr, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.ID, s.UserID, s.CSRFToken, s.Device, s.Addr, millis(s.CreatedAt), millis(s.ExpiresAt))
		return err
	})
}

const sessionColumns = `token_hash, id, user_id, csrf_token, device, addr, created_at, expires_at`

func scanSession(row rowScanner) (*lyceum.Session, error) {
	var s lyceum.Session
	var created, expires int64
	if err := row.Scan(&s.TokenHash, &s.ID, &s.UserID, &s.CSRFToken, &s.Device, &s.Addr, &created, &expires); err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &s, nil
}

func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (*lyceum.Session, error) {
	s, err := scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions WHERE token_hash = ? AND expires_at > ?`, tokenHash, millis(lyceum.TimeNow())))
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

func (db *DB) SessionsByUser(ctx context.Context, userID string) ([]lyceum.Session, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ? AND expires_at > ?
		ORDER BY created_at DESC, id`, userID, millis(lyceum.TimeNow()))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	out := []lyceum.Session{}
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

func (db *DB) PutPasswordReset(ctx context.Context, r *lyceum.PasswordReset) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO password_resets (token_hash, user_id, issued_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, r.TokenHash, r.UserID, r.IssuedBy, millis(r.CreatedAt), millis(r.ExpiresAt))
		return err
	})
}

func (db *DB) TakePasswordReset(ctx context.Context, tokenHash string) (*lyceum.PasswordReset, error) {
	var r lyceum.PasswordReset
	err := db.exec(ctx, func(tx *sql.Tx) error {
		var created, expires int64
		err := tx.QueryRowContext(ctx, `DELETE FROM password_resets WHERE token_hash = ?
			RETURNING token_hash, user_id, issued_by, created_at, expires_at`, tokenHash).
			Scan(&r.TokenHash, &r.UserID, &r.IssuedBy, &created, &expires)
		r.CreatedAt, r.ExpiresAt = fromMillis(created), fromMillis(expires)
		return err
	})
	if err != nil {
		return nil, notFound(err, "password reset link")
	}
	if !r.ExpiresAt.After(lyceum.TimeNow()) {
		return nil, fmt.Errorf("password reset link expired: %w", lyceum.ErrNotFound)
	}
	return &r, nil
}
