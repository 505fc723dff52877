package cassandra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/lyceum/lyceum"
)

// Enroll uses a lightweight transaction so that enrolling again keeps the
// first enrollment's time; it happens once per learner and course.
func (db *DB) Enroll(ctx context.Context, e *lyceum.Enrollment) error {
	var completed *time.Time
	if e.CompletedAt != nil {
		completed = e.CompletedAt
	}
	// Retrying is safe: a second attempt finds the row and changes nothing.
	var applied bool
	existing := map[string]any{}
	err := retryTimedOut(ctx, func() (err error) {
		clear(existing)
		applied, err = db.q(ctx, `INSERT INTO enrollments_by_user (user_id, course_id, enrolled_at, completed_at) VALUES (?, ?, ?, ?) IF NOT EXISTS`,
			e.UserID, e.CourseID, e.EnrolledAt, completed).MapScanCAS(existing)
		return err
	})
	if err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	// Enrolling again after leaving: the learner takes the course again.
	if left, _ := existing["left_at"].(time.Time); !applied && !left.IsZero() {
		if err := db.q(ctx, `UPDATE enrollments_by_user SET left_at = null WHERE user_id = ? AND course_id = ?`, e.UserID, e.CourseID).Exec(); err != nil {
			return fmt.Errorf("enroll again: %w", err)
		}
	}
	return nil
}

