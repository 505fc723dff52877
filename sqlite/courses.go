package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/lyceum/lyceum"
)

func (db *DB) PutCourse(ctx context.Context, c *lyceum.Course) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode course %s: %w", c.ID, err)
	}
	summary, err := json.Marshal(c.Listing())
	if err != nil {
		return err
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		// A course that changed owner leaves its old owner's listing.
		var old string
		err := tx.QueryRowContext(ctx, `SELECT doc FROM courses WHERE id = ?`, c.ID).Scan(&old)
		if err == nil {
			var prev lyceum.Course
			if err := json.Unmarshal([]byte(old), &prev); err == nil && prev.OwnerID != c.OwnerID {
				if _, err := tx.ExecContext(ctx, `DELETE FROM courses_by_owner WHERE owner_id = ? AND course_id = ?`, prev.OwnerID, c.ID); err != nil {
					return err
				}
			}
		} else if err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO courses (id, doc, updated_at) VALUES (?, ?, ?)`,
			c.ID, string(doc), millis(c.UpdatedAt)); err != nil {
			return fmt.Errorf("put course %s: %w", c.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO courses_by_owner (owner_id, course_id, summary) VALUES (?, ?, ?)`,
			c.OwnerID, c.ID, string(summary)); err != nil {
			return err
		}
		if c.Published {
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO catalog (course_id, summary) VALUES (?, ?)`, c.ID, string(summary))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM catalog WHERE course_id = ?`, c.ID)
		}
		return err
	})
}

func (db *DB) CourseByID(ctx context.Context, id string) (*lyceum.Course, error) {
	var doc string
	if err := db.read.QueryRowContext(ctx, `SELECT doc FROM courses WHERE id = ?`, id).Scan(&doc); err != nil {
		return nil, notFound(err, "course "+id)
	}
	var c lyceum.Course
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, fmt.Errorf("decode course %s: %w", id, err)
	}
	return &c, nil
}

func (db *DB) PublishedCourses(ctx context.Context) ([]lyceum.CourseSummary, error) {
	return db.summaries(ctx, `SELECT summary FROM catalog`)
}

func (db *DB) CoursesByOwner(ctx context.Context, ownerID string) ([]lyceum.CourseSummary, error) {
	return db.summaries(ctx, `SELECT summary FROM courses_by_owner WHERE owner_id = ?`, ownerID)
}

// AllCourses reads courses_by_owner whole: it has every course once.
func (db *DB) AllCourses(ctx context.Context) ([]lyceum.CourseSummary, error) {
	return db.summaries(ctx, `SELECT summary FROM courses_by_owner`)
}

func (db *DB) summaries(ctx context.Context, query string, args ...any) ([]lyceum.CourseSummary, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list courses: %w", err)
	}
	defer rows.Close()
	out := []lyceum.CourseSummary{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var s lyceum.CourseSummary
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			return nil, fmt.Errorf("decode course summary: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lyceum.SortCourseSummaries(out)
	return out, nil
}
