package lyceum

import (
	"errors"
	"fmt"
)

// Domain errors. Engine packages convert driver errors into these (by error
// code, never by message text); the HTTP API converts these into statuses in
// one table. Wrap them with %w to add context.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("not signed in")
	ErrForbidden    = errors.New("forbidden")
	ErrTooMany      = errors.New("too many requests")
)

// ValidationError says which field of an input is wrong and why. It is always
// shown to the client, so its message must not leak internals.
type ValidationError struct {
	Field   string // dotted path of the offending field, e.g. "modules[0].items[2].title"
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// IsValidation reports whether err is (or wraps) a *ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}
