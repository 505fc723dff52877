package querying

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
)

// TokenPrefix starts every API token, so a leaked one is recognisable.
const TokenPrefix = "lyc_"

// CreateToken makes a personal API token for u; the secret is returned
// once and only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, u *lyceum.User, name string) (*lyceum.APIToken, string, error) {
	if err := checkQuerier(u); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, "", lyceum.Invalid("name", "name the token (at most 100 characters), e.g. the system that will use it")
	}
	secret := TokenPrefix + auth.NewToken()
	t := &lyceum.APIToken{ID: uuid.NewString(), UserID: u.ID, Name: name, TokenHash: auth.HashToken(secret),
		Prefix: secret[:len(TokenPrefix)+6], CreatedAt: lyceum.TimeNow()}
	if err := s.Store.PutAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Tokens lists u's tokens.
func (s *Service) Tokens(ctx context.Context, u *lyceum.User) ([]lyceum.APIToken, error) {
	if err := checkQuerier(u); err != nil {
		return nil, err
	}
	return s.Store.APITokensByUser(ctx, u.ID)
}

// RevokeToken revokes one of u's tokens.
func (s *Service) RevokeToken(ctx context.Context, u *lyceum.User, id string) error {
	list, err := s.Tokens(ctx, u)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.ID == id {
			if t.RevokedAt == nil {
				t.RevokedAt = ptr(lyceum.TimeNow())
				return s.Store.PutAPIToken(ctx, &t)
			}
			return nil
		}
	}
	return fmt.Errorf("token %s: %w", id, lyceum.ErrNotFound)
}

// Authenticate returns the user of an API token, or ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, secret string) (*lyceum.User, error) {
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
	return s.Store.UserByID(ctx, t.UserID)
}
