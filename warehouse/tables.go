package warehouse

import (
	"fmt"
	"strings"
)

// TableSpec is one table of the warehouse, as every engine makes it: its
// columns in neutral kinds, which each engine renders in its own DDL, and
// the descriptions shown on the query page.
type TableSpec struct {
	Name        string
	Description string
	Columns     []ColumnSpec
	// Key is the primary key: a load replaces the row with the same key.
	// Tables without one (events) are appended to.
	Key []string
	// Scope is the condition that selects an instructor's rows, in SQL
	// both engines read, with {courses} standing for the list of their
	// course ids ($1, $2, …). A table without one is not copied for
	// instructors (until someone decides how it is scoped).
	Scope string
	// Internal tables are the engine's own: no query reads them and they
	// are not listed (the loader's position).
	Internal bool
	// Since is the migration that created the table.
	Since int
}

// ColumnSpec is one column of a TableSpec.
type ColumnSpec struct {
	Name        string
	Type        Type
	NotNull     bool
	Description string
	// Since is the migration that added the column (0: the table's).
	Since int
}

// Migration is one numbered step of the warehouse's schema: it creates
// the tables and adds the columns whose Since is its Version. Each engine
// applies the migrations it has not applied yet, in order, each once,
// recording it in the warehouse (in the same transaction where the engine
// allows), and may add steps of its own to a version (an index, a
// conversion of data that an older release wrote).
type Migration struct {
	Version int
	Name    string
}

// Migrations is the warehouse's schema history, oldest first. A new
// column or table gets a new migration here and its Since set to it.
var Migrations = []Migration{
	{1, "learning tables"},
	{2, "account status, leaving courses"},
}

// Create returns the tables m creates and, by table, the columns m adds
// to tables made before it.
func (m Migration) Create() (tables []TableSpec, added map[string][]ColumnSpec) {
	added = map[string][]ColumnSpec{}
	for _, t := range Tables {
		if t.Since == m.Version {
			made := t
			made.Columns = nil
			for _, c := range t.Columns {
				if c.Since == 0 || c.Since == m.Version {
					made.Columns = append(made.Columns, c)
				}
			}
			tables = append(tables, made)
			continue
		}
		for _, c := range t.Columns {
			if c.Since == m.Version && t.Since < m.Version {
				added[t.Name] = append(added[t.Name], c)
			}
		}
	}
	return tables, added
}

// Spec returns the specification of the table called name.
func Spec(name string) (TableSpec, bool) {
	for _, t := range Tables {
		if t.Name == name {
			return t, true
		}
	}
	return TableSpec{}, false
}

// ScopeFilter is t's Scope with in (the placeholders of the course ids)
// in place of {courses}; "" for a table without one.
func (t TableSpec) ScopeFilter(in string) string {
	return strings.ReplaceAll(t.Scope, "{courses}", in)
}

// ColumnNames are t's columns' names, in order.
func (t TableSpec) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

func col(name, typ string, desc ...string) ColumnSpec {
	return ColumnSpec{Name: name, Type: MustType(typ), Description: strings.Join(desc, "")}
}

func notNull(c ColumnSpec) ColumnSpec { c.NotNull = true; return c }

func since(migration int, c ColumnSpec) ColumnSpec { c.Since = migration; return c }

// byCourse is the Scope of a table with a course_id column.
const byCourse = "course_id IN ({courses})"

