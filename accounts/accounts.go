// Package accounts signs people up, in and out, and tells who a session
// token belongs to.
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

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 30 * 24 * time.Hour

type Service struct {
	// Store is the whole learning store: a person's data export reads
	// their enrollments, progress and tokens too.
	Store  lyceum.Store
	Params auth.Params // argon2id cost
	// Hashes bounds the password hashes computed at once (sign-up,
	// sign-in); nil does not bound them.
	Hashes *auth.Gate
	// Limit bounds failed sign-in attempts per account and client address,
	// and per client address over all accounts (guessing many accounts'
	// passwords from one place). AccountLimit bounds them per account over
	// all addresses, with a higher burst: one stranger's wrong guesses
	// cannot lock a user out, many addresses' together still stop.
	Limit, AccountLimit *auth.Limiter
	// SignupLimit bounds sign-ups per client address.
	SignupLimit *auth.Limiter
	// Now is the clock (nil: lyceum.TimeNow).
	Now func() time.Time
}

// Client is who is at the other end of a sign-in: its network address
// (for rate limits) and its User-Agent (to recognise the session by).
type Client struct {
	Addr   string
	Device string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return lyceum.TimeNow()
}

// NewUser validates and hashes a new account without storing it.
func (s *Service) NewUser(ctx context.Context, email, password, name string, role lyceum.Role) (*lyceum.User, error) {
	u, err := checkNewUser(email, password, name, role)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash, err = s.hash(ctx, password); err != nil {
		return nil, err
	}
	return u, nil
}

// checkNewUser validates a new account, cheaply: nothing is hashed yet.
func checkNewUser(email, password, name string, role lyceum.Role) (*lyceum.User, error) {
	email, err := lyceum.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, lyceum.Invalid("name", "is required")
	}
	if utf8.RuneCountInString(name) > 100 {
		return nil, lyceum.Invalid("name", "must be at most 100 characters")
	}
	if err := auth.CheckPassword(password); err != nil {
		return nil, err
	}
	if _, err := lyceum.ParseRole(string(role)); err != nil {
		return nil, err
	}
	return &lyceum.User{ID: uuid.NewString(), Email: email, Name: name, Role: role, Status: lyceum.UserActive, CreatedAt: lyceum.TimeNow()}, nil
}

// hash hashes a password when the gate lets it.
func (s *Service) hash(ctx context.Context, password string) (hash string, err error) {
	err = s.gated(ctx, func() { hash, err = auth.HashPassword(password, s.Params) })
	return hash, err
}

// verify checks a password against a hash when the gate lets it.
func (s *Service) verify(ctx context.Context, password, hash string) (ok bool, err error) {
	err = s.gated(ctx, func() { ok, err = auth.VerifyPassword(password, hash) })
	return ok, err
}

func (s *Service) gated(ctx context.Context, fn func()) error {
	if s.Hashes == nil {
		fn()
		return nil
	}
	err := s.Hashes.Do(ctx, fn)
	if errors.Is(err, auth.ErrBusy) {
		return &TooManyAttempts{RetryAfter: time.Second, What: "passwords being checked at once"}
	}
	return err
}

