package lyceum

import (
	"context"
	"time"
)

// The learning store is a set of narrow interfaces, each modelled the
// Cassandra way: every method is one query against one table whose partition
// key is known, no joins, and every write is idempotent. Engines (sqlite,
// cassandra) implement all of them and pass storetest unchanged.

type UserStore interface {
	// CreateUser stores a new user. ErrConflict if the email is taken.
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser writes u's name, role, status, language, time zone and
	// password hash (not its id, email or sign-up time). ErrNotFound when
	// there is no such user.
	UpdateUser(ctx context.Context, u *User) error
	// EraseUser deletes an account's personal fields and frees its email:
	// what stays is the id (the pseudonym its events keep), the role, the
	// sign-up time, and status deleted.
	EraseUser(ctx context.Context, id string) error
	// ListUsers lists the users f selects, newest sign-up first, up to
	// limit of them after the page whose Next is cursor ("" for the first).
	ListUsers(ctx context.Context, f UserFilter, cursor string, limit int) (*UserPage, error)

	PutPasswordReset(ctx context.Context, r *PasswordReset) error
	// TakePasswordReset returns the reset and deletes it, so that a link
	// works once even when used twice at once: the one caller that took
	// it gets it, the others ErrNotFound, as for unknown and expired ones.
	TakePasswordReset(ctx context.Context, tokenHash string) (*PasswordReset, error)
}

type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByTokenHash returns ErrNotFound for unknown and expired sessions.
	SessionByTokenHash(ctx context.Context, tokenHash string) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	// SessionsByUser lists a user's unexpired sessions, newest first.
	SessionsByUser(ctx context.Context, userID string) ([]Session, error)
}

type CourseStore interface {
	// PutCourse creates or replaces the whole course document and its
	// listing entries.
	PutCourse(ctx context.Context, c *Course) error
	CourseByID(ctx context.Context, id string) (*Course, error)
	// PublishedCourses lists the catalog, ordered by title.
	PublishedCourses(ctx context.Context) ([]CourseSummary, error)
	// CoursesByOwner lists an instructor's courses, published or not.
	CoursesByOwner(ctx context.Context, ownerID string) ([]CourseSummary, error)
	// AllCourses lists every course, published or not, ordered by title.
	AllCourses(ctx context.Context) ([]CourseSummary, error)
}

type EnrollmentStore interface {
	// Enroll is idempotent: enrolling twice keeps the first enrollment.
	Enroll(ctx context.Context, e *Enrollment) error
	Enrollment(ctx context.Context, userID, courseID string) (*Enrollment, error)
	EnrollmentsByUser(ctx context.Context, userID string) ([]Enrollment, error)
	SetCourseCompleted(ctx context.Context, userID, courseID string, at time.Time) error
	// LeaveCourse marks the enrollment left at at (ErrNotFound without
	// one); Enroll clears the mark.
	LeaveCourse(ctx context.Context, userID, courseID string, at time.Time) error
}

type ProgressStore interface {
	UpdateItemProgress(ctx context.Context, k ItemKey, u ProgressUpdate) error
	// ItemProgress returns ErrNotFound when the learner never touched the item.
	ItemProgress(ctx context.Context, k ItemKey) (*ItemProgress, error)
	// CourseProgress returns the learner's touched items of one course.
	CourseProgress(ctx context.Context, userID, courseID string) ([]ItemProgress, error)

	// PutAnswer stores the latest answer to an in-video question.
	PutAnswer(ctx context.Context, a *Answer) error
	// Answers returns the learner's in-video answers in one course.
	Answers(ctx context.Context, userID, courseID string) ([]Answer, error)

	// AddQuizSubmission is idempotent by submission id.
	AddQuizSubmission(ctx context.Context, s *QuizSubmission) error
	// QuizSubmissions returns one learner's attempts at a quiz, newest first.
	QuizSubmissions(ctx context.Context, k ItemKey) ([]QuizSubmission, error)
}

// EventLog is the append-only log of every action.
type EventLog interface {
	// AppendEvents returns once every event is durable. Appending an event
	// whose id is already in the log is a no-op.
	AppendEvents(ctx context.Context, events ...Event) error
	// ReadEvents returns up to limit events after pos, in log order, and the
	// position to read from next (pos itself when nothing is new).
	ReadEvents(ctx context.Context, pos EventPosition, limit int) ([]Event, EventPosition, error)
	// UserEvents lists the events of one user, newest first, up to limit
	// after the page whose next cursor is cursor ("" for the first); next
	// is "" after the last page.
	UserEvents(ctx context.Context, userID, cursor string, limit int) (events []Event, next string, err error)
	// AuditEvents lists the events of AuditEventTypes that f selects,
	// newest first, as UserEvents pages.
	AuditEvents(ctx context.Context, f AuditFilter, cursor string, limit int) (*AuditPage, error)
}

// LeaseStore grants named, expiring leases, so that background work (the
// warehouse loader, ETL schedules) runs on exactly one instance at a time
// and moves to another when its holder dies.
type LeaseStore interface {
	// AcquireLease takes lease name for holder until ttl from now, or
	// extends it if holder has it. ErrConflict when another holder has an
	// unexpired lease.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error
	// ReleaseLease gives the lease up if holder has it; otherwise nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// InstanceStore records that server instances are alive, so that the work
// of an instance that stopped or crashed (its query runs) can be found and
// failed by the others.
type InstanceStore interface {
	// BeatInstance records that instance id was alive at at.
	BeatInstance(ctx context.Context, id string, at time.Time) error
	// InstanceBeat returns the latest beat of instance id. ErrNotFound
	// when it never beat, or its beats are older than a week and gone.
	InstanceBeat(ctx context.Context, id string) (time.Time, error)
}

// Store is everything the learning platform keeps.
type Store interface {
	UserStore
	SessionStore
	CourseStore
	EnrollmentStore
	ProgressStore
	EventLog
	LeaseStore
	InstanceStore
	QueryStore
	Ping(ctx context.Context) error
	Close() error
}
