package lyceum

import (
	"math"
	"time"
)

// Enrollment is one learner in one course.
type Enrollment struct {
	UserID      string     `json:"userId"`
	CourseID    string     `json:"courseId"`
	EnrolledAt  time.Time  `json:"enrolledAt"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
}

// ItemKey names one learner's state in one item.
type ItemKey struct {
	UserID   string
	CourseID string
	ItemID   string
}

// WatchSegmentSeconds is the resolution at which video watching is tracked:
// segment i covers [i*s, (i+1)*s). A video counts as watched when enough of
// its segments are, so seeking to the end does not complete it.
const WatchSegmentSeconds = 1.0

// ItemProgress is one learner's state in one item.
type ItemProgress struct {
	UserID      string     `json:"-"`
	CourseID    string     `json:"-"`
	ItemID      string     `json:"itemId"`
	OpenedAt    *time.Time `json:"openedAt,omitempty"`
	Position    float64    `json:"position"` // resume position in a video, seconds
	Watched     []int      `json:"-"`        // watched segment indices, sorted
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	Score       *float64   `json:"score,omitempty"` // best quiz score
	MaxScore    float64    `json:"maxScore,omitempty"`
	UpdatedAt   time.Time  `json:"updatedAt"`
}

// WatchedFraction is the share of video v's segments p watched; 0 when
// there is no progress yet.
func (p *ItemProgress) WatchedFraction(v *Video) float64 {
	if p == nil || v == nil {
		return 0
	}
	total := int(math.Ceil(v.DurationSeconds / WatchSegmentSeconds))
	if total <= 0 {
		return 0
	}
	n := 0
	for _, s := range p.Watched {
		if s >= 0 && s < total {
			n++
		}
	}
	return float64(n) / float64(total)
}

// WatchedPercent is WatchedFraction in percent, to a tenth: what learners
// see and the warehouse holds.
func (p *ItemProgress) WatchedPercent(v *Video) float64 {
	return math.Round(p.WatchedFraction(v)*1000) / 10
}

// ProgressUpdate changes some columns of an ItemProgress and leaves the rest.
// Every field is idempotent to apply twice: watched segments are a set union,
// the others overwrite.
type ProgressUpdate struct {
	Opened    *time.Time
	Position  *float64
	Watched   []int
	Completed *time.Time
	Score     *float64
	MaxScore  float64
	At        time.Time // the time of the change; becomes UpdatedAt
}

// Answer is a learner's latest answer to one in-video question.
type Answer struct {
	UserID     string    `json:"-"`
	CourseID   string    `json:"-"`
	ItemID     string    `json:"itemId"`
	QuestionID string    `json:"questionId"`
	Response   Response  `json:"response"`
	Grade      Grade     `json:"grade"`
	AnsweredAt time.Time `json:"answeredAt"`
}

// QuizSubmission is one graded attempt at a quiz.
type QuizSubmission struct {
	ID          string              `json:"id"`
	UserID      string              `json:"-"`
	CourseID    string              `json:"courseId"`
	ItemID      string              `json:"itemId"`
	Responses   map[string]Response `json:"responses"`
	Grades      map[string]Grade    `json:"grades"`
	Score       float64             `json:"score"`
	MaxScore    float64             `json:"maxScore"`
	SubmittedAt time.Time           `json:"submittedAt"`
}
