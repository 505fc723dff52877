package lyceum

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
)

type Role string

const (
	RoleLearner    Role = "learner"
	RoleInstructor Role = "instructor"
	RoleAnalyst    Role = "analyst"
	RoleAdmin      Role = "admin"
)

// ParseRole returns the role named s, or a validation error.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleLearner, RoleInstructor, RoleAnalyst, RoleAdmin:
		return r, nil
	}
	return "", Invalid("role", "must be one of learner, instructor, analyst, admin; got %q", s)
}

type User struct {
	ID     string     `json:"id"`
	Email  string     `json:"email"`
	Name   string     `json:"name"`
	Role   Role       `json:"role"`
	Status UserStatus `json:"status"`
	// Language is the interface language the user chose (a BCP 47 tag the
	// web apps have strings for); "" follows the browser.
	Language string `json:"language"`
	// TimeZone is an IANA zone name ("Europe/Paris") every time is shown
	// in; "" follows the browser.
	TimeZone     string    `json:"timeZone"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

// UserStatus says whether an account may be used.
type UserStatus string

const (
	UserActive UserStatus = "active"
	// A deactivated account cannot sign in, and its sessions and API
	// tokens do not work, until an admin reactivates it.
	UserDeactivated UserStatus = "deactivated"
	// A deleted account's personal fields are erased; its id stays, as
	// the pseudonym its learning events keep.
	UserDeleted UserStatus = "deleted"
)

// ParseUserStatus returns the status named s, or a validation error.
func ParseUserStatus(s string) (UserStatus, error) {
	switch st := UserStatus(s); st {
	case UserActive, UserDeactivated, UserDeleted:
		return st, nil
	}
	return "", Invalid("status", "must be one of active, deactivated, deleted; got %q", s)
}

// Active reports whether u may sign in and act.
func (u *User) Active() bool { return u.Status == UserActive }

// CanAuthor reports whether u may create and change courses.
func (u *User) CanAuthor() bool { return u.Role == RoleInstructor || u.Role == RoleAdmin }

// CanQuery reports whether u may read the warehouse (the query page, the
// data API and its tokens): analysts and admins over all of it,
// instructors over their own courses' data.
func (u *User) CanQuery() bool {
	return u != nil && (u.Role == RoleAnalyst || u.Role == RoleAdmin || u.Role == RoleInstructor)
}

// CanEditCourse reports whether u may change c: its owner, or an admin.
func (u *User) CanEditCourse(c *Course) bool {
	return u.Role == RoleAdmin || (u.Role == RoleInstructor && c.OwnerID == u.ID)
}

// NormalizeEmail lower-cases and trims an address and checks its shape.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", Invalid("email", "is not a valid email address")
	}
	return s, nil
}

// A Session is a signed-in browser. Only the SHA-256 of its token is stored,
// so a leaked database does not leak live sessions.
type Session struct {
	// ID names the session in lists (to end it) without being a secret.
	ID        string `json:"id"`
	TokenHash string `json:"-"`
	UserID    string `json:"userId"`
	CSRFToken string `json:"-"`
	// Device is the browser's User-Agent, and Addr the address it signed
	// in from: what a person recognises their sessions by.
	Device    string    `json:"device"`
	Addr      string    `json:"addr"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// UserFilter selects users in a list; zero fields select all.
type UserFilter struct {
	// Text matches a part of the name or email, ignoring case.
	Text   string
	Role   Role
	Status UserStatus
	// SignedUpFrom and SignedUpTo bound the sign-up time: From <= t < To.
	SignedUpFrom, SignedUpTo time.Time
}

// Matches reports whether u is selected by f.
func (f UserFilter) Matches(u *User) bool {
	if f.Role != "" && u.Role != f.Role || f.Status != "" && u.Status != f.Status {
		return false
	}
	if !f.SignedUpFrom.IsZero() && u.CreatedAt.Before(f.SignedUpFrom) || !f.SignedUpTo.IsZero() && !u.CreatedAt.Before(f.SignedUpTo) {
		return false
	}
	if f.Text == "" {
		return true
	}
	text := strings.ToLower(f.Text)
	return strings.Contains(strings.ToLower(u.Name), text) || strings.Contains(u.Email, text)
}

// A UserPage is one page of a user list, newest sign-up first. Next, when
// not empty, continues the list after this page. A page may hold fewer
// users than asked for, even none, and still have a Next: a store that
// bounds the work of one request (Cassandra) stops where its budget ended,
// and SearchedTo says how far back in sign-up time it looked.
type UserPage struct {
	Users      []User    `json:"users"`
	Next       string    `json:"next,omitempty"`
	SearchedTo time.Time `json:"searchedTo,omitzero"`
}

// UserCursor is the cursor of a user list after the user who signed up at
// at with id: "unix-milliseconds:id".
func UserCursor(at time.Time, id string) string {
	return strconv.FormatInt(at.UnixMilli(), 10) + ":" + id
}

// ParseUserCursor reads a UserCursor.
func ParseUserCursor(cursor string) (time.Time, string, error) {
	ms, id, ok := strings.Cut(cursor, ":")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", Invalid("cursor", "is not a cursor of this list: use the next value of the page before")
	}
	return time.UnixMilli(n).UTC(), id, nil
}

// A PasswordReset is a one-time link to set a new password, issued by an
// admin. Only the SHA-256 of its token is stored.
type PasswordReset struct {
	TokenHash string
	UserID    string
	IssuedBy  string // the admin's id
	CreatedAt time.Time
	ExpiresAt time.Time
}

// UILanguages are the languages the web apps have strings for.
var UILanguages = []string{"en", "es"}