func (db *DB) Enrollment(ctx context.Context, userID, courseID string) (*lyceum.Enrollment, error) {
	e := lyceum.Enrollment{UserID: userID, CourseID: courseID}
	var completed, left time.Time
	err := db.q(ctx, `SELECT enrolled_at, completed_at, left_at FROM enrollments_by_user WHERE user_id = ? AND course_id = ?`, userID, courseID).
		Scan(&e.EnrolledAt, &completed, &left)
	if err != nil {
		return nil, notFound(err, "enrollment in "+courseID)
	}
	e.EnrolledAt, e.CompletedAt, e.LeftAt = e.EnrolledAt.UTC(), optTime(completed), optTime(left)
	return &e, nil
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (db *DB) EnrollmentsByUser(ctx context.Context, userID string) ([]lyceum.Enrollment, error) {
	iter := db.q(ctx, `SELECT course_id, enrolled_at, completed_at, left_at FROM enrollments_by_user WHERE user_id = ?`, userID).Iter()
	out := []lyceum.Enrollment{}
	var courseID string
	var enrolled, completed, left time.Time
	for iter.Scan(&courseID, &enrolled, &completed, &left) {
		out = append(out, lyceum.Enrollment{UserID: userID, CourseID: courseID, EnrolledAt: enrolled.UTC(),
			CompletedAt: optTime(completed), LeftAt: optTime(left)})
		completed, left = time.Time{}, time.Time{}
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	// Newest first, as the SQLite store orders them.
	slices.SortStableFunc(out, func(a, b lyceum.Enrollment) int {
		if c := b.EnrolledAt.Compare(a.EnrolledAt); c != 0 {
			return c
		}
		return strings.Compare(a.CourseID, b.CourseID)
	})
	return out, nil
}

func (db *DB) SetCourseCompleted(ctx context.Context, userID, courseID string, at time.Time) error {
	if _, err := db.Enrollment(ctx, userID, courseID); err != nil {
		return err
	}
	return db.q(ctx, `UPDATE enrollments_by_user SET completed_at = ? WHERE user_id = ? AND course_id = ?`, at, userID, courseID).Exec()
}

// UpdateItemProgress is one UPDATE of the columns that change; watched
// segments are map entries keyed by segment, so adding them again changes
// nothing. The start of watching is kept once set: it is read first, and
// written only when missing (once per learner and video; two first reports
// racing leave the later start, which only makes the allowance smaller).
func (db *DB) UpdateItemProgress(ctx context.Context, k lyceum.ItemKey, u lyceum.ProgressUpdate) error {
	set, args := []string{"updated_at = ?"}, []any{u.At}
	if u.Opened != nil {
		set, args = append(set, "opened_at = ?"), append(args, *u.Opened)
	}
	if u.Position != nil {
		set, args = append(set, "position = ?"), append(args, *u.Position)
	}
	if u.WatchStarted != nil {
		var started time.Time
		err := db.q(ctx, `SELECT watch_started_at FROM item_progress WHERE user_id = ? AND course_id = ? AND item_id = ?`,
			k.UserID, k.CourseID, k.ItemID).Scan(&started)
		if err != nil && !errors.Is(err, gocql.ErrNotFound) {
			return fmt.Errorf("read watch start: %w", err)
		}
		if started.IsZero() {
			set, args = append(set, "watch_started_at = ?"), append(args, *u.WatchStarted)
		}
	}
	if len(u.WatchedAt) > 0 {
		set, args = append(set, "watched_at = watched_at + ?"), append(args, u.WatchedAt)
	}
	if u.Completed != nil {
		set, args = append(set, "completed_at = ?"), append(args, *u.Completed)
	}
	if u.Score != nil {
		set, args = append(set, "score = ?", "max_score = ?"), append(args, *u.Score, u.MaxScore)
	}
	args = append(args, k.UserID, k.CourseID, k.ItemID)
	return db.q(ctx, `UPDATE item_progress SET `+strings.Join(set, ", ")+` WHERE user_id = ? AND course_id = ? AND item_id = ?`, args...).Exec()
}

const progressColumns = `item_id, opened_at, position, watched, watch_started_at, watched_at, completed_at, score, max_score, updated_at`

type progressRow struct {
	itemID                              string
	opened, started, completed, updated time.Time
	position, maxScore                  float64
	score                               *float64
	watched                             []int
	watchedAt                           map[int]time.Time
}

func (r *progressRow) dest() []any {
	return []any{&r.itemID, &r.opened, &r.position, &r.watched, &r.started, &r.watchedAt, &r.completed, &r.score, &r.maxScore, &r.updated}
}

func (r *progressRow) progress(userID, courseID string) lyceum.ItemProgress {
	w := slices.Clone(r.watched)
	slices.Sort(w)
	if w == nil {
		w = []int{}
	}
	at := make(map[int]time.Time, len(r.watchedAt))
	for seg, t := range r.watchedAt {
		at[seg] = t.UTC()
	}
	return lyceum.ItemProgress{UserID: userID, CourseID: courseID, ItemID: r.itemID, OpenedAt: optTime(r.opened),
		Position: r.position, LegacyWatched: w, WatchStartedAt: optTime(r.started), WatchedAt: at,
		CompletedAt: optTime(r.completed), Score: r.score, MaxScore: r.maxScore, UpdatedAt: r.updated.UTC()}
}

func (db *DB) ItemProgress(ctx context.Context, k lyceum.ItemKey) (*lyceum.ItemProgress, error) {
	var r progressRow
	err := db.q(ctx, `SELECT `+progressColumns+` FROM item_progress WHERE user_id = ? AND course_id = ? AND item_id = ?`,
		k.UserID, k.CourseID, k.ItemID).Scan(r.dest()...)
	if err != nil {
		return nil, notFound(err, "progress in item "+k.ItemID)
	}
	p := r.progress(k.UserID, k.CourseID)
	return &p, nil
}

func (db *DB) CourseProgress(ctx context.Context, userID, courseID string) ([]lyceum.ItemProgress, error) {
	iter := db.q(ctx, `SELECT `+progressColumns+` FROM item_progress WHERE user_id = ? AND course_id = ?`, userID, courseID).Iter()
	out := []lyceum.ItemProgress{}
	for {
		var r progressRow
		if !iter.Scan(r.dest()...) {
			break
		}
		out = append(out, r.progress(userID, courseID))
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("course progress: %w", err)
	}
	return out, nil
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
	return db.q(ctx, `INSERT INTO answers (user_id, course_id, item_id, question_id, response, grade, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.UserID, a.CourseID, a.ItemID, a.QuestionID, string(resp), string(grade), a.AnsweredAt).Exec()
}

func (db *DB) Answers(ctx context.Context, userID, courseID string) ([]lyceum.Answer, error) {
	iter := db.q(ctx, `SELECT item_id, question_id, response, grade, answered_at FROM answers WHERE user_id = ? AND course_id = ?`,
		userID, courseID).Iter()
	out := []lyceum.Answer{}
	var itemID, questionID, resp, grade string
	var at time.Time
	for iter.Scan(&itemID, &questionID, &resp, &grade, &at) {
		a := lyceum.Answer{UserID: userID, CourseID: courseID, ItemID: itemID, QuestionID: questionID, AnsweredAt: at.UTC()}
		if err := json.Unmarshal([]byte(resp), &a.Response); err != nil {
			iter.Close()
			return nil, fmt.Errorf("decode answer: %w", err)
		}
		if err := json.Unmarshal([]byte(grade), &a.Grade); err != nil {
			iter.Close()
			return nil, fmt.Errorf("decode answer: %w", err)
		}
		out = append(out, a)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	return out, nil
}

func (db *DB) AddQuizSubmission(ctx context.Context, s *lyceum.QuizSubmission) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.q(ctx, `INSERT INTO quiz_submissions (user_id, course_id, item_id, submitted_at, id, doc) VALUES (?, ?, ?, ?, ?, ?)`,
		s.UserID, s.CourseID, s.ItemID, s.SubmittedAt, s.ID, string(doc)).Exec()
}

func (db *DB) QuizSubmissions(ctx context.Context, k lyceum.ItemKey) ([]lyceum.QuizSubmission, error) {
	iter := db.q(ctx, `SELECT doc FROM quiz_submissions WHERE user_id = ? AND course_id = ? AND item_id = ?`,
		k.UserID, k.CourseID, k.ItemID).Iter()
	out := []lyceum.QuizSubmission{}
	var doc string
	for iter.Scan(&doc) {
		s := lyceum.QuizSubmission{}
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			iter.Close()
			return nil, fmt.Errorf("decode quiz submission: %w", err)
		}
		s.UserID = k.UserID
		out = append(out, s)
	}
	if err := iter.Close(); err != nil {
		return nil, fmt.Errorf("quiz submissions: %w", err)
	}
	return out, nil
}
