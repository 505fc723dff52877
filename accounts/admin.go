package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lyceum/lyceum"
	"github.com/lyceum/lyceum/auth"
)

// What admins do to other people's accounts. Every method checks that its
// caller is an admin, and records what it changed in the event log (and so
// in the audit log).

// Operator is who acts through the command line (lyceum user …): an admin
// that is no account, so that every account, the last admin's too, is
// another's. Its actions are in the audit log as user "operator".
var Operator = &lyceum.User{ID: "operator", Name: "the command line", Role: lyceum.RoleAdmin, Status: lyceum.UserActive}

// ResetLinkLifetime is how long a password reset link works.
const ResetLinkLifetime = 24 * time.Hour

// RequireAdmin says whether admin may use the admin operations: an
// active admin. ErrUnauthorized for nobody, ErrForbidden for others.
func RequireAdmin(admin *lyceum.User) error { return requireAdmin(admin) }

func requireAdmin(admin *lyceum.User) error {
	if admin == nil {
		return lyceum.ErrUnauthorized
	}
	if admin.Role != lyceum.RoleAdmin || !admin.Active() {
		return fmt.Errorf("only admins may manage accounts: %w", lyceum.ErrForbidden)
	}
	return nil
}

// ListUsers lists accounts for an admin.
func (s *Service) ListUsers(ctx context.Context, admin *lyceum.User, f lyceum.UserFilter, cursor string, limit int) (*lyceum.UserPage, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	return s.Store.ListUsers(ctx, f, cursor, limit)
}

// UserDetail is an account as its page in the admin app shows it.
type UserDetail struct {
	User         lyceum.User         `json:"user"`
	Enrollments  []lyceum.Enrollment `json:"enrollments"`
	Sessions     []lyceum.Session    `json:"sessions"`
	APITokens    []lyceum.APIToken   `json:"apiTokens"`
	RecentEvents []lyceum.Event      `json:"recentEvents"`
}

// User returns the account id with what the admin app shows of it.
func (s *Service) User(ctx context.Context, admin *lyceum.User, id string) (*UserDetail, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &UserDetail{User: *u}
	if d.Enrollments, err = s.Store.EnrollmentsByUser(ctx, id); err != nil {
		return nil, err
	}
	if d.Sessions, err = s.Store.SessionsByUser(ctx, id); err != nil {
		return nil, err
	}
	if d.APITokens, err = s.Store.APITokensByUser(ctx, id); err != nil {
		return nil, err
	}
	if d.RecentEvents, _, err = s.Store.UserEvents(ctx, id, "", 50); err != nil {
		return nil, err
	}
	return d, nil
}

