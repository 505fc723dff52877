package cassandra

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

// API tokens (lyceum.QueryStore), by hash and by user.

const tokenColumns = `token_hash, id, user_id, name, prefix, created_at, last_used_at, revoked_at`

// PutAPIToken writes the token by hash and in its user's list, in one
// logged batch. Its hash, id and user must not change. A nil LastUsedAt or
// RevokedAt is left unset, so it never clears the stored one: a write from
// a stale read (recording a use) cannot bring a revoked token back.
func (db *DB) PutAPIToken(ctx context.Context, t *lyceum.APIToken) error {
	if t.TokenHash == "" || t.ID == "" || t.UserID == "" {
		return lyceum.Invalid("id", "an API token needs a hash, an id and a user")
	}
	args := []any{t.TokenHash, t.ID, t.UserID, t.Name, t.Prefix, t.CreatedAt, unsetIfNil(t.LastUsedAt), unsetIfNil(t.RevokedAt)}
	var w multiWrite
	w.add(`INSERT INTO api_tokens_by_hash (`+tokenColumns+`) VALUES (`+placeholders(8)+`)`, args...)
	w.add(`INSERT INTO api_tokens_by_user (`+tokenColumns+`) VALUES (`+placeholders(8)+`)`, args...)
	if err := db.write(ctx, &w); err != nil {
		return fmt.Errorf("put API token %s: %w", t.ID, err)
	}
	return nil
}

func unsetIfNil(t *time.Time) any {
	if t == nil {
		return gocql.UnsetValue
	}
	return *t
}

func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*lyceum.APIToken, error) {
	if tokenHash == "" {
		return nil, fmt.Errorf("API token: %w", lyceum.ErrNotFound)
	}
	var r tokenRow
	if err := db.q(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_hash WHERE token_hash = ?`, tokenHash).Scan(r.dest()...); err != nil {
		return nil, notFound(err, "API token")
	}
	t := r.token()
	return &t, nil
}

// APITokensByUser lists a user's tokens, newest first.
func (db *DB) APITokensByUser(ctx context.Context, userID string) ([]lyceum.APIToken, error) {
	out := []lyceum.APIToken{}
	if userID == "" {
		return out, nil
	}
	iter := db.q(ctx, `SELECT `+tokenColumns+` FROM api_tokens_by_user WHERE user_id = ?`, userID).Iter()
	for {
		var r tokenRow
		if !iter.Scan(r.dest()...) {
			break
		}
		out = append(out, r.token())
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	slices.SortFunc(out, func(a, b lyceum.APIToken) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

type tokenRow struct {
	hash, id, user, name, prefix string
	created, used, revoked       time.Time
}

func (r *tokenRow) dest() []any {
	return []any{&r.hash, &r.id, &r.user, &r.name, &r.prefix, &r.created, &r.used, &r.revoked}
}

func (r *tokenRow) token() lyceum.APIToken {
	return lyceum.APIToken{TokenHash: r.hash, ID: r.id, UserID: r.user, Name: r.name, Prefix: r.prefix,
		CreatedAt: r.created.UTC(), LastUsedAt: optTime(r.used), RevokedAt: optTime(r.revoked)}
}