// Tables are the warehouse's tables, as the loader fills them. Column
// order is the tables' order.
var Tables = []TableSpec{
	{Name: "loader_state", Internal: true, Since: 1, Key: []string{"name"},
		Description: "The loader's position in the event log (internal).",
		Columns:     []ColumnSpec{notNull(col("name", "text")), notNull(col("position", "text")), notNull(col("updated_at", "timestamp"))}},
	{Name: "events", Since: 1, Scope: byCourse,
		Description: "Every learner and user action, one row per event, appended by the loader within seconds.",
		Columns: []ColumnSpec{
			notNull(col("id", "text", "Unique event id (UUIDv7, sorts by time)")),
			notNull(col("time", "timestamp", "When it happened (UTC)")),
			notNull(col("type", "text", "enrolled, video_played, video_paused, video_seeked, video_completed, question_answered, quiz_submitted, item_opened, item_completed, course_completed, page_viewed, signed_up, course_imported, course_published, course_unpublished")),
			col("user_id", "text", "Who did it (users.id); empty for anonymous page views"),
			col("course_id", "text", "The course, if any (courses.id)"),
			col("item_id", "text", "The item, if any (items.item_id)"),
			col("payload", "json", `Details as JSON, e.g. {"position": 12.5} or {"score": 3, "maxScore": 4}; read a field with payload->>'position'`),
		}},
	{Name: "users", Since: 1, Key: []string{"id"},
		// Of users, an instructor sees those enrolled in their courses, and themselves.
		Scope:       "id IN (SELECT user_id FROM enrollments WHERE course_id IN ({courses})) OR id IN (SELECT owner_id FROM courses WHERE id IN ({courses}))",
		Description: "Accounts, without secrets.",
		Columns: []ColumnSpec{col("id", "text"), col("email", "text"), col("name", "text"),
			col("role", "text", "learner, instructor, analyst or admin"), col("created_at", "timestamp"),
			since(2, col("status", "text", "active, deactivated, or deleted (name and email erased; the id stays in the events)"))}},
	{Name: "courses", Since: 1, Key: []string{"id"}, Scope: "id IN ({courses})",
		Description: "Courses, published or not.",
		Columns: []ColumnSpec{col("id", "text"), col("title", "text"), col("summary", "text"), col("language", "text"),
			col("owner_id", "text", "The instructor (users.id)"), col("published", "boolean"), col("updated_at", "timestamp")}},
	{Name: "modules", Since: 1, Scope: byCourse,
		Description: "Modules of each course, in order.",
		Columns: []ColumnSpec{col("course_id", "text"), col("module_id", "text"), col("position", "integer", "1 for the first module"),
			col("title", "text")}},
	{Name: "items", Since: 1, Scope: byCourse,
		Description: "Items of each module, in order: videos, readings, quizzes, assignments.",
		Columns: []ColumnSpec{col("course_id", "text"), col("module_id", "text"), col("item_id", "text"),
			col("position", "integer", "Order within the course, from 1"), col("kind", "text", "video, reading, quiz or assignment"),
			col("title", "text"), col("required", "boolean", "Counts toward course completion"),
			col("duration_seconds", "double", "Videos only"), col("question_count", "integer", "In-video questions, or quiz questions")}},
	{Name: "enrollments", Since: 1, Key: []string{"user_id", "course_id"}, Scope: byCourse,
		Description: "Which learner takes which course, and when they completed it.",
		Columns: []ColumnSpec{col("user_id", "text"), col("course_id", "text"), col("enrolled_at", "timestamp"),
			col("completed_at", "timestamp", "NULL until every required item is done"),
			since(2, col("left_at", "timestamp", "When the learner left the course; NULL while they take it (enrolling again clears it)"))}},
	{Name: "progress", Since: 1, Key: []string{"user_id", "course_id", "item_id"}, Scope: byCourse,
		Description: "Each learner's state in each item they opened.",
		Columns: []ColumnSpec{col("user_id", "text"), col("course_id", "text"), col("item_id", "text"), col("opened_at", "timestamp"),
			col("position", "double", "Video resume position, seconds"), col("watched_percent", "double", "Share of a video watched, 0–100"),
			col("completed_at", "timestamp"), col("score", "double", "Best quiz score"), col("max_score", "double"), col("updated_at", "timestamp")}},
	{Name: "answers", Since: 1, Key: []string{"user_id", "course_id", "item_id", "question_id"}, Scope: byCourse,
		Description: "Each learner's latest answer to each in-video question.",
		Columns: []ColumnSpec{col("user_id", "text"), col("course_id", "text"), col("item_id", "text"), col("question_id", "text"),
			col("correct", "boolean"), col("score", "double"), col("max_score", "double"),
			col("response", "json", "The answer as JSON; read a field with response->>'choices'"), col("answered_at", "timestamp")}},
	{Name: "grades", Since: 1, Key: []string{"submission_id"}, Scope: byCourse,
		Description: "Every graded quiz attempt.",
		Columns: []ColumnSpec{col("submission_id", "text"), col("user_id", "text"), col("course_id", "text"), col("item_id", "text"),
			col("score", "double"), col("max_score", "double"),
			col("passed", "boolean", "Score reached the quiz's pass mark; NULL when the quiz is no longer in its course"),
			col("submitted_at", "timestamp")}},
}

// CreateTable renders CREATE TABLE IF NOT EXISTS for t, naming it
// qualified and each column's type with typeName: the part of the DDL
// that differs between engines.
func CreateTable(t TableSpec, qualified string, typeName func(Type) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", qualified)
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", c.Name, typeName(c.Type))
		if c.NotNull {
			b.WriteString(" NOT NULL")
		}
	}
	if len(t.Key) > 0 {
		fmt.Fprintf(&b, ", PRIMARY KEY (%s)", strings.Join(t.Key, ", "))
	}
	b.WriteString(")")
	return b.String()
}

// CommentStatements are the COMMENT ON statements that attach the
// descriptions to the tables and columns, in SQL both engines accept.
// schema qualifies the table names ("" for none).
func CommentStatements(schema string) []string {
	prefix := ""
	if schema != "" {
		prefix = schema + "."
	}
	literal := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var out []string
	for _, t := range Tables {
		out = append(out, fmt.Sprintf(`COMMENT ON TABLE %s%s IS %s`, prefix, t.Name, literal(t.Description)))
		for _, c := range t.Columns {
			if c.Description != "" {
				out = append(out, fmt.Sprintf(`COMMENT ON COLUMN %s%s.%s IS %s`, prefix, t.Name, c.Name, literal(c.Description)))
			}
		}
	}
	return out
}

// TableColumns builds table descriptions from rows of (table, table
// description, column, engine type name, column description), ordered by
// table, with each column's kind from the specification.
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
		c := Column{Name: col, Type: typ, Description: cdesc}
		if spec, ok := Spec(table); ok {
			for _, sc := range spec.Columns {
				if sc.Name == col {
					c.Kind = sc.Type
				}
			}
		}
		t.Columns = append(t.Columns, c)
	}
}
