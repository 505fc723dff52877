package learning

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/lyceum/lyceum"
)

// MediaKeyPrefix is where a course's media live in the blob store.
func MediaKeyPrefix(courseID string) string { return "courses/" + courseID + "/" }

// MediaURL is the API address of a course's media blob.
func MediaURL(courseID, key string) string {
	p := strings.TrimPrefix(key, MediaKeyPrefix(courseID))
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/api/v1/courses/" + url.PathEscape(courseID) + "/media/" + strings.Join(segs, "/")
}

type VideoQuestionView struct {
	At       float64         `json:"at"`
	Question lyceum.Question `json:"question"`
	Answer   *lyceum.Answer  `json:"answer,omitempty"`
}

type VideoView struct {
	URL             string              `json:"url"`
	ContentType     string              `json:"contentType"`
	DurationSeconds float64             `json:"durationSeconds"`
	CaptionsURL     string              `json:"captionsUrl,omitempty"`
	Transcript      string              `json:"transcript,omitempty"`
	Questions       []VideoQuestionView `json:"questions"`
}

type HTMLView struct {
	HTML string `json:"html"`
}

type QuizView struct {
	PassPercent float64           `json:"passPercent"`
	Questions   []lyceum.Question `json:"questions"`
}

type ItemView struct {
	ID         string          `json:"id"`
	Kind       lyceum.ItemKind `json:"kind"`
	Title      string          `json:"title"`
	Optional   bool            `json:"optional"`
	Video      *VideoView      `json:"video,omitempty"`
	Reading    *HTMLView       `json:"reading,omitempty"`
	Quiz       *QuizView       `json:"quiz,omitempty"`
	Assignment *HTMLView       `json:"assignment,omitempty"`
}

// ItemPage is what the item player shows.
type ItemPage struct {
	Item        ItemView                `json:"item"`
	Status      ItemStatus              `json:"status"`
	Submissions []lyceum.QuizSubmission `json:"submissions"`
}

// Item returns the player view of an item: its content with answers hidden,
// u's status and past attempts.
func (s *Service) Item(ctx context.Context, u *lyceum.User, courseID, itemID string) (*ItemPage, error) {
	c, _, err := s.learnerCourse(ctx, u, courseID)
	if err != nil {
		return nil, err
	}
	it, _, err := c.Item(itemID)
	if err != nil {
		return nil, fmt.Errorf("item %s in %s: %w", itemID, courseID, err)
	}
	st, err := s.state(ctx, u.ID, courseID)
	if err != nil {
		return nil, err
	}
	v := ItemView{ID: it.ID, Kind: it.Kind, Title: it.Title, Optional: !Required(it)}
	page := &ItemPage{Status: st.status(it), Submissions: []lyceum.QuizSubmission{}}
	switch it.Kind {
	case lyceum.KindVideo:
		vid := it.Video
		vv := &VideoView{URL: MediaURL(c.ID, vid.Blob), ContentType: vid.ContentType, DurationSeconds: vid.DurationSeconds,
			Transcript: vid.Transcript, Questions: []VideoQuestionView{}}
		if vid.Captions != "" {
			vv.CaptionsURL = MediaURL(c.ID, vid.Captions)
		}
		for _, q := range vid.Questions {
			qv := VideoQuestionView{At: q.At, Question: q.Question.Public()}
			if a, ok := st.answers[it.ID][q.ID]; ok {
				qv.Answer = &a
			}
			vv.Questions = append(vv.Questions, qv)
		}
		v.Video = vv
	case lyceum.KindReading:
		html, err := renderMarkdown(it.Reading.Markdown)
		if err != nil {
			return nil, err
		}
		v.Reading = &HTMLView{HTML: html}
	case lyceum.KindQuiz:
		qv := &QuizView{PassPercent: it.Quiz.PassPercent}
		for _, q := range it.Quiz.Questions {
			qv.Questions = append(qv.Questions, q.Public())
		}
		v.Quiz = qv
		subs, err := s.Store.QuizSubmissions(ctx, lyceum.ItemKey{UserID: u.ID, CourseID: courseID, ItemID: itemID})
		if err != nil {
			return nil, err
		}
		page.Submissions = subs
	case lyceum.KindAssignment:
		html, err := renderMarkdown(it.Assignment.Instructions)
		if err != nil {
			return nil, err
		}
		v.Assignment = &HTMLView{HTML: html}
	}
	page.Item = v
	return page, nil
}

