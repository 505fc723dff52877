package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
)

// API tokens let other systems use the data API as their owner.

// TokenPrefix starts every API token, so a leaked one is recognisable.
const TokenPrefix = "lyc_"

// TokenUseEvery bounds how often a token's last use is written: at most
// once in this time per token, so that the API is not a store write per
// request.
const TokenUseEvery = time.Minute

// TokenStore is what API tokens need kept.
type TokenStore interface {
	PutAPIToken(ctx context.Context, t *lyceum.APIToken) error
	APITokenByHash(ctx context.Context, tokenHash string) (*lyceum.APIToken, error)
	APITokensByUser(ctx context.Context, userID string) ([]lyceum.APIToken, error)
	UserByID(ctx context.Context, id string) (*lyceum.User, error)
}

// Tokens issues, lists, revokes and checks API tokens.
type Tokens struct {
	Store  TokenStore
	Logger interface {
		Error(msg string, args ...any)
	}
	// Now is the clock (nil: lyceum.TimeNow).
	Now func() time.Time

	mu   sync.Mutex
	used map[string]time.Time // token id → its last use written
}

func (s *Tokens) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return lyceum.TimeNow()
}

func checkTokenUser(u *lyceum.User) error {
	if u == nil {
		return lyceum.ErrUnauthorized
	}
	if !u.CanQuery() {
		return fmt.Errorf("API tokens are for analysts, admins and instructors: %w", lyceum.ErrForbidden)
	}
	return nil
}

// CreateToken makes a personal API token for u; the secret is returned
// once and only its hash is kept.
func (s *Tokens) CreateToken(ctx context.Context, u *lyceum.User, name string) (*lyceum.APIToken, string, error) {
	if err := checkTokenUser(u); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, "", lyceum.Invalid("name", "name the token (at most 100 characters), e.g. the system that will use it")
	}
	secret := TokenPrefix + auth.NewToken()
	t := &lyceum.APIToken{ID: uuid.NewString(), UserID: u.ID, Name: name, TokenHash: auth.HashToken(secret),
		Prefix: secret[:len(TokenPrefix)+6], CreatedAt: s.now()}
	if err := s.Store.PutAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// List lists u's tokens.
func (s *Tokens) List(ctx context.Context, u *lyceum.User) ([]lyceum.APIToken, error) {
	if err := checkTokenUser(u); err != nil {
		return nil, err
	}
	return s.Store.APITokensByUser(ctx, u.ID)
}

// Revoke revokes one of u's tokens.
func (s *Tokens) Revoke(ctx context.Context, u *lyceum.User, id string) error {
	list, err := s.List(ctx, u)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.ID == id {
			if t.RevokedAt == nil {
				now := s.now()
				t.RevokedAt = &now
				return s.Store.PutAPIToken(ctx, &t)
			}
			return nil
		}
	}
	return fmt.Errorf("token %s: %w", id, lyceum.ErrNotFound)
}

// Authenticate returns the user of an API token, or ErrUnauthorized, and
// records the token's use (at most once per TokenUseEvery).
func (s *Tokens) Authenticate(ctx context.Context, secret string) (*lyceum.User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, fmt.Errorf("not a Lyceum API token: %w", lyceum.ErrUnauthorized)
	}
	t, err := s.Store.APITokenByHash(ctx, auth.HashToken(secret))
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil, fmt.Errorf("unknown API token: %w", lyceum.ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return nil, fmt.Errorf("this API token was revoked: %w", lyceum.ErrUnauthorized)
	}
	u, err := s.Store.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, fmt.Errorf("the account of this API token is %s: %w", u.Status, lyceum.ErrUnauthorized)
	}
	s.recordUse(ctx, t)
	return u, nil
}

// recordUse writes the token's last use unless it was written less than
// TokenUseEvery ago (by this instance, or by any as the store says). The
// store never clears a revocation on this write (PutAPIToken).
func (s *Tokens) recordUse(ctx context.Context, t *lyceum.APIToken) {
	now := s.now()
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < TokenUseEvery {
		return
	}
	s.mu.Lock()
	if s.used == nil {
		s.used = map[string]time.Time{}
	}
	if last, ok := s.used[t.ID]; ok && now.Sub(last) < TokenUseEvery {
		s.mu.Unlock()
		return
	}
	s.used[t.ID] = now
	for id, at := range s.used { // forget tokens not used lately
		if now.Sub(at) >= TokenUseEvery {
			delete(s.used, id)
		}
	}
	s.used[t.ID] = now
	s.mu.Unlock()
	t.LastUsedAt = &now
	if err := s.Store.PutAPIToken(context.WithoutCancel(ctx), t); err != nil && s.Logger != nil {
		s.Logger.Error("record API token use", "token", t.ID, "err", err)
	}
}