// target reads the account an admin acts on; not the admin's own.
func (s *Service) target(ctx context.Context, admin *lyceum.User, id, doing string) (*lyceum.User, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	if id == admin.ID {
		return nil, fmt.Errorf("you cannot %s your own account: ask another admin, or use your own settings: %w", doing, lyceum.ErrConflict)
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Status == lyceum.UserDeleted {
		return nil, fmt.Errorf("account %s was deleted: %w", id, lyceum.ErrConflict)
	}
	return u, nil
}

// keepAnAdmin refuses to take the last active admin but except away.
func (s *Service) keepAnAdmin(ctx context.Context, except, doing string) error {
	page, err := s.Store.ListUsers(ctx, lyceum.UserFilter{Role: lyceum.RoleAdmin, Status: lyceum.UserActive}, "", 2)
	if err != nil {
		return err
	}
	for _, a := range page.Users {
		if a.ID != except {
			return nil
		}
	}
	return fmt.Errorf("cannot %s the last active admin: make another account an admin first: %w", doing, lyceum.ErrConflict)
}

// SetRole changes the role of the account id.
func (s *Service) SetRole(ctx context.Context, admin *lyceum.User, id string, role lyceum.Role) (*lyceum.User, error) {
	if _, err := lyceum.ParseRole(string(role)); err != nil {
		return nil, err
	}
	u, err := s.target(ctx, admin, id, "change the role of")
	if err != nil {
		return nil, err
	}
	if u.Role == role {
		return u, nil
	}
	if u.Role == lyceum.RoleAdmin && u.Active() {
		if err := s.keepAnAdmin(ctx, u.ID, "demote"); err != nil {
			return nil, err
		}
	}
	from := u.Role
	u.Role = role
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, s.record(ctx, lyceum.EventRoleChanged, admin.ID, "", lyceum.AdminAction{TargetUserID: id, From: string(from), To: string(role)})
}

// SetActive deactivates the account id (its sessions end, its tokens stop
// working, it cannot sign in) or reactivates it.
func (s *Service) SetActive(ctx context.Context, admin *lyceum.User, id string, active bool) (*lyceum.User, error) {
	doing := "deactivate"
	if active {
		doing = "reactivate"
	}
	u, err := s.target(ctx, admin, id, doing)
	if err != nil {
		return nil, err
	}
	want := lyceum.UserDeactivated
	typ := lyceum.EventUserDeactivated
	if active {
		want, typ = lyceum.UserActive, lyceum.EventUserReactivated
	}
	if u.Status == want {
		return u, nil
	}
	if !active && u.Role == lyceum.RoleAdmin {
		if err := s.keepAnAdmin(ctx, u.ID, "deactivate"); err != nil {
			return nil, err
		}
	}
	u.Status = want
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if !active {
		if _, err := s.endSessions(ctx, id, nil); err != nil {
			return nil, err
		}
	}
	return u, s.record(ctx, typ, admin.ID, "", lyceum.AdminAction{TargetUserID: id})
}

// SignOutEverywhere ends every session of the account id; it says how
// many.
func (s *Service) SignOutEverywhere(ctx context.Context, admin *lyceum.User, id string) (int, error) {
	if _, err := s.target(ctx, admin, id, "sign out"); err != nil {
		return 0, err
	}
	n, err := s.endSessions(ctx, id, nil)
	if err != nil {
		return n, err
	}
	return n, s.record(ctx, lyceum.EventUserSignedOut, admin.ID, "", lyceum.AdminAction{TargetUserID: id})
}

// IssuePasswordReset makes a one-time link token for the account id, valid
// for ResetLinkLifetime. The token is returned once: the admin passes the
// link on (until Lyceum mails it).
func (s *Service) IssuePasswordReset(ctx context.Context, admin *lyceum.User, id string) (token string, expires time.Time, err error) {
	if _, err := s.target(ctx, admin, id, "reset the password of"); err != nil {
		return "", time.Time{}, err
	}
	token = auth.NewToken()
	now := s.now()
	r := &lyceum.PasswordReset{TokenHash: auth.HashToken(token), UserID: id, IssuedBy: admin.ID, CreatedAt: now,
		ExpiresAt: now.Add(ResetLinkLifetime)}
	if err := s.Store.PutPasswordReset(ctx, r); err != nil {
		return "", time.Time{}, err
	}
	return token, r.ExpiresAt, s.record(ctx, lyceum.EventPasswordResetIssued, admin.ID, "", lyceum.AdminAction{TargetUserID: id})
}

// ErrResetLink answers a reset link that is unknown, used or expired.
var ErrResetLink = fmt.Errorf("this password reset link is not valid: it was used already, or expired; ask an admin for a new one: %w", lyceum.ErrNotFound)

// ResetPassword sets a new password with a reset link's token, and ends
// every session of the account. The link works once.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	if err := auth.CheckPassword(password); err != nil {
		return err
	}
	r, err := s.Store.TakePasswordReset(ctx, auth.HashToken(token))
	if errors.Is(err, lyceum.ErrNotFound) {
		return ErrResetLink
	}
	if err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, r.UserID)
	if err != nil {
		return err
	}
	if u.Status == lyceum.UserDeleted {
		return ErrResetLink
	}
	if u.PasswordHash, err = s.hash(ctx, password); err != nil {
		return err
	}
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := s.endSessions(ctx, u.ID, nil); err != nil {
		return err
	}
	return s.record(ctx, lyceum.EventPasswordChanged, u.ID, "", map[string]string{"by": "reset link"})
}

// Audit lists the audit log for an admin.
func (s *Service) Audit(ctx context.Context, admin *lyceum.User, f lyceum.AuditFilter, cursor string, limit int) (*lyceum.AuditPage, error) {
	if err := requireAdmin(admin); err != nil {
		return nil, err
	}
	if f.Type != "" && !lyceum.AuditEventTypes[f.Type] {
		return nil, lyceum.Invalid("type", "%q is not a type the audit log keeps", f.Type)
	}
	return s.Store.AuditEvents(ctx, f, cursor, limit)
}