// learnerItem returns the course, enrollment and item u acts on. kind, if
// set, is the kind the action needs.
func (s *Service) learnerItem(ctx context.Context, u *lyceum.User, courseID, itemID string, kind lyceum.ItemKind) (*lyceum.Course, *lyceum.Enrollment, *lyceum.Item, error) {
	c, e, err := s.learnerCourse(ctx, u, courseID)
	if err != nil {
		return nil, nil, nil, err
	}
	it, _, err := c.Item(itemID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("item %s in %s: %w", itemID, courseID, err)
	}
	if kind != "" && it.Kind != kind {
		return nil, nil, nil, lyceum.Invalid("itemId", "item %s is a %s, not a %s", itemID, it.Kind, kind)
	}
	return c, e, it, nil
}

// ItemResult is what an action on an item returns: the item's new status and
// the course's progress.
type ItemResult struct {
	Status ItemStatus      `json:"status"`
	Course *CourseProgress `json:"course"`
}

// OpenItem records that u opened an item; a reading completes on open.
func (s *Service) OpenItem(ctx context.Context, u *lyceum.User, courseID, itemID string) (*ItemResult, error) {
	c, e, it, err := s.learnerItem(ctx, u, courseID, itemID, "")
	if err != nil {
		return nil, err
	}
	now := s.now()
	k := lyceum.ItemKey{UserID: u.ID, CourseID: courseID, ItemID: itemID}
	if err := s.Store.UpdateItemProgress(ctx, k, lyceum.ProgressUpdate{Opened: &now, At: now}); err != nil {
		return nil, err
	}
	if err := s.record(ctx, s.newEvent(lyceum.EventItemOpened, u, courseID, itemID, map[string]any{"kind": it.Kind})); err != nil {
		return nil, err
	}
	return s.settle(ctx, u, c, e, it, it.Kind == lyceum.KindReading)
}

// settle completes an item if done (or its rule says so), completes the
// course if every required item is, and returns the new state.
func (s *Service) settle(ctx context.Context, u *lyceum.User, c *lyceum.Course, e *lyceum.Enrollment, it *lyceum.Item, done bool) (*ItemResult, error) {
	st, err := s.state(ctx, u.ID, c.ID)
	if err != nil {
		return nil, err
	}
	if it.Kind == lyceum.KindVideo {
		done = st.videoDone(it)
	}
	p := st.progress[it.ID]
	if done && (p == nil || p.CompletedAt == nil) {
		now := s.now()
		k := lyceum.ItemKey{UserID: u.ID, CourseID: c.ID, ItemID: it.ID}
		if err := s.Store.UpdateItemProgress(ctx, k, lyceum.ProgressUpdate{Completed: &now, At: now}); err != nil {
			return nil, err
		}
		if p == nil {
			p = &lyceum.ItemProgress{ItemID: it.ID, UserID: u.ID, CourseID: c.ID}
			st.progress[it.ID] = p
		}
		p.CompletedAt = &now
		if err := s.record(ctx, s.newEvent(lyceum.EventItemCompleted, u, c.ID, it.ID, map[string]any{"kind": it.Kind})); err != nil {
			return nil, err
		}
	}
	cp := computeProgress(c, e, st)
	if cp.allRequiredDone() && e.CompletedAt == nil {
		now := s.now()
		if err := s.Store.SetCourseCompleted(ctx, u.ID, c.ID, now); err != nil {
			return nil, err
		}
		e.CompletedAt, cp.CompletedAt = &now, &now
		if err := s.record(ctx, s.newEvent(lyceum.EventCourseCompleted, u, c.ID, "", map[string]any{"score": cp.Score, "maxScore": cp.MaxScore})); err != nil {
			return nil, err
		}
	}
	return &ItemResult{Status: cp.Items[it.ID], Course: cp}, nil
}

// VideoReport is what the player reports about watching a video.
type VideoReport struct {
	Event       string   `json:"event"` // heartbeat, played, paused, seeked, ended
	Position    float64  `json:"position"`
	WatchedFrom *float64 `json:"watchedFrom,omitempty"`
	WatchedTo   *float64 `json:"watchedTo,omitempty"`
}

var videoEvents = map[string]lyceum.EventType{
	"heartbeat": "", "played": lyceum.EventVideoPlayed, "paused": lyceum.EventVideoPaused,
	"seeked": lyceum.EventVideoSeeked, "ended": lyceum.EventVideoCompleted,
}

// durationSlack is how far past a video's declared duration a report may go.
const durationSlack = 5.0

