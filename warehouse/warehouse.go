// Package warehouse is the one place with all the learning data, for SQL:
// the tables the loader keeps current (Schema), the rows it writes (Batch),
// and the Engine interface that each warehouse (duckdb, postgres)
// implements and warehousetest checks.
package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// Table and Column describe the warehouse for the schema browser and
// autocomplete.
type Table struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Columns     []Column `json:"columns"`
}

type Column struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // engine type name, e.g. VARCHAR, TIMESTAMP
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

// Descriptions of the loader's tables and columns, shown on the query page.
// Each engine creates these tables with its own types.
var Descriptions = map[string]Table{
	"events": {Description: "Every learner and user action, one row per event, appended by the loader within seconds.", Columns: []Column{
		{Name: "id", Description: "Unique event id (UUIDv7, sorts by time)"},
		{Name: "time", Description: "When it happened (UTC)"},
		{Name: "type", Description: "enrolled, video_played, video_paused, video_seeked, video_completed, question_answered, quiz_submitted, item_opened, item_completed, course_completed, page_viewed, signed_up, course_imported, course_published, course_unpublished"},
		{Name: "user_id", Description: "Who did it (users.id); empty for anonymous page views"},
		{Name: "course_id", Description: "The course, if any (courses.id)"},
		{Name: "item_id", Description: "The item, if any (items.item_id)"},
		{Name: "payload", Description: "Details as JSON, e.g. {\"position\": 12.5} or {\"score\": 3, \"maxScore\": 4}; read a field with payload->>'position'"},
	}},
	"users": {Description: "Accounts, without secrets.", Columns: []Column{
		{Name: "id"}, {Name: "email"}, {Name: "name"}, {Name: "role", Description: "learner, instructor, analyst or admin"}, {Name: "created_at"},
	}},
	"courses": {Description: "Courses, published or not.", Columns: []Column{
		{Name: "id"}, {Name: "title"}, {Name: "summary"}, {Name: "language"}, {Name: "owner_id", Description: "The instructor (users.id)"},
		{Name: "published"}, {Name: "updated_at"},
	}},
	"modules": {Description: "Modules of each course, in order.", Columns: []Column{
		{Name: "course_id"}, {Name: "module_id"}, {Name: "position", Description: "1 for the first module"}, {Name: "title"},
	}},
	"items": {Description: "Items of each module, in order: videos, readings, quizzes, assignments.", Columns: []Column{
		{Name: "course_id"}, {Name: "module_id"}, {Name: "item_id"}, {Name: "position", Description: "Order within the course, from 1"},
		{Name: "kind", Description: "video, reading, quiz or assignment"}, {Name: "title"},
		{Name: "required", Description: "Counts toward course completion"}, {Name: "duration_seconds", Description: "Videos only"},
		{Name: "question_count", Description: "In-video questions, or quiz questions"},
	}},
	"enrollments": {Description: "Which learner takes which course, and when they completed it.", Columns: []Column{
		{Name: "user_id"}, {Name: "course_id"}, {Name: "enrolled_at"}, {Name: "completed_at", Description: "NULL until every required item is done"},
	}},
	"progress": {Description: "Each learner's state in each item they opened.", Columns: []Column{
		{Name: "user_id"}, {Name: "course_id"}, {Name: "item_id"}, {Name: "opened_at"},
		{Name: "position", Description: "Video resume position, seconds"}, {Name: "watched_percent", Description: "Share of a video watched, 0–100"},
		{Name: "completed_at"}, {Name: "score", Description: "Best quiz score"}, {Name: "max_score"}, {Name: "updated_at"},
	}},
	"answers": {Description: "Each learner's latest answer to each in-video question.", Columns: []Column{
		{Name: "user_id"}, {Name: "course_id"}, {Name: "item_id"}, {Name: "question_id"}, {Name: "correct"},
		{Name: "score"}, {Name: "max_score"}, {Name: "response", Description: "The answer as JSON; read a field with response->>'choices'"}, {Name: "answered_at"},
	}},
	"grades": {Description: "Every graded quiz attempt.", Columns: []Column{
		{Name: "submission_id"}, {Name: "user_id"}, {Name: "course_id"}, {Name: "item_id"}, {Name: "score"}, {Name: "max_score"},
		{Name: "passed", Description: "Score reached the quiz's pass mark; NULL when the quiz is no longer in its course"}, {Name: "submitted_at"},
	}},
}

// TableColumns builds table descriptions from rows of (table, table
// description, column, type, column description), ordered by table.
func TableColumns(next func() (table, tableDesc, col, typ, colDesc string, ok bool, err error)) ([]Table, error) {
	var out []Table
	for {
		table, tdesc, col, typ, cdesc, ok, err := next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		if len(out) == 0 || out[len(out)-1].Name != table {
			out = append(out, Table{Name: table, Description: tdesc})
		}
		t := &out[len(out)-1]
		t.Columns = append(t.Columns, Column{Name: col, Type: typ, Description: cdesc})
	}
}

// CommentStatements are the COMMENT ON statements that attach Descriptions
// to the tables and columns, in SQL both engines accept. schema qualifies
// the table names ("" for none).
func CommentStatements(schema string) []string {
	prefix := ""
	if schema != "" {
		prefix = schema + "."
	}
	literal := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var out []string
	for name, t := range Descriptions {
		out = append(out, fmt.Sprintf(`COMMENT ON TABLE %s%s IS %s`, prefix, name, literal(t.Description)))
		for _, c := range t.Columns {
			if c.Description != "" {
				out = append(out, fmt.Sprintf(`COMMENT ON COLUMN %s%s.%s IS %s`, prefix, name, c.Name, literal(c.Description)))
			}
		}
	}
	return out
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
