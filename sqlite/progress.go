package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lyceum/lyceum"
)

func (db *DB) Enroll(ctx context.Context, e *lyceum.Enrollment) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO enrollments_by_user (user_id, course_id, enrolled_at, completed_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET left_at = NULL`, e.UserID, e.CourseID, millis(e.EnrolledAt), nullMillis(e.CompletedAt))
		return err
	})
}

func (db *DB) Enrollment(ctx context.Context, userID, courseID string) (*lyceum.Enrollment, error) {
	e := lyceum.Enrollment{UserID: userID, CourseID: courseID}
	var enrolled int64
	var completed, left sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT enrolled_at, completed_at, left_at FROM enrollments_by_user
		WHERE user_id = ? AND course_id = ?`, userID, courseID).Scan(&enrolled, &completed, &left)
	if err != nil {
		return nil, notFound(err, "enrollment in "+courseID)
	}
	e.EnrolledAt, e.CompletedAt, e.LeftAt = fromMillis(enrolled), timePtr(completed), timePtr(left)
	return &e, nil
}

func (db *DB) EnrollmentsByUser(ctx context.Context, userID string) ([]lyceum.Enrollment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT course_id, enrolled_at, completed_at, left_at FROM enrollments_by_user
		WHERE user_id = ? ORDER BY enrolled_at DESC, course_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	defer rows.Close()
	out := []lyceum.Enrollment{}
	for rows.Next() {
		e := lyceum.Enrollment{UserID: userID}
		var enrolled int64
		var completed, left sql.NullInt64
		if err := rows.Scan(&e.CourseID, &enrolled, &completed, &left); err != nil {
			return nil, err
		}
		e.EnrolledAt, e.CompletedAt, e.LeftAt = fromMillis(enrolled), timePtr(completed), timePtr(left)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (db *DB) SetCourseCompleted(ctx context.Context, userID, courseID string, at time.Time) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE enrollments_by_user SET completed_at = ?
			WHERE user_id = ? AND course_id = ?`, millis(at), userID, courseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("enrollment in %s: %w", courseID, lyceum.ErrNotFound)
		}
		return nil
	})
}

func (db *DB) LeaveCourse(ctx context.Context, userID, courseID string, at time.Time) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE enrollments_by_user SET left_at = ?
			WHERE user_id = ? AND course_id = ?`, millis(at), userID, courseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("enrollment in %s: %w", courseID, lyceum.ErrNotFound)
		}
		return nil
	})
}