// maxWatchedSpan bounds one report's watched range: the player reports at
// least every few seconds while playing.
const maxWatchedSpan = 120.0

// ReportVideo stores the resume position and the watched range, records the
// player event, and completes the video when its rule is met. A watched
// range counts only as far as the time since the learner first reported
// watching this video allows at lyceum.MaxPlaybackRate
// (lyceum.ItemProgress.WatchedSegments): the rest is dropped, and counts
// when the player reports it again later.
func (s *Service) ReportVideo(ctx context.Context, u *lyceum.User, courseID, itemID string, r VideoReport) (*ItemResult, error) {
	typ, ok := videoEvents[r.Event]
	if !ok {
		return nil, lyceum.Invalid("event", "must be one of heartbeat, played, paused, seeked, ended; got %q", r.Event)
	}
	c, e, it, err := s.learnerItem(ctx, u, courseID, itemID, lyceum.KindVideo)
	if err != nil {
		return nil, err
	}
	dur := it.Video.DurationSeconds
	// Players report a little past the declared duration when the file is
	// slightly longer; such reports are clamped, not refused.
	if !finite(r.Position) || r.Position < 0 || r.Position > dur+durationSlack {
		return nil, lyceum.Invalid("position", "must be between 0 and the video's duration (%.1f s)", dur)
	}
	var segments []int
	if r.WatchedFrom != nil || r.WatchedTo != nil {
		if r.WatchedFrom == nil || r.WatchedTo == nil {
			return nil, lyceum.Invalid("watchedFrom", "watchedFrom and watchedTo go together")
		}
		from, to := *r.WatchedFrom, *r.WatchedTo
		if !finite(from) || !finite(to) || from < 0 || to < from || to > dur+durationSlack {
			return nil, lyceum.Invalid("watchedTo", "need 0 ≤ watchedFrom ≤ watchedTo ≤ duration (%.1f s)", dur)
		}
		if to-from > maxWatchedSpan {
			return nil, lyceum.Invalid("watchedTo", "a report covers at most %.0f s of watching", maxWatchedSpan)
		}
		segments = segmentsIn(from, min(to, dur))
	}
	now := s.now()
	pos := math.Min(r.Position, dur)
	k := lyceum.ItemKey{UserID: u.ID, CourseID: courseID, ItemID: itemID}
	p, err := s.Store.ItemProgress(ctx, k)
	if errors.Is(err, lyceum.ErrNotFound) {
		p = nil
	} else if err != nil {
		return nil, err
	}
	upd := lyceum.ProgressUpdate{Position: &pos, At: now}
	if p == nil || p.WatchStartedAt == nil {
		// Any report starts the clock of watching this video.
		upd.WatchStarted = &now
	}
	if len(segments) > 0 {
		// The rule is the domain's: the segments count only as far as the
		// time since the learner started watching allows, however many
		// reports (from however many devices, however concurrent) claim them.
		upd.WatchedAt = p.NewlyWatched(segments, now)
	}
	if err := s.Store.UpdateItemProgress(ctx, k, upd); err != nil {
		return nil, err
	}
	if typ != "" {
		if err := s.record(ctx, s.newEvent(typ, u, courseID, itemID, map[string]any{"position": pos})); err != nil {
			return nil, err
		}
	}
	return s.settle(ctx, u, c, e, it, false)
}

