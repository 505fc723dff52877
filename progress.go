package lyceum

import "time"

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