// CreateUser stores a new account with any role (the CLI's user create).
func (s *Service) CreateUser(ctx context.Context, email, password, name string, role lyceum.Role) (*lyceum.User, error) {
	u, err := s.NewUser(ctx, email, password, name, role)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SignUp creates a learner account and signs it in. Sign-ups are limited
// per client address (each costs a password hash), once the input is valid.
func (s *Service) SignUp(ctx context.Context, email, password, name string, client Client) (*lyceum.User, *lyceum.Session, string, error) {
	if _, err := checkNewUser(email, password, name, lyceum.RoleLearner); err != nil {
		return nil, nil, "", err
	}
	if s.SignupLimit != nil {
		if ok, wait := s.SignupLimit.Allow("addr:"+client.Addr, time.Now()); !ok {
			return nil, nil, "", &TooManyAttempts{RetryAfter: wait, What: "sign-ups from this address"}
		}
	}
	u, err := s.CreateUser(ctx, email, password, name, lyceum.RoleLearner)
	if err != nil {
		return nil, nil, "", err
	}
	e := lyceum.Event{ID: uuid.Must(uuid.NewV7()).String(), Time: lyceum.TimeNow(), Type: lyceum.EventSignedUp, UserID: u.ID}
	if err := s.Store.AppendEvents(ctx, e); err != nil {
		return nil, nil, "", err
	}
	sess, token, err := s.newSession(ctx, u, client)
	return u, sess, token, err
}

// ErrBadCredentials is the one answer for a wrong email or password, so
// that sign-in does not reveal which addresses have accounts.
var ErrBadCredentials = fmt.Errorf("wrong email or password: %w", lyceum.ErrUnauthorized)

// TooManyAttempts says how long to wait before trying again: to sign in,
// to sign up, or to have a password checked while the server is busy.
type TooManyAttempts struct {
	RetryAfter time.Duration
	What       string // too many what: "sign-in attempts" when empty
}

func (e *TooManyAttempts) Error() string {
	what := e.What
	if what == "" {
		what = "sign-in attempts"
	}
	return fmt.Sprintf("too many %s; try again in %d s", what, int(e.RetryAfter.Seconds()+1))
}
func (e *TooManyAttempts) Unwrap() error { return lyceum.ErrTooMany }

// ErrDeactivated answers a sign-in with the right password to a
// deactivated account (a wrong one gets ErrBadCredentials, as ever).
var ErrDeactivated = fmt.Errorf("this account is deactivated: ask an admin of this Lyceum to reactivate it: %w", lyceum.ErrForbidden)

// LogIn checks a password and starts a session, rate-limited per client
// address and per account.
func (s *Service) LogIn(ctx context.Context, email, password string, client Client) (*lyceum.User, *lyceum.Session, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	attempt, err := s.takeAttempt(email, client.Addr)
	if err != nil {
		return nil, nil, "", err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if errors.Is(err, lyceum.ErrNotFound) {
		// Spend the same time as a real check so timing does not tell.
		if _, err := s.verify(ctx, password, dummyHash(s.Params)); err != nil {
			return nil, nil, "", err
		}
		return nil, nil, "", ErrBadCredentials
	}
	if err != nil {
		return nil, nil, "", err
	}
	ok, err := s.verify(ctx, password, u.PasswordHash)
	var tma *TooManyAttempts
	if errors.As(err, &tma) {
		return nil, nil, "", err
	}
	// The caller left (or its time ran out) while the hash was checked:
	// say so, whatever the check found.
	if cerr := ctx.Err(); cerr != nil {
		return nil, nil, "", cerr
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, nil, "", ErrBadCredentials
	}
	attempt.refund() // only failed attempts count
	if !u.Active() {
		return nil, nil, "", ErrDeactivated
	}
	sess, token, err := s.newSession(ctx, u, client)
	return u, sess, token, err
}

// attempt is what one sign-in took from the limiters.
type attempt []taken

type taken struct {
	l   *auth.Limiter
	key string
}

func (a attempt) refund() {
	for _, t := range a {
		t.l.Refund(t.key)
	}
}

// takeAttempt takes a sign-in attempt from every limit it counts against,
// or from none when one of them is spent.
func (s *Service) takeAttempt(email, clientAddr string) (attempt, error) {
	var keys []taken
	if s.Limit != nil {
		keys = append(keys, taken{s.Limit, "addr:" + clientAddr}, taken{s.Limit, "account+addr:" + email + " " + clientAddr})
	}
	if s.AccountLimit != nil {
		keys = append(keys, taken{s.AccountLimit, "account:" + email})
	}
	now := time.Now()
	var a attempt
	for _, k := range keys {
		if ok, wait := k.l.Allow(k.key, now); !ok {
			a.refund()
			return nil, &TooManyAttempts{RetryAfter: wait}
		}
		a = append(a, k)
	}
	return a, nil
}

var dummyHashes sync.Map // auth.Params → hash

func dummyHash(p auth.Params) string {
	if h, ok := dummyHashes.Load(p); ok {
		return h.(string)
	}
	h, _ := auth.HashPassword("not a real password", p)
	dummyHashes.Store(p, h)
	return h
}

// maxDeviceLength bounds the User-Agent kept with a session.
const maxDeviceLength = 200

func (s *Service) newSession(ctx context.Context, u *lyceum.User, client Client) (*lyceum.Session, string, error) {
	token := auth.NewToken()
	now := s.now()
	device := strings.ToValidUTF8(client.Device, "")
	if utf8.RuneCountInString(device) > maxDeviceLength {
		device = string([]rune(device)[:maxDeviceLength])
	}
	sess := &lyceum.Session{ID: uuid.NewString(), TokenHash: auth.HashToken(token), UserID: u.ID, CSRFToken: auth.NewToken(),
		Device: device, Addr: client.Addr, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

// Authenticate returns the user and session of a session token, or
// ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (*lyceum.User, *lyceum.Session, error) {
	sess, err := s.Store.SessionByTokenHash(ctx, auth.HashToken(token))
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil, nil, lyceum.ErrUnauthorized
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if errors.Is(err, lyceum.ErrNotFound) {
		return nil, nil, lyceum.ErrUnauthorized
	}
	if err != nil {
		return nil, nil, err
	}
	// A deactivated or deleted account's sessions stop working at once,
	// on every instance: the user is read on every request.
	if !u.Active() {
		return nil, nil, lyceum.ErrUnauthorized
	}
	return u, sess, nil
}

// LogOut ends the session of token.
func (s *Service) LogOut(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, auth.HashToken(token))
}
