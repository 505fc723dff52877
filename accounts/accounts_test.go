package accounts_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/accounts"
	"github.com/lyceum/lyceum/auth"
	"github.com/lyceum/lyceum/sqlite"
)

// Every password hash, of a sign-up or a sign-in, waits for the gate: with
// its one slot taken, they wait as long as their request lasts, and past
// the gate's waiting cap they are refused as "too many", to retry later.
func TestHashesWaitForTheGate(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	gate := auth.NewGate(1)
	s := &accounts.Service{Store: store, Params: auth.TestParams, Hashes: gate}
	if _, _, _, err := s.SignUp(ctx, "a@example.org", "a good long password", "A", accounts.Client{Addr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}

	hold, held := make(chan struct{}), make(chan struct{})
	go gate.Do(ctx, func() { close(held); <-hold })
	<-held
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	for name, call := range map[string]func(context.Context) error{
		"sign-up": func(c context.Context) error {
			_, _, _, err := s.SignUp(c, "b@example.org", "a good long password", "B", accounts.Client{Addr: "192.0.2.1"})
			return err
		},
		"sign-in": func(c context.Context) error {
			_, _, _, err := s.LogIn(c, "a@example.org", "a good long password", accounts.Client{Addr: "192.0.2.1"})
			return err
		},
		"sign-in to no account": func(c context.Context) error {
			_, _, _, err := s.LogIn(c, "nobody@example.org", "a good long password", accounts.Client{Addr: "192.0.2.1"})
			return err
		},
	} {
		if err := call(short()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with the gate full: %v, want it to wait until its context ends", name, err)
		}
		gate.MaxWaiting = 0
		var tma *accounts.TooManyAttempts
		if err := call(ctx); !errors.As(err, &tma) || !errors.Is(err, lyceum.ErrTooMany) || tma.RetryAfter <= 0 {
			t.Errorf("%s with no room to wait: %v, want TooManyAttempts", name, err)
		}
		gate.MaxWaiting = 32
	}
	close(hold)
	if _, _, _, err := s.LogIn(ctx, "a@example.org", "a good long password", accounts.Client{Addr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
}

// leavingStore cancels the sign-in's context once the user is read, as a
// client that gives up while its password is checked.
type leavingStore struct {
	lyceum.Store
	leave context.CancelFunc
}

func (s leavingStore) UserByEmail(ctx context.Context, email string) (*lyceum.User, error) {
	u, err := s.Store.UserByEmail(ctx, email)
	s.leave()
	return u, err
}

// A sign-in whose caller leaves during the password check ends with the
// context's error, never with no error and no session (the handler would
// then dereference a nil session).
func TestLogInCallerLeavesDuringTheCheck(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lyceum.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := &accounts.Service{Store: store, Params: auth.TestParams}
	if _, _, _, err := s.SignUp(ctx, "a@example.org", "a good long password", "A", accounts.Client{Addr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	s.Store = leavingStore{Store: store, leave: cancel}
	u, sess, _, err := s.LogIn(c, "a@example.org", "a good long password", accounts.Client{Addr: "192.0.2.1"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("LogIn = user %v, session %v, err %v; want context.Canceled", u, sess, err)
	}
}
