package lyceum

import (
	"net/mail"
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
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

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
	TokenHash string    `json:"-"`
	UserID    string    `json:"userId"`
	CSRFToken string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}
