package accounts_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/sqlite"
)

func tokenSetup(t *testing.T) (*accounts.Tokens, *sqlite.DB, *time.Time) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return &accounts.Tokens{Store: store, Now: func() time.Time { return now }}, store, &now
}

func tokenUser(t *testing.T, store *sqlite.DB, role lyceum.Role) *lyceum.User {
	t.Helper()
	u := &lyceum.User{ID: uuid.NewString(), Email: uuid.NewString() + "@example.org", Name: "A", Role: role,
		PasswordHash: "x", CreatedAt: lyceum.TimeNow()}
	if err := store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTokens(t *testing.T) {
	s, store, _ := tokenSetup(t)
	ctx := context.Background()
	a := tokenUser(t, store, lyceum.RoleAnalyst)
	tok, secret, err := s.CreateToken(ctx, a, "experiments")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Authenticate(ctx, secret)
	if err != nil || u.ID != a.ID {
		t.Fatalf("authenticate: %v %v", u, err)
	}
	if _, err := s.Authenticate(ctx, secret+"x"); !errors.Is(err, lyceum.ErrUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}
	if err := s.Revoke(ctx, a, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, lyceum.ErrUnauthorized) {
		t.Fatalf("revoked token: %v", err)
	}
	list, _ := s.List(ctx, a)
	if len(list) != 1 || list[0].RevokedAt == nil || list[0].Prefix == "" {
		t.Fatalf("tokens = %+v", list)
	}
	if _, _, err := s.CreateToken(ctx, tokenUser(t, store, lyceum.RoleLearner), "x"); !errors.Is(err, lyceum.ErrForbidden) {
		t.Fatalf("a learner made a token: %v", err)
	}
}

// TestTokenLastUsed: a token's use is recorded (the tokens page said
// "never" for every token), at most once a minute.
func TestTokenLastUsed(t *testing.T) {
	s, store, now := tokenSetup(t)
	ctx := context.Background()
	a := tokenUser(t, store, lyceum.RoleAnalyst)
	_, secret, err := s.CreateToken(ctx, a, "etl")
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() *time.Time {
		t.Helper()
		list, err := s.List(ctx, a)
		if err != nil || len(list) != 1 {
			t.Fatalf("tokens: %+v, %v", list, err)
		}
		return list[0].LastUsedAt
	}
	if got := lastUsed(); got != nil {
		t.Fatalf("a new token was used at %v", got)
	}
	first := *now
	for _, step := range []struct {
		after time.Duration
		want  time.Time
	}{
		{0, first},                // first use: written
		{30 * time.Second, first}, // within the minute: not written again
		{70 * time.Second, first.Add(70 * time.Second)}, // a minute later: written
	} {
		*now = first.Add(step.after)
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); got == nil || !got.Equal(step.want) {
			t.Fatalf("after a use at +%s: last used %v, want %v", step.after, got, step.want)
		}
	}
	// Another instance (its own memory) sees the stored use, and does not
	// write it again within the minute either.
	other := &accounts.Tokens{Store: store, Now: func() time.Time { return first.Add(80 * time.Second) }}
	if _, err := other.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(first.Add(70 * time.Second)) {
		t.Fatalf("other instance: last used %v", got)
	}
}