// segmentsIn returns the watch segments whose midpoint lies in [from, to].
func segmentsIn(from, to float64) []int {
	seg := lyceum.WatchSegmentSeconds
	var out []int
	for i := int(math.Ceil(from/seg - 0.5)); (float64(i)+0.5)*seg <= to; i++ {
		out = append(out, i)
	}
	return out
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// AnswerResult is the outcome of answering an in-video question.
type AnswerResult struct {
	Grade  lyceum.Grade    `json:"grade"`
	Answer lyceum.Answer   `json:"answer"`
	Status ItemStatus      `json:"status"`
	Course *CourseProgress `json:"course"`
}

// AnswerVideoQuestion grades u's answer to an in-video question, stores it
// as their latest answer, and completes the video if that was the last thing
// it needed.
func (s *Service) AnswerVideoQuestion(ctx context.Context, u *lyceum.User, courseID, itemID, questionID string, r lyceum.Response) (*AnswerResult, error) {
	c, e, it, err := s.learnerItem(ctx, u, courseID, itemID, lyceum.KindVideo)
	if err != nil {
		return nil, err
	}
	var q *lyceum.Question
	for i := range it.Video.Questions {
		if it.Video.Questions[i].ID == questionID {
			q = &it.Video.Questions[i].Question
		}
	}
	if q == nil {
		return nil, fmt.Errorf("question %s in %s: %w", questionID, itemID, lyceum.ErrNotFound)
	}
	g, err := q.Grade(r)
	if err != nil {
		return nil, err
	}
	a := lyceum.Answer{UserID: u.ID, CourseID: courseID, ItemID: itemID, QuestionID: questionID, Response: r, Grade: g, AnsweredAt: s.now()}
	if err := s.Store.PutAnswer(ctx, &a); err != nil {
		return nil, err
	}
	ev := s.newEvent(lyceum.EventQuestionAnswered, u, courseID, itemID,
		map[string]any{"questionId": questionID, "response": r, "correct": g.Correct, "score": g.Score, "max": g.Max})
	if err := s.record(ctx, ev); err != nil {
		return nil, err
	}
	res, err := s.settle(ctx, u, c, e, it, false)
	if err != nil {
		return nil, err
	}
	return &AnswerResult{Grade: g, Answer: a, Status: res.Status, Course: res.Course}, nil
}

// QuizResult is the outcome of submitting a quiz.
type QuizResult struct {
	Submission lyceum.QuizSubmission `json:"submission"`
	Status     ItemStatus            `json:"status"`
	Course     *CourseProgress       `json:"course"`
}

// MaxQuizAttempts bounds how many times a learner can submit one quiz.
const MaxQuizAttempts = 100

// SubmitQuiz grades a quiz attempt. Every question must be answered. The
// item's score is the best attempt's; the item completes on submission.
func (s *Service) SubmitQuiz(ctx context.Context, u *lyceum.User, courseID, itemID string, responses map[string]lyceum.Response) (*QuizResult, error) {
	c, e, it, err := s.learnerItem(ctx, u, courseID, itemID, lyceum.KindQuiz)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	sub := lyceum.QuizSubmission{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, CourseID: courseID, ItemID: itemID,
		Responses: responses, Grades: map[string]lyceum.Grade{}, SubmittedAt: s.now()}
	for _, q := range it.Quiz.Questions {
		known[q.ID] = true
		r, ok := responses[q.ID]
		if !ok {
			return nil, lyceum.Invalid("responses."+q.ID, "answer every question: %q is missing", q.Prompt)
		}
		g, err := q.Grade(r)
		if err != nil {
			var ve *lyceum.ValidationError
			if errors.As(err, &ve) {
				return nil, lyceum.Invalid("responses."+q.ID+"."+ve.Field, "%s", ve.Message)
			}
			return nil, err
		}
		sub.Grades[q.ID] = g
		sub.Score += g.Score
		sub.MaxScore += g.Max
	}
	for id := range responses {
		if !known[id] {
			return nil, lyceum.Invalid("responses."+id, "no question %q in this quiz", id)
		}
	}
	k := lyceum.ItemKey{UserID: u.ID, CourseID: courseID, ItemID: itemID}
	past, err := s.Store.QuizSubmissions(ctx, k)
	if err != nil {
		return nil, err
	}
	if len(past) >= MaxQuizAttempts {
		return nil, fmt.Errorf("at most %d attempts per quiz: %w", MaxQuizAttempts, lyceum.ErrTooMany)
	}
	if err := s.Store.AddQuizSubmission(ctx, &sub); err != nil {
		return nil, err
	}
	best := sub.Score
	for _, p := range past {
		best = math.Max(best, p.Score)
	}
	now := s.now()
	if err := s.Store.UpdateItemProgress(ctx, k, lyceum.ProgressUpdate{Score: &best, MaxScore: sub.MaxScore, At: now}); err != nil {
		return nil, err
	}
	ev := s.newEvent(lyceum.EventQuizSubmitted, u, courseID, itemID, map[string]any{"submissionId": sub.ID, "score": sub.Score,
		"maxScore": sub.MaxScore, "passed": passed(it.Quiz, sub.Score, sub.MaxScore), "attempt": len(past) + 1})
	if err := s.record(ctx, ev); err != nil {
		return nil, err
	}
	res, err := s.settle(ctx, u, c, e, it, true)
	if err != nil {
		return nil, err
	}
	return &QuizResult{Submission: sub, Status: res.Status, Course: res.Course}, nil
}

func passed(q *lyceum.Quiz, score, max float64) bool {
	return max > 0 && score/max*100 >= q.PassPercent
}