func (db *DB) UpdateItemProgress(ctx context.Context, k lyceum.ItemKey, u lyceum.ProgressUpdate) error {
	return db.exec(ctx, func(tx *sql.Tx) error {
		var watchedAt string
		err := tx.QueryRowContext(ctx, `SELECT watched_at FROM item_progress WHERE user_id = ? AND course_id = ? AND item_id = ?`,
			k.UserID, k.CourseID, k.ItemID).Scan(&watchedAt)
		if err == sql.ErrNoRows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO item_progress (user_id, course_id, item_id, updated_at) VALUES (?, ?, ?, ?)`,
				k.UserID, k.CourseID, k.ItemID, millis(u.At)); err != nil {
				return err
			}
			watchedAt = "[]"
		} else if err != nil {
			return err
		}
		set, args := "updated_at = ?", []any{millis(u.At)}
		if u.Opened != nil {
			set, args = set+", opened_at = ?", append(args, millis(*u.Opened))
		}
		if u.Position != nil {
			set, args = set+", position = ?", append(args, *u.Position)
		}
		if u.WatchStarted != nil {
			set, args = set+", watch_started_at = COALESCE(watch_started_at, ?)", append(args, millis(*u.WatchStarted))
		}
		if len(u.WatchedAt) > 0 {
			m, err := decodeWatchedAt(watchedAt)
			if err != nil {
				return err
			}
			for seg, at := range u.WatchedAt {
				m[seg] = millis(at)
			}
			set, args = set+", watched_at = ?", append(args, encodeWatchedAt(m))
		}
		if u.Completed != nil {
			set, args = set+", completed_at = ?", append(args, millis(*u.Completed))
		}
		if u.Score != nil {
			set, args = set+", score = ?, max_score = ?", append(args, *u.Score, u.MaxScore)
		}
		args = append(args, k.UserID, k.CourseID, k.ItemID)
		_, err = tx.ExecContext(ctx, `UPDATE item_progress SET `+set+` WHERE user_id = ? AND course_id = ? AND item_id = ?`, args...)
		return err
	})
}

// watched_at holds a map of segment → unix ms as runs of consecutive
// segments reported at the same time, [[first, last, ms], ...]: a report
// covers a range, so an hour of video watched in 10-second reports is a few
// hundred runs rather than 3,600 keys.
func encodeWatchedAt(m map[int]int64) string {
	segs := slices.Sorted(maps.Keys(m))
	runs := [][3]int64{}
	for _, s := range segs {
		if n := len(runs); n > 0 && runs[n-1][1] == int64(s)-1 && runs[n-1][2] == m[s] {
			runs[n-1][1] = int64(s)
			continue
		}
		runs = append(runs, [3]int64{int64(s), int64(s), m[s]})
	}
	b, _ := json.Marshal(runs)
	return string(b)
}

// maxRun bounds one run of watched_at: no video has more segments.
const maxRun = 1 << 20

func decodeWatchedAt(text string) (map[int]int64, error) {
	var runs [][3]int64
	if err := json.Unmarshal([]byte(text), &runs); err != nil {
		return nil, fmt.Errorf("decode watched_at: %w", err)
	}
	m := map[int]int64{}
	for _, r := range runs {
		if r[1] < r[0] || r[1]-r[0] > maxRun {
			return nil, fmt.Errorf("decode watched_at: bad run %v", r)
		}
		for s := r[0]; s <= r[1]; s++ {
			m[int(s)] = r[2]
		}
	}
	return m, nil
}

const progressColumns = `item_id, opened_at, position, watched, watch_started_at, watched_at, completed_at, score, max_score, updated_at`

func scanProgress(s interface{ Scan(...any) error }, p *lyceum.ItemProgress) error {
	var opened, started, completed sql.NullInt64
	var score sql.NullFloat64
	var watched, watchedAt string
	var updated int64
	if err := s.Scan(&p.ItemID, &opened, &p.Position, &watched, &started, &watchedAt, &completed, &score, &p.MaxScore, &updated); err != nil {
		return err
	}
	p.OpenedAt, p.WatchStartedAt, p.CompletedAt, p.UpdatedAt = timePtr(opened), timePtr(started), timePtr(completed), fromMillis(updated)
	if score.Valid {
		p.Score = &score.Float64
	}
	if err := json.Unmarshal([]byte(watched), &p.LegacyWatched); err != nil {
		return fmt.Errorf("decode watched segments: %w", err)
	}
	m, err := decodeWatchedAt(watchedAt)
	if err != nil {
		return err
	}
	p.WatchedAt = make(map[int]time.Time, len(m))
	for seg, ms := range m {
		p.WatchedAt[seg] = fromMillis(ms)
	}
	return nil
}

func (db *DB) ItemProgress(ctx context.Context, k lyceum.ItemKey) (*lyceum.ItemProgress, error) {
	p := lyceum.ItemProgress{UserID: k.UserID, CourseID: k.CourseID}
	row := db.read.QueryRowContext(ctx, `SELECT `+progressColumns+` FROM item_progress
		WHERE user_id = ? AND course_id = ? AND item_id = ?`, k.UserID, k.CourseID, k.ItemID)
	if err := scanProgress(row, &p); err != nil {
		return nil, notFound(err, "progress in item "+k.ItemID)
	}
	return &p, nil
}

func (db *DB) CourseProgress(ctx context.Context, userID, courseID string) ([]lyceum.ItemProgress, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+progressColumns+` FROM item_progress
		WHERE user_id = ? AND course_id = ? ORDER BY item_id`, userID, courseID)
	if err != nil {
		return nil, fmt.Errorf("course progress: %w", err)
	}
	defer rows.Close()
	out := []lyceum.ItemProgress{}
	for rows.Next() {
		p := lyceum.ItemProgress{UserID: userID, CourseID: courseID}
		if err := scanProgress(rows, &p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (db *DB) PutAnswer(ctx context.Context, a *lyceum.Answer) error {
	resp, err := json.Marshal(a.Response)
	if err != nil {
		return err
	}
	grade, err := json.Marshal(a.Grade)
	if err != nil {
		return err
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO answers (user_id, course_id, item_id, question_id, response, grade, answered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.UserID, a.CourseID, a.ItemID, a.QuestionID, string(resp), string(grade), millis(a.AnsweredAt))
		return err
	})
}

func (db *DB) Answers(ctx context.Context, userID, courseID string) ([]lyceum.Answer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT item_id, question_id, response, grade, answered_at FROM answers
		WHERE user_id = ? AND course_id = ? ORDER BY item_id, question_id`, userID, courseID)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	out := []lyceum.Answer{}
	for rows.Next() {
		a := lyceum.Answer{UserID: userID, CourseID: courseID}
		var resp, grade string
		var at int64
		if err := rows.Scan(&a.ItemID, &a.QuestionID, &resp, &grade, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(resp), &a.Response); err != nil {
			return nil, fmt.Errorf("decode answer: %w", err)
		}
		if err := json.Unmarshal([]byte(grade), &a.Grade); err != nil {
			return nil, fmt.Errorf("decode answer: %w", err)
		}
		a.AnsweredAt = fromMillis(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (db *DB) AddQuizSubmission(ctx context.Context, s *lyceum.QuizSubmission) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.exec(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO quiz_submissions (user_id, course_id, item_id, id, submitted_at, doc)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, s.UserID, s.CourseID, s.ItemID, s.ID, millis(s.SubmittedAt), string(doc))
		return err
	})
}

func (db *DB) QuizSubmissions(ctx context.Context, k lyceum.ItemKey) ([]lyceum.QuizSubmission, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT doc FROM quiz_submissions
		WHERE user_id = ? AND course_id = ? AND item_id = ? ORDER BY submitted_at DESC, id DESC`, k.UserID, k.CourseID, k.ItemID)
	if err != nil {
		return nil, fmt.Errorf("quiz submissions: %w", err)
	}
	defer rows.Close()
	out := []lyceum.QuizSubmission{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		s := lyceum.QuizSubmission{}
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			return nil, fmt.Errorf("decode quiz submission: %w", err)
		}
		s.UserID = k.UserID
		out = append(out, s)
	}
	return out, rows.Err()
}
