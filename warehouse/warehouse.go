// Package warehouse is the one place with all the learning data, for SQL:
// the tables the loader keeps current (Tables, in engine-neutral kinds,
// with their Migrations), the rows it writes (Batch), and the Engine
// interface that each warehouse (duckdb, postgres) implements and
// warehousetest checks.
package warehouse

import (
	"context"
	"errors"
	"time"

	"github.com/lyceum/lyceum"
)

// Engine is a warehouse. Load is the loader's only way in; Query is the
// query page's, and runs only reading statements, as the engine itself
// decides (never by matching SQL text).
type Engine interface {
	// Name is "duckdb" or "postgres", for messages and the query page.
	Name() string
	// Load applies b and moves the loader's position from from to to, in
	// one transaction: after a crash, either both are there or neither. If
	// the position is no longer from (another loader got there first), it
	// changes nothing and returns ErrPositionMoved.
	Load(ctx context.Context, b *Batch, from, to lyceum.EventPosition) error
	// LoaderPosition is the position recorded by the last Load ("" before).
	LoaderPosition(ctx context.Context) (lyceum.EventPosition, error)
	// Query runs one read-only statement. It returns a *QueryError for a
	// statement that is not a read, or that the engine rejects; cancelling
	// ctx stops the work inside the engine.
	Query(ctx context.Context, sql string, args []any) (Rows, error)
	// Tables describes the tables a query may read, with descriptions.
	Tables(ctx context.Context) ([]Table, error)
	Close() error
}

// ErrPositionMoved says a Load lost the race to another loader.
var ErrPositionMoved = errors.New("warehouse: the loader position moved; another loader is running")

// Rows streams a result. Close releases the engine's resources (and any
// lock) at once, even when not every row was read.
type Rows interface {
	Columns() []Column
	// Next returns the next row, or (nil, io.EOF) at the end.
	Next() ([]any, error)
	Close() error
}

// QueryError is a problem with the query itself: it is shown to the user.
type QueryError struct {
	Code    string // "not_read_only", "syntax", "timeout", "canceled", …
	Message string
}

func (e *QueryError) Error() string { return e.Message }

// TimedOut is what every engine answers for a query stopped at its time
// limit, whoever stopped it (the context or the engine's own timeout).
func TimedOut() *QueryError {
	return &QueryError{Code: "timeout", Message: "the query ran past its time limit and was stopped"}
}

// StoppedBy says why ctx stopped a query, or nil if ctx did not: the
// engines check it before reading their own error, which is then only
// the echo of the cancellation.
func StoppedBy(ctx context.Context) *QueryError {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return TimedOut()
	case errors.Is(ctx.Err(), context.Canceled):
		return &QueryError{Code: "canceled", Message: "the query was canceled"}
	}
	return nil
}

// Table and Column describe the warehouse for the schema browser and
// autocomplete.
type Table struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Columns     []Column `json:"columns"`
}

type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // engine type name, e.g. VARCHAR, TIMESTAMP, for people
	// Kind is the type as every engine understands it, e.g.
	// "decimal(12,2)": what code outside the engine reads.
	Kind        Type   `json:"kind,omitzero"`
	Description string `json:"description,omitempty"`
}

// Batch is what one loader step writes. Events are appended; rows of entity
// tables replace the rows with the same key (a course replaces its modules
// and items too). Exactly-once comes from Load recording the loader's
// position in the same transaction.
type Batch struct {
	Events      []lyceum.Event
	Users       []User
	Courses     []Course // replaces the course, its modules and items
	Enrollments []Enrollment
	Progress    []Progress
	Answers     []Answer
	Submissions []Submission
}

// Empty reports whether b writes nothing.
func (b *Batch) Empty() bool {
	return len(b.Events)+len(b.Users)+len(b.Courses)+len(b.Enrollments)+len(b.Progress)+len(b.Answers)+len(b.Submissions) == 0
}

type User struct {
	ID        string
	Email     string
	Name      string
	Role      string
	CreatedAt time.Time
	Status    string
}

type Course struct {
	ID        string
	Title     string
	Summary   string
	Language  string
	OwnerID   string
	Published bool
	UpdatedAt time.Time
	Modules   []Module
}

type Module struct {
	ID       string
	Position int
	Title    string
	Items    []Item
}

type Item struct {
	ID              string
	Position        int
	Kind            string
	Title           string
	Required        bool
	DurationSeconds float64
	QuestionCount   int
}

type Enrollment struct {
	UserID      string
	CourseID    string
	EnrolledAt  time.Time
	CompletedAt *time.Time
	LeftAt      *time.Time
}

type Progress struct {
	UserID         string
	CourseID       string
	ItemID         string
	OpenedAt       *time.Time
	Position       float64
	WatchedPercent float64
	CompletedAt    *time.Time
	Score          *float64
	MaxScore       float64
	UpdatedAt      time.Time
}

type Answer struct {
	UserID     string
	CourseID   string
	ItemID     string
	QuestionID string
	Correct    bool
	Score      float64
	MaxScore   float64
	Response   string // JSON
	AnsweredAt time.Time
}

type Submission struct {
	ID       string
	UserID   string
	CourseID string
	ItemID   string
	Score    float64
	MaxScore float64
	// Passed is nil when the quiz's pass mark is unknown (the quiz is no
	// longer in its course): the grade is NULL rather than a guess.
	Passed      *bool
	SubmittedAt time.Time
}

type querierKey struct{}

// WithQuerier says on whose behalf a query runs (a user id): an engine may
// run it under an identity of that person's own (PostgreSQL gives each a
// login role, so that nobody sees another's running SQL).
func WithQuerier(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, querierKey{}, userID)
}

// Querier is the user id WithQuerier put in ctx, or "" for the system's
// own queries.
func Querier(ctx context.Context) string {
	id, _ := ctx.Value(querierKey{}).(string)
	return id
}
