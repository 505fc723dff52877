package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lyceum/lyceum"
)

// API tokens (lyceum.QueryStore), by hash and by user.

const tokenColumns = `token_hash, id, user_id, name, prefix, created_at, last_used_at, revoked_at`

// tokenUpsert replaces a token row but never clears its last use or its
// revocation: a write from a stale read (recording a use) must not bring a
// revoked token back.
const tokenUpsert = ` (` + tokenColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (%s) DO UPDATE SET token_hash = excluded.token_hash, id = excluded.id, user_id = excluded.user_id,
	name = excluded.name, prefix = excluded.prefix, created_at = excluded.created_at,
	last_used_at = coalesce(excluded.last_used_at, last_used_at),
	revoked_at = coalesce(excluded.revoked_at, revoked_at)`

// PutAPIToken writes the token by hash and in its user's list. Its hash,
// id and user must not change. A nil LastUsedAt or RevokedAt leaves the
// stored one: revocation cannot be undone.
func (db *DB) PutAPIToken(ctx context.Context, t *lyceum.APIToken) error {
	if t.TokenHash == "" || t.ID == "" || t.UserID == "" {
		return lyceum.Invalid("id", "an API token needs a hash, an id and a user")
	}
	args := []any{t.TokenHash, t.ID, t.UserID, t.Name, t.Prefix, millis(t.CreatedAt), nullMillis(t.LastUsedAt), nullMillis(t.RevokedAt)}
	return db.exec(ctx, func(tx *sql.Tx) error {
		for _, table := range []struct{ name, key string }{
			{"api_tokens_by_hash", "token_hash"},
			{"api_tokens_by_user", "user_id, id"},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table.name+fmt.Sprintf(tokenUpsert, table.key), args...); err != nil {
				return fmt.Errorf("put API token %s: %w", t.ID, err)
			}
		}
		return nil
	})
}

func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*lyceum.APIToken, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_hash WHERE token_hash = ?`, tokenHash)
	t, err := scanToken(row)
	if err != nil {
		return nil, notFound(err, "API token")
	}
	return &t, nil
}

// APITokensByUser lists a user's tokens, newest first.
func (db *DB) APITokensByUser(ctx context.Context, userID string) ([]lyceum.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_user
		WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	out := []lyceum.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list API tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func scanToken(s interface{ Scan(...any) error }) (lyceum.APIToken, error) {
	var t lyceum.APIToken
	var created int64
	var used, revoked sql.NullInt64
	if err := s.Scan(&t.TokenHash, &t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &used, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMillis(created), timePtr(used), timePtr(revoked)
	return t, nil
}
