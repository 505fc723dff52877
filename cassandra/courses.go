package cassandra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

// catalogBucket is the catalog's one partition: the published courses of
// an organization number in the thousands at most.
const catalogBucket = 0

// PutCourse writes the course document and its listings in one logged
// batch, so that they end up all written or none.
func (db *DB) PutCourse(ctx context.Context, c *lyceum.Course) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode course %s: %w", c.ID, err)
	}
	summary, err := json.Marshal(c.Listing())
	if err != nil {
		return err
	}
	prev, err := db.CourseByID(ctx, c.ID)
	if err != nil && !errors.Is(err, lyceum.ErrNotFound) {
		return err
	}
	b := db.s.Batch(gocql.LoggedBatch)
	// The batch writes whole rows with fixed values: replaying it is safe.
	add := func(stmt string, args ...any) {
		b.Entries = append(b.Entries, gocql.BatchEntry{Stmt: stmt, Args: args, Idempotent: true})
	}
	add(`INSERT INTO courses (id, doc, updated_at) VALUES (?, ?, ?)`, c.ID, string(doc), c.UpdatedAt)
	add(`INSERT INTO courses_by_owner (owner_id, course_id, summary) VALUES (?, ?, ?)`, c.OwnerID, c.ID, string(summary))
	add(`INSERT INTO courses_index (bucket, course_id, summary) VALUES (?, ?, ?)`, catalogBucket, c.ID, string(summary))
	if prev != nil && prev.OwnerID != c.OwnerID {
		add(`DELETE FROM courses_by_owner WHERE owner_id = ? AND course_id = ?`, prev.OwnerID, c.ID)
	}
	if c.Published {
		add(`INSERT INTO catalog (bucket, course_id, summary) VALUES (?, ?, ?)`, catalogBucket, c.ID, string(summary))
	} else {
		add(`DELETE FROM catalog WHERE bucket = ? AND course_id = ?`, catalogBucket, c.ID)
	}
	if err := b.ExecContext(ctx); err != nil {
		return fmt.Errorf("put course %s: %w", c.ID, err)
	}
	return nil
}

func (db *DB) CourseByID(ctx context.Context, id string) (*lyceum.Course, error) {
	var doc string
	if err := db.q(ctx, `SELECT doc FROM courses WHERE id = ?`, id).Scan(&doc); err != nil {
		return nil, notFound(err, "course "+id)
	}
	var c lyceum.Course
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, fmt.Errorf("decode course %s: %w", id, err)
	}
	return &c, nil
}

func (db *DB) PublishedCourses(ctx context.Context) ([]lyceum.CourseSummary, error) {
	return db.summaries(db.q(ctx, `SELECT summary FROM catalog WHERE bucket = ?`, catalogBucket))
}

func (db *DB) CoursesByOwner(ctx context.Context, ownerID string) ([]lyceum.CourseSummary, error) {
	return db.summaries(db.q(ctx, `SELECT summary FROM courses_by_owner WHERE owner_id = ?`, ownerID))
}

func (db *DB) summaries(q stmt) ([]lyceum.CourseSummary, error) {
	iter := q.Iter()
	out := []lyceum.CourseSummary{}
	var doc string
	for iter.Scan(&doc) {
		var s lyceum.CourseSummary
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			iter.Close()
			return nil, fmt.Errorf("decode course summary: %w", err)
		}
		out = append(out, s)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list courses: %w", err)
	}
	lyceum.SortCourseSummaries(out)
	return out, nil
}
